"""Us, in a real browser: slider change → every view redrawn, in headless Chromium.

The page runs under ``streamlit run`` (``tests/browser/harness.StreamlitServer``), opened at
``?n_points=N``. Each measurement focuses the sidebar's *turns* slider, presses ArrowLeft (the
manifold changes, so nothing on the server is cached for it) and times, with the page's own clock,
from just before the key press until, in one animation frame:

- the script is idle again (``data-test-script-state="notRunning"``) and nothing is loading,
- every visible chart has drawn after the key press: a Vega view's canvas drew again, a Plotly
  chart's WebGL canvas drew *its new data* (the trace data it drew differ from before the press;
  a 3-D scene also redraws old data now and then, which must not count).

A probe injected before the page loads wraps the 2-D canvas and WebGL draw calls to timestamp
them and logs every script-state change, so a fast rerun cannot slip between two polls; it also
records when each chart had drawn its new data. A TCP relay between browser and server
(:class:`WireTap`) timestamps the bytes, which splits the time into the server's share (until its
last byte of the rerun is out) and the browser's (the rest); the server's CPU time per rerun comes
from ``/proc/<pid>/stat``.

Also measured: the bytes of each rerun (on the wire, and the websocket payload as the browser
reports it), and the server's peak resident memory (``VmHWM`` in ``/proc/<pid>/status``) once the
page has drawn and after the slider changes — for 1,000,000 points on a fresh server, so that
earlier sizes do not count against it.

    python benchmarks/browser.py [--sizes 5000 50000] [--changes 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser import harness  # noqa: E402 — needs the repository root on sys.path
from tests.browser.harness import (  # noqa: E402
    _CHARTS_DRAWN, APP_IDLE, CANVAS_PROBE, ERROR_ELEMENTS, LOADING, PLOTLY_CHART, VEGA_CHART, VIEWPORT,
    StreamlitServer, chromium_path, launch_chromium, wait_for_app,
)

SIZES = (5_000, 50_000, 200_000)
SLIDER_LABEL = "turns"  # the spiral's slider: a new manifold, so nothing on the server is cached for it

# Timestamps of every script-state change and of the last draw call on each canvas.
PROBE = r"""
(() => {
  if (window.__benchProbe) return;
  window.__benchProbe = true;
  window.__stateLog = [];
  const watch = () => new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.attributeName === "data-test-script-state") {
        window.__stateLog.push([performance.now(), m.target.getAttribute("data-test-script-state")]);
      }
    }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-test-script-state"]});
  watch();
  const plotlySignature = (gd) => (gd && Array.isArray(gd._fullData)) ? gd._fullData.map((t) => {
    const x = t.x || [];
    return `${t.type}:${t._length ?? x.length}:${x[0]}:${x[x.length >> 1]}:${x[x.length - 1]}`;
  }).join("|") : "";
  window.__plotlySignature = plotlySignature;
  const mark = (canvas) => {
    if (!canvas) return;
    canvas.__lastDraw = performance.now();
    if (canvas.__gd === undefined) canvas.__gd = canvas.closest ? canvas.closest(".js-plotly-plot") : null;
    if (canvas.__gd) canvas.__drawnSignature = plotlySignature(canvas.__gd);
  };
  const wrap = (proto, names) => {
    for (const name of names) {
      const original = proto && proto[name];
      if (typeof original !== "function") continue;
      proto[name] = function (...args) { mark(this.canvas); return original.apply(this, args); };
    }
  };
  wrap(CanvasRenderingContext2D.prototype,
       ["arc", "ellipse", "rect", "fillRect", "lineTo", "fill", "stroke", "drawImage", "putImageData"]);
  wrap(window.WebGLRenderingContext && WebGLRenderingContext.prototype,
       ["drawArrays", "drawElements"]);
  wrap(window.WebGL2RenderingContext && WebGL2RenderingContext.prototype,
       ["drawArrays", "drawElements", "drawArraysInstanced", "drawElementsInstanced"]);
})();
"""

# Called just before the key press: remember the time and what each Plotly chart shows.
MARK_START = r"""
(plotlySelector) => {
  for (const el of document.querySelectorAll(plotlySelector)) {
    const gd = el.querySelector(".js-plotly-plot");
    if (gd) gd.__signatureBefore = window.__plotlySignature(gd);
  }
  window.__chartReady = new Map();
  window.__benchStart = performance.now();
  return window.__benchStart;
}
"""

# Polled every animation frame after the press: the timestamps once every view has redrawn, else false.
REDRAWN = r"""
([vegaSelector, plotlySelector, loadingSelector]) => {
  const t0 = window.__benchStart;
  const now = performance.now();
  const visible = (el) => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
  const charts = [...document.querySelectorAll(`${vegaSelector}, ${plotlySelector}`)].filter(visible);
  const ready = window.__chartReady;
  let all = charts.length > 0;
  for (const el of charts) {
    const canvases = [...el.querySelectorAll("canvas")];
    const gd = el.querySelector(".js-plotly-plot");
    let drawn, kind;
    if (gd) {
      const signature = window.__plotlySignature(gd);
      const gl = canvases.filter((c) => c.closest(".gl-container"));
      const types = (gd._fullData || []).map((t) => t.type);
      kind = `plotly ${types.some((t) => t.endsWith("3d")) ? "3-D" : "2-D"}` +
             ((gd._transitionData && gd._transitionData._frames || []).length ? " animation" : "");
      // the new data have arrived, and a WebGL scene has drawn them (SVG is drawn when the data are set)
      drawn = !!signature && signature !== gd.__signatureBefore &&
              (!gl.length || gl.some((c) => c.__lastDraw > t0 && c.__drawnSignature === signature));
    } else {
      const marks = el.querySelector("canvas.marks");
      kind = "vega-lite";
      drawn = marks ? marks.__lastDraw > t0 : !!el.querySelector("svg.marks");
    }
    const key = charts.indexOf(el);
    if (drawn && !ready.has(key)) ready.set(key, [kind, now]);
    all = all && drawn;
  }
  const app = document.querySelector('[data-testid="stApp"]');
  if (!all || !app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelector(loadingSelector)) return false;
  const log = window.__stateLog.filter(([t]) => t > t0);
  const start = log.find(([, s]) => s === "running");
  const end = start && [...log].reverse().find(([t, s]) => s === "notRunning" && t > start[0]);
  return {t0, done: now, runStart: start ? start[0] : null, runEnd: end ? end[0] : null, charts: charts.length,
          ready: [...ready.entries()].sort((a, b) => a[0] - b[0]).map(([, [kind, t]]) => [kind, t])};
}
"""


def _vm_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def server_peak_mib(server: StreamlitServer) -> float | None:
    """Peak resident memory (VmHWM) of the ``streamlit run`` process so far, in MiB."""
    kib = _vm_kib(server.process.pid, "VmHWM") if server.process else None
    return kib / 1024 if kib is not None else None


class _WebsocketBytes:
    """Payload bytes of the websocket frames the page received (Streamlit's messages, uncompressed)."""

    def __init__(self, page) -> None:
        self.received = 0
        page.on("websocket", lambda websocket: websocket.on("framereceived", self._received))

    def _received(self, payload) -> None:
        self.received += len(payload)


class WireTap:
    """A TCP relay between the browser and the server that timestamps every chunk either way.

    The page's own clock, and what the browser tells Playwright about websocket frames, both run
    late while the page's main thread is busy; bytes on the wire do not. The server has answered a
    rerun when its last chunk has gone out. Use as a context manager; ``url`` is the relayed URL.
    """

    def __init__(self, port: int) -> None:
        self.target = ("127.0.0.1", port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.chunks: list[tuple[float, str, int]] = []  # (time, "in" = to the server | "out", bytes)
        self._sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, "in"), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, "out"), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, direction: str) -> None:
        try:
            while data := source.recv(1 << 16):
                self.chunks.append((time.perf_counter(), direction, len(data)))
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def rerun(self, since: float, until: float) -> dict:
        """Between ``since`` and ``until``: when the first chunk reached the server (the rerun request)
        and the last left it, relative to ``since``, and how many bytes the server sent."""
        window = [(t, direction, size) for t, direction, size in self.chunks if since <= t <= until]
        request = next((t for t, direction, _ in window if direction == "in"), None)
        answers = [t for t, direction, _ in window if direction == "out" and request is not None and t >= request]
        return dict(request=request - since if request is not None else None,
                    last_byte=answers[-1] - since if answers else None,
                    wire_bytes=sum(size for _, direction, size in window if direction == "out"))

    def close(self) -> None:
        for sock in self._sockets:
            try:
                sock.close()
            except OSError:
                pass

    def __enter__(self) -> "WireTap":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def _page_error(page) -> str | None:
    errors = page.locator(ERROR_ELEMENTS).all_inner_texts()
    return f"the page shows an error: {errors[0].strip().splitlines()[0]}" if errors else None


def _open(page, url: str, timeout_ms: float) -> float:
    """Load the page and wait until its charts have drawn (or it shows an error); returns seconds."""
    start = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    page.wait_for_selector(f"{VEGA_CHART}, {PLOTLY_CHART}, {ERROR_ELEMENTS}", timeout=timeout_ms)
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    error = _page_error(page)
    if error:
        raise RuntimeError(error)
    page.wait_for_function(_CHARTS_DRAWN, arg=[VEGA_CHART, PLOTLY_CHART, LOADING], timeout=timeout_ms)
    return time.perf_counter() - start


def _thumb(page):
    if hasattr(harness, "slider"):
        return harness.slider(page, SLIDER_LABEL).first
    return page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{SLIDER_LABEL}"]').first


def _slider_change(page, ws: _WebsocketBytes, tap: WireTap, timeout_ms: float, server_pid: int | None) -> dict:
    thumb = _thumb(page)
    before = thumb.input_value()
    thumb.focus()
    received, cpu = ws.received, _cpu_seconds(server_pid)
    page.evaluate(MARK_START, PLOTLY_CHART)
    pressed = time.perf_counter()
    page.keyboard.press("ArrowLeft")
    result = page.wait_for_function(REDRAWN, arg=[VEGA_CHART, PLOTLY_CHART, LOADING], polling="raf",
                                    timeout=timeout_ms).json_value()
    wire = tap.rerun(pressed, time.perf_counter())
    cpu_after = _cpu_seconds(server_pid)
    wait_for_app(page, timeout=timeout_ms)  # settle (untimed) before the next change
    error = _page_error(page)
    if error:
        raise RuntimeError(error)
    after = _thumb(page).input_value()
    if after == before:
        raise RuntimeError(f"the {SLIDER_LABEL} slider did not move (still {before})")
    t0 = result["t0"]
    ms = lambda value: (value - t0) / 1000 if value is not None else None  # noqa: E731
    total = ms(result["done"])
    wire["browser_tail"] = total - wire["last_byte"] if wire["last_byte"] is not None else None
    ready = [(kind, ms(t)) for kind, t in result["ready"]]
    return dict(total=total, ready=ready, run_start=ms(result["runStart"]), run_end=ms(result["runEnd"]),
                charts=result["charts"], ws_bytes=ws.received - received, turns=(before, after),
                **wire,
                server_cpu=cpu_after - cpu if cpu is not None and cpu_after is not None else None)


def new_context(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(CANVAS_PROBE)
    context.add_init_script(PROBE)
    return context


def measure_size(context, server: StreamlitServer, tap: WireTap, n_points: int, changes: int, timeout_s: float,
                 read_memory: bool = False) -> dict:
    """Open ``?n_points=N`` in a new page (a new session) through ``tap``, then time ``changes``
    slider changes."""
    row: dict = dict(n_points=n_points, changes=[], error=None)
    page = context.new_page()
    ws = _WebsocketBytes(page)
    try:
        row["load"] = _open(page, f"{tap.url}/?n_points={n_points}", timeout_s * 1000)
        if read_memory:
            row["server_peak_after_load"] = server_peak_mib(server)
        for _ in range(changes):
            row["changes"].append(_slider_change(page, ws, tap, timeout_s * 1000, server.process.pid))
    except Exception as error:  # noqa: BLE001 — a timeout at one size is a result, not a crash
        row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        if read_memory:
            row["server_peak"] = server_peak_mib(server)
        page.close()
    totals = [c["total"] for c in row["changes"]]
    if totals:
        row["median"], row["min"], row["max"] = statistics.median(totals), min(totals), max(totals)
        for key in ("run_start", "run_end", "server_cpu", "request", "last_byte", "browser_tail", "wire_bytes"):
            values = [c[key] for c in row["changes"] if c[key] is not None]
            row[key] = statistics.median(values) if values else None
        row["ws_bytes"] = statistics.median(c["ws_bytes"] for c in row["changes"])
        charts = [c["ready"] for c in row["changes"] if len(c["ready"]) == len(row["changes"][0]["ready"])]
        row["ready"] = [(column[0][0], statistics.median(t for _, t in column)) for column in zip(*charts)]
    return row


def measure(sizes=SIZES, changes: int = 5, big: int | None = 1_000_000, big_changes: int = 2,
            timeout_s: float = 90.0, log=print) -> dict:
    """Slider → redrawn for each size (one server), and for ``big`` points on a fresh server whose
    peak memory is read. Returns ``{"rows": [...], "chromium": version}`` or ``{"skipped": reason}``."""
    if chromium_path() is None:
        return {"skipped": "no `chromium` on PATH"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        return {"skipped": f"playwright is not importable ({error})"}
    rows = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            # one context per server: the page's scripts are fetched once, each size is a new session
            with StreamlitServer() as server, WireTap(server.port) as tap:
                context = new_context(browser)
                for n_points in sizes:
                    log(f"  browser: {n_points:,} points …")
                    rows.append(measure_size(context, server, tap, n_points, changes, timeout_s))
                context.close()
            if big:
                log(f"  browser: {big:,} points on a fresh server …")
                with StreamlitServer() as server, WireTap(server.port) as tap:
                    context = new_context(browser)
                    rows.append(measure_size(context, server, tap, big, big_changes, timeout_s * 2,
                                             read_memory=True))
                    context.close()
            version = browser.version
        finally:
            browser.close()
    return {"rows": rows, "chromium": version}


def table(result: dict, notebook: dict[int, float] | None = None, targets: dict[int, float] | None = None) -> str:
    """``notebook``: N → the notebook's refresh seconds; ``targets``: N → allowed fraction of it."""
    if "skipped" in result:
        return f"_skipped: {result['skipped']}_"
    notebook, targets = notebook or {}, targets or {}
    fmt = lambda v: f"{v:.2f}" if v is not None else "n/a"  # noqa: E731
    lines = ["| N | page load (s) | slider → all views redrawn, median (s) | min–max (s) | request at the server (s) "
             "| server's last byte out (s) | browser after that (s) | server CPU / rerun (s) | bytes on the wire "
             "| websocket payload | changes | notebook refresh (s) | target | result |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for row in result["rows"]:
        n = row["n_points"]
        reference = notebook.get(n)
        limit = reference * targets[n] if reference is not None and n in targets else None
        target = (f"≤ {limit:.2f} s ({'= notebook' if targets[n] == 1 else f'{targets[n]:g} × notebook'})"
                  if limit is not None else "—")
        load = f"{row['load']:.1f}" if "load" in row else "did not finish"
        if "median" in row:
            verdict = ("PASS" if row["median"] <= limit else f"FAIL ({row['median'] / limit:.2f}× the limit)") \
                if limit is not None else "—"
            if row["error"]:
                verdict += f"; then {row['error']}"
            lines.append(f"| {n:,} | {load} | **{row['median']:.2f}** | {row['min']:.2f}–{row['max']:.2f} "
                         f"| {fmt(row['request'])} | {fmt(row['last_byte'])} | {fmt(row['browser_tail'])} "
                         f"| {fmt(row['server_cpu'])} | {row['wire_bytes'] or 0:,.0f} | {row['ws_bytes']:,.0f} "
                         f"| {len(row['changes'])} | {fmt(reference)} | {target} | {verdict} |")
        else:
            lines.append(f"| {n:,} | {load} | — | — | — | — | — | — | — | — | 0 | {fmt(reference)} | {target} "
                         f"| {'FAIL' if limit else 'n/a'}: {row['error']} |")
    lines.append("")
    for row in result["rows"]:
        if row.get("ready"):
            lines.append(f"- {row['n_points']:,} points, each chart drawn with its new data (median s after the key "
                         "press, page order): " + ", ".join(f"{kind} {t:.2f}" for kind, t in row["ready"]))
    lines += ["", f"Chromium {result['chromium']}, headless, software WebGL (SwiftShader, `--disable-gpu`), viewport "
              f"{VIEWPORT['width']}×{VIEWPORT['height']}. Every time counts from the key press on the slider. "
              "*Redrawn*: the first animation frame in which the script is idle and every chart has drawn its new "
              "data (page clock). *Request at the server*, *server's last byte out*, *bytes on the wire*: a TCP "
              "relay between browser and server timestamps every chunk (medians over the changes). *Browser after "
              "that*: redrawn − last byte out, the browser's share. *Websocket payload*: the frames' uncompressed "
              "bytes as the browser reports them."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--changes", type=int, default=3)
    parser.add_argument("--big", type=int, default=0, help="also N points on a fresh server (0: skip)")
    args = parser.parse_args()
    print(table(measure(args.sizes, args.changes, big=args.big or None)))


if __name__ == "__main__":
    main()
