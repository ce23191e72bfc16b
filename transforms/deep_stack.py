"""A deep stack: the paper's layer k times, each with its own random matrix, projected back layer by layer."""

import numpy as np

from explorer.activations import ACTIVATIONS
from explorer.depth import MAX_DEPTH, run_stack
from transforms import Param, register


@register(
    "deep_stack",
    label="Deep stack: k × (expand → activate → project back)",
    params={
        "n": Param(10, min=1, max=64, step=1, help="Embedding width of every layer"),
        "depth": Param(3, min=1, max=MAX_DEPTH, step=1, help="Number of layers k (1 = the paper's layer)"),
        "activation": Param("relu", choices=tuple(ACTIVATIONS), help="Element-wise non-linearity of every layer"),
    },
)
def deep_stack(points: np.ndarray, rng: np.random.Generator, n: int, depth: int, activation: str):
    """``X'ᵢ = act(X'ᵢ₋₁ Tᵢᵀ)(Tᵢ⁺)ᵀ`` for i = 1 … depth, X'₀ = X, each Tᵢ (n, d) standard normal,
    drawn from ``rng`` in layer order (depth 1 = ``relu``; see :mod:`explorer.depth`).

    points (N, d). Returns embedded Yₖ = act(X'ₖ₋₁ Tₖᵀ) (N, n), projected X'ₖ (N, d), and active
    (N, n): for each point the active units of its narrowest layer, so that fewer than d of them
    means the point is lost in some layer.
    """
    stack = run_stack(points, rng, n, depth, activation)
    return stack.embedded, stack.projections[-1], stack.active
