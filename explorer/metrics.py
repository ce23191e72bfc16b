"""Information-loss measures of a transform, and the theory they are checked against.

All functions are pure; arrays are (N, d) inputs/projections, (N, n) embeddings.
"""

from __future__ import annotations

from math import comb

import numpy as np


def reconstruction_error(original: np.ndarray, projected: np.ndarray) -> float:
    """RMS ‖X' − X‖ / RMS ‖X − mean X‖: 0 for a perfect round trip, ~1 for a collapse to the mean."""
    spread = np.sqrt(np.mean(np.sum((original - original.mean(axis=0)) ** 2, axis=1)))
    error = np.sqrt(np.mean(np.sum((projected - original) ** 2, axis=1)))
    return float(error / spread) if spread > 0 else float(error)


def lossy_mask(active: np.ndarray, d: int) -> np.ndarray:
    """(N,) bool: points with fewer than ``d`` active units, where ``act(T x)`` is not locally
    invertible on R^d (for T in general position)."""
    return np.count_nonzero(active, axis=1) < d


def lossy_theory(n: int, d: int) -> float:
    """P(fewer than d of n units active) for Gaussian T and ReLU: Σ_{k<d} C(n, k) / 2^n."""
    return sum(comb(n, k) for k in range(min(d, n + 1))) / 2.0**n


def compute_all(original: np.ndarray, t: np.ndarray, embedded: np.ndarray, projected: np.ndarray,
                active: np.ndarray | None) -> dict[str, float]:
    """Every metric that applies; a metric the transform gives no data for is absent."""
    results = {"reconstruction_error": reconstruction_error(original, projected)}
    if active is not None:
        results["lossy_fraction"] = float(np.mean(lossy_mask(active, original.shape[1])))
    return results
