"""Grouping equal rows by hash, nearest groups, adjacent grid cells: the machinery behind
:mod:`explorer.metrics`' collapse and neighbour measures. Pure, vectorized, no O(N²) step.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.spatial import cKDTree

_CHUNK = 1 << 15  # rows per block, so the (N, n) integer keys never exist all at once


@lru_cache(maxsize=None)
def _multipliers(n: int) -> np.ndarray:
    """(n, 2) fixed odd 64-bit multipliers: two multilinear hashes of a (scrambled) row."""
    multipliers = np.random.default_rng(0x5EED).integers(-2**63, 2**63 - 1, size=(n, 2), dtype=np.int64) | 1
    multipliers.setflags(write=False)
    return multipliers


@lru_cache(maxsize=None)
def _rotation(n: int) -> np.ndarray:
    """(n, 3) fixed orthonormal columns: a random rotation of Rⁿ onto 3 coordinates."""
    basis = np.linalg.qr(np.random.default_rng(0x5EED).standard_normal((n, 3)))[0]
    basis.setflags(write=False)
    return basis


def _blocks(count: int):
    return (slice(start, start + _CHUNK) for start in range(0, count, _CHUNK))


def blockwise_spread(values: np.ndarray) -> float:
    """:func:`rms_spread` without (N, n) temporaries: sums of squares about the first row."""
    origin, total, squares = values[0], np.zeros(values.shape[1]), 0.0
    for block in _blocks(len(values)):
        shifted = values[block] - origin
        total += shifted.sum(axis=0)
        squares += float(np.einsum("ij,ij->", shifted, shifted))
    mean = total / len(values)
    return float(np.sqrt(max(squares / len(values) - mean @ mean, 0.0)))


def cell_hashes(values: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid keys ``rint(values / step)`` of each row, never all at once: their (N, 2) int64 hashes
    (wrap-around arithmetic) and (N, ≤3) float coordinates for the neighbour search — the keys
    themselves when n ≤ 3, else the keys rotated to 3-D."""
    n = values.shape[1]
    multipliers = _multipliers(n)
    basis = None if n <= 3 else _rotation(n)
    hashes = np.empty((len(values), 2), dtype=np.int64)
    reduced = np.empty((len(values), min(n, 3)))
    for block in _blocks(len(values)):
        keys = np.rint(values[block] / step).clip(-2.0**62, 2.0**62)
        hashes[block] = _scramble(keys.astype(np.int64)) @ multipliers
        reduced[block] = keys if basis is None else keys @ basis
    return hashes, reduced


def exact_hashes(values: np.ndarray) -> np.ndarray:
    """(N, 2) int64 hashes of the rows' exact float bits (−0.0 counted as 0.0)."""
    return _scramble(np.ascontiguousarray(values + 0.0).view(np.int64)) @ _multipliers(values.shape[1])


def _scramble(values: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer on each int64: a bijection that spreads every bit over all bits.
    Without it the multilinear hash misses structured differences — rows that differ only in
    sign bits (a trefoil point and its mirror image) would all collide."""
    mixed = values.view(np.uint64)
    mixed = mixed ^ (mixed >> np.uint64(30))
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(27)
    mixed *= np.uint64(0x94D049BB133111EB)
    mixed ^= mixed >> np.uint64(31)
    return mixed.view(np.int64)


class Groups(NamedTuple):
    """Rows grouped by hash. Groups are numbered by first occurrence, so group order follows point
    order (spatially coherent for curve samples: faster k-d trees, fewer cache misses).

    group (N,) each row's group; rep (M,) each group's first row, ascending; sizes (M,);
    order (N,) rows listed group by group (index order within); starts (M,) where the i-th listed
    group starts in ``order``; listed (M,) the id of the i-th listed group.
    """

    group: np.ndarray
    rep: np.ndarray
    sizes: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    listed: np.ndarray


def group_rows(hashes: np.ndarray) -> Groups:
    """Group rows with equal hash pairs. Equal rows always share a group; unequal rows share one
    only if both 64-bit hashes collide (≈ 2⁻¹²⁸ per pair)."""
    count = len(hashes)
    order = np.argsort(hashes[:, 0], kind="stable")
    first, second = hashes[order, 0], hashes[order, 1]
    same_first = first[1:] == first[:-1]
    if np.any(same_first & (second[1:] != second[:-1])):  # first hashes collide: sort by both
        order = np.lexsort((hashes[:, 1], hashes[:, 0]))
        first, second = hashes[order, 0], hashes[order, 1]
        same_first = first[1:] == first[:-1]
    new = np.ones(count, dtype=bool)
    new[1:] = ~same_first | (second[1:] != second[:-1])
    starts = np.flatnonzero(new)
    if len(starts) == count:  # all distinct: each row its own group
        identity = np.arange(count)
        return Groups(identity, identity, np.ones(count, dtype=np.intp), order, starts, order)
    is_first = np.zeros(count, dtype=bool)
    is_first[order[starts]] = True
    listed = (np.cumsum(is_first) - 1)[order[starts]]
    listed_sizes = np.diff(np.append(starts, count))
    group = np.empty(count, dtype=np.intp)
    group[order] = np.repeat(listed, listed_sizes)
    sizes = np.empty(len(starts), dtype=np.intp)
    sizes[listed] = listed_sizes
    return Groups(group, np.flatnonzero(is_first), sizes, order, starts, listed)


def nearest_groups(rows: np.ndarray, own: np.ndarray, count: int) -> np.ndarray:
    """(Q, count) indices of the ``count`` distinct rows nearest to ``rows[own]``, ``own`` first
    (also if another row's distance underflows to 0, as for rows 1e-170 apart)."""
    _, near = cKDTree(rows, balanced_tree=False, compact_nodes=False).query(rows[own], k=count)
    near = near.reshape(len(own), count)
    for row in np.flatnonzero(near[:, 0] != own):  # rare: keep the others in order, own first
        near[row] = np.concatenate([own[row:row + 1], near[row][near[row] != own[row]]])[:count]
    return near


def candidate_pairs(reduced: np.ndarray, n: int) -> np.ndarray:
    """(P, 2) pairs of cells that may be adjacent (keys differ by ≤ 1 everywhere): L2 ≤ √n.
    Exact when n ≤ 3 (integer keys); for n > 3 a superset, as the rotation to 3-D shrinks no
    distance. L2 because cKDTree answers it faster than L∞."""
    tree = cKDTree(reduced, balanced_tree=False, compact_nodes=False)
    return tree.query_pairs(np.sqrt(n) * (1 + 1e-9), output_type="ndarray")
