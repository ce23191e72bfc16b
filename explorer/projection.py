"""Ways to look at an embedding in R^n from three (or fewer) dimensions. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("pca", "coordinates", "random")
RANDOM_VIEW_SEED = 20180113  # the random view is fixed, so it does not jump between reruns


@dataclass(frozen=True)
class ViewOf:
    """``points`` (N, k) with k = min(n, 3); ``axes`` names each column; ``note`` says how it was made."""

    points: np.ndarray
    axes: tuple[str, ...]
    note: str


def view_embedding(embedded: np.ndarray, method: str = "pca", coordinates: tuple[int, ...] = (0, 1, 2),
                   seed: int = RANDOM_VIEW_SEED) -> ViewOf:
    """At most three columns that show ``embedded`` (N, n).

    n ≤ 3: the embedding itself. ``"pca"``: the top three principal components, with the share of
    variance they explain. ``"coordinates"``: three chosen units (0-based indices). ``"random"``:
    a random orthonormal projection R^n → R³ (QR of a Gaussian n×3 from ``default_rng(seed)``).
    """
    n = embedded.shape[1]
    if n <= 3:
        return ViewOf(embedded, tuple(f"y{i + 1}" for i in range(n)), f"the embedding itself (n = {n})")
    if method == "coordinates":
        chosen = tuple(int(c) for c in coordinates)
        if len(chosen) != 3 or len(set(chosen)) != 3 or not all(0 <= c < n for c in chosen):
            raise ValueError(f"choose three different coordinates between 1 and {n}, got {[c + 1 for c in chosen]}")
        return ViewOf(embedded[:, list(chosen)], tuple(f"y{c + 1}" for c in chosen),
                      f"units {', '.join(str(c + 1) for c in chosen)} of {n}")
    if method == "random":
        basis, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, 3)))
        return ViewOf(embedded @ basis, ("r1", "r2", "r3"), f"a random orthonormal projection of R^{n} to R³")
    if method != "pca":
        raise ValueError(f"unknown projection {method!r}; choose one of {METHODS}")
    centred = embedded - embedded.mean(axis=0)
    # Eigen-decomposition of the n×n covariance: O(N n²) and no (N, n) SVD copy.
    covariance = centred.T @ centred
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1][:3]
    total = eigenvalues.sum()
    explained = eigenvalues[order].sum() / total if total > 0 else 1.0
    components = eigenvectors[:, order]
    # Fix each component's sign so the view does not flip between equivalent decompositions.
    components *= np.where(components[np.argmax(np.abs(components), axis=0), range(3)] < 0, -1.0, 1.0)
    return ViewOf(centred @ components, ("PC1", "PC2", "PC3"),
                  f"top 3 principal components of {n}, {explained:.0%} of the variance")
