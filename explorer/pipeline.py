"""``explore()``: one configuration in, one :class:`Exploration` out. Pure and deterministic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from explorer import budget
from explorer import metrics as metric_functions
from explorer.plugins import Param, Plugin, PluginError

# The engine's own parameters, declared like a plugin's: the page's widgets, the URL and
# explore() all validate through these.
ENGINE_PARAMS: dict[str, Param] = {
    "n_points": Param(5000, min=10, max=1_000_000, step=10, help="Points sampled on the manifold"),
    "noise": Param(0.0, min=0.0, max=0.5, step=0.01,
                   help="Gaussian noise, standard deviation as a fraction of the manifold's RMS size"),
    "seed": Param(0, min=0, max=2**32 - 1, step=1, help="Seed of the random matrix and of the noise"),
}


@dataclass(frozen=True, eq=False)
class Exploration:
    """What one layer does to one manifold sample. Arrays are read-only.

    original (N, d), t (N,), embedded (N, n), projected (N, d), active (N, n) bool or None,
    metrics: name → float.
    """

    manifold: str
    transform: str
    n_points: int
    seed: int
    noise: float
    manifold_params: dict[str, Any]
    transform_params: dict[str, Any]
    original: np.ndarray
    t: np.ndarray
    embedded: np.ndarray
    projected: np.ndarray
    active: np.ndarray | None
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def d(self) -> int:
        return self.original.shape[1]

    @property
    def n(self) -> int:
        return self.embedded.shape[1]


def validate_engine_params(n_points: Any, seed: Any, noise: Any) -> tuple[int, int, float]:
    """Validate the engine's own parameters; raise ``ValueError`` naming the bad one."""
    values = {"n_points": n_points, "seed": seed, "noise": noise}
    checked = {key: ENGINE_PARAMS[key].validate(value, key) for key, value in values.items()}
    return checked["n_points"], checked["seed"], checked["noise"]


def noise_rng(seed: int) -> np.random.Generator:
    """The noise's own stream, independent of the transform's ``default_rng(seed)``."""
    return np.random.default_rng([seed, 1])


def sample_manifold(plugin: Plugin, n_points: int, params: Mapping[str, Any], seed: int = 0,
                    noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Call a manifold plugin, check what it returned, add noise. Returns points (N, d), t (N,)."""
    output = _call(plugin, n_points, **params)
    if not isinstance(output, tuple) or len(output) != 2:
        raise PluginError(f"manifold '{plugin.name}' must return (points, t); it returned {_describe(output)}")
    points, t = (_checked_array(plugin, what, value) for what, value in zip(("points", "t"), output))
    if points.ndim != 2 or points.shape[1] not in (2, 3):
        raise PluginError(f"manifold '{plugin.name}' returned points of shape {points.shape}; "
                          f"expected (n_points, d) with d = 2 or 3")
    if points.shape[0] != n_points or t.shape != (n_points,):
        raise PluginError(f"manifold '{plugin.name}' was asked for {n_points} points and returned points "
                          f"of shape {points.shape} and t of shape {t.shape}")
    if noise > 0:
        scale = np.sqrt(np.mean(np.sum((points - points.mean(axis=0)) ** 2, axis=1)))
        points = points + noise * scale * noise_rng(seed).standard_normal(points.shape)
    return points, t


def apply_transform(plugin: Plugin, points: np.ndarray, seed: int, params: Mapping[str, Any]):
    """Call a transform plugin with ``default_rng(seed)`` and check its output.

    Returns embedded (N, n), projected (N, d), active (N, n) bool or None.
    """
    output = _call(plugin, points, np.random.default_rng(seed), **params)
    if not isinstance(output, tuple) or len(output) not in (2, 3):
        raise PluginError(f"transform '{plugin.name}' must return (embedded, projected[, active]); "
                          f"it returned {_describe(output)}")
    embedded = _checked_array(plugin, "embedded", output[0])
    projected = _checked_array(plugin, "projected", output[1])
    n_points, d = points.shape
    if embedded.ndim != 2 or embedded.shape[0] != n_points or embedded.shape[1] < 1:
        raise PluginError(f"transform '{plugin.name}' returned embedded of shape {embedded.shape}; "
                          f"expected ({n_points}, n)")
    # Its width may be more than its parameters said: check it before any metric allocates for it.
    budget.check(n_points, embedded.shape[1], what=f"transform '{plugin.name}' returned n = {embedded.shape[1]:,}, "
                                                   f"and measuring it")
    if projected.shape != points.shape:
        raise PluginError(f"transform '{plugin.name}' returned projected of shape {projected.shape}; "
                          f"expected {points.shape}, the input's shape")
    active = None
    if len(output) == 3 and output[2] is not None:
        active = output[2]
        if not isinstance(active, np.ndarray) or active.dtype != bool or active.shape != embedded.shape:
            raise PluginError(f"transform '{plugin.name}' returned active of {_describe(active)}; expected a "
                              f"bool array of shape {embedded.shape}")
    return embedded, projected, active


def explore(manifold: str, transform: str = "relu", *, n_points: int = 5000, seed: int = 0,
            noise: float = 0.0, manifold_params: Mapping[str, Any] | None = None,
            transform_params: Mapping[str, Any] | None = None) -> Exploration:
    """Sample ``manifold``, push it through ``transform``, measure what was lost.

    Same arguments, bit-identical arrays. Unknown names, bad parameters and misbehaving plugins
    raise ``ValueError`` (a :class:`PluginError`) naming the plugin and the problem. A request
    whose estimated memory is over the limit is refused before anything is allocated, and a plugin
    call over the time limit is given up (a :class:`~explorer.budget.BudgetError`, also a
    ``ValueError``; see :mod:`explorer.budget`).
    """
    import manifolds
    import transforms

    manifold_plugin = manifolds.registry[plugin_name(manifold, "manifold")]
    transform_plugin = transforms.registry[plugin_name(transform, "transform")]
    n_points, seed, noise = validate_engine_params(n_points, seed, noise)
    manifold_params = manifold_plugin.validate_params(manifold_params)
    transform_params = transform_plugin.validate_params(transform_params)
    need = budget.check(n_points, width(transform_params),
                        what=f"Exploring manifold '{manifold_plugin.name}' with transform '{transform_plugin.name}'")

    with budget.reserve(need):
        original, t = sample_manifold(manifold_plugin, n_points, manifold_params, seed, noise)
        embedded, projected, active = apply_transform(transform_plugin, original, seed, transform_params)
        for array in (original, t, embedded, projected, active):
            if array is not None:
                array.setflags(write=False)
        metrics = metric_functions.compute_all(original, t, embedded, projected, active)
    return Exploration(
        manifold=manifold_plugin.name, transform=transform_plugin.name, n_points=n_points, seed=seed, noise=noise,
        manifold_params=manifold_params, transform_params=transform_params,
        original=original, t=t, embedded=embedded, projected=projected, active=active, metrics=metrics,
    )


def plugin_name(name: Any, kind: str) -> str:
    """``name`` if it is a string (a plugin slug), else ``ValueError`` naming what it was."""
    if not isinstance(name, str):
        raise PluginError(f"{kind} must be a plugin name (a string such as 'spiral'), got {type(name).__name__} "
                          f"{name!r:.80}")
    return str(name)


def width(transform_params: Mapping[str, Any]) -> int | None:
    """The embedding width a transform's validated parameters ask for: its ``n``, if it has one."""
    n = transform_params.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) else None


def _call(plugin: Plugin, *args: Any, **kwargs: Any) -> Any:
    """Call ``plugin`` within its time limit (:func:`explorer.budget.call_with_time_limit`); any
    failure becomes one :class:`PluginError` naming it."""
    return budget.call_with_time_limit(f"{plugin.kind} '{plugin.name}'", _guarded_call, plugin, *args, **kwargs)


def _guarded_call(plugin: Plugin, *args: Any, **kwargs: Any) -> Any:
    try:
        return plugin(*args, **kwargs)
    except ValueError as error:
        raise PluginError(f"{plugin.kind} '{plugin.name}': {error}") from error
    except Exception as error:  # noqa: BLE001 — any plugin failure becomes one clear ValueError
        raise PluginError(f"{plugin.kind} '{plugin.name}' failed: {type(error).__name__}: {error}") from error
    except SystemExit as error:  # sys.exit() in a plugin must not end the page or the command
        raise PluginError(f"{plugin.kind} '{plugin.name}' called sys.exit({error.code!r})") from None


def _checked_array(plugin: Plugin, what: str, value: Any) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf":  # real numbers only, not complex
        raise PluginError(f"{plugin.kind} '{plugin.name}' returned {what} as {_describe(value)}; "
                          f"expected a numeric numpy array")
    value = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(value)):
        raise PluginError(f"{plugin.kind} '{plugin.name}' returned {what} with "
                          f"{np.count_nonzero(~np.isfinite(value))} NaN or infinite values")
    return value


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} items"
    return f"a {type(value).__name__}"
