"""A circle: the simplest closed curve, and the first one ReLU cuts open."""

import numpy as np

from manifolds import Param, register


@register("circle", label="Circle",
          params={"radius": Param(1.0, min=0.1, max=10.0, step=0.1, help="Radius of the circle")})
def circle(n_points: int, radius: float):
    """Circle of radius ``radius``: x = r cos t, y = r sin t, t ∈ [0, 2π).

    Returns points (n_points, 2) and t, the angle (n_points,); the end point 2π is left out so no
    point is sampled twice.
    """
    t = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    return np.column_stack([radius * np.cos(t), radius * np.sin(t)]), t
