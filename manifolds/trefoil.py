"""The trefoil knot, the simplest non-trivial knot, in R³."""

import numpy as np

from manifolds import register


@register("trefoil", label="Trefoil knot")
def trefoil(n_points: int):
    """Trefoil knot: x = sin t + 2 sin 2t, y = cos t − 2 cos 2t, z = −sin 3t, t ∈ [0, 2π).

    Returns points (n_points, 3) and t (n_points,); the end point 2π is left out because the curve
    is closed.
    """
    t = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    x = np.sin(t) + 2 * np.sin(2 * t)
    y = np.cos(t) - 2 * np.cos(2 * t)
    z = -np.sin(3 * t)
    return np.column_stack([x, y, z]), t
