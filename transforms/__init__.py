"""Transform plugins: one small module each, discovered automatically.

A transform is ``f(points (N, d), rng, **params) -> (embedded (N, n), projected (N, d))``.
It may return a third array, ``active (N, n)`` bool — the units whose activation has a non-zero
slope at each point — which lets the engine measure where the map stops being locally invertible
(``lossy_fraction``). Randomness comes only from ``rng`` (``numpy.random.default_rng(seed)``).
"""

from explorer.plugins import Param, Registry

__all__ = ["Param", "register", "registry"]

registry = Registry(kind="transform", package=__name__, entry_point_group="manifold_explorer.transforms")
register = registry.register
