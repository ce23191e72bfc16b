"""The Swiss roll: a 2-D surface rolled up in R³ (scikit-learn's ``make_swiss_roll``, on a grid)."""

import math

import numpy as np

from manifolds import Param, register

T_START, T_END = 1.5 * np.pi, 4.5 * np.pi  # the roll coordinate's range, as in scikit-learn


@register(
    "swiss_roll",
    label="Swiss roll (a surface in R³)",
    params={
        "height": Param(21.0, min=1.0, max=60.0, step=1.0, help="Width of the roll along z (scikit-learn: 21)"),
    },
)
def swiss_roll(n_points: int, height: float):
    """x = t cos t, y = t sin t, z = h with t ∈ [1.5π, 4.5π], h ∈ [0, height], on a grid.

    The two intrinsic coordinates are the roll coordinate t (returned for colour, as scikit-learn
    does) and the height h. scikit-learn draws (t, h) at random and puts h on y; here they are a
    deterministic grid, and h is on z so that the top view (x₁, x₂) — Figure 1's — shows the roll's
    spiral. The grid has ``rows`` heights × ``columns`` values of t, spaced about equally along the
    surface (the roll is ~9π² ≈ 89 long), filled t-column by t-column and cut at exactly
    ``n_points``: t is non-decreasing, and only the last column may be partial.

    Returns points (n_points, 3) and t (n_points,).
    """
    length = (T_END**2 - T_START**2) / 2  # ∫ t dt: the roll's length, near enough (|d/dt (t cos t, t sin t)| ≈ t)
    rows = max(1, min(n_points, round(math.sqrt(n_points * height / length))))
    columns = math.ceil(n_points / rows)
    t = np.repeat(np.linspace(T_START, T_END, columns), rows)[:n_points]
    h = np.tile(np.linspace(0.0, height, rows), columns)[:n_points]
    return np.column_stack([t * np.cos(t), t * np.sin(t), h]), t
