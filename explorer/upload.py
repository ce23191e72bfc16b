"""Your own points: read an uploaded CSV or NPY file, and keep it where the ``uploaded`` manifold finds it. Pure.

**Files.** At most :data:`MAX_BYTES` (20 MB) and :data:`MAX_ROWS` (200,000) points, at least
:data:`MIN_ROWS` (10); every value a finite number.

- CSV (comma, semicolon, tab or spaces; ``#`` starts a comment; UTF-8). Without a header, its 2 or 3
  columns are the coordinates. With a header (a first line that is not all numbers), columns are
  picked by name: ``t`` (optional, the position used for colour), and ``x, y[, z]`` — or
  ``original_1, original_2[, original_3]`` as in the page's own *Points (CSV)* download — or else
  the 2 or 3 columns other than ``t``.
- NPY (``np.save``), read with ``allow_pickle=False``: an array (N, 2) or (N, 3) of coordinates, or
  a structured array whose fields are named as in a CSV header.

Without a ``t`` column, t is the row number (0, 1, …): colour follows the file's order.

**The store.** The engine is pure and cached by its inputs, so uploaded points enter it as a
parameter: :func:`remember` keeps ``(points, t)`` under a fingerprint of their content (16 hex
digits of SHA-256), and the ``uploaded`` manifold's ``data`` parameter names that fingerprint
(:func:`recall` looks it up). Equal files share one entry and one cache line; the store holds the
:data:`STORE_SIZE` most recently used uploads (the page re-remembers its own on every run). In a
notebook::

    key = remember(points, t)
    explore("uploaded", manifold_params={"data": key})
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_BYTES = 20 * 1024 * 1024  # 20 MB per file (the page's uploader has the same limit)
MAX_ROWS = 200_000
MIN_ROWS = 10  # the engine's smallest n_points
STORE_SIZE = 8  # uploads kept in memory at once (≤ 8 × 200,000 × 4 × 8 bytes ≈ 51 MB)
KEY = re.compile(r"[0-9a-f]{16}")
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
COORDINATE_NAMES = (("x", "y", "z"), ("original_1", "original_2", "original_3"))


@dataclass(frozen=True)
class Upload:
    """Points read from a file: points (N, d) with d = 2 or 3, t (N,), whether t came from the file,
    the columns used, and ``key``: the content fingerprint (``remember`` stores it under this)."""

    points: np.ndarray
    t: np.ndarray
    t_given: bool
    columns: tuple[str, ...]
    key: str

    @property
    def rows(self) -> int:
        return len(self.points)

    def describe(self) -> str:
        """E.g. ``"5,000 points in R³ (columns x, y, z; t from column t)"``."""
        space = "R²" if self.points.shape[1] == 2 else "R³"
        coordinates = [c for c in self.columns if c != "t" or not self.t_given]
        t = "t from column t" if self.t_given else "t = row number"
        return f"{self.rows:,} points in {space} (columns {', '.join(coordinates)}; {t})"


def parse_upload(data: bytes, filename: str = "") -> Upload:
    """Read an uploaded file's bytes: NPY when it starts with NumPy's magic string, CSV otherwise.

    Raises ``ValueError`` with a plain-words reason for anything it can't use.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"expected the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    name = f"{filename}: " if filename else ""
    if len(data) > MAX_BYTES:
        raise ValueError(f"{name}the file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB")
    if not data.strip():
        raise ValueError(f"{name}the file is empty")
    try:
        if data.startswith(NPY_MAGIC):
            points, t, columns = _read_npy(data)
        elif data.startswith(ZIP_MAGIC):
            raise ValueError("this is a zip archive (an .npz?); save a single array with np.save, or a CSV")
        else:
            points, t, columns = _read_csv(data)
        points, t, t_given = _checked(points, t, columns)
    except ValueError as error:
        raise ValueError(f"{name}{error}") from None
    points.setflags(write=False)
    t.setflags(write=False)
    return Upload(points, t, t_given, columns, fingerprint(points, t))


# -- the store ------------------------------------------------------------------------------------

_store: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_lock = threading.Lock()


def fingerprint(points: np.ndarray, t: np.ndarray) -> str:
    """16 hex digits of SHA-256 over the arrays' shapes and float64 bytes."""
    digest = hashlib.sha256()
    for array in (np.ascontiguousarray(points, dtype=np.float64), np.ascontiguousarray(t, dtype=np.float64)):
        digest.update(repr(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def remember(points: np.ndarray, t: np.ndarray | None = None) -> str:
    """Keep ``points`` (N, 2|3) and ``t`` (N,) (default: the row numbers) for the ``uploaded``
    manifold; returns their fingerprint, its ``data`` parameter. Checked like a file's contents."""
    points = np.array(points, dtype=np.float64)
    given = t is not None
    t = np.array(t, dtype=np.float64) if given else None
    points, t, _ = _checked(points, t, ())
    points.setflags(write=False)
    t.setflags(write=False)
    key = fingerprint(points, t)
    with _lock:
        _store[key] = (points, t)
        _store.move_to_end(key)
        while len(_store) > STORE_SIZE:
            _store.popitem(last=False)
    return key


def recall(key: str) -> tuple[np.ndarray, np.ndarray]:
    """The (points, t) remembered under ``key``; ``ValueError`` if they are not (or no longer) here."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"data must be the 16-digit fingerprint of an upload, got {str(key)[:40]!r}")
    with _lock:
        found = _store.get(key)
        if found is not None:
            _store.move_to_end(key)
    if found is None:
        raise ValueError(f"the uploaded points {key} are not in this server's memory: upload the file again "
                         f"(uploaded points can't be shared by link)")
    return found


def forget_all() -> None:
    """Empty the store (tests)."""
    with _lock:
        _store.clear()


# -- the example shown before anything is uploaded ------------------------------------------------

EXAMPLE_ROWS = 2000  # rows of example_csv()


def example_points(count: int = EXAMPLE_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles ("two moons"), ``count`` points, t = angle: 0…π along the
    upper moon, then π…2π along the lower one. What the ``uploaded`` manifold shows until a file is
    uploaded. Points (count, 2), t (count,)."""
    upper = (count + 1) // 2
    angle = np.concatenate([np.linspace(0.0, np.pi, upper), np.linspace(0.0, np.pi, count - upper)])
    lower = np.arange(count) >= upper
    points = np.column_stack([np.where(lower, 1.0 - np.cos(angle), np.cos(angle)),
                              np.where(lower, 0.5 - np.sin(angle), np.sin(angle))])
    return points, angle + np.pi * lower


def example_csv() -> bytes:
    """:func:`example_points` as a CSV with the header ``t,x,y``: a file to start from."""
    points, t = example_points()
    buffer = io.BytesIO()
    np.savetxt(buffer, np.column_stack([t, points]), fmt="%.17g", delimiter=",", header="t,x,y", comments="")
    return buffer.getvalue()


# -- reading --------------------------------------------------------------------------------------

def _read_npy(data: bytes) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(stream)  # the header only, not the data
    except Exception as error:  # noqa: BLE001 — any unreadable header is one message
        raise ValueError(f"this is not a readable NPY file ({error})") from None
    if dtype.hasobject:
        raise ValueError("the array holds Python objects, which are not read (no pickles); save numbers")
    if math.prod(shape) > MAX_ROWS * 4 or (shape and shape[0] > MAX_ROWS):  # before numpy allocates it
        raise ValueError(f"the array has shape {shape}; at most {MAX_ROWS:,} points are read")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as error:  # noqa: BLE001
        raise ValueError(f"this NPY file can't be read: {error}") from None
    if array.dtype.names:
        if array.ndim != 1:
            raise ValueError(f"a structured array must be 1-D (one record per point), got shape {array.shape}")
        names = tuple(array.dtype.names)
        table = {}
        for name in names:
            if array.dtype[name].kind not in "iuf" or array.dtype[name].shape:
                raise ValueError(f"field {name!r} has type {array.dtype[name]}; every field must be a number")
            table[name] = array[name].astype(np.float64)
        return _pick_columns(names, table)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"the array has type {array.dtype}; it must hold real numbers")
    if array.ndim != 2 or array.shape[1] not in (2, 3):
        raise ValueError(f"the array has shape {array.shape}; expected (N, 2) or (N, 3) coordinates "
                         f"(to give t as well, use a CSV with a header, or a structured array with a field t)")
    columns = ("x", "y", "z")[:array.shape[1]]
    return array.astype(np.float64), None, columns


def _read_csv(data: bytes) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("this is neither an NPY file nor a UTF-8 text (CSV) file") from None
    if "\x00" in text:
        raise ValueError("this is neither an NPY file nor a text (CSV) file")
    lines = [(number, line.split("#", 1)[0].strip()) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise ValueError("the file has no rows (only blank lines or # comments)")
    # Tab, then semicolon (whose files may use decimal commas), then comma; None: runs of spaces.
    separator = next((s for s in ("\t", ";", ",") if s in lines[0][1]), None)
    first = _split(lines[0][1], separator)
    header = not all(_is_number(field.strip().strip('"')) for field in first)
    if header:
        names = tuple(field.strip().strip('"').strip("'") for field in first)
        if any(not name for name in names) or len(set(n.lower() for n in names)) != len(names):
            raise ValueError(f"the header {', '.join(names)} needs a distinct name for every column")
        body = lines[1:]
    else:
        names = ("x", "y", "z")[:len(first)] if len(first) <= 3 else tuple(f"column {i}" for i in range(1, len(first) + 1))
        body = lines
    if not header and len(names) not in (2, 3):
        raise ValueError(f"the file has {len(names)} columns and no header; without one it must have 2 or 3 "
                         f"columns (x, y[, z]); name them in a first line, e.g. t,x,y,z")
    if len(body) > MAX_ROWS:
        raise ValueError(f"the file has {len(body):,} rows; at most {MAX_ROWS:,} points are read")
    table = _fast_table(body, names, separator)
    if table is None:  # something is off: read line by line to say where
        table = _slow_table(body, names, separator, header)
    return _pick_columns(names, table)


def _fast_table(body: list[tuple[int, str]], names: tuple[str, ...], separator: str | None) -> dict | None:
    """The columns read by pandas' C parser, or None unless every line gave every value as a number."""
    try:
        frame = pd.read_csv(io.StringIO("\n".join(line for _, line in body)), sep=separator or r"\s+",
                            header=None, names=list(range(len(names))), dtype=np.float64, engine="c",
                            skipinitialspace=True, na_filter=True, keep_default_na=False, na_values=[""])
    except (ValueError, pd.errors.ParserError):
        return None
    if frame.shape != (len(body), len(names)) or frame.isna().to_numpy().any():
        return None
    return {name: frame[i].to_numpy(dtype=np.float64) for i, name in enumerate(names)}


def _slow_table(body: list[tuple[int, str]], names: tuple[str, ...], separator: str | None, header: bool) -> dict:
    """The columns read line by line, raising ``ValueError`` at the first bad line."""
    table = {name: np.empty(len(body)) for name in names}
    columns = [table[name] for name in names]
    for row, (number, line) in enumerate(body):
        fields = _split(line, separator)
        if len(fields) != len(names):
            raise ValueError(f"line {number} has {len(fields)} value{'s' * (len(fields) != 1)}; expected "
                             f"{len(names)}, like "
                             f"{'the header' if header else 'the first line'}")
        for column, (name, field) in enumerate(zip(names, fields)):
            try:
                columns[column][row] = float(field.strip().strip('"'))
            except ValueError:
                raise ValueError(f"line {number}, column {name}: {field.strip()[:30]!r} is not a number") from None
    return table


def _split(line: str, separator: str | None) -> list[str]:
    return line.split(separator) if separator else line.split()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _pick_columns(names: tuple[str, ...], table: dict) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """Coordinates and t from named columns (see the module docstring)."""
    lower = {name.lower(): name for name in names}
    t = table[lower["t"]] if "t" in lower else None
    for candidates in COORDINATE_NAMES:
        picked = [lower[c] for c in candidates if c in lower]
        if len(picked) >= 2 and picked == [lower[c] for c in candidates[:len(picked)]]:
            break
    else:
        picked = [name for name in names if name.lower() != "t"]
        if len(picked) not in (2, 3):
            raise ValueError(f"can't tell the coordinates among the columns {', '.join(names)}: name them x, y "
                             f"(and z), optionally with t")
    used = tuple(picked) + (("t",) if t is not None else ())
    return np.column_stack([table[name] for name in picked]), t, used


def _checked(points: np.ndarray, t: np.ndarray | None, columns: tuple[str, ...]):
    """Shape, size and finiteness checks; t defaults to the row numbers."""
    if points.ndim != 2 or points.shape[1] not in (2, 3):
        raise ValueError(f"points must have 2 or 3 coordinates each, got an array of shape {points.shape}")
    rows = len(points)
    if rows < MIN_ROWS:
        raise ValueError(f"there are {rows} points; at least {MIN_ROWS} are needed")
    if rows > MAX_ROWS:
        raise ValueError(f"there are {rows:,} points; at most {MAX_ROWS:,} are read")
    given = t is not None
    t = np.arange(rows, dtype=np.float64) if t is None else np.asarray(t, dtype=np.float64)
    if t.shape != (rows,):
        raise ValueError(f"t must have one value per point ({rows}), got shape {t.shape}")
    for what, array in (("coordinates", points), ("t", t)):
        bad = ~np.isfinite(array.reshape(rows, -1)).all(axis=1)
        if np.any(bad):
            raise ValueError(f"{np.count_nonzero(bad)} points have {what} that are not finite numbers (NaN or "
                             f"infinite), the first is data row {int(np.argmax(bad)) + 1}")
    if float(np.max(np.ptp(points, axis=0))) == 0.0:
        raise ValueError("all points are the same point; there is no shape to explore")
    return np.ascontiguousarray(points, dtype=np.float64), t, given
