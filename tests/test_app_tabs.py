"""The Figure 1 and Sweep tabs, through AppTest: the data their charts were given."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from app_support import (assert_healthy, capture_downloads, run_page, vega_charts, vega_datasets, vega_spec)
from explorer import explore, sweep
from explorer.sweep import sweep_summary

F32 = dict(rtol=1e-5, atol=1e-4)


def panels(chart) -> list[tuple[dict, pd.DataFrame]]:
    """(spec, data) of each small multiple of the Figure-1 grid, in order. The grid sends one
    dataset (one colour column ``c``, and ``x<i>``, ``y<i>`` per panel): each panel's x/y fields
    pick its columns."""
    (data,) = vega_datasets(chart).values()
    result = []
    for panel in vega_spec(chart)["concat"]:
        x, y = panel["encoding"]["x"]["field"], panel["encoding"]["y"]["field"]
        result.append((panel, data[[x, y, "c"]].set_axis(["x", "y", "c"], axis=1)))
    return result


def test_figure1_reproduces_the_paper_with_measurements():
    app = run_page({"tab": "Figure 1", "n_points": "1000"})
    assert_healthy(app)
    (chart,) = vega_charts(app)
    shown = panels(chart)
    assert [p["title"]["text"] for p, _ in shown] == ["Input", "n = 2", "n = 3", "n = 5", "n = 15", "n = 30"]
    phi = np.linspace(0, 8 * np.pi, 1000)
    np.testing.assert_allclose(shown[0][1]["x"], phi * np.cos(phi), **F32)
    for (spec, data), n in zip(shown[1:], [2, 3, 5, 15, 30]):
        expected = explore("spiral", "relu", n_points=1000, transform_params={"n": n})
        np.testing.assert_allclose(data[["x", "y"]], expected.projected, **F32)
        assert f"lossy {expected.metrics['lossy_fraction']:.1%}" in spec["title"]["subtitle"]
        assert f"collapsed {expected.metrics['collapse_fraction']:.1%}" in spec["title"]["subtitle"]
        x_domain, y_domain = spec["encoding"]["x"]["scale"]["domain"], spec["encoding"]["y"]["scale"]["domain"]
        assert x_domain[1] - x_domain[0] == pytest.approx(y_domain[1] - y_domain[0])  # equal axes
        assert spec["width"] == spec["height"]


def test_figure1_n_list_is_editable_and_bad_lists_are_explained():
    app = run_page({"tab": "Figure 1", "figure1.n": "4, 8", "n_points": "500"})
    assert_healthy(app)
    assert [p["title"]["text"] for p, _ in panels(vega_charts(app)[0])] == ["Input", "n = 4", "n = 8"]
    app.text_input(key="figure1.n").set_value("2, three").run()
    assert not app.exception
    assert any("three" in e.value for e in app.error)
    app.text_input(key="figure1.n").set_value("2, 999").run()
    assert any("at most 64" in e.value for e in app.error)


def test_figure1_for_a_knot_shows_its_x1_x2_plane():
    app = run_page({"tab": "Figure 1", "manifold": "trefoil", "figure1.n": "3, 30", "n_points": "500"})
    assert_healthy(app)
    _, data = panels(vega_charts(app)[0])[2]
    expected = explore("trefoil", n_points=500, transform_params={"n": 30}).projected
    np.testing.assert_allclose(data[["x", "y"]], expected[:, :2], **F32)


def test_sweep_tab_charts_mean_band_and_theory_and_offers_the_csv(monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = run_page({"tab": "Sweep over n", "sweep.n": "2, 3, 5", "sweep.seeds": "4", "sweep.points": "500"})
    assert_healthy(app)
    (chart,) = vega_charts(app)
    (data,) = vega_datasets(chart).values()
    table = sweep("spiral", "relu", n_values=[2, 3, 5], seeds=range(4), n_points=500)
    summary = sweep_summary(table)
    lossy = data[data["metric"] == "Lossy fraction"].sort_values("n")
    expected = summary[summary["metric"] == "lossy_fraction"].sort_values("n")
    np.testing.assert_allclose(lossy["mean"], expected["mean"])
    np.testing.assert_allclose(lossy[["low", "high"]], expected[["low", "high"]])
    np.testing.assert_allclose(lossy["theory"], [0.75, 0.5, 0.1875])
    assert set(data["metric"]) == {"Lossy fraction", "Collapse fraction", "Neighbours kept", "Reconstruction error"}
    csv = pd.read_csv(io.BytesIO(downloads["sweep.csv"]))
    pd.testing.assert_frame_equal(csv, table, check_dtype=False)


def test_sweep_rejects_a_bad_width_list():
    app = run_page({"tab": "Sweep over n", "sweep.n": "0, 2"})
    assert not app.exception
    assert any("at least 1" in e.value for e in app.error)
