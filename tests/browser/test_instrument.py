"""The instrument in a real browser: brushing the original view, and the morph's Play button."""

from __future__ import annotations

from .harness import VEGA_CHART, assert_no_error_elements, open_app, rerun, wait_until

MORPH = '[data-testid="stPlotlyChart"]:has(.updatemenu-button)'


def morph_state(page) -> dict:
    """The morph animation's slider position and first point, read from Plotly's own state."""
    return page.locator(f"{MORPH} .js-plotly-plot").evaluate(
        "el => ({active: el.layout.sliders[0].active, x0: Array.from(el._fullData[0].x.slice(0, 5))})")


def selection_line(page):
    return page.locator('[data-testid="stMarkdownContainer"]', has_text="Selection:")


def test_brushing_the_original_highlights_and_measures_the_selection(page, app_url):
    open_app(page, app_url + "/?n_points=2000")
    assert selection_line(page).count() == 0
    chart = page.locator(VEGA_CHART).first
    box = chart.bounding_box()
    # Drag from the upper left quarter of the Original panel (the left half of the linked chart).
    start_x, start_y = box["x"] + box["width"] * 0.12, box["y"] + box["height"] * 0.3

    def brush():
        page.mouse.move(start_x, start_y)
        page.mouse.down()
        page.mouse.move(start_x + box["width"] * 0.15, start_y + box["height"] * 0.3, steps=6)
        page.mouse.up()

    rerun(page, brush)
    assert_no_error_elements(page)
    line = selection_line(page)
    assert line.count() == 1, "the selection's metrics did not appear after brushing"
    text = line.inner_text()
    selected = int(text.split("Selection:")[1].split(" of ")[0].replace(",", "").strip())
    assert 0 < selected < 2000, text
    # The 3-D view follows: its selected points in colour, the others in a grey second trace.
    traces = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first.evaluate(
        "el => el._fullData.map(trace => trace.x.length)")
    assert len(traces) == 2 and traces[0] == selected and sum(traces) == 2000, traces


def test_play_moves_the_points_in_the_browser(page, app_url):
    open_app(page, app_url + "/?n_points=1000&morph=X+%E2%86%92+X%27")
    before = morph_state(page)
    assert before["active"] == 0
    page.locator(MORPH).scroll_into_view_if_needed()
    page.locator(f"{MORPH} .updatemenu-button").first.click()  # ▶ Play
    assert wait_until(lambda: morph_state(page)["active"] > 0, timeout=10), "Play did not advance the morph"
    after = morph_state(page)
    assert after["x0"] != before["x0"], "the points did not move"
    assert page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]')"
                         ".getAttribute('data-test-script-state')") == "notRunning"  # no server rerun
