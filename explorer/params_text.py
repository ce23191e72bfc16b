"""Parameter values as text (URL query values, ``--param key=value``), read through their :class:`Param`.

One reading of text for every place that takes it — the command line and the page's links — so
``"true"`` means the same thing everywhere, and every value still goes through ``Param.validate``::

    parse_value(Param(3, min=1, max=12), "5", "rose.k")       # → 5
    parse_value(Param(3, min=1, max=12), "2.5", "rose.k")     # ValueError: rose.k must be a whole number …
    parse_value(Param(False), "yes", "rose.lift")             # → True
    parse_value(Param("t"), "cos(t)", "custom_curve.x")       # → "cos(t)" (text is kept as typed)
    parse_assignments(plugin, ["turns=3"])                    # → {"turns": 3.0}
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable

from explorer.plugins import Param, Plugin, PluginError

TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def parse_value(param: Param, text: str, name: str) -> Any:
    """The value ``text`` stands for, of ``param``'s kind and within its bounds.

    Raises ``ValueError`` naming ``name`` (e.g. ``"spiral.turns"``) and saying what was expected.
    """
    if param.kind == "text":  # the text itself, as typed (e.g. a formula)
        return param.validate(str(text), name)
    text = str(text).strip()
    kind = param.kind
    if kind == "choice":
        return _parse_choice(param, text, name)
    if kind == "bool":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ValueError(f"{name} must be true or false (true/false, 1/0, yes/no), got {text!r}")
    try:
        number = int(text) if kind == "int" and _is_integer_text(text) else float(text)
    except ValueError:
        what = "a whole number" if kind == "int" else "a number"
        raise ValueError(f"{name} must be {what}, got {text!r}") from None
    return param.validate(number, name)


def format_value(param: Param, value: Any) -> str:
    """The text :func:`parse_value` reads back as ``value``: ``true``/``false``, ``repr`` of floats."""
    value = param.validate(value, "value")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_assignments(plugin: Plugin, texts: Iterable[str]) -> dict[str, Any]:
    """``["turns=3", …]`` → ``{"turns": 3.0, …}`` for ``plugin``'s declared params.

    Raises :class:`~explorer.plugins.PluginError` (a ``ValueError``) naming the plugin on a
    missing ``=``, an unknown param or a bad value.
    """
    values: dict[str, Any] = {}
    for text in texts:
        key, equals, value = str(text).partition("=")
        key = key.strip()
        if not equals or not key:
            raise PluginError(f"{plugin.kind} '{plugin.name}': expected key=value, got {text!r}")
        if key not in plugin.params:
            raise PluginError(f"{plugin.kind} '{plugin.name}' has no parameter {key!r}; "
                              f"its parameters are: {', '.join(plugin.params) or '(none)'}")
        try:
            values[key] = parse_value(plugin.params[key], value, key)
        except ValueError as error:
            raise PluginError(f"{plugin.kind} '{plugin.name}': {error}") from None
    return values


def _parse_choice(param: Param, text: str, name: str) -> Any:
    for choice in param.choices:
        if text == str(choice):
            return choice
    for choice in param.choices:  # numeric choices also match "2.0" for 2
        if isinstance(choice, numbers.Real) and not isinstance(choice, bool):
            try:
                if float(text) == choice:
                    return choice
            except ValueError:
                break
    raise ValueError(f"{name} must be one of {', '.join(map(str, param.choices))}; got {text!r}")


def _is_integer_text(text: str) -> bool:
    sign_stripped = text[1:] if text[:1] in "+-" else text
    return sign_stripped.isdigit()

