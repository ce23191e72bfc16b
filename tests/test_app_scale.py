"""Large inputs on the page: views draw a faithful display sample; view options recompute nothing."""

from __future__ import annotations

import numpy as np
import pytest

import explorer.ui
from app_support import assert_healthy, assert_plotly_points, plotly_charts, run_page, two_d_views, widget
from explorer import explore
from explorer.sampling import display_rows

F32 = dict(rtol=1e-5, atol=1e-4)


def test_display_rows_are_an_even_stride_along_t():
    t = np.random.default_rng(0).permutation(1001).astype(float)  # t = 0..1000 in shuffled order
    rows = display_rows(t, 101)
    assert len(rows) == 101 and np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(np.sort(t[rows]), np.arange(0, 1001, 10))  # every 10th along t
    np.testing.assert_array_equal(display_rows(t, 5000), np.arange(1001))  # under the cap: all


def test_large_sample_draws_a_capped_faithful_subset():
    app = run_page({"n_points": "200000", "display": "5000"})
    assert_healthy(app)
    expected = explore("spiral", n_points=200_000)
    rows = display_rows(expected.t, 5000)
    original, projected = two_d_views(app)
    assert len(original) == len(projected) == 5000
    np.testing.assert_allclose(original[["x", "y"]], expected.original[rows], **F32)
    np.testing.assert_allclose(projected[["x", "y"]], expected.projected[rows], **F32)
    assert any("Drawing 5,000 of 200,000 points" in caption.value for caption in app.caption)
    shown = {m.label: float(m.value) for m in app.metric}  # metrics still use every point
    assert shown["Lossy fraction"] == pytest.approx(expected.metrics["lossy_fraction"], rel=1e-2, abs=1e-9)


def test_knot_3d_views_are_sampled_too():
    app = run_page({"manifold": "trefoil", "n_points": "50000", "display": "2000"})
    assert_healthy(app)
    expected = explore("trefoil", n_points=50_000)
    rows = display_rows(expected.t, 2000)
    original, projected, _ = plotly_charts(app)
    assert_plotly_points(original, expected.original[rows])
    assert_plotly_points(projected, expected.projected[rows])


def test_view_options_do_not_recompute_the_transform(monkeypatch):
    calls = []
    monkeypatch.setattr(explorer.ui, "explore", lambda *args, **kwargs: calls.append(args) or explore(*args, **kwargs))
    explorer.ui.cached_explore.clear()
    app = run_page({"n_points": "3000", "relu.n": "5"})
    assert len(calls) == 1
    widget(app, "colour").set_value("lost / kept").run()
    widget(app, "view3d").set_value("coordinates").run()
    widget(app, "display").set_value(1000).run()
    assert_healthy(app)
    assert len(calls) == 1
    widget(app, "spiral.turns").set_value(3.0).run()
    assert len(calls) == 2
