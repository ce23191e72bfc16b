"""The MobileNetV2 paper's layer: expand with a random matrix, activate, project back."""

import numpy as np

from explorer.activations import ACTIVATIONS
from transforms import Param, register


@register(
    "relu",
    label="Expand → activate → project back",
    params={
        "n": Param(10, min=1, max=64, step=1, help="Embedding width: rows of the random matrix T"),
        "activation": Param("relu", choices=tuple(ACTIVATIONS), help="Element-wise non-linearity"),
        "inverse": Param("pinv", choices=("pinv", "square"),
                         help="pinv: X' = act(X Tᵀ)(T⁺)ᵀ as in the paper; "
                              "square: pad X to Rⁿ, X' = first d columns of act(X_pad A) A⁻¹"),
    },
)
def expand_activate_project(points: np.ndarray, rng: np.random.Generator, n: int, activation: str,
                            inverse: str):
    """``Y = act(X Tᵀ)``, ``X' = Y (T⁺)ᵀ`` with ``T`` (n, d) standard normal (or the square variant).

    points: (N, d). Returns embedded Y (N, n), projected X' (N, d), active units (N, n) bool.
    The matrix is the first draw from ``rng``, so it depends only on the seed and its shape.
    """
    d = points.shape[1]
    act = ACTIVATIONS[activation]
    if inverse == "pinv":
        matrix = rng.standard_normal((n, d))
        pre_activation = points @ matrix.T
        back = np.linalg.pinv(matrix).T  # (n, d)
    else:
        if n < d:
            raise ValueError(f"the square inverse needs n ≥ d; got n = {n} for a manifold in R^{d}")
        square = rng.standard_normal((n, n))
        # X_pad A equals X A[:d] because the padded coordinates are zero.
        pre_activation = points @ square[:d]
        back = np.linalg.inv(square)[:, :d]
    embedded = act(pre_activation)
    return embedded, embedded @ back, act.active(pre_activation)
