"""Element-wise activations, each with the set of inputs where its slope is non-zero.

``active(z)`` marks the units that still carry information about ``z`` locally: a point is
locally invertible through ``act(T x)`` only if at least ``d`` of its units are active.
``injective`` says whether the function never maps two inputs to one output (strictly monotone).

| name       | act(z)                    | slope ≠ 0 (``active``)        | injective |
|------------|---------------------------|-------------------------------|-----------|
| relu       | max(z, 0)                 | z > 0                         | no        |
| relu6      | min(max(z, 0), 6)         | 0 < z < 6                     | no        |
| leaky_relu | z, or 0.01 z below 0      | everywhere                    | yes       |
| elu        | z, or eᶻ − 1 below 0      | everywhere (eᶻ below 0)       | yes       |
| gelu       | z Φ(z)                    | all but z ≈ −0.75             | no        |
| silu       | z σ(z)  (= Swish)         | all but z ≈ −1.2785 (minimum) | no        |
| hard_swish | z · relu6(z + 3) / 6      | z > −3 (but z = −1.5)         | no        |
| tanh       | tanh z                    | everywhere                    | yes       |
| sigmoid    | σ(z) = 1 / (1 + e⁻ᶻ)      | everywhere                    | yes       |
| softplus   | log(1 + eᶻ)               | everywhere                    | yes       |
| abs        | |z|                       | z ≠ 0                         | no        |
| linear     | z                         | everywhere                    | yes       |

A slope that vanishes at a single z (GELU, SiLU, hard-swish) is treated as non-zero: a point lands
exactly there with probability zero. Not injective but active almost everywhere (GELU, SiLU, abs)
means locally invertible and yet folding far-apart inputs together — ``collapse_fraction``, not
``lossy_fraction``, measures that. Mathematically non-zero slopes can still round to zero in
float64 (tanh and sigmoid saturate to exactly ±1/0/1 for |z| ≳ 19–37, ELU to −1 below z ≈ −37);
such exact collapses show up in ``collapse_fraction`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import erf, expit

LEAKY_SLOPE = 0.01
RELU6_CAP = 6.0
HARD_SWISH_FLAT = -3.0  # hard-swish is exactly 0 (slope 0) for z ≤ −3


@dataclass(frozen=True)
class Activation:
    """``apply(z)`` and ``active(z)`` map an array (N, n) to an array of the same shape."""

    name: str
    apply: Callable[[np.ndarray], np.ndarray]
    active: Callable[[np.ndarray], np.ndarray]
    injective: bool

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.apply(z)


def _everywhere(z: np.ndarray) -> np.ndarray:
    return np.ones(z.shape, dtype=bool)


def _gelu(z: np.ndarray) -> np.ndarray:
    return 0.5 * z * (1.0 + erf(z / np.sqrt(2.0)))


def _elu(z: np.ndarray) -> np.ndarray:
    """z above 0, eᶻ − 1 (α = 1) below: slope 1 or eᶻ, never 0; strictly increasing."""
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


def _silu(z: np.ndarray) -> np.ndarray:
    """z σ(z) (SiLU, Swish with β = 1). Slope σ(z)(1 + z(1 − σ(z))) vanishes only at z ≈ −1.2785,
    its minimum (≈ −0.2785): every value in (−0.2785, 0) is taken twice, so it is not injective."""
    return z * expit(z)


def _hard_swish(z: np.ndarray) -> np.ndarray:
    """MobileNetV3's z · relu6(z + 3) / 6: 0 for z ≤ −3, z(z + 3)/6 between (minimum −0.375 at
    z = −1.5), z from 3 on. Flat below −3, and values in (−0.375, 0) are taken twice."""
    return z * np.clip(z + 3.0, 0.0, RELU6_CAP) / 6.0


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("relu", lambda z: np.maximum(z, 0.0), lambda z: z > 0, injective=False),
        Activation("relu6", lambda z: np.clip(z, 0.0, RELU6_CAP), lambda z: (z > 0) & (z < RELU6_CAP),
                   injective=False),
        Activation("leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z), _everywhere, injective=True),
        # GELU's slope vanishes only at one point (z ≈ -0.75), so it is locally invertible almost
        # everywhere, though not globally injective: collapse_fraction is what catches that.
        Activation("gelu", _gelu, _everywhere, injective=False),
        Activation("tanh", np.tanh, _everywhere, injective=True),
        Activation("softplus", lambda z: np.logaddexp(0.0, z), _everywhere, injective=True),
        Activation("linear", lambda z: z, _everywhere, injective=True),
        Activation("elu", _elu, _everywhere, injective=True),
        # SiLU's slope vanishes only at its minimum (z ≈ -1.2785), like GELU's: active almost everywhere.
        Activation("silu", _silu, _everywhere, injective=False),
        # Hard-swish's slope (2z + 3)/6 vanishes at z = -1.5 only (a single point, ignored) and on z ≤ -3.
        Activation("hard_swish", _hard_swish, lambda z: z > HARD_SWISH_FLAT, injective=False),
        Activation("sigmoid", expit, _everywhere, injective=True),
        # |z| keeps every unit's slope (±1) except at z = 0, but loses its sign: T x and -T x meet.
        Activation("abs", np.abs, lambda z: z != 0, injective=False),
    ]
}
