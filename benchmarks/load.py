"""Several visitors at once: sessions vs latency, in headless Chromium against one ``streamlit run``.

For each number of concurrent sessions S (1, 2, 4, 8): S pages open S different links at the same
moment (``?seed=<k>&n_points=5000``: every session computes its own exploration, nothing is shared
from a cache), then, in each round, every session presses ArrowRight on the spiral's *turns* slider
at once (a new manifold, computed for each session). Measured on each page's own clock:

- **load**: from navigation start until the first moment the script has run, is idle again,
  nothing is loading and every chart is laid out (Vega's marks canvas has a size; Plotly has its
  data and, for 3-D, its WebGL canvas);
- **change**: from the key press until the same holds again after a rerun has started and ended.

Reported: median and 95th percentile over sessions (and rounds), and the server's peak resident
memory (``VmHWM``, one fresh server for the whole run). The browser and the server share the
machine's cores, and WebGL is software-rendered: with S sessions the page's drawing is S times the
work too, so the times are an upper bound of what a server alone would show.

    python benchmarks/load.py [--quick]

``run(quick)`` returns the markdown table (for benchmarks/run.py): quick = 1, 2, 4 sessions and one
round; full = 1, 2, 4, 8 sessions and three rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.harness import (  # noqa: E402 — needs the repository root on sys.path
    _CHARTS_DRAWN, APP_IDLE, CANVAS_PROBE, ERROR_ELEMENTS, LOADING, PLOTLY_CHART, VEGA_CHART, VIEWPORT,
    StreamlitServer, chromium_path, launch_chromium, slider,
)

N_POINTS = 5_000
SLIDER_LABEL = "turns"
TIMEOUT_S = 300.0

# Records, on the page's clock, when the app is done: after at least one script run has started
# since ``window.__mark`` was reset, the script is idle, nothing loads, and every chart is laid out.
PROBE = CANVAS_PROBE + r"""
(() => {
  if (window.__loadProbe) return;
  window.__loadProbe = true;
  window.__runs = 0;
  window.__mark = 0;          // time the measurement started (0: navigation start)
  window.__done = null;       // time it ended
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.oldValue === "running" || r.target.getAttribute("data-test-script-state") === "running") window.__runs += 1;
    }
  }).observe(document, {attributes: true, subtree: true, attributeOldValue: true,
                        attributeFilter: ["data-test-script-state"]});
  const drawn = (%(drawn)s);
  const charts = () => document.querySelectorAll(%(charts)s).length;
  setInterval(() => {
    if (window.__done !== null || window.__runs === 0) return;
    if (!document.querySelector(%(idle)s) || charts() === 0) return;
    if (drawn([%(vega)s, %(plotly)s, %(loading)s])) window.__done = performance.now();
  }, 10);
})();
""" % {"drawn": _CHARTS_DRAWN.strip(), "charts": repr(f"{VEGA_CHART}, {PLOTLY_CHART}"), "idle": repr(APP_IDLE),
       "vega": repr(VEGA_CHART), "plotly": repr(PLOTLY_CHART), "loading": repr(LOADING)}


def memory_mib(pid: int, field: str = "VmHWM") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _finished(pages, what: str) -> list[float]:
    """Wait until every page has recorded its end; each one's seconds since its own mark."""
    times = []
    for page in pages:
        page.wait_for_function("() => window.__done !== null", timeout=TIMEOUT_S * 1000)
        errors = page.locator(ERROR_ELEMENTS)
        if errors.count():
            raise RuntimeError(f"{what}: the page shows an error: {errors.all_inner_texts()[:1]}")
        times.append(page.evaluate("() => (window.__done - window.__mark) / 1000"))
    return times


def measure_level(browser, url: str, sessions: int, rounds: int, first_seed: int) -> dict:
    """Open ``sessions`` pages at once, then ``rounds`` simultaneous slider changes; seconds per page."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    try:
        pages = [context.new_page() for _ in range(sessions)]
        for index, page in enumerate(pages):
            page.goto(f"{url}/?seed={first_seed + index}&n_points={N_POINTS}", wait_until="commit")
        loads = _finished(pages, "load")
        changes = []
        for _ in range(rounds):
            thumbs = [slider(page, SLIDER_LABEL) for page in pages]
            for thumb in thumbs:
                thumb.focus()
            for page, thumb in zip(pages, thumbs):
                page.evaluate("() => { window.__runs = 0; window.__done = null; window.__mark = performance.now(); }")
                thumb.press("ArrowRight")
            changes += _finished(pages, "slider change")
        return {"sessions": sessions, "load": loads, "change": changes}
    finally:
        context.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure(levels=(1, 2, 4, 8), rounds: int = 3) -> dict:
    """Every level against one fresh server; ``{"rows": [...], "peak_mib": ...}`` or ``{"skipped": reason}``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        return {"skipped": f"playwright is not importable ({error})"}
    if chromium_path() is None:
        return {"skipped": "no `chromium` on PATH"}
    rows = []
    with StreamlitServer() as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            warm = browser.new_page(viewport=VIEWPORT)  # imports and plugin discovery, not timed
            warm.goto(f"{server.url}/?n_points={N_POINTS}")
            warm.wait_for_selector(APP_IDLE, timeout=TIMEOUT_S * 1000)
            warm.close()
            seed = 100
            for sessions in levels:
                print(f"load: {sessions} session(s)…", file=sys.stderr, flush=True)
                start = time.perf_counter()
                rows.append(measure_level(browser, server.url, sessions, rounds, seed))
                rows[-1]["wall"] = time.perf_counter() - start
                seed += sessions
            peak = memory_mib(server.process.pid)
        finally:
            browser.close()
    try:
        load_average = "/".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        load_average = None
    return {"rows": rows, "peak_mib": peak, "load_average": load_average}


def table(result: dict) -> str:
    if "skipped" in result:
        return f"Load benchmark skipped: {result['skipped']}."
    lines = ["| sessions at once | load: median (s) | load: p95 (s) | slider change: median (s) | "
             "slider change: p95 (s) | changes timed |",
             "|---:|---:|---:|---:|---:|---:|"]
    for row in result["rows"]:
        load, change = row["load"], row["change"]
        lines.append(f"| {row['sessions']} | {statistics.median(load):.2f} | {percentile(load, 0.95):.2f} "
                     f"| {statistics.median(change):.2f} | {percentile(change, 0.95):.2f} | {len(change)} |")
    peak = result.get("peak_mib")
    load = result.get("load_average")
    lines.append("")
    lines.append(f"Server peak resident memory over the whole run (`VmHWM`): "
                 f"{f'{peak:.0f} MiB' if peak is not None else 'not available'}. "
                 f"{N_POINTS:,} points per session, each with its own seed; load = navigation start → idle and "
                 f"every chart laid out; slider change = key press → the same after the rerun."
                 + (f" Load average after the run: {load}." if load else ""))
    return "\n".join(lines)


def run(quick: bool = False) -> str:
    """The markdown table: quick = 1, 2, 4 sessions and one round; full = 1, 2, 4, 8 and three rounds."""
    return table(measure(levels=(1, 2, 4) if quick else (1, 2, 4, 8), rounds=1 if quick else 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1, 2, 4 sessions and one round")
    args = parser.parse_args()
    print(run(quick=args.quick))


if __name__ == "__main__":
    main()
