"""Time the sweep and each information-loss metric; print a markdown table.

    python benchmarks/bench_sweep.py [--repeat 3] [--quick]

Every time is the best of ``--repeat`` runs (wall clock), so other load on the machine inflates it
less. ``--quick`` skips the 1,000,000-point rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from explorer import explore, metrics, sweep  # noqa: E402
from explorer.pipeline import apply_transform, sample_manifold  # noqa: E402


def best_of(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip N = 1,000,000")
    args = parser.parse_args()
    sizes = [5_000, 200_000] + ([] if args.quick else [1_000_000])
    rows: list[tuple[str, str, float]] = []

    n_values, seeds = list(range(1, 31)), list(range(20))
    elapsed = best_of(args.repeat, lambda: sweep("spiral", "relu", n_values=n_values, seeds=seeds, n_points=2000))
    rows.append(("sweep, spiral, relu, n = 1…30 × 20 seeds × 2,000 points", "600 cells", elapsed))

    import manifolds
    import transforms

    for n_points in sizes:
        label = f"{n_points:,}"
        spiral = manifolds.registry["spiral"]
        original, _ = sample_manifold(spiral, n_points, spiral.validate_params({}))
        params = transforms.registry["relu"].validate_params({"n": 30})
        embedded, projected, active = apply_transform(transforms.registry["relu"], original, 0, params)
        cases = {
            "lossy_fraction": lambda: metrics.lossy_fraction(active, 2),
            "collapse_fraction": lambda: metrics.collapse_fraction(original, embedded),
            "neighbor_preservation": lambda: metrics.neighbor_preservation(original, projected),
            "reconstruction_error": lambda: metrics.reconstruction_error(original, projected),
            "sample + transform (no metrics)": lambda: apply_transform(
                transforms.registry["relu"], sample_manifold(spiral, n_points, spiral.validate_params({}))[0], 0, params),
            "explore() with all metrics": lambda: explore("spiral", "relu", n_points=n_points,
                                                          transform_params={"n": 30}),
        }
        for name, function in cases.items():
            rows.append((f"{name}, spiral, n = 30", label, best_of(args.repeat, function)))

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"best of {args.repeat}, load average {load} (other processes inflate the times)\n")
    print("| what | N | seconds |")
    print("|---|---:|---:|")
    for what, size, seconds in rows:
        print(f"| {what} | {size} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
