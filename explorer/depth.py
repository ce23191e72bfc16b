"""A deep stack of the paper's layer: k rounds of expand → activate → project back. Pure (no Streamlit).

Layer i draws its own ``Tᵢ`` (n, d), standard normal, from ``rng`` in layer order, and maps the
previous layer's projected-back points to the next:

    X'₀ = X,    Yᵢ = act(X'ᵢ₋₁ Tᵢᵀ)  (N, n),    X'ᵢ = Yᵢ (Tᵢ⁺)ᵀ  (N, d)

so depth 1 is exactly the ``relu`` transform, X'ᵢ is the manifold as layer i + 1 sees it, and a
stack is k expansion layers joined by d-dimensional linear bottlenecks — MobileNetV2's blocks
without their skip connections (see the ``inverted_residual`` transform).

Why not n → n layers (Yᵢ = act(Tᵢ Yᵢ₋₁), projected back through the chain of square inverses
Tᵢ⁻¹ ⋯)? That picture is dominated by the inverses, not by what is lost: a square Gaussian matrix
has σ_min ≈ 1/√n, so each inverse amplifies what ReLU clipped about n/√2 times. Spiral, n = 10:
reconstruction error 0.63, 3.9, 25, 30, 58 after layers 1–5, with 0.1 % of the points lost.

**Information loss of a stack.** Every layer takes points in R^d, so the paper's criterion holds
layer by layer: the stack's Jacobian at x is a product of the layers' Jacobians, singular as soon as
one layer has fewer than d active units (and, with Gaussian matrices, almost surely only then). The
stack reports, for each point, the active units of its *narrowest* layer (fewest active units):
the engine's ``lossy_fraction`` (fewer than d active) is then "lost in some layer". For ReLU each
layer's signs are fair coins for any non-zero input, so a point survives k layers with probability
(1 − P)ᵏ, P = Σ_{j<d} C(n, j)/2ⁿ (:func:`stack_lossy_theory`). Each ReLU round trip also shrinks
the curve by about half (relu(z) = (z + |z|)/2), so reconstruction_error creeps towards 1 with
depth even where the shape survives; neighbours kept tells the shape apart from its size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.activations import ACTIVATIONS
from explorer.metrics import input_neighbours, lossy_theory, neighbor_preservation, reconstruction_error

MAX_DEPTH = 8


@dataclass(frozen=True)
class Stack:
    """One run of the stack. embedded (N, n): the last layer's Yₖ; projections: k arrays (N, d),
    X'ᵢ after each layer; active (N, n) bool: each point's narrowest layer's active units;
    lost (k, N) bool: lost by layer i or before (fewer than d active units in some layer ≤ i)."""

    embedded: np.ndarray
    projections: list[np.ndarray]
    active: np.ndarray
    lost: np.ndarray


def run_stack(points: np.ndarray, rng: np.random.Generator, n: int, depth: int, activation: str) -> Stack:
    """Push ``points`` (N, d) through ``depth`` layers of width ``n`` (see the module docstring)."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be from 1 to {MAX_DEPTH}, got {depth}")
    count, d = points.shape
    act = ACTIVATIONS[activation]
    projected, embedded = points, None
    narrowest = np.full(count, n + 1)
    active = np.zeros((count, n), dtype=bool)
    projections, lost = [], np.zeros((depth, count), dtype=bool)
    for layer in range(depth):
        matrix = rng.standard_normal((n, d))
        pre_activation = projected @ matrix.T
        embedded = act(pre_activation)
        projected = embedded @ np.linalg.pinv(matrix).T
        mask = act.active(pre_activation)
        units = np.count_nonzero(mask, axis=1)
        narrower = units < narrowest
        active[narrower], narrowest[narrower] = mask[narrower], units[narrower]
        lost[layer] = narrowest < d
        projections.append(projected)
    return Stack(embedded, projections, active, lost)


def stack_lossy_theory(n: int, d: int, depth: int) -> float:
    """Expected share of points lost in some layer of a ReLU stack with Gaussian matrices:
    1 − (1 − P)^depth, P = ``lossy_theory(n, d)``."""
    return 1.0 - (1.0 - lossy_theory(n, d)) ** depth


def layer_projections(result) -> list[np.ndarray]:
    """X'ᵢ (N, d) after each layer of a ``deep_stack`` exploration (an :class:`~explorer.pipeline.Exploration`),
    recomputed from its inputs with the same ``default_rng(seed)`` — the last equals ``result.projected``."""
    return _rerun(result).projections


def depth_table(result) -> list[dict]:
    """Per layer of a ``deep_stack`` exploration: ``layer``, ``lossy_fraction`` (lost by this layer
    or before), ``reconstruction_error`` and ``neighbor_preservation`` of X'ᵢ, and
    ``lossy_theory`` (:func:`stack_lossy_theory`; ReLU only, else None). The last row's metrics
    equal ``result.metrics``."""
    return _table(result, _rerun(result))


def _table(result, stack: Stack) -> list[dict]:
    n, d = result.transform_params["n"], result.d
    relu = result.transform_params["activation"] == "relu"
    input_side = input_neighbours(result.original)
    return [{"layer": i + 1, "lossy_fraction": float(np.mean(stack.lost[i])),
             "reconstruction_error": reconstruction_error(result.original, projected),
             "neighbor_preservation": neighbor_preservation(result.original, projected, input_side=input_side),
             "lossy_theory": stack_lossy_theory(n, d, i + 1) if relu else None}
            for i, projected in enumerate(stack.projections)]


def depth_chart(result, cap: int | None = None):
    """An Altair grid, like Figure 1: the input, then X'ᵢ after each layer on the (x₁, x₂) plane,
    each panel titled with its lossy fraction (and theory, for ReLU) and neighbours kept. ``cap``: draw at most this
    many points per panel (an even stride along t); the titles use all points."""
    from explorer.charts import panel_grid
    from explorer.sampling import display_rows

    rows = display_rows(result.t, cap) if cap else np.arange(result.n_points)
    stack = _rerun(result)
    views = [("Input", f"{result.n_points:,} points", result.original[rows])]
    for row in _table(result, stack):
        theory = f" (theory {row['lossy_theory']:.1%})" if row["lossy_theory"] is not None else ""
        views.append((f"After layer {row['layer']}", f"lossy {row['lossy_fraction']:.1%}{theory} · neighbours "
                      f"{row['neighbor_preservation']:.0%}", stack.projections[row["layer"] - 1][rows]))
    return panel_grid(result.t[rows], views)


def _rerun(result) -> Stack:
    if result.transform != "deep_stack":
        raise ValueError(f"the depth view needs the deep_stack transform, not {result.transform!r}")
    params = result.transform_params
    return run_stack(np.asarray(result.original), np.random.default_rng(result.seed), params["n"],
                     params["depth"], params["activation"])
