"""Bytes sent per view per point, against the floor of raw float32 coordinates.

The page runs in Streamlit's ``AppTest`` at ``?n_points=N``; each chart element it emits is the
protobuf that goes to the browser inside a ForwardMsg. For every view:

- payload = ``element.proto.ByteSize()``: everything the element carries (Vega-Lite: the spec JSON
  and the Arrow IPC datasets; Plotly: the figure JSON, base64 arrays included);
- data = the part that holds the points (Vega-Lite: the Arrow bytes; Plotly: the ``data`` traces);
- points drawn = read from the data themselves (Arrow rows; trace array lengths), so a display
  sample counts as what it is, whatever dtype or encoding the page chose. One element may hold
  several views (a Vega-Lite concatenation sharing one dataset: its rows count once per scatter
  view that draws them) or an animation (a Plotly figure's frames: each frame's points count);
- floor = 4 bytes × coordinates: 8 bytes per point for a 2-D view, 12 for a 3-D one.

    python benchmarks/payload.py [--sizes 5000 200000]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = (5_000, 200_000)
LIMIT = 1.5  # the target: within 1.5× the float32 floor


def _title(value) -> str:
    if isinstance(value, dict):
        value = value.get("text", "")
    if isinstance(value, list):
        value = " ".join(map(str, value))
    return re.split(r"<br>", str(value or ""))[0].strip() or "(untitled)"


def _arrow_rows(blob: bytes) -> int:
    import pyarrow as pa

    return pa.ipc.open_stream(blob).read_all().num_rows if blob else 0


POINT_MARKS = {"circle", "point", "square"}


def _leaves(spec: dict, data: str | None = None):
    """(unit spec, its dataset name) for every unit (a spec with a mark) of a composed Vega-Lite spec."""
    if isinstance(spec.get("data"), dict) and "name" in spec["data"]:
        data = spec["data"]["name"]
    for key in ("hconcat", "vconcat", "concat", "layer"):
        for sub in spec.get(key, []):
            yield from _leaves(sub, data)
    if isinstance(spec.get("spec"), dict):  # facet / repeat
        yield from _leaves(spec["spec"], data)
    if "mark" in spec:
        yield spec, data


def vega_view(chart) -> dict:
    """One chart element, which may hold several views (a concatenation sharing one dataset):
    its points drawn are the rows each scatter view draws, summed over its views."""
    proto = chart.proto
    datasets = {d.name: d.data.data for d in proto.datasets if d.data.data}
    if proto.HasField("data") and proto.data.data:
        datasets[""] = proto.data.data
    rows = {name: _arrow_rows(blob) for name, blob in datasets.items()}
    spec = json.loads(proto.spec)
    views, points, dims = [], 0, 2
    for unit, data in _leaves(spec):
        mark = unit["mark"]["type"] if isinstance(unit["mark"], dict) else unit["mark"]
        encoding = unit.get("encoding", {})
        if mark not in POINT_MARKS or not {"x", "y"} <= set(encoding):
            continue
        if data is None or data not in rows:  # unnamed: the element's one dataset, or inline values
            data = next(iter(rows), None)
        points += rows.get(data, len(unit.get("data", {}).get("values", [])))
        dims = 3 if "z" in encoding else dims
        views.append(_title(unit.get("title")))
    # inline data (no Arrow dataset) would sit in the spec itself: count the spec as data then
    data_bytes = sum(map(len, datasets.values())) if datasets else len(proto.spec)
    return dict(view=" + ".join(views) or f"{_title(spec.get('title'))} (no scatter view)", kind="Vega-Lite",
                dims=dims, points=points, views=len(views), data_bytes=data_bytes, payload=proto.ByteSize())


def plotly_view(chart) -> dict:
    from tests.app_support import plotly_array

    figure = json.loads(chart.proto.spec)
    traces = [t for t in figure.get("data", []) if t.get("visible", True) is not False]
    frames = figure.get("frames") or []
    dims = 3 if any(t.get("type", "").endswith("3d") for t in traces) else 2
    # an animation draws every frame's points in turn: they all count as points drawn
    drawn = traces + [t for frame in frames for t in frame.get("data", [])]
    points = sum(len(plotly_array(t["x"])) for t in drawn if isinstance(t, dict) and "x" in t)
    data_bytes = len(json.dumps([figure.get("data", []), frames], separators=(",", ":")))
    view = _title(figure.get("layout", {}).get("title"))
    return dict(view=view + (f" ({len(frames)} animation frames)" if frames else ""), kind="Plotly", dims=dims,
                points=points, views=1, data_bytes=data_bytes, payload=chart.proto.ByteSize())


def measure_app(app, n_points: int) -> list[dict]:
    """One row per chart the (already run) page shows."""
    rows = [vega_view(c) for c in app.get("vega_lite_chart")] + [plotly_view(c) for c in app.get("plotly_chart")]
    for row in rows:
        row["n_points"] = n_points
        row["floor"] = 4 * row["dims"]
        row["per_point"] = row["payload"] / row["points"] if row["points"] else float("nan")
        row["data_per_point"] = row["data_bytes"] / row["points"] if row["points"] else float("nan")
        row["ratio"] = row["per_point"] / row["floor"]
    return rows


def scatter_views(rows: list[dict]) -> list[dict]:
    """The rows the target applies to: charts that draw points."""
    return [row for row in rows if row["points"]]


def run_page(n_points: int, timeout: float = 600):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    app.query_params["n_points"] = str(n_points)
    return app.run()


def measure(sizes=SIZES, apps: dict | None = None) -> list[dict]:
    """Rows for each N; ``apps`` (N → a run AppTest) saves a page run where one exists already."""
    rows = []
    for n_points in sizes:
        app = (apps or {}).get(n_points) or run_page(n_points)
        rows.extend(measure_app(app, n_points))
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| N | view | chart | points drawn | payload bytes | of which data | bytes / point | float32 floor "
             "| ratio to floor | target | result |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        if not row["points"]:
            lines.append(f"| {row['n_points']:,} | {row['view']} | {row['kind']} | 0 | {row['payload']:,} "
                         f"| {row['data_bytes']:,} | — | — | — | — | — |")
            continue
        verdict = "PASS" if row["ratio"] <= LIMIT else f"FAIL ({row['ratio'] / LIMIT:.2f}× the limit)"
        lines.append(f"| {row['n_points']:,} | {row['view']} | {row['kind']} {row['dims']}-D | {row['points']:,} "
                     f"| {row['payload']:,} | {row['data_bytes']:,} | {row['per_point']:.2f} | {row['floor']} "
                     f"| **{row['ratio']:.2f}×** | ≤ {LIMIT}× | {verdict} |")
    if not rows:
        lines.append("| — | no chart found on the page | | | | | | | | | FAIL |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    print(table(measure(args.sizes)))


if __name__ == "__main__":
    main()
