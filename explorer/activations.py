"""Element-wise activations, each with the set of inputs where its slope is non-zero.

``active(z)`` marks the units that still carry information about ``z`` locally: a point is
locally invertible through ``act(T x)`` only if at least ``d`` of its units are active.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import erf

LEAKY_SLOPE = 0.01
RELU6_CAP = 6.0


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
    ]
}
