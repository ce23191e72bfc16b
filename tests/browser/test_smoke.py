"""Smoke test in a real browser: the page loads and draws its three views, with no error on it."""

from .harness import ERROR_ELEMENTS, plotly_charts, vega_charts, wait_for_app

# The default page draws thousands of points per view. A Vega chart with no data still draws its
# axes (~20 path segments) and its colour legend (~3,000 coloured pixels): the mark count is the
# data check, the pixel count only proves the canvas is not blank. In a 3-D Plotly scene (its
# colour bar lies outside) every coloured pixel is a data point.
MIN_MARKS = 500  # Vega: drawn data marks (canvas: path segments, axes included)
MIN_POINTS = 500  # Plotly: points in the visible traces
MIN_COLOURED_PIXELS = 1_000


def open_app(page, app_url):
    response = page.goto(app_url)
    assert response is not None and response.ok, f"GET {app_url} answered {response and response.status}"
    wait_for_app(page)


def assert_no_error_elements(page):
    errors = page.locator(ERROR_ELEMENTS)
    assert errors.count() == 0, f"error elements on the page: {list(dict.fromkeys(errors.all_inner_texts()))}"


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

    views_2d = [chart for chart in vega
                if chart["marks"] >= MIN_MARKS and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS]
    assert len(views_2d) >= 2, f"expected at least 2 Vega-Lite views full of points; the Vega charts: {vega}"

    views_3d = [chart for chart in plotly
                if "scatter3d" in chart["types"] and chart["webgl"]
                and chart["points"] >= MIN_POINTS and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS]
    assert len(views_3d) >= 1, f"expected at least 1 Plotly 3-D scatter drawn with WebGL; the Plotly charts: {plotly}"
