"""Several visitors at once, in a real browser: each session opened with its own link (manifold and
seed) draws its own data — point for point what ``explore()`` computes for it, not another session's —
with no error on any page, and the server's memory stays bounded.

The server is started for this module alone, so its memory is measured from a known state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from explorer import explore

from .harness import (CANVAS_PROBE, ERROR_ELEMENTS, VIEWPORT, StreamlitServer, plotly_points, wait_for_app,
                      wait_until)

N_POINTS = 1_500
SESSIONS = [("trefoil", 11), ("helix", 12), ("torus_knot", 13), ("lissajous_knot", 14)]  # manifold, seed
MEMORY_GROWTH_MB = 200  # allowed growth of the server's resident memory over two rounds of 4 sessions
MEMORY_LIMIT_MB = 1_000  # and its peak, in all: the 1 GB host the defaults are sized for
TIMEOUT_MS = 180_000  # per wait: four pages share the machine's cores with the server


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} in /proc/{pid}/status")


@pytest.fixture(scope="module")
def server():
    if not Path("/proc/self/status").exists():
        pytest.skip("reading the server's memory needs /proc (Linux)")
    with StreamlitServer() as running:
        yield running


@pytest.fixture
def sessions(browser):
    """One browser context (its own cookies, its own Streamlit session) and page per visitor."""
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in SESSIONS]
    pages = []
    for context in contexts:
        context.add_init_script(CANVAS_PROBE)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error, page=page: page.js_errors.append(str(error)))
        pages.append(page)
    yield pages
    for context in contexts:
        context.close()


def open_all(pages, urls) -> None:
    """Start every page loading before waiting for any, so the server runs them at the same time."""
    for page, url in zip(pages, urls):
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    for page in pages:
        wait_for_app(page, timeout=TIMEOUT_MS)


def drawn_3d(page) -> list[dict]:
    return [chart for chart in plotly_points(page) if chart["type"] == "scatter3d"]


def matches(chart: dict, truth: np.ndarray) -> bool:
    """The chart draws ``truth`` (N, 3), to float32 rounding and the transport encoding's resolution."""
    if chart["points"].shape != truth.shape:
        return False
    tolerance = chart["resolution"] * 1.001 + 4 * np.finfo(np.float32).eps * np.abs(truth).max()
    return bool(np.abs(chart["points"] - truth).max() <= tolerance)


def problem(page, mine, expected) -> str | None:
    """What is wrong with what ``page`` shows, if anything: errors, or not drawing its own data."""
    errors = page.locator(ERROR_ELEMENTS)
    if errors.count():
        return f"error elements: {errors.all_inner_texts()}"
    if page.get_by_role("spinbutton", name="seed", exact=True).input_value() != str(mine.seed):
        return f"its seed box does not show {mine.seed}"
    charts = drawn_3d(page)
    if len(charts) < 3:
        return f"expected three 3-D views, got {[chart['type'] for chart in charts]}"
    for name in ("original", "projected"):
        if not any(matches(chart, getattr(mine, name)) for chart in charts):
            return f"no view draws its own {name} points ({mine.manifold}, seed {mine.seed})"
    for other in expected:
        if other is not mine and any(matches(chart, other.projected) for chart in charts):
            return f"it draws the data of the session of {other.manifold}, seed {other.seed}"
    if page.js_errors:
        return f"uncaught JavaScript errors: {page.js_errors}"
    return None


def assert_each_sees_its_own(pages, expected) -> None:
    """Every page, once its run has finished and its charts have drawn, shows its own data. (Polled:
    after a rerun, Plotly draws the new data a moment after the script has finished.)"""
    for index, (page, mine) in enumerate(zip(pages, expected)):
        wait_until(lambda: problem(page, mine, expected) is None, timeout=TIMEOUT_MS / 1000)
        found = problem(page, mine, expected)
        assert found is None, f"session {index}: {found}"


def test_concurrent_sessions_each_see_their_own_data_with_bounded_memory(server, sessions):
    pid = server.process.pid
    warm = sessions[0]
    # imports and plugin discovery happen here: not part of the growth measured below
    warm.goto(f"{server.url}/?n_points={N_POINTS}", timeout=TIMEOUT_MS)
    wait_for_app(warm, timeout=TIMEOUT_MS)
    before = memory_mb(pid)

    # Round 1: four visitors open four links at once.
    urls = [f"{server.url}/?manifold={manifold}&seed={seed}&n_points={N_POINTS}" for manifold, seed in SESSIONS]
    open_all(sessions, urls)
    expected = [explore(manifold, n_points=N_POINTS, seed=seed) for manifold, seed in SESSIONS]
    assert_each_sees_its_own(sessions, expected)

    # Round 2: all four press "New random matrix" at once; each gets its own next seed.
    for page in sessions:
        page.get_by_role("button", name="New random matrix").click(timeout=TIMEOUT_MS)
    expected = [explore(manifold, n_points=N_POINTS, seed=seed + 1) for manifold, seed in SESSIONS]
    assert_each_sees_its_own(sessions, expected)

    after, peak = memory_mb(pid), memory_mb(pid, "VmHWM")
    assert after - before < MEMORY_GROWTH_MB, f"server memory grew from {before:.0f} MB to {after:.0f} MB"
    assert peak < MEMORY_LIMIT_MB, f"server peak memory {peak:.0f} MB"
