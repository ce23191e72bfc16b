"""End-to-end interaction in a real browser: what a person does with the page, and what they see.

- moving a slider (with the keyboard) reruns the app, redraws the views with other data and puts
  the new value in the address bar;
- a link with query parameters opens that state, point for point what ``explore()`` computes;
- every tab renders a chart full of marks, and the tab goes into the link;
- a knot's 3-D views are drawn with WebGL and turn when dragged;
- a link with bad values says so, and the page still draws.

Widgets are found by their labels and roles, charts by ``data-testid``; what a chart shows is
read from what it drew (canvas pixels, Plotly's decoded trace data), not from how the server
encoded it (``harness.plotly_points`` is the one place that decodes coordinates).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

import manifolds
from explorer import explore

from .harness import (PLOTLY_CHART, PLOTLY_SCENE, WARNING_ELEMENTS, assert_no_error_elements, chart_fingerprints,
                      coloured_pixels, drag, open_app, plotly_charts, plotly_points, rerun, slider, vega_charts,
                      wait_until)

MIN_MARKS = 500  # a Vega view holding data (see test_smoke): drawn marks, axes included
MIN_COLOURED_PIXELS = 1_000  # a chart that is not blank
REDRAW_TIMEOUT = 15.0  # s, for the views to show new data once the rerun has finished

# The trefoil link of tests 2 and 4: every key is a setting of the page.
TREFOIL = {"manifold": "trefoil", "relu.n": "7", "seed": "3", "n_points": "800"}
# Warnings in the main area (the link check's); the sidebar's are about plugins that failed to load.
MAIN_WARNINGS = f'[data-testid="stMain"] :is({WARNING_ELEMENTS})'




def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def camera_eye(chart) -> dict:
    return chart.evaluate("(el) => ({...el.querySelector('.js-plotly-plot')._fullLayout.scene.camera.eye})")


# --- 1. a slider ---------------------------------------------------------------------------------

def test_slider_redraws_views_with_new_data(page, app_url, js_errors):
    """Keyboard on the sidebar's sliders: *turns* changes what every chart shows and back again
    restores it exactly (so a changed fingerprint is changed data, not render noise); *n* changes
    the views after the layer. Each new value lands in the URL."""
    open_app(page, f"{app_url}/?n_points=1000")
    initial = chart_fingerprints(page)
    assert len(initial) >= 2 and all(digest for _, digest in initial), \
        f"expected the views drawn as Vega-Lite and Plotly charts; got {initial}"

    def redrawn(differs_from, at_least):
        """Fingerprints once at least ``at_least`` charts (same number as before) show other data."""
        def check():
            now = chart_fingerprints(page)
            changed = sum(a != b for a, b in zip(now, differs_from))
            return now if len(now) == len(differs_from) and changed >= at_least else None
        return check

    turns = slider(page, "turns")
    expect(turns).to_have_value("4")
    rerun(page, lambda: (turns.focus(), turns.press("ArrowRight")))
    expect(turns).to_have_value("4.5")
    expect(page).to_have_url(re.compile(r"[?&]spiral\.turns=4\.5(&|$)"))
    changed = wait_until(redrawn(initial, len(initial)), REDRAW_TIMEOUT)
    assert changed, \
        f"after turns 4 → 4.5 not every chart shows new data: before {initial}, now {chart_fingerprints(page)}"
    assert_no_error_elements(page)

    rerun(page, lambda: (turns.focus(), turns.press("ArrowLeft")))
    expect(turns).to_have_value("4")
    assert query(page).get("spiral.turns") in (None, ["4"], ["4.0"]), f"turns back at 4, but the URL is {page.url}"
    restored = wait_until(lambda: chart_fingerprints(page) == initial, REDRAW_TIMEOUT)
    assert restored, \
        f"turns back at 4 does not draw what turns = 4 drew: first {initial}, now {chart_fingerprints(page)}"

    n = slider(page, "n")
    expect(n).to_have_value("10")
    rerun(page, lambda: (n.focus(), page.keyboard.press("End")))
    expect(n).to_have_value("64")
    expect(page).to_have_url(re.compile(r"[?&]relu\.n=64(&|$)"))
    # the projected-back and the embedded views (wherever they are drawn) show other data
    changed = wait_until(redrawn(initial, 2), REDRAW_TIMEOUT)
    assert changed, \
        f"after n 10 → 64 fewer than two charts show new data: before {initial}, now {chart_fingerprints(page)}"
    assert_no_error_elements(page)
    assert js_errors == [], f"uncaught JavaScript errors: {js_errors}"


# --- 2 and 4. a knot, opened from a link ----------------------------------------------------------

@pytest.fixture(scope="module")
def trefoil_js_errors():
    return []


@pytest.fixture(scope="module")
def trefoil_page(browser_context, app_url, trefoil_js_errors):
    """One page opened at the trefoil link, shared by the tests that only read it or turn its
    cameras (no rerun), so the module loads Plotly once instead of twice."""
    page = browser_context.new_page()
    page.on("pageerror", lambda error: trefoil_js_errors.append(str(error)))
    open_app(page, f"{app_url}/?" + "&".join(f"{key}={value}" for key, value in TREFOIL.items()))
    yield page
    page.close()


def test_link_opens_the_same_state(trefoil_page, trefoil_js_errors):
    """The controls show the link's values, and the views draw exactly what ``explore()`` computes
    for them: 800 points each, the original and projected views coordinate for coordinate."""
    page = trefoil_page
    expect(page.get_by_role("combobox", name="Manifold", exact=True)).to_have_value(
        manifolds.registry["trefoil"].label)
    expect(slider(page, "n")).to_have_value("7")
    expect(page.get_by_role("spinbutton", name="seed", exact=True)).to_have_value("3")
    expect(page.get_by_role("spinbutton", name="points", exact=True)).to_have_value("800")
    assert page.locator(MAIN_WARNINGS).count() == 0, \
        f"the page says it did not use part of the link: {page.locator(MAIN_WARNINGS).all_inner_texts()}"
    assert_no_error_elements(page)
    opened = query(page)
    assert all(opened.get(key) == [value] for key, value in TREFOIL.items()), \
        f"the address bar no longer holds the link's settings: {page.url}"

    charts = [chart for chart in plotly_points(page) if chart["type"] == "scatter3d"]
    summary = [chart["points"].shape for chart in charts]
    assert len(charts) >= 3 and all(shape == (800, 3) for shape in summary), \
        f"expected (at least) three 3-D views of 800 points each; the Plotly 3-D charts draw {summary}"

    expected = explore("trefoil", n_points=800, seed=3, transform_params={"n": 7})
    for truth, name in ((expected.original, "original X"), (expected.projected, "projected-back X'")):
        errors = []
        for chart in charts:
            # float32 rounding, plus the transport encoding's resolution (half a code step, if any)
            tolerance = chart["resolution"] * 1.001 + 4 * np.finfo(np.float32).eps * np.abs(truth).max()
            errors.append((np.abs(chart["points"] - truth).max() / tolerance, chart["points"][:2].tolist()))
        best = min(errors, key=lambda error: error[0])
        assert best[0] <= 1, (
            f"no 3-D view draws explore()'s {name}: the closest is off by {best[0]:.3g}× the float32/encoding "
            f"tolerance; it starts {best[1]}, explore() gives {truth[:2].tolist()}")
    assert all(np.isfinite(chart["points"]).all() for chart in charts), "a 3-D view draws non-finite coordinates"
    assert trefoil_js_errors == [], f"uncaught JavaScript errors: {trefoil_js_errors}"


def test_knot_3d_views_are_drawn_and_turn(trefoil_page, trefoil_js_errors):
    """Every 3-D view draws its points with WebGL, and a drag on it turns its camera (the picture
    changes and still shows the points)."""
    page = trefoil_page
    stats = plotly_charts(page)
    scenes = [index for index, chart in enumerate(stats) if "scatter3d" in chart["types"]]
    assert len(scenes) >= 3, f"expected (at least) three Plotly 3-D views; got {stats}"
    for index in scenes:
        chart = stats[index]
        assert chart["webgl"] and chart["points"] == 800 and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS, \
            f"3-D view {index} is not drawn: {chart}"

    charts = [chart for chart in page.locator(PLOTLY_CHART).all() if chart.is_visible()]  # as plotly_charts
    for index in scenes:
        chart = charts[index]
        scene = chart.locator(PLOTLY_SCENE).first
        scene.scroll_into_view_if_needed()
        eye_before, picture_before = camera_eye(chart), scene.screenshot()
        drag(page, scene, 120, 40)
        turned = wait_until(lambda: camera_eye(chart) != eye_before, timeout=5.0, interval=0.1)
        eye_after = camera_eye(chart)
        assert turned, f"3-D view {index}: dragging on the scene left the camera at {eye_before}"
        moved = sum((eye_after[axis] - eye_before[axis]) ** 2 for axis in "xyz") ** 0.5
        assert moved > 0.05, f"3-D view {index}: the camera barely moved ({eye_before} → {eye_after})"
        page.wait_for_timeout(200)  # the WebGL frame of the new camera
        picture_after = scene.screenshot()
        assert picture_after != picture_before, f"3-D view {index}: the camera turned but the picture did not"
        assert coloured_pixels(picture_after) >= MIN_COLOURED_PIXELS, \
            f"3-D view {index} is blank after turning it ({coloured_pixels(picture_after)} coloured pixels)"
    assert page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').count() == 1
    assert_no_error_elements(page)
    assert trefoil_js_errors == [], f"uncaught JavaScript errors: {trefoil_js_errors}"


# --- 3. the tabs ----------------------------------------------------------------------------------

def test_every_tab_renders(page, app_url, js_errors):
    """Figure 1 and the sweep each draw a chart full of marks, the open tab goes into the link, and
    back on the first tab the three views draw again."""
    # 4 seeds per width instead of 20 keep the sweep quick; a closed tab's setting is a valid link value
    open_app(page, f"{app_url}/?n_points=1000&sweep.seeds=4")
    assert page.locator(MAIN_WARNINGS).count() == 0, \
        f"the page refused a value of the link: {page.locator(MAIN_WARNINGS).all_inner_texts()}"
    views = chart_fingerprints(page)
    # Figure 1: the input and 5 widths, 1,000 points each; the sweep: 4 metrics × 11 widths,
    # a line, its points and a band each (svg: data marks only; canvas: axes count too)
    for name, url_value, min_marks in (("Figure 1", "Figure 1", 3 * 1000), ("Sweep over n", "Sweep over n", 40)):
        tab = page.get_by_role("tab", name=name, exact=True)
        rerun(page, tab.click)
        expect(tab).to_have_attribute("aria-selected", "true")
        assert_no_error_elements(page)
        assert query(page).get("tab") == [url_value], f"the link does not hold tab={url_value!r}: {page.url}"
        charts = vega_charts(page)
        assert charts, f"the {name} tab shows no Vega-Lite chart"
        assert any(chart["marks"] >= min_marks and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS
                   for chart in charts), f"the {name} tab's chart is empty or blank: {charts}"

    expect(slider(page, "Seeds")).to_have_value("4")  # the sweep tab took its setting from the link

    tab = page.get_by_role("tab", name="Three views", exact=True)
    rerun(page, tab.click)
    expect(tab).to_have_attribute("aria-selected", "true")
    assert_no_error_elements(page)
    assert wait_until(lambda: chart_fingerprints(page) == views, REDRAW_TIMEOUT), \
        f"back on Three views the page does not draw the views it drew before: {views} → {chart_fingerprints(page)}"
    vega, plotly = vega_charts(page), plotly_charts(page)
    assert all(chart["coloured_pixels"] > 0 for chart in vega + plotly), \
        f"back on Three views a chart is blank: Vega {vega}, Plotly {plotly}"
    assert js_errors == [], f"uncaught JavaScript errors: {js_errors}"


# --- 5. a bad link --------------------------------------------------------------------------------

def test_bad_link_warns_and_still_draws(page, app_url, js_errors):
    """Values the page cannot use are named in one warning; the defaults are used and drawn; the
    warning can be dismissed."""
    open_app(page, f"{app_url}/?seed=oops&manifold=nope")
    warning = page.locator(MAIN_WARNINGS)
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("seed=oops")
    expect(warning).to_contain_text("manifold=nope")
    assert_no_error_elements(page)
    expect(page.get_by_role("combobox", name="Manifold", exact=True)).to_have_value(
        manifolds.registry["spiral"].label)
    expect(page.get_by_role("spinbutton", name="seed", exact=True)).to_have_value("0")

    vega, plotly = vega_charts(page), plotly_charts(page)
    assert all(chart["coloured_pixels"] > 0 for chart in vega + plotly), \
        f"a chart is blank: Vega {vega}, Plotly {plotly}"
    assert any(chart["marks"] >= MIN_MARKS and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS for chart in vega), \
        f"the spiral's 2-D views are not drawn: {vega}"
    assert any("scatter3d" in chart["types"] and chart["webgl"] and chart["points"] >= MIN_MARKS
               and chart["coloured_pixels"] >= MIN_COLOURED_PIXELS for chart in plotly), \
        f"the 3-D view of the embedding is not drawn: {plotly}"
    views = chart_fingerprints(page)

    rerun(page, page.get_by_role("button", name="Dismiss", exact=True).click)
    expect(warning).to_have_count(0)
    assert chart_fingerprints(page) == views, "dismissing the warning changed the views"
    assert js_errors == [], f"uncaught JavaScript errors: {js_errors}"
