"""(p, q) torus knots: a curve winding p times around the torus's axis and q times through its hole."""

from math import gcd

import numpy as np

from manifolds import Param, register


@register(
    "torus_knot",
    label="Torus knot (p, q)",
    params={
        "p": Param(2, min=1, max=12, step=1, help="Turns around the torus's axis of symmetry (z)"),
        "q": Param(3, min=1, max=12, step=1, help="Turns around the tube; gcd(p, q) must be 1"),
        "R": Param(2.0, min=0.5, max=10.0, step=0.1, help="Major radius: axis to tube centre"),
        "r": Param(1.0, min=0.1, max=5.0, step=0.1, help="Minor radius of the tube; must be < R"),
    },
)
def torus_knot(n_points: int, p: int, q: int, R: float, r: float):
    """(p, q) torus knot on the torus (√(x² + y²) − R)² + z² = r², t ∈ [0, 2π):

    x = (R + r cos qt) cos pt,  y = (R + r cos qt) sin pt,  z = r sin qt.

    The curve turns p times around the z axis and q times around the tube; (2, 3) is the trefoil.
    Returns points (n_points, 3) and t (n_points,). Raises ``ValueError`` if gcd(p, q) ≠ 1 (the
    curve would retrace itself instead of closing into one knot) or if r ≥ R.
    """
    if gcd(p, q) != 1:
        raise ValueError(f"gcd(p, q) must be 1 for a torus knot; got p = {p}, q = {q} "
                         f"(gcd {gcd(p, q)}), which traces a curve several times")
    if r >= R:
        raise ValueError(f"the tube radius r must be smaller than the major radius R; got r = {r}, R = {R}")
    t = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    rho = R + r * np.cos(q * t)
    return np.column_stack([rho * np.cos(p * t), rho * np.sin(p * t), r * np.sin(q * t)]), t
