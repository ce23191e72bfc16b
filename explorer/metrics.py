"""Information-loss measures of a transform, and the theory they are checked against.

All functions are pure and deterministic; arrays are (N, d) inputs / projections, (N, n) embeddings.
Everything is vectorized and uses k-d trees (``scipy.spatial.cKDTree``); no O(N²) step, also when
ReLU sends most points to exactly the same image.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from math import comb

import numpy as np

from explorer.grouping import blockwise_spread, candidate_pairs, cell_hashes, exact_hashes, group_rows, nearest_groups

NEIGHBOURS = 10  # k of neighbor_preservation
NEIGHBOUR_QUERIES = 20_000  # above this many points, neighbor_preservation uses a strided subsample
COLLAPSE_TOL = 1e-6  # image tolerance, relative to the RMS spread of the embedded cloud
COLLAPSE_FAR = 0.05  # "far" on the manifold: input distance (L∞) above 5 % of its RMS spread
PARALLEL_FROM = 100_000  # from this many points, measure() computes two metrics in parallel

METRIC_LABELS = {
    "lossy_fraction": "Lossy fraction",
    "collapse_fraction": "Collapse fraction",
    "neighbor_preservation": "Neighbours kept",
    "reconstruction_error": "Reconstruction error",
    "lossy_theory": "Lossy fraction (theory)",
}
METRIC_HELP = {
    "lossy_fraction": "Share of points where fewer than d units are active (slope ≠ 0), so the layer "
                      "cannot be inverted there: nearby points are squashed together.",
    "collapse_fraction": "Share of points whose image in Rⁿ coincides (within 10⁻⁶ of the image's "
                         "size) with the image of a point far away on the manifold.",
    "neighbor_preservation": "Average share of each point's 10 nearest neighbours that are still among "
                             "its 10 nearest after the round trip (1 = local structure kept).",
    "reconstruction_error": "RMS distance between projected-back and original points, relative to "
                            "the manifold's RMS size (0 = perfect round trip).",
    "lossy_theory": "Expected lossy fraction for a Gaussian T and ReLU: Σ_{k<d} C(n,k) / 2ⁿ.",
}


def rms_spread(points: np.ndarray) -> float:
    """sqrt(mean ‖x − mean x‖²): the size of a point cloud."""
    return float(np.sqrt(np.mean(np.sum((points - points.mean(axis=0)) ** 2, axis=1))))


def reconstruction_error(original: np.ndarray, projected: np.ndarray) -> float:
    """RMS ‖X' − X‖ / RMS ‖X − mean X‖: 0 for a perfect round trip, ~1 for a collapse to the mean."""
    spread = rms_spread(original)
    error = np.sqrt(np.mean(np.sum((projected - original) ** 2, axis=1)))
    return float(error / spread) if spread > 0 else float(error)


def lossy_mask(active: np.ndarray, d: int) -> np.ndarray:
    """(N,) bool: points with fewer than ``d`` active units, where ``act(T x)`` is not locally
    invertible on R^d (for T in general position)."""
    return np.count_nonzero(active, axis=1) < d


def lossy_fraction(active: np.ndarray, d: int) -> float:
    """Share of points with fewer than ``d`` active units (see :func:`lossy_mask`)."""
    return float(np.mean(lossy_mask(active, d)))


def lossy_theory(n: int, d: int) -> float:
    """P(fewer than d of n units active) for Gaussian T and ReLU: Σ_{k<d} C(n, k) / 2^n.

    For any fixed x ≠ 0 the signs of (T x)_i are independent fair coins, so this is the expected
    lossy fraction over T for every manifold; how the points' directions spread only sets how much
    one T deviates from it.
    """
    return sum(comb(n, k) for k in range(min(d, n + 1))) / 2.0**n


def collapse_mask(original: np.ndarray, embedded: np.ndarray, *, tol: float = COLLAPSE_TOL,
                  far: float = COLLAPSE_FAR) -> np.ndarray:
    """(N,) bool: points whose image lies on the image of a point far from them on the manifold.

    Images are rounded to a grid of spacing ``tol × RMS spread of the embedded cloud``; two images
    *meet* when their cells are equal or adjacent (keys differ by ≤ 1 in every coordinate): images
    within ``tol`` (L∞, relative) always meet, images over ``2·tol`` apart never do. A point is
    flagged when it meets the image of a *far* point: L∞ input distance above ``far × RMS spread
    of the input``. Input distance, not t: it needs nothing from the plugin and stays meaningful
    under noise; 5 % is far above the sample spacing at interactive N (spiral, N = 2000: 0.16 vs
    0.73) and below the gaps between parts of a curve (the spiral's turns are 2π apart).

    Why ``tol`` = 10⁻⁶: exact collapses (ReLU's zeros, ReLU6's caps, tanh saturating to ±1.0 in
    float64) are caught at any tolerance above rounding (~10⁻¹⁵), while an injective map must
    score 0: the gap it leaves between far images, ≈ slope · far · σ_min(T)/σ_rms(T) of the
    image's size (5·10⁻² for linear, 5·10⁻⁴ for leaky ReLU's slope 0.01), must stay above 2·tol
    — a margin of ~250 for T's conditioning. Images folded onto a lower-dimensional set (ReLU
    with one unit active) meet only where samples land within tol, so that part grows with
    sample density (from N ≈ 10⁵); at the page's usual sizes the metric counts exact collapses.

    O(N log N), no pair loop: cells are grouped by a 2×64-bit hash of their keys (a huge cluster
    of identical images is one cell), adjacent cells found with a k-d tree on the keys (rotated
    to 3-D when n > 3, then checked exactly), and points compared with the bounding box of the
    inputs in their neighbouring cells.
    """
    n_points, n = embedded.shape
    flagged = np.zeros(n_points, dtype=bool)
    if n_points < 2:
        return flagged
    image_spread, input_spread = blockwise_spread(embedded), rms_spread(original)
    step = tol * image_spread if image_spread > 0 else 1.0
    radius = far * input_spread
    hashes, reduced = cell_hashes(embedded, step)
    cells = group_rows(hashes)
    # Bounding box of each cell's inputs: the input itself for the (usual) single-point cells.
    low, high = original[cells.rep], original[cells.rep]
    shared_listed = np.flatnonzero(np.diff(np.append(cells.starts, n_points)) > 1)
    shared = cells.listed[shared_listed]
    if len(shared):
        sorted_inputs = original[cells.order]
        low[shared] = np.minimum.reduceat(sorted_inputs, cells.starts, axis=0)[shared_listed]
        high[shared] = np.maximum.reduceat(sorted_inputs, cells.starts, axis=0)[shared_listed]
    pairs = candidate_pairs(reduced[cells.rep], n)
    if len(pairs):  # keep pairs of cells holding two far-apart inputs, then check adjacency exactly
        a, b = pairs[:, 0], pairs[:, 1]
        pairs = pairs[np.maximum(high[a] - low[b], high[b] - low[a]).max(axis=1) > radius]
    if len(pairs) and n > 3:
        keys = [np.rint(embedded[cells.rep[side]] / step) for side in (pairs[:, 0], pairs[:, 1])]
        pairs = pairs[np.abs(keys[0] - keys[1]).max(axis=1) <= 1]
    if len(pairs):
        a, b = np.concatenate([pairs[:, 0], pairs[:, 1]]), np.concatenate([pairs[:, 1], pairs[:, 0]])
        near_low, near_high = low.copy(), high.copy()
        np.minimum.at(near_low, a, low[b])
        np.maximum.at(near_high, a, high[b])
        low, high = near_low, near_high
    # Only points of shared or paired cells can be flagged: their L∞ distance to the farthest
    # input in the neighbourhood, exactly, from its bounding box.
    touched = np.union1d(shared, pairs.ravel())
    if len(touched):
        position = np.empty(len(cells.rep), dtype=np.intp)
        position[cells.listed] = cells.starts
        counts = cells.sizes[touched]
        first = np.repeat(position[touched] - (np.cumsum(counts) - counts), counts)
        points = cells.order[first + np.arange(counts.sum())]
        cell = np.repeat(touched, counts)
        farthest = np.maximum(original[points] - low[cell], high[cell] - original[points]).max(axis=1)
        flagged[points] = farthest > radius
    return flagged


def collapse_fraction(original: np.ndarray, embedded: np.ndarray, **options: float) -> float:
    """Share of points flagged by :func:`collapse_mask`."""
    return float(np.mean(collapse_mask(original, embedded, **options)))


@dataclass(frozen=True)
class Neighbours:
    """Each query point's k nearest neighbours in a point set, counted by groups of identical points.

    queries (Q,) point indices; group (N,) each point's group of identical points; rep (M,) one
    point per group; near (Q, c) the c = min(k + 1, M) groups nearest each query, its own first;
    share (Q, c) the share of each of those groups' points (the query left out) that are among
    its k nearest: 1 inside the k-th distance, 0 beyond, and for a group straddling the k-th place
    its remaining places spread evenly — identical points can't be told apart, so this is the
    expected share when ties are broken at random. Exact distance ties between *distinct* points
    are left to the k-d tree's order.
    """

    queries: np.ndarray
    group: np.ndarray
    rep: np.ndarray
    near: np.ndarray
    share: np.ndarray
    k: int


def neighbours(points: np.ndarray, queries: np.ndarray, k: int = NEIGHBOURS) -> Neighbours:
    """The :class:`Neighbours` of ``points[queries]`` among all ``points`` (k ≤ N − 1)."""
    k = min(k, len(points) - 1)
    groups = group_rows(exact_hashes(points))
    rows = points if len(groups.rep) == len(points) else points[groups.rep]
    near = nearest_groups(rows, groups.group[queries], min(k + 1, len(rows)))
    others = groups.sizes[near].astype(np.float64)
    others[:, 0] -= 1  # the query's own group, nearest at distance 0, less the query itself
    before = np.cumsum(others, axis=1) - others
    share = np.clip((k - before) / np.maximum(others, 1), 0.0, 1.0)
    return Neighbours(queries, groups.group, groups.rep, near, share, k)


def input_neighbours(original: np.ndarray, k: int = NEIGHBOURS,
                     max_queries: int = NEIGHBOUR_QUERIES) -> Neighbours:
    """:func:`neighbours` of X for :func:`neighbor_preservation`, reusable across transforms.

    Every point is a query up to ``max_queries`` points; above, ``max_queries`` evenly strided
    indices (deterministic, 0 and N − 1 included) — neighbours are always searched among all points.
    """
    n_points = len(original)
    queries = np.arange(n_points) if n_points <= max_queries else \
        np.linspace(0, n_points - 1, max_queries).round().astype(np.intp)
    return neighbours(original, queries, k)


def neighbor_preservation(original: np.ndarray, projected: np.ndarray, k: int = NEIGHBOURS, *,
                          input_side: Neighbours | None = None) -> float:
    """Mean share of each point's k nearest neighbours in X that are among its k nearest in X'.

    ``input_side`` = ``input_neighbours(original, k)``, computed here when not given; above
    ``NEIGHBOUR_QUERIES`` points the mean is over its strided subsample of query points. Points
    with identical coordinates count by :class:`Neighbours`' shares: the overlap is
    Σ_j min(share in X, share in X'), so an identity scores 1 even with duplicates, and a full
    collapse of X' scores k / (N − 1), chance, not an arbitrary tie order's luck.
    """
    before = input_side if input_side is not None else input_neighbours(original, k)
    if before.k < 1:
        return 1.0
    after = neighbours(projected, before.queries, before.k)
    return float(np.mean(_overlap(before, after) / before.k))


def _overlap(a: Neighbours, b: Neighbours) -> np.ndarray:
    """(Q,) Σ_j min(share of j in a, share of j in b) over points j other than the query."""
    if len(a.rep) < len(a.group) and len(b.rep) == len(b.group):
        a, b = b, a  # the overlap is symmetric; put the side without duplicates first
    if len(a.rep) == len(a.group):  # a's groups are single points: its k nearest, share 1 each
        points = a.rep[a.near[:, 1:]]
        matched = b.group[points][:, :, None] == b.near[:, None, :]
        return np.einsum("qjt,qt->q", matched, b.share)
    # Both have duplicates: count the points in each (group in a, group in b) pair.
    joint = a.group.astype(np.int64) * len(b.rep) + b.group
    keys, counts = np.unique(joint, return_counts=True)
    wanted = a.near[:, :, None].astype(np.int64) * len(b.rep) + b.near[:, None, :]
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    shared = np.where(keys[at] == wanted, counts[at], 0)
    shared[:, 0, 0] -= 1  # the query itself, in its own group on both sides
    return np.einsum("qst,qst->q", shared, np.minimum(a.share[:, :, None], b.share[:, None, :]))


def measure(original: np.ndarray, embedded: np.ndarray, projected: np.ndarray, active: np.ndarray | None,
            *, input_side: Neighbours | None = None) -> dict[str, float]:
    """:func:`compute_all`, reusing ``input_side`` = ``input_neighbours(original)`` when given."""
    results = {"reconstruction_error": reconstruction_error(original, projected)}
    if active is not None:
        results["lossy_fraction"] = lossy_fraction(active, original.shape[1])
    # The two k-d tree metrics overlap on two cores for large N (their heavy steps release the GIL).
    with ThreadPoolExecutor(max_workers=1) if len(original) >= PARALLEL_FROM else nullcontext() as pool:
        collapse = pool.submit(collapse_fraction, original, embedded) if pool else None
        preserved = neighbor_preservation(original, projected, input_side=input_side)
        results["collapse_fraction"] = collapse.result() if pool else collapse_fraction(original, embedded)
    results["neighbor_preservation"] = preserved
    return results


def compute_all(original: np.ndarray, t: np.ndarray, embedded: np.ndarray, projected: np.ndarray,
                active: np.ndarray | None) -> dict[str, float]:
    """Every metric that applies; a metric the transform gives no data for is absent."""
    return measure(original, embedded, projected, active)
