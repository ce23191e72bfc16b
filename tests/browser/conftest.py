"""Fixtures for the end-to-end tests: the app under ``streamlit run`` and headless system Chromium.

Without Chromium or the ``playwright`` package the tests skip, except with ``CI=true``, where a
skip would hide a broken pipeline and they fail instead. A failing test leaves a screenshot in
``test-artifacts/<test name>.png``.
"""

from __future__ import annotations

import os
import re

import pytest

from .harness import (CANVAS_PROBE, REPO_ROOT, VIEWPORT, StreamlitServer, chromium_path, launch_chromium,
                      wait_for_app)

__all__ = ["wait_for_app"]

ARTIFACTS = REPO_ROOT / "test-artifacts"
HERE = REPO_ROOT / "tests" / "browser"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"{reason}; CI=true, so the browser tests must run instead of skipping", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system (``executable_path=shutil.which("chromium")``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"the playwright package is not importable ({error}); pip install -r requirements-dev.txt")
    if chromium_path() is None:
        _unavailable("no `chromium` on PATH; install it (Debian: apt-get install chromium) to run browser tests")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def app_url():
    """Base URL of ``streamlit run streamlit_app.py`` on a free port; stopped after the session."""
    with StreamlitServer() as server:
        yield server.url


@pytest.fixture(scope="session")
def browser_context(browser):
    """One context for the session, so the app's JavaScript is fetched and cached once."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(CANVAS_PROBE)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    """A fresh page at 1600×1000, with the canvas probe the chart checks rely on."""
    page = browser_context.new_page()
    yield page
    page.close()


@pytest.fixture
def js_errors(page):
    """Uncaught JavaScript errors on ``page``, collected from before the first navigation."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    funcargs = getattr(item, "funcargs", None) or {}
    # the test's page: the ``page`` fixture, else a page fixture of a wider scope named ``*_page``
    page = funcargs.get("page")
    if page is None:
        page = next((value for name, value in funcargs.items() if name.endswith("_page")), None)
    if report.failed and report.when in ("setup", "call") and page is not None and not page.is_closed():
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_") + ".png")
        try:
            _screenshot_whole_page(page, path)
            report.sections.append(("browser", f"screenshot saved to {path}"))
        except Exception as error:  # noqa: BLE001 — a failed screenshot must not mask the test's failure
            report.sections.append(("browser", f"could not save a screenshot: {error}"))
    return report


def _screenshot_whole_page(page, path, max_height: int = 8000) -> None:
    """A full-page screenshot that includes what lies below the fold. Streamlit scrolls its main
    area inside the window (``stMain``), so ``full_page`` alone shows only the first screen: the
    window is made as tall as that content for the shot, then set back."""
    viewport = page.viewport_size
    height = page.evaluate("() => { const main = document.querySelector('[data-testid=\"stMain\"]');"
                           " return main ? main.scrollHeight : 0; }")
    try:
        if viewport and height > viewport["height"]:
            page.set_viewport_size({"width": viewport["width"], "height": min(int(height), max_height)})
            page.wait_for_timeout(300)  # let the charts lay out at the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        if viewport and page.viewport_size != viewport:
            page.set_viewport_size(viewport)
