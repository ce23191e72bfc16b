"""The page, run headless with AppTest: controls, the three views' data, errors, plugins."""

from __future__ import annotations

import numpy as np
import pytest

import manifolds
import transforms
from app_support import (assert_healthy, assert_plotly_points, colour_codes, linked_chart, plotly_array,
                         plotly_charts, plotly_figure, run_page, two_d_views, vega_spec, widget)
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
    original, _ = two_d_views(app)
    assert len(original) == 5000
    phi = np.linspace(0, 8 * np.pi, 5000)
    np.testing.assert_allclose(original["x"], phi * np.cos(phi), **F32)
    np.testing.assert_allclose(original["y"], phi * np.sin(phi), **F32)
    np.testing.assert_array_equal(original["c"], colour_codes(phi))


def test_views_show_the_engines_arrays(default_page):
    expected = explore("spiral", "relu", n_points=5000, seed=0, transform_params={"n": 10})
    _, projected = two_d_views(default_page)
    np.testing.assert_allclose(projected[["x", "y"]].to_numpy(), expected.projected, **F32)
    (embedded_chart,) = plotly_charts(default_page)
    assert_plotly_points(embedded_chart, view_embedding(expected.embedded).points)


def test_one_colour_scale_across_views(default_page):
    codes = colour_codes(np.linspace(0, 8 * np.pi, 5000))  # t = φ ∈ [0, 8π] → codes 0..255
    np.testing.assert_array_equal(two_d_views(default_page)[0]["c"], codes)  # one column for both 2-D views
    for panel in vega_spec(linked_chart(default_page))["hconcat"]:
        colour = panel["encoding"]["color"]["condition"]  # coloured unless outside a brush
        assert colour["scale"] == {"scheme": "viridis", "domain": [0, 255]}
        assert colour["field"] == "c"
    trace = plotly_figure(plotly_charts(default_page)[0])["data"][0]
    np.testing.assert_array_equal(plotly_array(trace["marker"]["color"]), codes)
    marker = trace["marker"]
    assert marker["colorscale"][0][1].lower() in ("#440154", "rgb(68,1,84)")  # viridis starts dark purple
    assert (marker["cmin"], marker["cmax"]) == (0, 255)
    # The colour bar speaks in t: its ticks sit at the codes of round t values.
    ticks = [float(text) for text in marker["colorbar"]["ticktext"]]
    np.testing.assert_allclose(marker["colorbar"]["tickvals"], np.array(ticks) * 255 / (8 * np.pi))
    assert ticks[0] == 0 and ticks[-1] > 20


def test_two_d_views_have_equal_aspect(default_page):
    for spec in vega_spec(linked_chart(default_page))["hconcat"]:
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
        np.testing.assert_allclose(two_d_views(app)[0][["x", "y"]], expected.original, **F32)
    else:
        original_chart, projected_chart, _ = plotly_charts(app)
        assert_plotly_points(original_chart, expected.original)
        assert_plotly_points(projected_chart, expected.projected)
        assert plotly_figure(original_chart)["layout"]["scene"]["aspectmode"] == "data"


@pytest.mark.parametrize("activation", transforms.registry["relu"].params["activation"].choices)
@pytest.mark.parametrize("inverse", ["pinv", "square"])
def test_every_activation_and_inverse(activation, inverse):
    app = run_page({"relu.activation": activation, "relu.inverse": inverse, "n_points": "400"})
    assert_healthy(app)
    expected = explore("spiral", "relu", n_points=400,
                       transform_params={"activation": activation, "inverse": inverse})
    np.testing.assert_allclose(two_d_views(app)[1][["x", "y"]], expected.projected, **F32)


@pytest.mark.parametrize("name", transforms.registry.names())
def test_every_transform_draws_from_the_page(name):
    app = run_page({"transform": name, "n_points": "300"})
    assert_healthy(app)
    original, projected = two_d_views(app)
    np.testing.assert_allclose(projected[["x", "y"]], explore("spiral", name, n_points=300).projected, **F32)


def test_changing_a_param_redraws_with_new_data():
    app = run_page({"n_points": "1000"})
    widget(app, "spiral.turns").set_value(2.0).run()
    assert_healthy(app)
    original = two_d_views(app)[0]
    phi = np.linspace(0, 4 * np.pi, 1000)  # two turns
    np.testing.assert_allclose(original[["x", "y"]], np.column_stack([phi * np.cos(phi), phi * np.sin(phi)]), **F32)


def test_new_random_matrix_button_draws_a_new_matrix():
    app = run_page({"n_points": "1000"})
    before = two_d_views(app)[1]
    app.button[0].click().run()
    assert_healthy(app)
    assert widget(app, "seed").value == 1
    after = two_d_views(app)[1]
    np.testing.assert_allclose(after[["x", "y"]], explore("spiral", seed=1, n_points=1000).projected, **F32)
    assert not np.allclose(before[["x", "y"]], after[["x", "y"]])


def test_knot_with_n_above_three_offers_a_chosen_coordinates_view():
    app = run_page({"manifold": "trefoil", "n_points": "500", "view3d": "coordinates"})
    assert_healthy(app)
    embedded_chart = plotly_charts(app)[2]
    expected = explore("trefoil", n_points=500).embedded
    assert_plotly_points(embedded_chart, expected[:, :3])


def test_lost_kept_colouring_marks_exactly_the_lossy_points():
    app = run_page({"relu.n": "3", "n_points": "2000", "colour": "lost / kept"})
    assert_healthy(app)
    expected = explore("spiral", n_points=2000, transform_params={"n": 3})
    lost = lossy_mask(expected.active, 2)
    assert 0 < lost.sum() < len(lost)
    np.testing.assert_array_equal(two_d_views(app)[0]["c"], lost.astype(np.uint8))  # 1 = lost
    for panel in vega_spec(linked_chart(app))["hconcat"]:
        assert panel["encoding"]["color"]["condition"]["scale"]["range"][1] == "#d62728"  # red


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
