"""Manifold Explorer's engine: what ``act(T·x)``, projected back, does to a low-dimensional manifold.

    from explorer import explore
    r = explore("spiral", "relu", n_points=5000, seed=0, transform_params={"n": 10})
    r.original, r.t, r.embedded, r.projected, r.metrics
"""

from explorer.pipeline import Exploration, explore
from explorer.plugins import Param, PluginError
from explorer.sweep import sweep, sweep_summary

__all__ = ["Exploration", "Param", "PluginError", "explore", "sweep", "sweep_summary"]
