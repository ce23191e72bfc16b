"""Resource limits: the memory an exploration may take, and the time a plugin call may take.

**Memory.** Before anything is allocated, :func:`check` estimates the peak memory of one
exploration of ``n_points`` points at embedding width ``n`` and refuses at once, with a
``ValueError`` saying what to lower, when it is over the limit::

    peak ≈ SAFETY × (n_points · (PER_POINT + PER_UNIT · n) + min(n_points, 20,000) · PER_QUERY + n · PER_WIDTH)

The constants are the measured peak memory (RSS, and tracemalloc for the arrays) of ``explore()``
over 5,000–1,000,000 points, n = 1–64, the spiral and the trefoil, every inverse and the activations
with the most temporaries (GELU), fitted as the tightest line above every measurement, times
``SAFETY`` = 1.1 for what was not measured (``python -m explorer.budget`` measures again and
prints the table). The ReLU layer needs 30–40 % less than the estimate; a plugin transform is assumed to need what the built-in layer does, with
``n`` read from its ``n`` parameter (no ``n``: the per-point part alone) and checked again against
the width it actually returned before any metric is computed.

The limit is ``MANIFOLD_EXPLORER_MEMORY_MB`` (megabytes, 2²⁰ bytes) or :data:`MEMORY_MB`: 700 MB,
sized for a host with 1 GB of memory: the server itself takes about
230 MB, and the default page at 1,000,000 points (n = 10, estimate ≈ 640 MB) still fits; measured
peak there is ≈ 0.4 GB above the server's own memory. Explorations running at the same time in one
process (several visitors) share the limit: :func:`reserve` makes a request wait until the
estimates of everything running plus its own fit (or gives up after :data:`WAIT_SECONDS`).

**Time.** :func:`call_with_time_limit` runs a plugin call in a worker thread and stops waiting after
:func:`plugin_seconds` seconds with a ``ValueError``. A Python thread can't be killed: the call runs
on in the background until it returns, its result is dropped, and while it runs further calls of
the same plugin are refused at once (so a stuck plugin can't pile up threads).
The limit is ``MANIFOLD_EXPLORER_PLUGIN_SECONDS`` or, when unset, :data:`PAGE_PLUGIN_SECONDS` on a
Streamlit page and none elsewhere: in a notebook or on the command line the plugin runs in the
calling thread, where Ctrl-C stops it, which a worker thread could not offer.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterator

MEMORY_ENV = "MANIFOLD_EXPLORER_MEMORY_MB"
SECONDS_ENV = "MANIFOLD_EXPLORER_PLUGIN_SECONDS"
MEMORY_MB = 700  # default limit on one exploration's estimated peak, and on all running at once
MB = 2**20
PAGE_PLUGIN_SECONDS = 20.0  # default time limit of one plugin call on a Streamlit page
WAIT_SECONDS = 60.0  # how long a request waits for others to finish before it is refused

# The model (bytes), fitted to measurements; see the module docstring and ``python -m explorer.budget``.
PER_POINT = 325  # samples, t, projection, colours, metric trees and hashes
PER_UNIT = 27  # per point and per unit of n: embedded, active, pre-activation, the activation's temporaries
PER_QUERY = 610  # per query point of the neighbour metric (at most NEIGHBOUR_QUERIES = 20,000)
PER_WIDTH = 175_000  # per unit of n: the metrics' row blocks (32,768 rows × n)
QUERIES = 20_000
SAFETY = 1.1


class BudgetError(ValueError):
    """A request over the memory limit, or a plugin call over the time limit. The message says
    what to lower."""


# -- memory -----------------------------------------------------------------------------------------

def memory_limit() -> int:
    """The limit in bytes: ``MANIFOLD_EXPLORER_MEMORY_MB`` megabytes, else :data:`MEMORY_MB`."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return int(MEMORY_MB * MB)
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = math.nan
    if not math.isfinite(megabytes) or megabytes <= 0:
        raise BudgetError(f"{MEMORY_ENV} must be a positive number of megabytes, got {text!r}")
    return int(megabytes * MB)


def estimate(n_points: int, n: int | None = None) -> int:
    """Estimated peak bytes of one exploration of ``n_points`` points at width ``n`` (None: unknown,
    counted as 1). Pure arithmetic on Python ints: instant for any size."""
    width = max(int(n or 1), 1)
    points = max(int(n_points), 0)
    raw = points * (PER_POINT + PER_UNIT * width) + min(points, QUERIES) * PER_QUERY + width * PER_WIDTH
    return int(math.ceil(SAFETY * raw))


def result_bytes(n_points: int, n: int | None = None, d: int = 3) -> int:
    """Bytes an :class:`~explorer.pipeline.Exploration` keeps: original and projected (N, d),
    t (N,), embedded (N, n) float64, active (N, n) bool."""
    width = max(int(n or 1), 1)
    return int(n_points) * (8 * (2 * d + 1) + 9 * width)


def check(n_points: int, n: int | None = None, *, what: str = "This exploration", copies: int = 1) -> int:
    """The estimate for ``copies`` explorations running at once; raise :class:`BudgetError` if it is
    over the limit, saying what to lower. Returns the estimate in bytes."""
    need = copies * estimate(n_points, n)
    limit = memory_limit()
    if need > limit:
        at = f" at n = {int(n):,}" if n is not None else ""
        lower = "the number of points (n_points) or the width n" if n is not None else "the number of points (n_points)"
        raise BudgetError(f"{what} needs ~{format_bytes(need)} of memory for {int(n_points):,} points{at}"
                          f"{f' ({copies} at a time)' if copies > 1 else ''}; the limit is {format_bytes(limit)} "
                          f"(set by {MEMORY_ENV}): lower {lower}")
    return need


def format_bytes(count: float) -> str:
    """``629145600`` → ``"600 MB"``, ``2.5 * 2**30`` → ``"2.5 GB"`` (binary units, plain names)."""
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if count >= size:
            value = count / size
            return f"{value:.2g} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{int(count)} bytes"


class _Pool:
    """Estimated bytes of the explorations running now in this process, kept under the limit."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._reserved = 0
        self._local = threading.local()

    @property
    def reserved(self) -> int:
        return self._reserved

    @contextmanager
    def reserve(self, nbytes: int, wait: float | None = None) -> Iterator[None]:
        if getattr(self._local, "held", False):  # nested in a reservation of this thread: counted there
            yield
            return
        limit = memory_limit()
        wait = WAIT_SECONDS if wait is None else wait
        with self._condition:
            # Alone, a request that passed check() always runs; with others, when all fit together.
            fits = self._condition.wait_for(lambda: self._reserved == 0 or self._reserved + nbytes <= limit,
                                            timeout=wait)
            if not fits:
                raise BudgetError(f"the server is busy: explorations running now take "
                                  f"~{format_bytes(self._reserved)} of the {format_bytes(limit)} memory limit and "
                                  f"this one needs ~{format_bytes(nbytes)}; try again in a moment, or lower the "
                                  f"number of points (n_points) or the width n")
            self._reserved += nbytes
        self._local.held = True
        try:
            yield
        finally:
            self._local.held = False
            with self._condition:
                self._reserved -= nbytes
                self._condition.notify_all()


POOL = _Pool()


def reserve(nbytes: int, wait: float | None = None):
    """Context manager: hold ``nbytes`` of the process-wide limit while a computation runs; waits up
    to ``wait`` (default :data:`WAIT_SECONDS`) for running ones to finish, then raises
    :class:`BudgetError`. Nested reservations in one thread count once (the outer one)."""
    return POOL.reserve(nbytes, wait)


# -- cached results ---------------------------------------------------------------------------------

CACHE_SHARE = 4  # cached results may keep at most 1/CACHE_SHARE of the memory limit
CACHE_ENTRIES = 8


class ResultCache:
    """A least-recently-used cache shared by every thread (every page session), bounded both by
    entries (``max_entries``) and by bytes (1/:data:`CACHE_SHARE` of :func:`memory_limit`, read at
    each insertion), so many visitors asking for different large results can't grow memory without
    end. ``size(value)`` gives a value's bytes; a value larger than the whole bound is returned but
    not kept. Concurrent calls with one key compute once; exceptions are not cached."""

    def __init__(self, size: Callable[[Any], int], max_entries: int = CACHE_ENTRIES) -> None:
        self._size = size
        self.max_entries = max_entries
        self._items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._computing: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        return memory_limit() // CACHE_SHARE

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(size for _, size in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The value cached under ``key``, else ``compute()`` (kept if it fits)."""
        try:
            hash(key)
        except TypeError:  # not a usable key (odd inputs): compute, keep nothing
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._items:  # another session computed it while this one waited
                    self._items.move_to_end(key)
                    return self._items[key][0]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            self._keep(key, value)
            return value

    def _keep(self, key: Any, value: Any) -> None:
        size, limit = int(self._size(value)), self.max_bytes
        with self._lock:
            if size > limit:
                return
            self._items[key] = (value, size)
            total = sum(item_size for _, item_size in self._items.values())
            while len(self._items) > self.max_entries or total > limit:
                _, (_, dropped) = self._items.popitem(last=False)
                total -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# -- time -------------------------------------------------------------------------------------------

def plugin_seconds() -> float | None:
    """The time limit of one plugin call in seconds, or None for no limit (see the module docstring)."""
    text = os.environ.get(SECONDS_ENV, "").strip()
    if text:
        if text.lower() in ("none", "off", "0"):
            return None
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds) or seconds < 0:
            raise BudgetError(f"{SECONDS_ENV} must be a positive number of seconds (or 'off'), got {text!r}")
        return seconds
    return PAGE_PLUGIN_SECONDS if _on_streamlit_page() else None


def _on_streamlit_page() -> bool:
    runtime = sys.modules.get("streamlit.runtime")  # never imports Streamlit itself
    try:
        return runtime is not None and bool(runtime.exists())
    except Exception:  # noqa: BLE001 — an unexpected Streamlit version: behave as in a notebook
        return False


_late: dict[str, list[threading.Thread]] = {}  # plugin → its calls still running after their time ran out
_late_lock = threading.Lock()


def call_with_time_limit(who: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, given at most :func:`plugin_seconds` seconds; ``who`` names the
    plugin (``"transform 'warp'"``) in the :class:`BudgetError` raised when it takes longer."""
    seconds = plugin_seconds()
    if seconds is None:
        return func(*args, **kwargs)
    with _late_lock:
        running = [thread for thread in _late.get(who, []) if thread.is_alive()]
        _late[who] = running
        if running:
            raise BudgetError(f"{who} is still busy with an earlier call that took longer than its time limit; "
                              f"try again when it has finished, or choose another plugin")
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = func(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 — handed over to the waiting thread as it is
            outcome["error"] = error
        finally:
            done.set()

    # A daemon thread: one that never returns can't keep the process from exiting.
    thread = threading.Thread(target=run, name=f"plugin call: {who}", daemon=True)
    thread.start()
    if not done.wait(seconds):
        with _late_lock:
            _late.setdefault(who, []).append(thread)
        raise BudgetError(f"{who} took longer than {seconds:g} s (the time limit, set by {SECONDS_ENV}) and was "
                          f"left to finish in the background; lower the number of points or its parameters")
    if "error" in outcome:
        error = outcome.pop("error")
        try:
            raise error
        finally:
            del error  # no reference cycle through the traceback
    return outcome["value"]


# -- measuring the model ----------------------------------------------------------------------------

def measure_peak(manifold: str = "trefoil", transform: str = "relu", *, n_points: int, **transform_params: Any) -> int:
    """Peak bytes of the arrays one ``explore()`` allocates (tracemalloc; NumPy reports to it).
    Trees and buffers of compiled code are not traced: the model's constants are fitted to RSS too."""
    import tracemalloc

    from explorer.pipeline import explore

    explore(manifold, transform, n_points=10, transform_params=transform_params)  # imports, discovery
    tracemalloc.start()
    try:
        explore(manifold, transform, n_points=n_points, transform_params=transform_params)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    """``python -m explorer.budget``: measured peaks against the model, as a markdown table."""
    rows = ["| N | n | activation | measured (tracemalloc) | estimate | estimate / measured |",
            "|---:|---:|---|---:|---:|---:|"]
    for n_points in (20_000, 200_000):
        for n in (1, 10, 64):
            for activation in ("relu", "gelu"):
                measured = measure_peak(n_points=n_points, n=n, activation=activation, inverse="pinv")
                guess = estimate(n_points, n)
                rows.append(f"| {n_points:,} | {n} | {activation} | {format_bytes(measured)} | {format_bytes(guess)} "
                            f"| {guess / measured:.2f} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
