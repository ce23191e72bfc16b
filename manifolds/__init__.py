"""Manifold plugins: one small module each, discovered automatically.

A manifold is ``f(n_points, **params) -> (points (n_points, d), t (n_points,))`` with d in {2, 3}::

    from manifolds import Param, register

    @register("spiral", label="Spiral ρ = φ",
              params={"turns": Param(4.0, min=0.5, max=10.0, help="full turns")})
    def spiral(n_points: int, turns: float):
        phi = np.linspace(0.0, 2 * np.pi * turns, n_points)
        return np.column_stack([phi * np.cos(phi), phi * np.sin(phi)]), phi

Noise, validation and colour are the engine's job, not the plugin's.
"""

from explorer.plugins import Param, Registry

__all__ = ["Param", "register", "registry"]

registry = Registry(kind="manifold", package=__name__, entry_point_group="manifold_explorer.manifolds")
register = registry.register
