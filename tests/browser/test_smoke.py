"""Smoke test in a real browser: the page loads and draws its three views, with no error on it."""

from .harness import assert_no_error_elements, open_app, plotly_charts, vega_charts

# The default page draws thousands of points per view. A Vega chart with no data still draws its
# axes (~20 path segments) and its colour legend (~3,000 coloured pixels): the mark count is the
# data check, the pixel count only proves the canvas is not blank. In a 3-D Plotly scene (its
# colour bar lies outside) every coloured pixel is a data point.
MIN_MARKS = 500  # Vega: drawn data marks (canvas: path segments, axes included)
MIN_POINTS = 500  # Plotly: points in the visible traces
MIN_COLOURED_PIXELS = 1_000




def test_page_loads_without_errors(page, app_url, js_errors):
    open_app(page, app_url)
    assert_no_error_elements(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible(), "no sidebar with the controls"
    assert js_errors == [], f"uncaught JavaScript errors: {js_errors}"


def test_three_views_are_drawn(page, app_url):
    """The 2-D views are Vega-Lite charts full of points, the 3-D view a WebGL Plotly scatter, and
    no chart on the page (the views or any other) is blank."""
    open_app(page, app_url)
    assert_no_error_elements(page)
    vega, plotly = vega_charts(page), plotly_charts(page)

    for index, chart in enumerate(vega):
        assert chart["renderer"] in ("canvas", "svg") and chart["coloured_pixels"] > 0, \
            f"Vega chart {index} is blank: {chart}"
    for index, chart in enumerate(plotly):
        assert chart["points"] > 0 and chart["coloured_pixels"] > 0, f"Plotly chart {index} is blank: {chart}"

    # Original and Projected back are the two panels of one linked Vega-Lite chart (shared brush).
    views_2d = [chart for chart in vega
                if chart["marks"] >= 2 * MIN_MARKS and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS]
    assert len(views_2d) >= 1, f"expected the 2-D views as a Vega-Lite chart full of points; the Vega charts: {vega}"

    views_3d = [chart for chart in plotly
                if "scatter3d" in chart["types"] and chart["webgl"]
                and chart["points"] >= MIN_POINTS and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS]
    assert len(views_3d) >= 1, f"expected at least 1 Plotly 3-D scatter drawn with WebGL; the Plotly charts: {plotly}"
