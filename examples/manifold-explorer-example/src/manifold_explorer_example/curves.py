"""A manifold plugin: the rose curve r = cos kθ, flat or lifted into R³."""

import numpy as np

from manifolds import Param, register


@register(
    "rose",
    label="Rose r = cos kθ (example package)",
    params={
        "k": Param(3, min=1, max=12, step=1, help="Odd k draws k petals, even k draws 2k"),
        "lift": Param(False, help="Lift into R³ with z = sin kθ / 2, which pulls the petals apart "
                                  "where they cross at the origin"),
    },
)
def rose(n_points: int, k: int, lift: bool):
    """Rose curve r = cos kθ, θ ∈ [0, π) for odd k and [0, 2π) for even k (one full trace).

    Returns points (n_points, 2), or (n_points, 3) when ``lift``, and t = θ (n_points,).
    """
    period = np.pi if k % 2 else 2 * np.pi
    theta = np.linspace(0.0, period, n_points, endpoint=False)
    radius = np.cos(k * theta)
    columns = [radius * np.cos(theta), radius * np.sin(theta)]
    if lift:
        columns.append(np.sin(k * theta) / 2)
    return np.column_stack(columns), theta
