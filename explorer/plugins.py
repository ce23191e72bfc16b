"""Plugin declarations and registries.

A plugin is a plain function registered under a short slug. Its parameters are declared once, with
:class:`Param`, and that one declaration drives the page's widget, the engine's validation and the
URL key. Registries discover plugins in two ways, through the same ``register`` door:

1. every module of the plugin package (``manifolds/``, ``transforms/``) — drop a file in;
2. installed distributions' entry points (``manifold_explorer.manifolds`` /
   ``manifold_explorer.transforms``); an entry point names a module to import or a registered
   function.

A plugin that fails to import or to register is recorded in :attr:`Registry.errors` and skipped;
it never breaks discovery of the others.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import math
import numbers
import os
import pkgutil
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping


TEXT_MAX_LENGTH = 200  # characters of a text parameter (kind "text"): fits a formula, and a URL


class PluginError(ValueError):
    """A plugin is unknown, misdeclared or misbehaved. The message names the plugin."""


@dataclass(frozen=True)
class Param:
    """The single declaration of a plugin parameter.

    The type of ``default`` decides the kind: ``bool`` → checkbox, ``int``/``float`` with both
    bounds → slider (otherwise a number input), ``choices`` → select box, ``str`` → text input
    (kind ``"text"``: any string of at most :data:`TEXT_MAX_LENGTH` characters; the plugin checks
    what the text means and raises ``ValueError`` when it can't use it).
    """

    default: Any
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))
            if self.default not in self.choices:
                raise ValueError(f"default {self.default!r} is not one of the choices {self.choices}")
            return
        if self.kind not in ("bool", "int", "float", "text"):
            raise ValueError(f"default {self.default!r} must be a bool, int, float, str, or one of `choices`")
        if self.kind == "text":
            self.validate(self.default, "default")
        elif self.kind != "bool":
            if self.min is not None and self.max is not None and self.min > self.max:
                raise ValueError(f"min {self.min} is larger than max {self.max}")
            self.validate(self.default, "default")

    @property
    def kind(self) -> str:
        """One of ``"choice"``, ``"bool"``, ``"int"``, ``"float"``, ``"text"``."""
        if self.choices is not None:
            return "choice"
        if isinstance(self.default, str):
            return "text"
        if isinstance(self.default, bool):
            return "bool"
        if isinstance(self.default, numbers.Integral):
            return "int"
        if isinstance(self.default, numbers.Real):
            return "float"
        return "unknown"

    @property
    def bounded(self) -> bool:
        return self.min is not None and self.max is not None

    def validate(self, value: Any, name: str) -> Any:
        """Return ``value`` coerced to this parameter's kind, or raise ``ValueError`` naming ``name``."""
        kind = self.kind
        value = _plain(value)
        if kind == "choice":
            for choice in self.choices:
                if type(value) is type(choice) and value == choice:
                    return choice
            raise ValueError(f"{name} must be one of {list(self.choices)}, got {value!r}")
        if kind == "bool":
            if isinstance(value, bool) or type(value).__name__ in ("bool", "bool_"):  # np.bool (NumPy 2) or np.bool_
                return bool(value)
            raise ValueError(f"{name} must be true or false, got {value!r}")
        if kind == "text":
            if not isinstance(value, str):
                raise ValueError(f"{name} must be text, got {value!r}")
            if len(value) > TEXT_MAX_LENGTH:
                raise ValueError(f"{name} must be at most {TEXT_MAX_LENGTH} characters long, got {len(value)}")
            return str(value)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not isinstance(value, numbers.Integral) and not math.isfinite(float(value)):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        if kind == "int":
            if not isinstance(value, numbers.Integral) and float(value) != int(value):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
            value = int(value)
        elif isinstance(value, numbers.Integral) and abs(value) > 2**1000:  # float() would overflow
            raise ValueError(f"{name} is too large a number, got one with {len(str(abs(value)))} digits")
        else:
            value = float(value)
        if self.min is not None and value < self.min:
            raise ValueError(f"{name} must be at least {self.min}, got {value!r}")
        if self.max is not None and value > self.max:
            raise ValueError(f"{name} must be at most {self.max}, got {value!r}")
        return value


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds (``np.int64(5)`` → 5, ``np.str_("a")`` → ``"a"``),
    so every caller — widget, link, command line, notebook — is validated by the same rules."""
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == () and hasattr(value, "item"):
        return value.item()
    return value


@dataclass(frozen=True)
class Plugin:
    """A registered plugin: a slug ``name``, a human ``label``, declared ``params``, the function."""

    name: str
    label: str
    params: Mapping[str, Param]
    func: Callable[..., Any]
    kind: str
    description: str = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def defaults(self) -> dict[str, Any]:
        return {key: param.default for key, param in self.params.items()}

    def validate_params(self, values: Mapping[str, Any] | None) -> dict[str, Any]:
        """All params, defaults filled in, each validated. Unknown names raise ``ValueError``."""
        if values is not None and not isinstance(values, Mapping):
            raise PluginError(f"{self.kind} '{self.name}': parameters must be a dict of name → value, "
                              f"got {type(values).__name__} {values!r:.80}")
        values = dict(values or {})
        odd = [key for key in values if not isinstance(key, str)]
        if odd:
            raise PluginError(f"{self.kind} '{self.name}': parameter names must be strings, got {odd[0]!r}")
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise PluginError(
                f"{self.kind} '{self.name}' has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are: {', '.join(self.params) or '(none)'}"
            )
        checked = {}
        for key, param in self.params.items():
            try:
                checked[key] = param.validate(values.get(key, param.default), key)
            except ValueError as error:
                raise PluginError(f"{self.kind} '{self.name}': {error}") from None
        return checked


@dataclass(frozen=True)
class PluginLoadError:
    """A plugin module or entry point that could not be loaded, and why."""

    source: str
    message: str
    details: str = ""


@dataclass
class Registry:
    """Name → :class:`Plugin` map for one kind of plugin, filled by :meth:`register`.

    Discovery is lazy: the first lookup imports the plugin package's modules and entry points.
    """

    kind: str
    package: str
    entry_point_group: str
    _plugins: dict[str, Plugin] = field(default_factory=dict)
    errors: list[PluginLoadError] = field(default_factory=list)
    _discovered: bool = False

    def register(
        self,
        name: str,
        *,
        label: str | None = None,
        params: Mapping[str, Param] | None = None,
        description: str = "",
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: register ``func`` under ``name``; returns ``func`` unchanged."""
        if not isinstance(name, str) or not name.replace("_", "").isalnum() or not name.islower():
            raise PluginError(f"{self.kind} name {name!r} must be a lower-case slug (letters, digits, _)")
        params = dict(params or {})
        for key, param in params.items():
            if not isinstance(param, Param):
                raise PluginError(f"{self.kind} '{name}': parameter {key!r} must be declared with Param(...)")

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            existing = self._plugins.get(name)
            # Re-registering from the same module is a reload (Streamlit re-imports edited files).
            if existing is not None and existing.func.__module__ != func.__module__:
                raise PluginError(f"{self.kind} '{name}' is already registered by {existing.func.__module__}")
            self._plugins[name] = Plugin(
                name=name,
                label=label or name,
                params=params,
                func=func,
                kind=self.kind,
                description=description or (func.__doc__ or "").strip().split("\n")[0],
            )
            func.plugin_name = name  # lets an entry point name the function itself
            return func

        return decorator

    # -- lookup ---------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Plugin:
        self.discover()
        try:
            return self._plugins[name]
        except (KeyError, TypeError):
            raise PluginError(
                f"Can't find {self.kind} {name!r}. Available: {', '.join(self.names())}"
            ) from None

    def get(self, name: str) -> Plugin:
        return self[name]

    def __contains__(self, name: object) -> bool:
        self.discover()
        return name in self._plugins

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def names(self) -> list[str]:
        self.discover()
        return sorted(self._plugins)

    def items(self) -> list[tuple[str, Plugin]]:
        return [(name, self._plugins[name]) for name in self.names()]

    # -- discovery ------------------------------------------------------------------------------

    def discover(self) -> None:
        """Import the package's modules and the entry points, once. Failures go to ``errors``."""
        if self._discovered:
            return
        self._discovered = True
        package = importlib.import_module(self.package)
        for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not module.name.startswith("_"):
                self._load(f"{self.package}.{module.name}", f"{self.package}/{module.name}.py")
        for entry_point in importlib.metadata.entry_points(group=self.entry_point_group):
            self._load_entry_point(entry_point)

    def rediscover(self) -> None:
        """Scan again: pick up new plugin files and entry points, retry failed ones, and drop
        plugins whose module file is gone (tests, or after installing a plugin)."""
        importlib.invalidate_caches()
        for name, plugin in list(self._plugins.items()):
            module = sys.modules.get(plugin.func.__module__)
            path = getattr(module, "__file__", None)
            if path is not None and not os.path.exists(path):
                del self._plugins[name]
                sys.modules.pop(plugin.func.__module__, None)
        self.errors.clear()
        self._discovered = False
        self.discover()

    def _load(self, module_name: str, source: str) -> None:
        try:
            importlib.import_module(module_name)
        except Exception as error:  # noqa: BLE001 — a broken plugin is reported, never fatal
            self._record(source, error)

    def _load_entry_point(self, entry_point: importlib.metadata.EntryPoint) -> None:
        source = f"entry point '{entry_point.name}' ({entry_point.value})"
        try:
            loaded = entry_point.load()
            if callable(loaded) and not getattr(loaded, "plugin_name", None):
                raise PluginError(f"{entry_point.value} is not a registered {self.kind}; decorate it with @register")
        except Exception as error:  # noqa: BLE001
            self._record(source, error)

    def _record(self, source: str, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        self.errors.append(PluginLoadError(source, message, traceback.format_exc(limit=-3)))
