"""A transform plugin: expand with a random matrix, apply leaky ReLU, project back with T⁺."""

import numpy as np

from transforms import Param, register


@register(
    "leaky_layer",
    label="Expand → leaky ReLU → project back (example package)",
    params={
        "n": Param(10, min=1, max=64, step=1, help="Embedding width: rows of the random matrix T"),
        "slope": Param(0.1, min=0.0, max=1.0, step=0.05,
                       help="Slope for negative inputs: 0 is ReLU, 1 is the identity"),
    },
)
def leaky_layer(points: np.ndarray, rng: np.random.Generator, n: int, slope: float):
    """``Y = leaky(X Tᵀ)``, ``X' = Y (T⁺)ᵀ``, with ``T`` (n, d) standard normal drawn from ``rng``.

    points: (N, d). Returns embedded Y (N, n), projected X' (N, d) and active (N, n) bool: the
    units whose slope is non-zero (all of them unless ``slope`` is 0).
    """
    matrix = rng.standard_normal((n, points.shape[1]))
    pre_activation = points @ matrix.T
    embedded = np.where(pre_activation > 0, pre_activation, slope * pre_activation)
    active = (pre_activation > 0) | (slope != 0)
    return embedded, embedded @ np.linalg.pinv(matrix).T, active
