"""The plugin contract as checks anyone can run: ``python -m explorer check manifolds/my_curve.py``.

The project's own contract tests (tests/test_plugins.py) call :func:`check_plugin` too, so a plugin
author runs exactly what the project runs. Shapes, dtypes and finiteness are checked where the
engine checks them — :func:`~explorer.pipeline.sample_manifold`, :func:`~explorer.pipeline.apply_transform`
— by running plugins through :func:`~explorer.explore`; this module adds what one run can't see:
determinism, the sizes and parameter values a plugin must cope with, and untouched inputs.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from explorer.pipeline import apply_transform, explore, sample_manifold
from explorer.plugins import Param, Plugin, PluginError

__all__ = ["LoadError", "check_plugin", "edge_values", "load_target"]


class LoadError(Exception):
    """A check target that could not be loaded; the message says why in plain words."""


SIZES = (10, 101, 1000)  # n_points every manifold must serve, and every transform must take
TEST_MANIFOLDS = ("spiral", "trefoil")  # a transform must work in R² and in R³
ARRAYS = ("original", "t", "embedded", "projected", "active")


def check_plugin(plugin: Plugin) -> list[str]:
    """Run the contract on a registered plugin; the failures in plain words ([] = it passes)."""
    failures = check_declaration(plugin)
    if failures:
        return failures
    runs = [(manifold, n_points) for manifold in ((plugin.name,) if plugin.kind == "manifold" else TEST_MANIFOLDS)
            for n_points in SIZES]
    for manifold, n_points in runs:
        transform = "relu" if plugin.kind == "manifold" else plugin.name
        where = f"with n_points = {n_points}" + (f" on the {manifold}" if plugin.kind == "transform" else "")
        failure = _check_run(plugin, manifold, transform, n_points, where)
        if failure:
            return [failure]  # the default run is broken: other checks would only repeat it
    failures += _check_direct_call(plugin)
    for key, value in edge_values(plugin):
        failures += _check_edge(plugin, key, value)
    return failures


def check_declaration(plugin: Plugin) -> list[str]:
    """A non-empty label; every param a :class:`Param` whose default validates to itself."""
    failures = []
    if not isinstance(plugin.label, str) or not plugin.label.strip():
        failures.append(f"its label must be a non-empty string, got {plugin.label!r}")
    for key, param in plugin.params.items():
        if not isinstance(param, Param):
            failures.append(f"parameter {key!r} must be declared with Param(...), got {type(param).__name__}")
            continue
        try:
            checked = param.validate(param.default, key)
        except ValueError as error:
            failures.append(f"the default of parameter {key!r} is invalid: {error}")
            continue
        if checked != param.default:
            failures.append(f"the default of parameter {key!r} ({param.default!r}) validates to {checked!r}")
    if not failures and plugin.validate_params({}) != plugin.defaults():
        failures.append("its declared defaults don't validate to themselves")
    return failures


def edge_values(plugin: Plugin) -> list[tuple[str, Any]]:
    """Values every plugin must take (or reject with ``ValueError``): each choice, both booleans,
    and each bound of a number (whole bounds for whole-number params); none for a text."""
    values = []
    for key, param in plugin.params.items():
        if param.kind == "choice":
            candidates = list(param.choices)
        elif param.kind == "bool":
            candidates = [True, False]
        elif param.kind == "text":  # no edges to a text: its default run is the check
            candidates = []
        elif param.kind == "int":
            candidates = [math.ceil(param.min) if param.min is not None else None,
                          math.floor(param.max) if param.max is not None else None]
        else:
            candidates = [param.min, param.max]
        values += [(key, value) for value in dict.fromkeys(candidates)
                   if value is not None and value != param.default]
    return values


def _check_run(plugin: Plugin, manifold: str, transform: str, n_points: int, where: str,
               params: dict | None = None, may_refuse: bool = False) -> str | None:
    """Explore twice at defaults (or ``params``): the engine checks shapes and finiteness; here we
    check the two runs are bit-identical and the metrics finite. With ``may_refuse``, the plugin
    raising ``ValueError`` (an explained refusal, which the page shows) passes."""
    overrides = {"manifold_params" if plugin.kind == "manifold" else "transform_params": params or {}}
    try:
        first, second = (explore(manifold, transform, n_points=n_points, seed=0, **overrides) for _ in range(2))
    except PluginError as error:
        if may_refuse and isinstance(error.__cause__, ValueError):  # the plugin's own ValueError:
            return None  # the engine re-raises what a plugin raises `from` it; its output checks have no cause
        return f"{where}: {_reason(plugin, error)}"
    except Exception as error:  # noqa: BLE001 — every failure becomes a sentence
        return f"{where}: {_reason(plugin, error)}"
    for name in ARRAYS:
        a, b = getattr(first, name), getattr(second, name)
        if (a is None) != (b is None) or (a is not None and (a.dtype != b.dtype or a.shape != b.shape
                                                             or a.tobytes() != b.tobytes())):
            return (f"{where}: two calls with the same inputs gave different {name} arrays; a plugin "
                    f"must be deterministic (take randomness only from the rng it is given)")
    bad = {key: value for key, value in first.metrics.items()
           if not isinstance(value, float) or not math.isfinite(value)}
    if bad:
        return f"{where}: the engine's metrics came out as {bad}; they must be finite numbers"
    if first.metrics != second.metrics:
        return f"{where}: two calls with the same inputs gave different metrics"
    return None


def _check_direct_call(plugin: Plugin) -> list[str]:
    """A manifold called directly returns what the engine shows; a transform leaves its input alone."""
    import manifolds

    n_points = SIZES[1]
    try:
        if plugin.kind == "manifold":
            points, t = plugin(n_points, **plugin.defaults())
            result = explore(plugin.name, "relu", n_points=n_points)
            if not (np.array_equal(points, result.original) and np.array_equal(t, result.t)):
                return ["called directly, it returned other points than through the engine; a manifold "
                        "must return the same points for the same arguments"]
            return []
        failures = []
        for manifold in TEST_MANIFOLDS:
            sampler = manifolds.registry[manifold]
            points, _ = sample_manifold(sampler, n_points, sampler.defaults())
            before = points.copy()
            apply_transform(plugin, points, 0, plugin.defaults())
            if not np.array_equal(points, before):
                failures.append(f"it changed its input points in place (on the {manifold}); a transform "
                                f"must leave them as they are")
        return failures
    except Exception as error:  # noqa: BLE001 — it passed through the engine, so this is flakiness
        return [f"called a second time, it failed: {_reason(plugin, error)}"]


def _check_edge(plugin: Plugin, key: str, value: Any) -> list[str]:
    """The plugin works at ``key = value`` (other params at defaults) or refuses it with ``ValueError``."""
    failures = []
    for manifold in (plugin.name,) if plugin.kind == "manifold" else TEST_MANIFOLDS:
        where = f"with {key} = {value!r}" + (f" on the {manifold}" if plugin.kind == "transform" else "")
        transform = "relu" if plugin.kind == "manifold" else plugin.name
        failure = _check_run(plugin, manifold, transform, SIZES[1], where, {key: value}, may_refuse=True)
        if failure:
            failures.append(failure)
    return failures


def _reason(plugin: Plugin, error: Exception) -> str:
    """An error as a phrase about ``plugin``: drop the "<kind> '<name>'" the engine put in front."""
    message = str(error) if isinstance(error, PluginError) else f"the engine failed: {type(error).__name__}: {error}"
    prefix = f"{plugin.kind} '{plugin.name}'"
    if message.startswith(prefix + ": "):
        return message[len(prefix) + 2:]
    if message.startswith(prefix + " "):
        return message[len(prefix) + 1:]
    return message


# -- loading what to check ------------------------------------------------------------------------

PATH_MODULE_PREFIX = "explorer_check_"  # module names for files imported by path


def load_target(target: str) -> list[Plugin]:
    """The plugins that ``target`` registers, in the global registries.

    ``target`` is a path to a ``.py`` file (``manifolds/my_curve.py``), a module (``my_pkg.curves``;
    a package means every plugin in its imported modules, e.g. ``manifolds``) or a registered
    function (``my_pkg.curves:torus``). Raises :class:`LoadError` with the reason
    (exception type and message, no traceback) when it can't be imported or registers nothing.
    """
    import manifolds
    import transforms

    registries = (manifolds.registry, transforms.registry)
    before = {(registry.kind, name) for registry in registries for name in registry.names()}
    module_name, _, attribute = target.partition(":") if not _looks_like_path(target) else (target, "", "")
    try:
        module = _import_path(Path(target)) if _looks_like_path(target) else importlib.import_module(module_name)
        function = _resolve(module, attribute) if attribute else None
    except LoadError:
        raise
    except Exception as error:  # noqa: BLE001 — a broken plugin is a sentence, not a traceback
        raise LoadError(f"importing it failed: {type(error).__name__}: {error}") from error
    inside = module.__name__ + "." if hasattr(module, "__path__") else None  # a package: all its modules
    plugins = [plugin for registry in registries for name, plugin in registry.items()
               if (function is not None and plugin.func is function)
               or (function is None and (plugin.func.__module__ == module.__name__
                                         or (inside and plugin.func.__module__.startswith(inside))
                                         or (registry.kind, name) not in before))]
    if function is not None and not plugins:
        raise LoadError(f"{target} is not a registered manifold or transform; decorate it with "
                        f"@register from manifolds or transforms")
    if not plugins:
        raise LoadError("it registers no manifold or transform; decorate a function with @register "
                        "(from manifolds import register, or from transforms import register)")
    return plugins


def _looks_like_path(target: str) -> bool:
    return target.endswith(".py") or "/" in target or "\\" in target or Path(target).is_file()


def _resolve(module: Any, attribute: str) -> Any:
    value = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise LoadError(f"{module.__name__} has no attribute {attribute!r}")
        value = getattr(value, part)
    return value


def _import_path(path: Path) -> Any:
    """Import a plugin file. A file that is already imported (found by discovery or an entry point)
    or that sits in the ``manifolds``/``transforms`` package is imported under its package name,
    so its ``@register`` calls don't clash with themselves; any other file under a name of its own."""
    import manifolds
    import transforms

    path = path.resolve()
    if not path.is_file():
        raise LoadError(f"there is no file {path}")
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and not module.__name__.startswith(PATH_MODULE_PREFIX) and Path(file).resolve() == path:
            return module
    for package in (manifolds, transforms):
        if Path(package.__file__).parent.resolve() == path.parent:
            return importlib.import_module(f"{package.__name__}.{path.stem}")
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    name = f"{PATH_MODULE_PREFIX}{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
