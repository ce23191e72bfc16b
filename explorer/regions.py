"""The linear pieces of a ReLU-like layer: which units are active at each point. Pure.

Points with the same activity pattern lie in the same *activation region*: there the layer is one
linear map, ``x ↦ T_S x`` restricted to the active units S.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Regions:
    """``index`` (N,) region of each point, numbered by first appearance along the rows;
    ``patterns`` (R, n) bool, the active units of each region; ``sizes`` (R,) points per region."""

    index: np.ndarray
    patterns: np.ndarray
    sizes: np.ndarray

    def describe(self, region: int) -> str:
        """``"units {1, 4, 7}"`` (1-based), or ``"no unit"``."""
        units = np.flatnonzero(self.patterns[region]) + 1
        return f"units {{{', '.join(map(str, units))}}}" if len(units) else "no unit active"


def active_counts(active: np.ndarray) -> np.ndarray:
    """(N,) number of active units of each point; ``active`` is (N, n) bool."""
    return np.count_nonzero(active, axis=1)


def activation_regions(active: np.ndarray) -> Regions:
    """Group the points of ``active`` (N, n) bool by their activity pattern."""
    # One integer (or byte string) key per pattern: a 1-D unique is far faster than unique(axis=0).
    packed = np.packbits(active, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    _, first, inverse, sizes = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    patterns = active[first]
    order = np.argsort(first, kind="stable")  # region 0 is the one the first point is in
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return Regions(index=rank[inverse.reshape(-1)], patterns=patterns[order], sizes=sizes[order])
