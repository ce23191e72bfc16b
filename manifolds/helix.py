"""A circular helix: an open curve climbing the z axis."""

import numpy as np

from manifolds import Param, register


@register(
    "helix",
    label="Helix",
    params={
        "turns": Param(3.0, min=0.5, max=10.0, step=0.5, help="Number of full turns"),
        "pitch": Param(1.0, min=0.1, max=5.0, step=0.1, help="Rise per turn (the radius is 1)"),
    },
)
def helix(n_points: int, turns: float, pitch: float):
    """Helix of radius 1: x = cos t, y = sin t, z = pitch · t / 2π, t ∈ [0, 2π·turns].

    Returns points (n_points, 3) and t (n_points,), both end points included (the curve is open).
    """
    t = np.linspace(0.0, 2 * np.pi * turns, n_points)
    return np.column_stack([np.cos(t), np.sin(t), pitch * t / (2 * np.pi)]), t
