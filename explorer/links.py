"""Shareable links: which values of an opened link the page could not use, and why. Pure.

The page's widgets are bound to the URL (``bind="query-params"``), and Streamlit silently drops a
value a widget cannot take. :func:`ignored_values` compares what the link asked for with what the
widgets ended up holding, so the page can say what it ignored.

Its lines are Markdown (the page shows them in ``st.warning``), and the values in them come from
whoever wrote the link: every value is shown as text — in a code span that it can't close, or
escaped with :func:`escape_markdown` — and clipped to :data:`SHOWN_CHARACTERS`, so a link can't put an
image, a link or a heading on the page.
"""

from __future__ import annotations

import re
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
                lines.append(f"{markdown_code(f'{key}={text}')}: not a setting of this page (or of the chosen plugins)")
            continue
        if _same(values, shown[key]):
            continue
        reason = "not one of the options"
        if key in declarations:
            try:
                parse_value(declarations[key], values[-1], key)
            except ValueError as error:
                reason = str(error)
        lines.append(f"{markdown_code(f'{key}={text}')}: {escape_markdown(_clip(reason, 3 * SHOWN_CHARACTERS))}; "
                     f"using {escape_markdown(_clip(_show(shown[key])))}")
    return lines


SHOWN_CHARACTERS = 80  # of a link's value, in the notice
_MARKDOWN = re.compile(r"([\\`*\[\]<>!$~|#])")


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that shows ``text``: the characters that make code, links, images, HTML,
    maths, headings and emphasis are backslash-escaped, and line breaks become spaces (no new
    block can start). ``_`` is left alone: inside words (``n_points``) it is no emphasis, and the
    worst ``_a_`` can do is italics. For any text a visitor or a plugin provides that Streamlit
    renders as Markdown (alert bodies, widget labels, ``help`` tooltips)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).splitlines()))


def markdown_code(text: str) -> str:
    """``text`` (clipped, on one line) as an inline code span that no backtick in it can close."""
    text = _clip(" ".join(str(text).splitlines()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _clip(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
