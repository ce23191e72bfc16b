"""Us, server side: ``explore()`` alone, one whole page rerun, and peak memory at 1M points.

- ``explore()`` with all metrics (spiral, ReLU, pinv, n = 10, and 1,000,000 points at n = 30);
  each repeat uses a new seed so nothing can be served from a cache. Median of the repeats.
- Page rerun: ``AppTest.from_file("streamlit_app.py")`` with ``?n_points=N``, run once (warm: imports,
  caches), then each repeat moves ``spiral.turns`` to a value not seen before and times
  ``app.run()`` — the transform for the new manifold is computed, everything else is warm.
- Peak memory: a fresh ``python`` subprocess imports the engine, runs ``explore()`` at 1,000,000
  points and reports its peak RSS (``VmHWM``; ``ru_maxrss``), its RSS before the call, and the
  peak of the arrays it allocated (``tracemalloc``, a second call).
- explore() has a memory budget (``MANIFOLD_EXPLORER_MEMORY_MB``, explorer/budget.py) that refuses
  1M × n = 30 by default; the subprocess tries the default first and reports the refusal, and the
  1M × 30 timings run with the limit lifted so that the target can be measured at all.

    python benchmarks/server.py [--sizes 5000 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = (5_000, 50_000, 200_000)
WIDTH_N = 10
BIG, BIG_N = 1_000_000, 30
TURNS_STEP = 0.5  # the spiral.turns slider's step; reruns walk down from the default 4.0
# explore() refuses a request whose estimated memory is over this limit (explorer/budget.py; 700 MB by
# default, which 1M × n = 30 exceeds). The 1M × 30 measurements lift it so that they can be made at
# all, and say when the default refused.
MEMORY_ENV = "MANIFOLD_EXPLORER_MEMORY_MB"
LIFTED_MB = "1000000"


@contextmanager
def lifted_memory_limit(lift: bool = True):
    old = os.environ.get(MEMORY_ENV)
    if lift:
        os.environ[MEMORY_ENV] = LIFTED_MB
    try:
        yield
    finally:
        if lift:
            if old is None:
                os.environ.pop(MEMORY_ENV, None)
            else:
                os.environ[MEMORY_ENV] = old


def time_explore(n_points: int, n: int, repeat: int) -> dict:
    from explorer import explore

    explore("spiral", "relu", n_points=1_000, transform_params={"n": n})  # imports, plugin discovery
    times, cpu = [], []
    with lifted_memory_limit(n_points >= BIG):
        for seed in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            explore("spiral", "relu", n_points=n_points, seed=seed + 1, transform_params={"n": n})
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return dict(n_points=n_points, n=n, repeat=repeat, median=statistics.median(times), min=min(times),
                cpu=statistics.median(cpu))


def explore_times(sizes=SIZES, repeat: int = 5, big_repeat: int = 3) -> list[dict]:
    rows = [time_explore(n_points, WIDTH_N, repeat) for n_points in sizes]
    if big_repeat:
        rows.append(time_explore(BIG, BIG_N, big_repeat))
    return rows


def page_reruns(sizes=SIZES, repeat: int = 5, timeout: float = 600) -> tuple[list[dict], dict]:
    """Median ``app.run()`` after a ``spiral.turns`` change, per N. Returns (rows, {N: the AppTest})."""
    from streamlit.testing.v1 import AppTest

    from tests.app_support import widget

    rows, apps = [], {}
    for n_points in sizes:
        app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
        app.query_params["n_points"] = str(n_points)
        start = time.perf_counter()
        app.run()
        first = time.perf_counter() - start
        error = _page_error(app)
        turns, times = float(widget(app, "spiral.turns").value), []
        for _ in range(repeat if not error else 0):
            turns = turns - TURNS_STEP if turns - TURNS_STEP >= 0.5 else turns + 7 * TURNS_STEP
            widget(app, "spiral.turns").set_value(turns)
            start = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - start)
            error = _page_error(app)
            if error:
                break
        rows.append(dict(n_points=n_points, first=first, repeat=len(times), error=error,
                         median=statistics.median(times) if times else None, min=min(times, default=None)))
        apps[n_points] = app
    return rows, apps


def _page_error(app) -> str | None:
    problems = [e.value for e in app.exception] + [e.value for e in app.error]
    return str(problems[0]).splitlines()[0] if problems else None


_CHILD = r"""
import json, os, sys, time, tracemalloc
sys.path.insert(0, {root!r})
os.environ.pop({env!r}, None)

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

from explorer import explore
explore("spiral", "relu", n_points=1000, transform_params={{"n": {n}}})
before = status("VmRSS")
refused = None
try:  # with the default memory limit first
    start, start_cpu = time.perf_counter(), time.process_time()
    result = explore("spiral", "relu", n_points={n_points}, seed=1, transform_params={{"n": {n}}})
except ValueError as error:
    refused = str(error).splitlines()[0]
    os.environ[{env!r}] = {lifted!r}
    start, start_cpu = time.perf_counter(), time.process_time()
    result = explore("spiral", "relu", n_points={n_points}, seed=1, transform_params={{"n": {n}}})
elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
peak = status("VmHWM")
import resource
maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
del result
traced = None
if {traced}:
    tracemalloc.start()
    explore("spiral", "relu", n_points={n_points}, seed=2, transform_params={{"n": {n}}})
    traced = tracemalloc.get_traced_memory()[1] / 2**20
print(json.dumps(dict(before=before, peak=peak, maxrss=maxrss, traced=traced, seconds=elapsed, cpu=cpu,
                      refused=refused)))
"""


def explore_memory(n_points: int = BIG, n: int = BIG_N, traced: bool = True, timeout: float = 300) -> dict:
    """Peak RSS of a fresh subprocess running ``explore()`` once at ``n_points`` × ``n``, in MiB (and
    that call's wall and CPU seconds); with ``traced``, a second call under ``tracemalloc``."""
    code = _CHILD.format(root=str(ROOT), n_points=n_points, n=n, traced=bool(traced), env=MEMORY_ENV,
                         lifted=LIFTED_MB)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return dict(n_points=n_points, n=n, error=(done.stderr.strip().splitlines() or ["failed"])[-1])
    return dict(n_points=n_points, n=n, **json.loads(done.stdout.strip().splitlines()[-1]))


def explore_table(rows: list[dict], limit_s: float = 2.0, refused: str | None = None) -> str:
    lines = ["| N | n | explore() with all metrics, median (s) | min (s) | CPU time, median (s) | repeats | target "
             "| result |",
             "|---:|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        big = row["n_points"] >= BIG and row["n"] >= BIG_N
        verdict = ("PASS" if row["median"] < limit_s else f"FAIL ({row['median'] / limit_s:.2f}× the limit)") \
            if big else "—"
        lines.append(f"| {row['n_points']:,} | {row['n']} | **{row['median']:.3f}** | {row['min']:.3f} "
                     f"| {row['cpu']:.3f} | {row['repeat']} | {f'< {limit_s:g} s' if big else '—'} | {verdict} |")
    if refused and any(row["n_points"] >= BIG for row in rows):
        lines += ["", f"With its default memory limit, explore() refuses 1M × n = {BIG_N}: “{refused}”. "
                  f"The row above is measured with {MEMORY_ENV}={LIFTED_MB}."]
    return "\n".join(lines)


def rerun_table(rows: list[dict], explore_rows: list[dict] | None = None) -> str:
    engine = {r["n_points"]: r["median"] for r in explore_rows or [] if r["n"] == WIDTH_N}
    lines = ["| N | first run (s) | rerun after a turns change, median (s) | min (s) | repeats "
             "| explore() alone at this N (s) |",
             "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        if row["median"] is None:
            lines.append(f"| {row['n_points']:,} | {row['first']:.2f} | error: {row['error']} | | 0 | |")
            continue
        part = engine.get(row["n_points"])
        lines.append(f"| {row['n_points']:,} | {row['first']:.2f} | **{row['median']:.3f}** | {row['min']:.3f} "
                     f"| {row['repeat']} | {f'{part:.3f}' if part is not None else '—'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    explore_rows = explore_times(args.sizes, args.repeat, big_repeat=1)
    print(explore_table(explore_rows), end="\n\n")
    print(rerun_table(page_reruns(args.sizes, args.repeat)[0], explore_rows), end="\n\n")
    print(json.dumps(explore_memory()))


if __name__ == "__main__":
    main()
