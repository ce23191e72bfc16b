"""The MobileNetV2 paper's spiral, ρ = φ."""

import numpy as np

from manifolds import Param, register


@register("spiral", label="Spiral ρ = φ",
          params={"turns": Param(4.0, min=0.5, max=10.0, step=0.5, help="Number of full turns")})
def spiral(n_points: int, turns: float):
    """Archimedean spiral ρ = φ, φ ∈ [0, 2π·turns].

    Returns points (n_points, 2) and t = φ (n_points,).
    """
    phi = np.linspace(0.0, 2 * np.pi * turns, n_points)
    return np.column_stack([phi * np.cos(phi), phi * np.sin(phi)]), phi
