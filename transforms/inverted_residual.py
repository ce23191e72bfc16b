"""MobileNetV2's inverted residual block: expand ×t → ReLU6 → linear bottleneck back to d, plus x."""

import numpy as np

from explorer.activations import ACTIVATIONS
from transforms import Param, register


@register(
    "inverted_residual",
    label="MobileNetV2 inverted residual block",
    params={
        "expansion": Param(6, min=1, max=16, step=1, help="Expansion factor t: the block is n = t·d units wide "
                                                          "(the paper uses 6)"),
        "activation": Param("relu6", choices=tuple(ACTIVATIONS), help="Non-linearity of the wide layer "
                                                                      "(the paper: ReLU6)"),
        "bottleneck": Param("linear", choices=("linear", "relu"),
                            help="linear: the paper's linear bottleneck; relu: a ReLU after the projection "
                                 "to d — what the paper argues against"),
        "residual": Param(True, help="Add the input back (the skip connection); off: the branch alone"),
    },
)
def inverted_residual(points: np.ndarray, rng: np.random.Generator, expansion: int, activation: str,
                      bottleneck: str, residual: bool):
    """One block on points X (N, d), with E (n, d), n = t·d, standard normal from ``rng``:

        H = act(X Eᵀ)                  expand and activate            embedded (N, n)
        F = H (E⁺)ᵀ, or relu of it     the projection back to d: linear (or ReLU) bottleneck
        block(X) = X + F               with the skip connection (F alone without it)
        X' = (X + F) / 2               projected back (F without the skip connection)

    The paper's projection is a learned 1×1 convolution; with random weights the pseudo-inverse of
    the expansion is the projection that makes the branch meaningful: F is then the paper's
    Figure-1 layer (the ``relu`` transform with this activation and n = t·d). With the skip
    connection the linear version of the block is x ↦ x + E⁺E x = 2x, so X' is the block's output
    through the inverse of that linear block, ½ — the rule the plain layer follows with T⁺: with
    the linear activation and bottleneck, X' = X exactly, and reconstruction_error compares like
    with like. The depthwise 3×3 convolution between expansion and projection has no effect on
    single points beyond a per-unit scale, and is left out.

    active (N, n): without the skip connection, as for a stack, the active units of the narrower
    stage (the wide layer's, or the bottleneck ReLU's d units padded with False), so fewer than d
    means not locally invertible. With it, the block's Jacobian is I + E⁺DE — eigenvalues in
    [1, 2], invertible everywhere — or with the ReLU bottleneck I + D₂E⁺D₁E, invertible almost
    surely: counting active units says nothing, so None is returned and the lossy fraction is not
    measured (collapse and neighbours still are).
    """
    d = points.shape[1]
    act = ACTIVATIONS[activation]
    n = expansion * d
    matrix = rng.standard_normal((n, d))
    pre_activation = points @ matrix.T
    embedded = act(pre_activation)
    branch = embedded @ np.linalg.pinv(matrix).T
    if bottleneck == "relu":
        branch_pre, branch = branch, np.maximum(branch, 0.0)
    if residual:
        return embedded, (points + branch) / 2, None
    active = act.active(pre_activation)
    if bottleneck == "relu":
        clipped = np.zeros_like(active)
        clipped[:, :d] = branch_pre > 0
        narrower = np.count_nonzero(clipped, axis=1) < np.count_nonzero(active, axis=1)
        active[narrower] = clipped[narrower]
    return embedded, branch, active
