"""Start the app with ``streamlit run`` and drive it in headless Chromium.

Shared by the browser tests (``tests/browser/conftest.py``) and ``scripts/screenshot.py``.
Playwright is imported lazily, so the server half works without it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
# The one place the app's path is set. MANIFOLD_EXPLORER_APP points the harness at another script.
APP = Path(os.environ.get("MANIFOLD_EXPLORER_APP") or REPO_ROOT / "streamlit_app.py")

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1600, "height": 1000}

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
VEGA_CHART = '[data-testid="stVegaLiteChart"]'
PLOTLY_CHART = '[data-testid="stPlotlyChart"]'
PLOTLY_PLOT_AREAS = ".gl-container > div, .draglayer .nsewdrag"
LOADING = '[data-testid="stSkeleton"]'
ERROR_ELEMENTS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
WARNING_ELEMENTS = '[data-testid="stAlertContentWarning"]'
PLOTLY_SCENE = ".gl-container > div"  # a 3-D scene: the element holding its WebGL canvas, where drags go


# --- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """``streamlit run <app>`` on a free port, from the repository root, in its own process group.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. ``url`` is the base URL.
    """

    def __init__(self, app: Path = APP, port: int | None = None, timeout: float = 60.0):
        self.app = Path(app)
        self.port = port or free_port()
        self.timeout = timeout
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile(mode="w+b")

    def command(self) -> list[str]:
        return [sys.executable, "-m", "streamlit", "run", str(self.app),
                "--server.headless", "true", "--server.port", str(self.port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none"]

    def start(self) -> str:
        if not self.app.is_file():
            raise RuntimeError(f"the app to test does not exist: {self.app}")
        self.process = subprocess.Popen(
            self.command(), cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=(os.name == "posix"),
        )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.stop()
                raise RuntimeError(f"streamlit exited with code {code} before it was healthy."
                                   f"\n--- streamlit output ---\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self.url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit did not answer {self.url}/_stcore/health within {self.timeout:.0f} s."
                           f"\n--- streamlit output ---\n{self.output()}")

    def output(self) -> str:
        """Everything the server has written to stdout and stderr so far."""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        """Terminate the server and its children (its whole process group); kill if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
                process.wait(timeout=10)
        elif os.name == "posix":
            _signal_group(process, signal.SIGKILL)  # reap stragglers the server may have left behind

    def __enter__(self) -> "StreamlitServer":
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
        self._log.close()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        if os.name == "posix":
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    except (ProcessLookupError, PermissionError):
        pass


# --- the browser ------------------------------------------------------------------------------

def chromium_path() -> str | None:
    """The system Chromium (Debian's ``chromium`` package). Playwright's own download is never used."""
    return shutil.which("chromium")


def launch_chromium(playwright: Any):
    """Headless system Chromium from a started ``sync_playwright()``."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no `chromium` on PATH (Debian: apt-get install chromium)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


# Counts path-drawing calls per 2-D canvas and keeps the largest count any one render reached
# (a render starts with a clear of the whole view), so a test can tell a Vega canvas holding
# thousands of marks from one showing only axes and a legend. Partial re-renders (Vega redraws
# only the dirty region) cannot lower it. Install with ``context.add_init_script(CANVAS_PROBE)``.
CANVAS_PROBE = r"""
(() => {
  const proto = CanvasRenderingContext2D.prototype;
  if (proto.__drawOpsProbe) return;
  proto.__drawOpsProbe = true;
  for (const name of ["arc", "ellipse", "lineTo", "rect", "bezierCurveTo", "quadraticCurveTo", "drawImage"]) {
    const original = proto[name];
    proto[name] = function (...args) {
      const c = this.canvas;
      c.__drawOps = (c.__drawOps || 0) + 1;
      c.__peakDrawOps = Math.max(c.__peakDrawOps || 0, c.__drawOps);
      return original.apply(this, args);
    };
  }
  const clearRect = proto.clearRect;
  proto.clearRect = function (x, y, w, h) {
    const c = this.canvas;
    if (w * h >= 0.5 * c.clientWidth * c.clientHeight) c.__drawOps = 0;
    return clearRect.call(this, x, y, w, h);
  };
})();
"""

# True once no element is still loading (Streamlit lazy-loads chart code after the script run has
# finished and shows a skeleton meanwhile) and every visible chart has drawn: Vega has its marks
# canvas/svg with a size, Plotly has laid out its data (and, for 3-D scenes, created the WebGL canvas).
_CHARTS_DRAWN = r"""
([vegaSelector, plotlySelector, loadingSelector]) => {
  if (document.querySelector(loadingSelector)) return false;
  const visible = (el) => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
  const vegaDrawn = [...document.querySelectorAll(vegaSelector)].filter(visible).every((el) => {
    const marks = el.querySelector("canvas.marks, svg.marks");
    if (!marks) return false;
    const box = marks.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  });
  const plotlyDrawn = [...document.querySelectorAll(plotlySelector)].filter(visible).every((el) => {
    const gd = el.querySelector(".js-plotly-plot");
    if (!gd || !gd._fullLayout || !Array.isArray(gd._fullData)) return false;
    const has3d = typeof gd._fullLayout._has === "function" && gd._fullLayout._has("gl3d");
    return !has3d || gd.querySelector(".gl-container canvas") !== null;
  });
  return vegaDrawn && plotlyDrawn;
}
"""


def wait_for_app(page: Any, timeout: float = 60_000) -> None:
    """Wait until the script run has finished, every element has loaded and every visible chart has
    drawn. ``timeout`` in milliseconds, for each of the two waits."""
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_function(_CHARTS_DRAWN, arg=[VEGA_CHART, PLOTLY_CHART, LOADING], timeout=timeout)
    page.wait_for_timeout(300)  # let the last frame (WebGL, canvas) reach the screen


# --- what the charts show ---------------------------------------------------------------------

_VEGA_STATS = r"""
(el) => {
  const canvas = el.querySelector("canvas.marks");
  const svg = el.querySelector("svg.marks");
  let marks = 0;
  if (canvas) {
    marks = canvas.__peakDrawOps || 0;
  } else if (svg) {
    // data marks only (role "mark", not axes or legends): one element per point, or for a
    // line / area / trail one path with one segment per point
    for (const group of svg.querySelectorAll("g.role-mark")) {
      const connected = /\bmark-(line|area|trail)\b/.test(group.getAttribute("class"));
      for (const item of group.children) {
        marks += connected ? ((item.getAttribute("d") || "").match(/[LCQ]/gi) || []).length : 1;
      }
    }
  }
  return {renderer: canvas ? "canvas" : svg ? "svg" : null, marks};
}
"""

_PLOTLY_STATS = r"""
(el) => {
  const gd = el.querySelector(".js-plotly-plot");
  if (!gd || !Array.isArray(gd._fullData)) return {types: [], points: 0, webgl: false};
  const count = (trace) => trace._length ?? (trace.x ? trace.x.length : 0);
  return {
    types: gd._fullData.filter((trace) => trace.visible === true).map((trace) => trace.type),
    points: gd._fullData.filter((trace) => trace.visible === true).reduce((sum, trace) => sum + count(trace), 0),
    webgl: gd.querySelector(".gl-container canvas") !== null,
  };
}
"""


def coloured_pixels(png: bytes, min_chroma: int = 40) -> int:
    """Pixels in a PNG whose colour is clearly not a grey (max − min channel > ``min_chroma``).

    Axes, grid lines, labels and backgrounds are greys; data coloured by a colour scale is not.
    """
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    return int(np.count_nonzero(rgb.max(axis=2) - rgb.min(axis=2) > min_chroma))


def vega_charts(page: Any) -> list[dict]:
    """Every visible Vega-Lite chart: renderer, how many marks it drew, its coloured pixels."""
    charts = []
    for chart in page.locator(VEGA_CHART).all():
        if not chart.is_visible():
            continue
        stats = chart.evaluate(_VEGA_STATS)
        stats["coloured_pixels"] = coloured_pixels(chart.screenshot())
        charts.append(stats)
    return charts


def plotly_charts(page: Any) -> list[dict]:
    """Every visible Plotly chart: trace types, points, WebGL canvas, coloured pixels in its plot areas."""
    charts = []
    for chart in page.locator(PLOTLY_CHART).all():
        if not chart.is_visible():
            continue
        stats = chart.evaluate(_PLOTLY_STATS)
        # the plot areas only (3-D scenes, 2-D axes), so a colour bar alone does not count
        areas = chart.locator(PLOTLY_PLOT_AREAS).all()
        stats["coloured_pixels"] = sum(coloured_pixels(area.screenshot()) for area in areas if area.is_visible())
        charts.append(stats)
    return charts


# --- driving the page -------------------------------------------------------------------------

def slider(page: Any, label: str) -> Any:
    """The keyboard-operable thumb of the Streamlit slider labelled exactly ``label``.

    Found by the widget's visible label, not by its accessible name: Streamlit names the thumb
    twice over (``aria-labelledby`` lists the thumb and its group, both called ``label``).
    """
    label_element = page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    return page.locator('[data-testid="stSlider"]').filter(has=label_element).get_by_role("slider")


# Counts script runs from now on: every change of ``data-test-script-state`` to or from
# "running" (a MutationObserver sees each one, however short the run).
_WATCH_RUNS = r"""
() => {
  if (window.__runObserver) window.__runObserver.disconnect();
  window.__scriptRuns = 0;
  window.__runObserver = new MutationObserver((records) => {
    for (const r of records) {
      if (r.oldValue === "running" || r.target.getAttribute("data-test-script-state") === "running") {
        window.__scriptRuns += 1;
      }
    }
  });
  window.__runObserver.observe(document, {attributes: true, subtree: true, attributeOldValue: true,
                                          attributeFilter: ["data-test-script-state"]});
}
"""


def rerun(page: Any, action: Any, timeout: float = 60_000) -> None:
    """Call ``action()`` (a key press, a click: something that makes the app rerun), then wait
    until a script run has started *and* finished and every visible chart has drawn.

    Waiting only for the idle state would race: right after the action the app is still idle
    from the previous run.
    """
    page.evaluate(_WATCH_RUNS)
    action()
    page.wait_for_function("() => window.__scriptRuns > 0", timeout=timeout)
    wait_for_app(page, timeout=timeout)


def wait_until(condition: Any, timeout: float = 15.0, interval: float = 0.2) -> bool:
    """Poll ``condition()`` until it is truthy or ``timeout`` seconds have passed; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


_VEGA_FINGERPRINT = r"""
(el) => {
  const canvas = el.querySelector("canvas.marks");
  if (canvas) return canvas.toDataURL("image/png");
  const svg = el.querySelector("svg.marks");
  return svg ? svg.outerHTML : null;
}
"""


def _vega_digest(drawn: str | None) -> str | None:
    if drawn is None:
        return None
    # Vega numbers the ids of clip paths and gradients per render: the same picture, other ids
    drawn = re.sub(r'(id="|url\(#|href="#)([A-Za-z_-]*?)\d+', r"\1\2", drawn)
    return hashlib.sha1(drawn.encode()).hexdigest()


def vega_fingerprints(page: Any) -> list[str | None]:
    """A digest of what each visible Vega-Lite chart shows (its canvas pixels, or its SVG), in
    page order: equal digests mean the same picture, whatever the data encoding."""
    return [_vega_digest(chart.evaluate(_VEGA_FINGERPRINT))
            for chart in page.locator(VEGA_CHART).all() if chart.is_visible()]


_PLOTLY_COORDINATES = r"""
(el) => {
  const gd = el.querySelector(".js-plotly-plot");
  if (!gd || !Array.isArray(gd._fullData)) return null;
  const trace = gd._fullData.find((t) => t.visible === true);
  if (!trace) return null;
  const axes = ["x", "y", "z"].filter((a) => trace[a] && trace[a].length !== undefined);
  return {type: trace.type, axes, columns: axes.map((a) => Array.from(trace[a])),
          meta: gd._fullLayout ? gd._fullLayout.meta ?? null : null};
}
"""


def plotly_points(page: Any) -> list[dict]:
    """The points each visible Plotly chart draws, in data units, in page order.

    Each item: ``type`` (trace type), ``points`` ((N, k) float64 array of the first visible
    trace) and ``resolution`` (how far a drawn coordinate may be from the true one because of
    the transport encoding). Plotly's ``_fullData`` holds the decoded arrays (``gd.data`` may
    hold a base64 ``{dtype, bdata}`` spec). If the figure's ``layout.meta`` declares integer codes
    (``origin`` (k,) and ``scale``: value = origin + code · scale, as
    :func:`explorer.charts.scatter_3d` does), they are turned back into coordinates here, the
    one place that knows about it.
    """
    import numpy as np

    charts = []
    for chart in page.locator(PLOTLY_CHART).all():
        if not chart.is_visible():
            continue
        drawn = chart.evaluate(_PLOTLY_COORDINATES)
        if drawn is None:
            charts.append({"type": None, "points": np.empty((0, 0)), "resolution": 0.0})
            continue
        points = np.column_stack([np.asarray(column, dtype=np.float64) for column in drawn["columns"]])
        meta, resolution = drawn.get("meta"), 0.0
        if isinstance(meta, dict) and "origin" in meta and "scale" in meta:
            scale = float(meta["scale"])
            points = np.asarray(meta["origin"], dtype=np.float64)[: points.shape[1]] + points * scale
            resolution = scale / 2
        charts.append({"type": drawn["type"], "points": points, "resolution": resolution})
    return charts


def drag(page: Any, target: Any, dx: float, dy: float, steps: int = 4) -> None:
    """Press the left mouse button in the middle of ``target`` (a locator), move by (dx, dy) px
    in ``steps`` moves and release: a user's drag."""
    box = target.bounding_box()
    if box is None or box["width"] == 0 or box["height"] == 0:
        raise AssertionError(f"cannot drag on {target}: it has no size on the page ({box})")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=steps)
    page.mouse.up()


def chart_fingerprints(page: Any) -> list[tuple[str, str | None]]:
    """``(kind, digest)`` of every visible chart, in page order: of a Vega-Lite chart its picture
    (as :func:`vega_fingerprints`), of a Plotly chart its decoded trace data (as
    :func:`plotly_points`). Equal lists: the page shows the same data; a changed digest: that
    chart's data (or, for Vega, its picture) changed."""
    prints = []
    for chart in page.locator(f"{VEGA_CHART}, {PLOTLY_CHART}").all():
        if not chart.is_visible():
            continue
        if chart.evaluate("(el, selector) => el.matches(selector)", VEGA_CHART):
            prints.append(("vega", _vega_digest(chart.evaluate(_VEGA_FINGERPRINT))))
        else:
            drawn = chart.evaluate(_PLOTLY_COORDINATES)
            prints.append(("plotly", None if drawn is None else hashlib.sha1(
                repr((drawn["type"], drawn["columns"], drawn.get("meta"))).encode()).hexdigest()))
    return prints


def open_app(page: Any, url: str) -> None:
    """Go to ``url`` and wait until the app has run and drawn every chart."""
    response = page.goto(url)
    assert response is not None and response.ok, f"GET {url} answered {response and response.status}"
    wait_for_app(page)


def assert_no_error_elements(page: Any) -> None:
    errors = page.locator(ERROR_ELEMENTS)
    assert errors.count() == 0, f"error elements on the page: {list(dict.fromkeys(errors.all_inner_texts()))}"
