"""Helpers for AppTest page tests: run the page, read back the data its charts were given."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def run_page(query: dict[str, str] | None = None, timeout: float = 120) -> AppTest:
    """Load the page (optionally as opened from a link with ``query``) and run it once."""
    app = AppTest.from_file(str(APP), default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app.run()


def assert_healthy(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def widget(app: AppTest, key: str):
    """The widget whose key (= URL parameter) is ``key``, wherever it is on the page."""
    for kind in ("selectbox", "slider", "number_input", "checkbox", "radio", "multiselect", "text_input"):
        for element in getattr(app, kind):
            if element.key == key:
                return element
    raise KeyError(f"no widget with key {key!r}")


def vega_charts(app: AppTest, root=None) -> list:
    return list((root or app).get("vega_lite_chart"))


def plotly_charts(app: AppTest, root=None) -> list:
    """The Plotly views (the morph animation excluded: see :func:`morph_chart`)."""
    return [chart for chart in (root or app).get("plotly_chart") if chart.key != "morph_chart"]


def morph_chart(app: AppTest):
    (chart,) = [chart for chart in app.get("plotly_chart") if chart.key == "morph_chart"]
    return chart


def vega_data(chart) -> pd.DataFrame:
    """The dataset a Vega-Lite chart element was sent (Arrow IPC), as a DataFrame."""
    datasets = list(chart.proto.datasets)
    assert len(datasets) == 1, f"expected one dataset, got {len(datasets)}"
    return pa.ipc.open_stream(datasets[0].data.data).read_all().to_pandas()


def vega_datasets(chart) -> dict[str, pd.DataFrame]:
    """Every named dataset of a (concatenated / faceted) Vega-Lite chart element."""
    return {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets}


def vega_spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def plotly_figure(chart) -> dict:
    return json.loads(chart.proto.spec)


def plotly_array(value) -> np.ndarray:
    """Decode a Plotly JSON array: a plain list or ``{"dtype": ..., "bdata": base64}``."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def plotly_points(chart) -> np.ndarray:
    """(N, 3) coordinates of the first 3-D scatter trace, decoded from their uint16 codes with the
    figure's ``meta`` (origin + code · scale)."""
    figure = plotly_figure(chart)
    codes = np.column_stack([plotly_array(figure["data"][0][axis]) for axis in "xyz"]).astype(np.float64)
    meta = figure["layout"]["meta"]
    return np.asarray(meta["origin"]) + codes * meta["scale"]


def assert_plotly_points(chart, expected: np.ndarray) -> None:
    """The chart's 3-D points equal ``expected`` (N, 3) to within half a coordinate code."""
    half_code = plotly_figure(chart)["layout"]["meta"]["scale"] / 2 * (1 + 1e-6)
    np.testing.assert_allclose(plotly_points(chart), expected, rtol=0, atol=half_code)


def colour_codes(values: np.ndarray) -> np.ndarray:
    """The uint8 colour codes the page sends for colour ``values`` (low → 0, high → 255)."""
    values = np.asarray(values, dtype=np.float64)
    return np.rint((values - values.min()) * (255 / np.ptp(values))).astype(np.uint8)


def capture_downloads(monkeypatch) -> dict[str, Any]:
    """Record every file the page offers for download: {file name: bytes, or for a deferred
    download (made on click) the function that makes them}."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    captured: dict[str, Any] = {}
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def recording(self, path_or_data, mimetype, kind, filename=None):
        data = path_or_data.encode() if isinstance(path_or_data, str) else bytes(path_or_data)
        captured[filename or mimetype] = data
        return original(self, path_or_data, mimetype, kind, filename)

    def recording_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        captured[file_name or mimetype] = data_callable
        return original_deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_deferred)
    return captured


def linked_chart(app: AppTest):
    """The chart holding the Original and Projected-back 2-D views (one dataset, two panels)."""
    for chart in vega_charts(app):
        spec = vega_spec(chart)
        if "hconcat" in spec and any(p.get("name") == "brush" for p in spec.get("params", [])):
            return chart
    raise AssertionError("the page shows no linked 2-D views")


def two_d_views(app: AppTest) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(original, projected) points the 2-D views draw: columns x, y, c (and s when a selection greys
    points), one row per drawn point, read from the linked chart's one dataset."""
    (data,) = vega_datasets(linked_chart(app)).values()
    extra = [column for column in ("c", "s") if column in data]
    original = data[["x", "y", *extra]]
    projected = data[["xp", "yp", *extra]].rename(columns={"xp": "x", "yp": "y"})
    return original, projected
