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
        "bias": Param(False, help="Add a bias b ~ N(0, 1) per unit: Y = act(X Tᵀ + b), X' = (Y − b)(T⁺)ᵀ, "
                                  "with the same T as without it. The units' boundaries no longer pass "
                                  "through the origin; the lossy-fraction theory still holds on average"),
    },
)
def expand_activate_project(points: np.ndarray, rng: np.random.Generator, n: int, activation: str,
                            inverse: str, bias: bool):
    """``Y = act(X Tᵀ [+ b])``, ``X' = (Y [− b]) (T⁺)ᵀ`` with ``T`` (n, d) standard normal (or the
    square variant: ``Y = act(X_pad A [+ b])``, ``X'`` = first d columns of ``(Y [− b]) A⁻¹``).

    points: (N, d). Returns embedded Y (N, n), projected X' (N, d), active units (N, n) bool.
    The matrix is the first draw from ``rng``, so it depends only on the seed and its shape; the
    bias b (n,), i.i.d. standard normal, is the next draw, so T is the same with or without it.
    Subtracting b before projecting back keeps the linear activation an exact round trip.
    With a bias each unit's boundary is an affine hyperplane, not one through the origin, so which
    points are lost changes (x = 0 is no longer lost for every T). The lossy-fraction theory still
    holds on average: (T x + b)ᵢ ~ N(0, |x|² + 1) is symmetric about 0, so each unit is active with
    probability ½, independently, for every x — P(fewer than d active) = Σ_{k<d} C(n,k)/2ⁿ over
    (T, b). (A bias with non-zero mean would change that.)
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
    if bias:
        offset = rng.standard_normal(n)
        pre_activation = pre_activation + offset
        embedded = act(pre_activation)
        return embedded, (embedded - offset) @ back, act.active(pre_activation)
    embedded = act(pre_activation)
    return embedded, embedded @ back, act.active(pre_activation)
