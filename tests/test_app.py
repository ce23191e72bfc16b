"""The page, run headless with AppTest: controls, the three views' data, errors, plugins."""

from __future__ import annotations

import numpy as np
import pytest

import manifolds
import transforms
from app_support import (assert_healthy, plotly_charts, plotly_figure, plotly_points, run_page,
                         vega_charts, vega_data, vega_spec, widget)
from explorer import explore
from explorer.metrics import METRIC_HELP, METRIC_LABELS, lossy_mask
from explorer.projection import view_embedding

F32 = dict(rtol=1e-5, atol=1e-4)


@pytest.fixture(scope="module")
def default_page():
    return run_page()


def test_first_load_is_the_seed_posts_setup(default_page):
    app = default_page
    assert_healthy(app)
    assert widget(app, "manifold").value == "spiral"
    assert widget(app, "spiral.turns").value == 4.0
    assert widget(app, "transform").value == "relu"
    assert widget(app, "relu.n").value == 10
    assert widget(app, "relu.activation").value == "relu"
    assert widget(app, "n_points").value == 5000
    assert widget(app, "seed").value == 0
    original_chart, projected_chart = vega_charts(app)
    original = vega_data(original_chart)
    assert len(original) == 5000
    phi = np.linspace(0, 8 * np.pi, 5000)
    np.testing.assert_allclose(original["x"], phi * np.cos(phi), **F32)
    np.testing.assert_allclose(original["y"], phi * np.sin(phi), **F32)
    np.testing.assert_allclose(original["c"], phi, **F32)


def test_views_show_the_engines_arrays(default_page):
    expected = explore("spiral", "relu", n_points=5000, seed=0, transform_params={"n": 10})
    _, projected_chart = vega_charts(default_page)
    projected = vega_data(projected_chart)
    np.testing.assert_allclose(projected[["x", "y"]].to_numpy(), expected.projected, **F32)
    (embedded_chart,) = plotly_charts(default_page)
    np.testing.assert_allclose(plotly_points(embedded_chart), view_embedding(expected.embedded).points, **F32)


def test_one_colour_scale_across_views(default_page):
    t_range = [0.0, 8 * np.pi]
    for chart in vega_charts(default_page):
        scale = vega_spec(chart)["encoding"]["color"]["scale"]
        assert scale["scheme"] == "viridis"
        np.testing.assert_allclose(scale["domain"], t_range, rtol=1e-6)
    marker = plotly_figure(plotly_charts(default_page)[0])["data"][0]["marker"]
    assert marker["colorscale"][0][1].lower() in ("#440154", "rgb(68,1,84)")  # viridis starts dark purple
    np.testing.assert_allclose([marker["cmin"], marker["cmax"]], t_range, rtol=1e-6)


def test_two_d_views_have_equal_aspect(default_page):
    for chart in vega_charts(default_page):
        spec = vega_spec(chart)
        assert spec["width"] == spec["height"]
        x_domain = spec["encoding"]["x"]["scale"]["domain"]
        y_domain = spec["encoding"]["y"]["scale"]["domain"]
        assert x_domain[1] - x_domain[0] == pytest.approx(y_domain[1] - y_domain[0])


def test_metrics_row_shows_every_metric_with_its_explanation(default_page):
    expected = explore("spiral", "relu", n_points=5000, seed=0).metrics
    assert set(expected) >= {"reconstruction_error", "lossy_fraction", "collapse_fraction", "neighbor_preservation"}
    shown = {m.label: m for m in default_page.metric}
    for name, value in expected.items():
        element = shown[METRIC_LABELS[name]]
        assert float(element.value) == pytest.approx(value, rel=1e-2, abs=1e-9)
        assert element.proto.help == METRIC_HELP[name]


@pytest.mark.parametrize("name", manifolds.registry.names())
def test_every_manifold_draws_from_the_page(name):
    app = run_page({"manifold": name, "n_points": "500"})
    assert_healthy(app)
    expected = explore(name, "relu", n_points=500)
    if expected.d == 2:
        assert len(vega_charts(app)) == 2
        np.testing.assert_allclose(vega_data(vega_charts(app)[0])[["x", "y"]], expected.original, **F32)
    else:
        original_chart, projected_chart, _ = plotly_charts(app)
        np.testing.assert_allclose(plotly_points(original_chart), expected.original, **F32)
        np.testing.assert_allclose(plotly_points(projected_chart), expected.projected, **F32)
        assert plotly_figure(original_chart)["layout"]["scene"]["aspectmode"] == "data"


@pytest.mark.parametrize("activation", transforms.registry["relu"].params["activation"].choices)
@pytest.mark.parametrize("inverse", ["pinv", "square"])
def test_every_activation_and_inverse(activation, inverse):
    app = run_page({"relu.activation": activation, "relu.inverse": inverse, "n_points": "400"})
    assert_healthy(app)
    expected = explore("spiral", "relu", n_points=400,
                       transform_params={"activation": activation, "inverse": inverse})
    np.testing.assert_allclose(vega_data(vega_charts(app)[1])[["x", "y"]], expected.projected, **F32)


@pytest.mark.parametrize("name", transforms.registry.names())
def test_every_transform_draws_from_the_page(name):
    app = run_page({"transform": name, "n_points": "300"})
    assert_healthy(app)
    assert len(vega_charts(app)) >= 2


def test_changing_a_param_redraws_with_new_data():
    app = run_page({"n_points": "1000"})
    widget(app, "spiral.turns").set_value(2.0).run()
    assert_healthy(app)
    colour = vega_data(vega_charts(app)[0])["c"]
    assert colour.max() == pytest.approx(4 * np.pi, rel=1e-6)


def test_new_random_matrix_button_draws_a_new_matrix():
    app = run_page({"n_points": "1000"})
    before = vega_data(vega_charts(app)[1])
    app.button[0].click().run()
    assert_healthy(app)
    assert widget(app, "seed").value == 1
    after = vega_data(vega_charts(app)[1])
    np.testing.assert_allclose(after[["x", "y"]], explore("spiral", seed=1, n_points=1000).projected, **F32)
    assert not np.allclose(before[["x", "y"]], after[["x", "y"]])


def test_knot_with_n_above_three_offers_a_chosen_coordinates_view():
    app = run_page({"manifold": "trefoil", "n_points": "500", "view3d": "coordinates"})
    assert_healthy(app)
    embedded_chart = plotly_charts(app)[2]
    expected = explore("trefoil", n_points=500).embedded
    np.testing.assert_allclose(plotly_points(embedded_chart), expected[:, :3], **F32)


def test_lost_kept_colouring_marks_exactly_the_lossy_points():
    app = run_page({"relu.n": "3", "n_points": "2000", "colour": "lost / kept"})
    assert_healthy(app)
    expected = explore("spiral", n_points=2000, transform_params={"n": 3})
    lost = lossy_mask(expected.active, 2)
    assert 0 < lost.sum() < len(lost)
    for chart in vega_charts(app):
        np.testing.assert_array_equal(vega_data(chart)["c"].to_numpy() == "lost", lost)


def test_plugin_error_is_shown_and_the_page_keeps_working():
    app = run_page({"manifold": "torus_knot", "torus_knot.p": "2", "torus_knot.q": "4"})
    assert not app.exception
    assert any("gcd" in e.value for e in app.error)
    assert widget(app, "manifold").value == "torus_knot"  # controls still there
    widget(app, "torus_knot.q").set_value(3).run()
    assert_healthy(app)
    assert len(plotly_charts(app)) == 3


def test_square_inverse_below_d_is_explained_not_raised():
    app = run_page({"manifold": "trefoil", "relu.n": "2", "relu.inverse": "square"})
    assert not app.exception
    assert any("n ≥ d" in e.value for e in app.error)
