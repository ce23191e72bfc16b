"""Your own curve: type x(t), y(t) and optionally z(t), evaluated safely (explorer.expressions)."""

import numpy as np

from explorer.expressions import FUNCTIONS, evaluate
from manifolds import Param, register

EXAMPLES = ("rose: x = cos(3*t)*cos(t), y = cos(3*t)*sin(t), t from 0 to pi (3.14159); "
            "Lissajous: x = sin(3*t), y = sin(2*t), t from 0 to 2 pi (6.28319); "
            "cardioid: x = (1 - cos(t))*cos(t), y = (1 - cos(t))*sin(t); "
            "helix: x = cos(t), y = sin(t), z = t/6")
SYNTAX = f"Numbers, t, pi, e, + - * / ** % and {', '.join(FUNCTIONS)}."


@register(
    "custom_curve",
    label="Your own curve x(t), y(t), z(t)",
    params={
        "x": Param("cos(3*t) * cos(t)", help=f"x(t). {SYNTAX} Examples — {EXAMPLES}"),
        "y": Param("cos(3*t) * sin(t)", help=f"y(t). {SYNTAX}"),
        "z": Param("", help=f"z(t), optional: empty for a plane curve in R², a formula for a curve in R³. {SYNTAX}"),
        "t_min": Param(0.0, min=-100.0, max=100.0, step=0.01, help="First value of t"),
        "t_max": Param(3.141592653589793, min=-100.0, max=100.0, step=0.01,
                       help="Last value of t (π = 3.14159, 2π = 6.28319)"),
    },
)
def custom_curve(n_points: int, x: str, y: str, z: str, t_min: float, t_max: float):
    """The curve (x(t), y(t)[, z(t)]) at ``n_points`` evenly spaced t from ``t_min`` to ``t_max``,
    both ends included. Returns points (n_points, 2 or 3) and t (n_points,).

    A formula that is not allowed, or not finite somewhere on the range, raises ``ValueError``
    saying why (see :mod:`explorer.expressions`); so does ``t_min`` ≥ ``t_max``.
    """
    if not t_min < t_max:
        raise ValueError(f"t_min must be below t_max; got t_min = {t_min:g}, t_max = {t_max:g}")
    t = np.linspace(t_min, t_max, n_points)
    columns = [evaluate(x, t, "x(t)"), evaluate(y, t, "y(t)")]
    if z.strip():
        columns.append(evaluate(z, t, "z(t)"))
    return np.column_stack(columns), t
