"""Lissajous knots: three cosines with pairwise coprime frequencies."""

from math import gcd

import numpy as np

from manifolds import Param, register

_PHASE = dict(min=0.0, max=6.28, step=0.05)


@register(
    "lissajous_knot",
    label="Lissajous knot",
    params={
        "nx": Param(3, min=1, max=12, step=1, help="Frequency along x"),
        "ny": Param(2, min=1, max=12, step=1, help="Frequency along y"),
        "nz": Param(5, min=1, max=12, step=1, help="Frequency along z"),
        "phase_x": Param(0.7, **_PHASE, help="Phase φx (radians)"),
        "phase_y": Param(0.2, **_PHASE, help="Phase φy (radians)"),
        "phase_z": Param(0.0, **_PHASE, help="Phase φz (radians)"),
    },
)
def lissajous_knot(n_points: int, nx: int, ny: int, nz: int, phase_x: float, phase_y: float,
                   phase_z: float):
    """Lissajous knot: x = cos(nx t + φx), y = cos(ny t + φy), z = cos(nz t + φz), t ∈ [0, 2π).

    The default (3, 2, 5) with phases (0.7, 0.2, 0) is a knot. Returns points (n_points, 3) and
    t (n_points,). Raises ``ValueError`` unless the frequencies are pairwise coprime (otherwise
    the curve meets itself or retraces itself).
    """
    for (a, fa), (b, fb) in [(("nx", nx), ("ny", ny)), (("nx", nx), ("nz", nz)), (("ny", ny), ("nz", nz))]:
        if gcd(fa, fb) != 1:
            raise ValueError(f"the frequencies must be pairwise coprime for a knot; "
                             f"got {a} = {fa}, {b} = {fb} (gcd {gcd(fa, fb)})")
    t = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    return np.column_stack([np.cos(nx * t + phase_x), np.cos(ny * t + phase_y), np.cos(nz * t + phase_z)]), t
