"""Shareable links: which values of an opened link the page could not use, and why. Pure.

The page's widgets are bound to the URL (``bind="query-params"``), and Streamlit silently drops a
value a widget cannot take. :func:`ignored_values` compares what the link asked for with what the
widgets ended up holding, so the page can say what it ignored.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from explorer.params_text import parse_value
from explorer.plugins import Param


def ignored_values(requested: Mapping[str, Sequence[str]], shown: Mapping[str, Any],
                   declarations: Mapping[str, Param], known: set[str]) -> list[str]:
    """One plain-words line per link value the page did not use.

    requested: URL key → its values (repeated keys give several). shown: key → value of each
    widget drawn this run. declarations: key → Param, for the reason a value was refused.
    known: keys the page understands even when their widget is not drawn (e.g. another tab's).
    """
    lines = []
    for key, values in requested.items():
        text = ", ".join(values)
        if key not in shown:
            if key not in known:
                lines.append(f"`{key}={text}`: not a setting of this page (or of the chosen plugins)")
            continue
        if _same(values, shown[key]):
            continue
        reason = "not one of the options"
        if key in declarations:
            try:
                parse_value(declarations[key], values[-1], key)
            except ValueError as error:
                reason = str(error)
        lines.append(f"`{key}={text}`: {reason}; using {_show(shown[key])}")
    return lines


def _same(values: Sequence[str], shown: Any) -> bool:
    if isinstance(shown, (list, tuple)):
        return len(values) == len(shown) and all(_same([v], s) for v, s in zip(values, shown))
    text = values[-1].strip()
    if isinstance(shown, bool):
        return text.lower() == str(shown).lower()
    if isinstance(shown, (int, float)):
        try:
            return float(text) == float(shown)
        except ValueError:
            return False
    return text == str(shown)


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)
