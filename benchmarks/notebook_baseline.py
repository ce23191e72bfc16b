"""The notebook we replace: the 2021 seed post's pipeline, timed as one Refresh cycle.

Spiral ρ = φ (4 turns) → zero-pad to Rⁿ (n = 10) → ``ReLU(x A) A⁻¹`` with a square standard-normal
``A`` → three matplotlib scatter views (original, projected back, and the post's n = 3 style 3-D
view of the first three embedded coordinates), coloured by φ with viridis, ``s=1``, figure
(15, 5) at dpi 100, rendered with the Agg backend to a PNG in memory.

One cycle = compute (sample, colours, new ``A``, transform) + redraw the three axes + PNG encode:
what the notebook does when you press Refresh or move an ``interact`` slider. The figure is made
once and reused (the post's ``update()`` reuses it too); each cycle clears and redraws the axes.

    python benchmarks/notebook_baseline.py [--sizes 5000 50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import cm, colors  # noqa: E402

SIZES = (5_000, 50_000, 200_000)
WIDTH_N = 10
TURNS = 4.0


def compute(n_points: int, rng: np.random.Generator, turns: float = TURNS, n: int = WIDTH_N):
    """The post's code: points, φ-colours, padded points, ``ReLU(x A)`` and ``ReLU(x A) A⁻¹``."""
    phi = np.linspace(0, turns * 2 * np.pi, n_points)
    points = np.c_[phi * np.cos(phi), phi * np.sin(phi)]
    mapper = cm.ScalarMappable(norm=colors.Normalize(vmin=phi.min(), vmax=phi.max()), cmap=cm.viridis)
    point_colours = mapper.to_rgba(phi)
    extended = np.concatenate((points, np.zeros((n_points, n - 2))), axis=1)
    a = rng.standard_normal((n, n))
    embedded = np.maximum(0, extended @ a)
    projected = embedded @ np.linalg.inv(a)
    return points, point_colours, embedded, projected


class Notebook:
    """One reusable (15, 5) figure with the three views."""

    def __init__(self) -> None:
        self.figure = plt.figure(figsize=(15, 5), dpi=100)
        self.original = self.figure.add_subplot(1, 3, 1)
        self.projected = self.figure.add_subplot(1, 3, 2)
        self.embedded = self.figure.add_subplot(1, 3, 3, projection="3d")

    def draw(self, points, point_colours, embedded, projected) -> bytes:
        """Redraw the three views and encode the figure as PNG; returns the PNG bytes."""
        for ax, data, title in ((self.original, points, "original"), (self.projected, projected, "projected")):
            ax.cla()
            ax.scatter(data[:, 0], data[:, 1], c=point_colours, s=1)
            ax.set_title(title)
        self.embedded.cla()
        self.embedded.scatter(embedded[:, 0], embedded[:, 1], embedded[:, 2], c=point_colours, s=1)
        self.embedded.set_title("ReLU(x A), first 3 coordinates")
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()

    def close(self) -> None:
        plt.close(self.figure)


def refresh_cycle(notebook: Notebook, n_points: int, rng: np.random.Generator) -> tuple[float, float, int]:
    """One Refresh: returns (compute seconds, draw + PNG seconds, PNG bytes)."""
    start = time.perf_counter()
    arrays = compute(n_points, rng)
    computed = time.perf_counter()
    png = notebook.draw(*arrays)
    return computed - start, time.perf_counter() - computed, len(png)


def measure(sizes=SIZES, repeat: int = 5) -> list[dict]:
    """Median over ``repeat`` Refresh cycles per N (after one untimed warm-up cycle)."""
    rows = []
    notebook = Notebook()
    try:
        rng = np.random.default_rng(0)
        refresh_cycle(notebook, 1_000, rng)  # warm-up: font cache, first-draw costs
        for n_points in sizes:
            runs = [refresh_cycle(notebook, n_points, rng) for _ in range(repeat)]
            totals = [c + d for c, d, _ in runs]
            rows.append(dict(
                n_points=n_points, repeat=repeat,
                compute=statistics.median(c for c, _, _ in runs),
                draw_png=statistics.median(d for _, d, _ in runs),
                total=statistics.median(totals), total_min=min(totals),
                png_bytes=runs[-1][2],
            ))
    finally:
        notebook.close()
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| N | compute (s) | draw + PNG (s) | refresh total, median (s) | min (s) | PNG bytes | repeats |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['n_points']:,} | {row['compute']:.3f} | {row['draw_png']:.3f} | **{row['total']:.3f}** "
                     f"| {row['total_min']:.3f} | {row['png_bytes']:,} | {row['repeat']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(table(measure(args.sizes, args.repeat)))


if __name__ == "__main__":
    main()
