"""Which points a view draws. Pure.

Compute and metrics always use every point; a view draws at most ``cap`` of them, chosen
deterministically with an even stride along t, so the shape stays faithful and the same points are
drawn in every view and on every rerun.
"""

from __future__ import annotations

import numpy as np

DISPLAY_CAP = 20_000  # points per view by default: smooth in Vega's canvas and Plotly's WebGL


def display_rows(t: np.ndarray, cap: int) -> np.ndarray:
    """Indices (≤ cap,) into t (N,), ascending: all points when N ≤ cap, else an even stride along t."""
    count = len(t)
    if count <= cap:
        return np.arange(count)
    along_t = np.argsort(t, kind="stable")
    picks = np.unique(np.linspace(0, count - 1, cap).round().astype(np.int64))
    return np.sort(along_t[picks])
