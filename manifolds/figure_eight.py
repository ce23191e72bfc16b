"""The figure-eight knot (4₁), the knot with four crossings, in R³."""

import numpy as np

from manifolds import register


@register("figure_eight", label="Figure-eight knot")
def figure_eight(n_points: int):
    """Figure-eight knot: x = (2 + cos 2t) cos 3t, y = (2 + cos 2t) sin 3t, z = sin 4t, t ∈ [0, 2π).

    Returns points (n_points, 3) and t (n_points,); the end point 2π is left out because the curve
    is closed.
    """
    t = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    rho = 2 + np.cos(2 * t)
    return np.column_stack([rho * np.cos(3 * t), rho * np.sin(3 * t), np.sin(4 * t)]), t
