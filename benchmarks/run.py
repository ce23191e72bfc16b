"""Run every benchmark and print one markdown table per section, with the targets of issue 5.

    python benchmarks/run.py            # full: ~5–10 minutes on 2 cores
    python benchmarks/run.py --quick    # fewer repeats, no 1,000,000-point browser run: < 2 minutes

Sections: the notebook we replace (matplotlib), ``explore()``, a whole page rerun (AppTest), peak
memory at 1,000,000 points, slider → every view redrawn in headless Chromium, and bytes sent per
view per point. Progress goes to stderr, the tables to stdout. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

import browser  # noqa: E402
import load  # noqa: E402
import notebook_baseline  # noqa: E402
import payload  # noqa: E402
import server  # noqa: E402

SECTIONS = ("notebook", "explore", "rerun", "memory", "browser", "payload", "load")
SIZES = (5_000, 50_000, 200_000)
BIG = 1_000_000
ONE_GB_MIB = 1e9 / 2**20  # the target's 1 GB, in MiB (953.7)
TARGET_5K, TARGET_200K = 1.0, 0.5  # slider → redrawn, as a fraction of the notebook's refresh
EXPLORE_LIMIT_S = 2.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB RAM"
    except OSError:
        pass
    system = platform.platform()
    try:
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        system = f"{release.get('PRETTY_NAME', '').strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    versions = []
    for name in ("numpy", "scipy", "streamlit", "altair", "plotly", "matplotlib", "playwright"):
        try:
            from importlib.metadata import version

            versions.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 — a missing package just is not listed
            pass
    return (f"**Machine:** {cpu}, {os.cpu_count()} cores, {ram}, Python {platform.python_version()}, {system}. "
            f"{', '.join(versions)}.")


def load_average() -> str:
    """Load average, and the share of the last 60 s in which some task waited for a CPU (Linux PSI):
    other work on the machine inflates every wall-clock time here."""
    try:
        text = "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        text += f" (CPU pressure {float(some.split('avg60=')[1].split()[0]):.0f} %)"
    except (OSError, IndexError, ValueError):
        pass
    return text


def verdict(ok: bool | None, ratio: float | None = None) -> str:
    if ok is None:
        return "not measured"
    if ok:
        return "PASS"
    return f"FAIL ({ratio:.2f}× the limit)" if ratio is not None else "FAIL"


def targets_table(results: dict) -> str:
    lines = ["| target | measured | limit | result |", "|---|---:|---:|---|"]
    notebook = {row["n_points"]: row["total"] for row in results.get("notebook", [])}
    browser_rows = {row["n_points"]: row for row in results.get("browser", {}).get("rows", [])}
    for n, fraction in ((5_000, TARGET_5K), (200_000, TARGET_200K)):
        label = (f"slider → all views (every chart on the page) redrawn at {n // 1000}k points, "
                 + ("no slower than the notebook's refresh" if fraction == 1 else "at most half the notebook's refresh"))
        row, reference = browser_rows.get(n), notebook.get(n)
        if row is None or reference is None:
            lines.append(f"| {label} | — | — | not measured |")
            continue
        limit = fraction * reference
        if "median" not in row:
            lines.append(f"| {label} | {row['error']} | {limit:.2f} s | FAIL |")
            continue
        lines.append(f"| {label} | {row['median']:.2f} s | {limit:.2f} s | "
                     f"{verdict(row['median'] <= limit, row['median'] / limit)} |")
    big = [row for row in results.get("explore", []) if row["n_points"] >= BIG]
    if big:
        seconds = big[0]["median"]
        lines.append(f"| explore() with all metrics at 1M points × n = 30 | {seconds:.2f} s | {EXPLORE_LIMIT_S:g} s "
                     f"| {verdict(seconds < EXPLORE_LIMIT_S, seconds / EXPLORE_LIMIT_S)} |")
    else:
        lines.append(f"| explore() with all metrics at 1M points × n = 30 | — | {EXPLORE_LIMIT_S:g} s | not measured |")
    views = payload.scatter_views(results.get("payload", []))
    if views:
        worst = max(views, key=lambda row: row["ratio"])
        lines.append(f"| bytes per point per view (worst of {len(views)} charts: {worst['view']}, "
                     f"{worst['n_points']:,} points) | {worst['ratio']:.2f}× the float32 floor | {payload.LIMIT}× "
                     f"| {verdict(worst['ratio'] <= payload.LIMIT, worst['ratio'] / payload.LIMIT)} |")
    else:
        lines.append(f"| bytes per point per view | — | {payload.LIMIT}× | not measured |")
    for label, mib in memory_peaks(results):
        if mib is None:
            lines.append(f"| peak memory at 1M: {label} | — | 1 GB | not measured |")
        else:
            lines.append(f"| peak memory at 1M: {label} | {mib:,.0f} MiB | {ONE_GB_MIB:,.0f} MiB (1 GB) "
                         f"| {verdict(mib < ONE_GB_MIB, mib / ONE_GB_MIB)} |")
    return "\n".join(lines)


def memory_peaks(results: dict) -> list[tuple[str, float | None]]:
    fresh = results.get("memory") or {}
    big_rows = [row for row in results.get("browser", {}).get("rows", []) if row["n_points"] >= BIG]
    page = big_rows[0] if big_rows else {}
    changes = len(page.get("changes", []))
    served = (f"streamlit server, page drawn in Chromium and {changes} slider change(s), n = 10" if page
              else "streamlit server serving the page")
    return [
        (f"fresh process running explore(), n = {fresh.get('n', server.BIG_N)}", fresh.get("peak")),
        (served, page.get("server_peak")),
    ]


def memory_table(results: dict) -> str:
    fresh = results.get("memory") or {}
    lines = ["| what | MiB | target | result |", "|---|---:|---|---|"]
    if "error" in fresh:
        lines.append(f"| fresh process: explore() at 1M × n = {fresh['n']} | error: {fresh['error']} | < 1 GB | FAIL |")
    elif fresh:
        lines.append(f"| fresh process: engine imported, before explore() (RSS) | {fresh['before']:,.0f} | — | — |")
        lifted = ", memory limit lifted: the default refuses it" if fresh.get("refused") else ""
        lines.append(f"| fresh process: peak RSS (VmHWM) after explore() at 1M × n = {fresh['n']} "
                     f"({fresh['seconds']:.1f} s{lifted}) | **{fresh['peak']:,.0f}** | < 1 GB "
                     f"| {verdict(fresh['peak'] < ONE_GB_MIB, fresh['peak'] / ONE_GB_MIB)} |")
        if fresh.get("traced") is not None:
            lines.append(f"| of which explore()'s own allocations at their peak (tracemalloc) | {fresh['traced']:,.0f} "
                         f"| — | — |")
    big_rows = [row for row in results.get("browser", {}).get("rows", []) if row["n_points"] >= BIG]
    if big_rows:
        row = big_rows[0]
        after_load = row.get("server_peak_after_load")
        if after_load is not None:
            lines.append(f"| streamlit server (VmHWM), page at 1M points (n = 10) drawn in Chromium | {after_load:,.0f} "
                         f"| < 1 GB | {verdict(after_load < ONE_GB_MIB, after_load / ONE_GB_MIB)} |")
        peak = row.get("server_peak")
        if peak is not None:
            lines.append(f"| streamlit server (VmHWM), after {len(row['changes'])} slider change(s) at 1M points | "
                         f"**{peak:,.0f}** | < 1 GB | {verdict(peak < ONE_GB_MIB, peak / ONE_GB_MIB)} |")
        if row.get("error"):
            lines.append(f"| (the 1M page: {row['error']}) | | | |")
    else:
        lines.append("| streamlit server at 1M points | — | < 1 GB | not measured (`--quick` skips the 1M browser run) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip the 1M-point browser run")
    parser.add_argument("--skip", default="", help=f"comma-separated sections to skip: {', '.join(SECTIONS)}")
    parser.add_argument("--json", type=Path, help="also write the raw results to this file")
    args = parser.parse_args(argv)
    skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    unknown = skip - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    quick = args.quick
    repeat = 2 if quick else 5

    # Streamlit warns "missing ScriptRunContext" around every AppTest run: noise here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())

    started, load_before = time.perf_counter(), load_average()
    results: dict = {}
    if "notebook" not in skip:
        log("notebook baseline (matplotlib) …")
        results["notebook"] = notebook_baseline.measure(SIZES, repeat=repeat)
    if "memory" not in skip:
        log("explore() at 1M × n = 30 in a fresh process (peak RSS) …")
        results["memory"] = server.explore_memory(BIG, server.BIG_N, traced=not quick)
    if "explore" not in skip:
        log("explore() …")
        results["explore"] = server.explore_times(SIZES, repeat, big_repeat=0 if quick else 3)
        fresh = results.get("memory") or {}
        if quick and "seconds" in fresh:  # --quick: the fresh process's one timed call is the 1M row
            results["explore"].append(dict(n_points=BIG, n=server.BIG_N, repeat=1, median=fresh["seconds"],
                                           min=fresh["seconds"], cpu=fresh["cpu"]))
    apps: dict = {}
    if "rerun" not in skip:
        log("page reruns (AppTest) …")
        sizes = SIZES if quick else SIZES + (BIG,)
        results["rerun"], apps = server.page_reruns(sizes, repeat=repeat if not quick else 2)
    if "browser" not in skip:
        log("browser (headless Chromium) …")
        results["browser"] = browser.measure(SIZES, changes=2 if quick else 5, big=None if quick else BIG,
                                             big_changes=3, log=log)
    if "payload" not in skip:
        log("payload …")
        results["payload"] = payload.measure(SIZES if quick else SIZES + (BIG,), apps=apps)
    if "load" not in skip:
        log("load: several sessions at once …")
        results["load"] = load.run(quick)
    elapsed = time.perf_counter() - started

    notebook = {row["n_points"]: row["total"] for row in results.get("notebook", [])}
    out = [
        f"# Benchmarks ({'quick' if quick else 'full'} run, {datetime.date.today().isoformat()})",
        "",
        machine_line(),
        f"Load average (1/5/15 min) at start {load_before}, at end {load_average()}; took {elapsed:.0f} s. "
        "CPU pressure: the share of the last minute in which some task waited for a CPU — other work on the "
        "machine; it inflates wall-clock times (compare the CPU-time column of explore()). "
        "Spiral, ReLU, n = 10 unless stated; times are medians, wall clock.",
        "",
        "## Targets (issue 5)",
        "",
        targets_table(results),
    ]
    if "notebook" in results:
        out += ["", "## The notebook we replace: compute + 3 matplotlib views + PNG (one Refresh)", "",
                notebook_baseline.table(results["notebook"])]
    if "explore" in results:
        out += ["", "## Server: explore() alone (sample, transform, all metrics)", "",
                server.explore_table(results["explore"], EXPLORE_LIMIT_S, (results.get("memory") or {}).get("refused"))]
    if "rerun" in results:
        out += ["", "## Server: one whole page rerun in AppTest after a spiral.turns change", "",
                server.rerun_table(results["rerun"], results.get("explore"))]
    if "memory" in results or "browser" in results:
        out += ["", "## Peak memory at 1,000,000 points", "", memory_table(results)]
    if "browser" in results:
        out += ["", "## Browser: slider → every view redrawn (headless Chromium)", "",
                browser.table(results["browser"], notebook, {5_000: TARGET_5K, 200_000: TARGET_200K})]
    if "payload" in results:
        out += ["", "## Bytes sent per view per point (AppTest protobufs)", "", payload.table(results["payload"])]
    if "load" in results:
        out += ["", "## Several sessions at once (headless Chromium, one server)", "", results["load"]]
    if (HERE / "bench_sweep.py").exists():
        out += ["", "_The sweep and per-metric timings are in `python benchmarks/bench_sweep.py` (run separately)._"]
    print("\n".join(out))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
