"""The page as an instrument: linked selection, morph, colour modes, 3-D view options, gallery."""

from __future__ import annotations

import numpy as np
import pytest

from app_support import (assert_healthy, assert_plotly_points, colour_codes, morph_chart, plotly_array, plotly_charts,
                         plotly_figure, run_page, two_d_views, widget)
from explorer import explore
from explorer.gallery import PRESETS
from explorer.metrics import lossy_mask
from explorer.projection import view_embedding
from explorer.regions import activation_regions

F32 = dict(rtol=1e-5, atol=1e-4)


def selection_line(app) -> str:
    lines = [m.value for m in app.markdown if m.value.startswith("**Selection:**")]
    assert len(lines) == 1, lines
    return lines[0]


def test_brushing_the_original_selects_highlights_and_measures():
    app = run_page({"n_points": "2000", "relu.n": "3"})
    app.session_state["linked_views"] = {"selection": {"brush": {"x": [0, 15], "y": [-5, 20]}}}
    app.run()
    assert_healthy(app)
    expected = explore("spiral", n_points=2000, transform_params={"n": 3})
    x, y = expected.original.T
    box = (x >= 0) & (x <= 15) & (y >= -5) & (y <= 20)
    line = selection_line(app)
    assert f"{box.sum():,} of 2,000 points" in line
    assert f"lossy {lossy_mask(expected.active, 2)[box].mean():.1%}" in line
    selected, others = plotly_figure(plotly_charts(app)[0])["data"]  # the 3-D view follows the brush
    assert len(plotly_array(selected["x"])) == box.sum() and others["marker"]["color"] == "#d9d9d9"
    assert_plotly_points(plotly_charts(app)[0], view_embedding(expected.embedded).points[box])


def test_selecting_a_range_of_t_greys_the_rest_in_every_view():
    app = run_page({"n_points": "1000"})
    widget(app, "select.t").set_value((5.0, 10.0)).run()
    assert_healthy(app)
    t = np.linspace(0, 8 * np.pi, 1000)
    inside = (t >= 5) & (t <= 10)
    original, projected = two_d_views(app)
    np.testing.assert_array_equal(original["s"], inside.astype(np.uint8))
    assert f"{inside.sum():,} of 1,000 points" in selection_line(app)


def test_morph_starts_at_x_and_ends_at_x_prime():
    app = run_page({"n_points": "800", "relu.n": "5"})
    assert not [c for c in app.get("plotly_chart") if c.key == "morph_chart"]  # off until asked for
    widget(app, "morph").set_value("X → X'").run()
    assert_healthy(app)
    expected = explore("spiral", n_points=800, transform_params={"n": 5})
    figure = plotly_figure(morph_chart(app))
    meta = figure["layout"]["meta"]
    half_code = meta["scale"] / 2 * (1 + 1e-6)

    def frame(i):
        data = figure["frames"][i]["data"][0]
        return np.asarray(meta["origin"]) + np.column_stack([plotly_array(data[a]) for a in "xy"]) * meta["scale"]

    assert [f["name"] for f in figure["frames"]][::10] == ["s = 0.00", "s = 0.50", "s = 1.00"]
    np.testing.assert_allclose(frame(0), expected.original, rtol=0, atol=half_code)
    np.testing.assert_allclose(frame(-1), expected.projected, rtol=0, atol=half_code)
    np.testing.assert_allclose(frame(10), (expected.original + expected.projected) / 2, rtol=0, atol=half_code)
    assert figure["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"  # Play runs in the browser


def test_morph_over_n_steps_through_the_figure1_widths():
    app = run_page({"n_points": "500", "morph": "over n", "figure1.n": "2, 30"})
    assert_healthy(app)
    figure = plotly_figure(morph_chart(app))
    assert [f["name"] for f in figure["frames"]] == ["input", "n = 2", "n = 30"]
    meta = figure["layout"]["meta"]
    last = figure["frames"][2]["data"][0]
    points = np.asarray(meta["origin"]) + np.column_stack([plotly_array(last[a]) for a in "xy"]) * meta["scale"]
    np.testing.assert_allclose(points, explore("spiral", n_points=500, transform_params={"n": 30}).projected,
                               rtol=0, atol=meta["scale"])


def test_colour_by_active_units():
    app = run_page({"n_points": "1000", "relu.n": "6", "colour": "active units"})
    assert_healthy(app)
    counts = explore("spiral", n_points=1000, transform_params={"n": 6}).active.sum(axis=1)
    np.testing.assert_array_equal(two_d_views(app)[0]["c"], colour_codes(counts))


def test_colour_by_activation_region_gives_one_colour_per_linear_piece():
    app = run_page({"n_points": "1000", "relu.n": "4", "colour": "activation region"})
    assert_healthy(app)
    active = explore("spiral", n_points=1000, transform_params={"n": 4}).active
    regions = activation_regions(active)
    codes = two_d_views(app)[0]["c"].to_numpy()
    assert len(regions.sizes) <= 10  # few enough that every region has its own colour
    for region in range(len(regions.sizes)):  # same region ⇔ same colour
        assert len(set(codes[regions.index == region])) == 1
    assert len(set(codes)) == len(regions.sizes)
    colorbar = plotly_figure(plotly_charts(app)[0])["data"][0]["marker"]["colorbar"]
    assert all(label.startswith("units {") or label == "no unit active" for label in colorbar["ticktext"])


def test_random_orthonormal_3d_view():
    app = run_page({"n_points": "500", "view3d": "random"})
    assert_healthy(app)
    embedded = explore("spiral", n_points=500).embedded
    view = view_embedding(embedded, "random")
    assert_plotly_points(plotly_charts(app)[0], view.points)
    basis = np.linalg.pinv(embedded) @ view.points  # the view is a linear map with orthonormal columns
    np.testing.assert_allclose(basis.T @ basis, np.eye(3), atol=1e-8)


@pytest.mark.parametrize("preset", PRESETS, ids=[p.title for p in PRESETS])
def test_gallery_links_open_their_exact_state(preset):
    app = run_page(preset.query)
    assert_healthy(app)
    assert not [w.value for w in app.warning if "link" in w.value]
    for key, value in preset.query.items():
        if key == "tab":
            continue
        shown = app.session_state[key]
        assert str(shown) == value or (isinstance(shown, (int, float)) and float(value) == shown), (key, shown)


def test_gallery_cards_link_to_their_presets():
    app = run_page({"n_points": "300"})
    links = " ".join(m.value for m in app.markdown)
    for preset in PRESETS:
        assert f"({preset.link})" in links


def test_explanation_has_the_math_and_the_paper():
    app = run_page({"n_points": "300"})
    assert any("P_\\text{lossy}" in latex.value for latex in app.latex)
    assert any("arxiv.org/abs/1801.04381" in m.value for m in app.markdown)


def test_deep_stack_shows_the_manifold_layer_by_layer():
    from app_support import vega_charts, vega_datasets, vega_spec
    from explorer.depth import layer_projections

    app = run_page({"transform": "deep_stack", "deep_stack.depth": "3", "n_points": "600"})
    assert_healthy(app)
    (grid,) = [chart for chart in vega_charts(app) if "concat" in vega_spec(chart)]
    panels = vega_spec(grid)["concat"]
    assert [p["title"]["text"] for p in panels] == ["Input", "After layer 1", "After layer 2", "After layer 3"]
    (data,) = vega_datasets(grid).values()
    result = explore("spiral", "deep_stack", n_points=600, transform_params={"depth": 3})
    for i, projected in enumerate(layer_projections(result), start=1):
        np.testing.assert_allclose(data[[f"x{i}", f"y{i}"]], projected, **F32)
