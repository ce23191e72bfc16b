"""Streamlit UI helpers: widgets derived from :class:`~explorer.plugins.Param` declarations.

The only engine module that imports Streamlit. Each widget's key is its URL query parameter
(``bind="query-params"``): ``<plugin>.<param>`` for plugin params, the bare name for the engine's.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import plotly.graph_objects as go
import streamlit as st

from explorer import budget, export
from explorer.links import escape_markdown, ignored_values
from explorer.pipeline import Exploration, explore
from explorer.plugins import TEXT_MAX_LENGTH, Param
from explorer.sweep import sweep


def param_widget(key: str, label: str, param: Param, container: Any = st) -> Any:
    """Draw the widget ``param`` calls for (choices → select box, bool → checkbox, text → text input,
    bounded number → slider, otherwise a number input) and return its value."""
    common = dict(key=key, help=escape_markdown(param.help) if param.help else None, bind="query-params")
    if param.kind == "choice":
        return container.selectbox(label, param.choices, index=param.choices.index(param.default), **common)
    if param.kind == "bool":
        return container.checkbox(label, value=param.default, **common)
    if param.kind == "text":
        return container.text_input(label, value=param.default, max_chars=TEXT_MAX_LENGTH, **common) or ""
    cast = int if param.kind == "int" else float
    step = cast(param.step) if param.step is not None else (1 if cast is int else None)
    bounds = dict(min_value=cast(param.min) if param.min is not None else None,
                  max_value=cast(param.max) if param.max is not None else None)
    if param.bounded and (param.max - param.min) / (param.step or 1) <= 1000:
        return container.slider(label, value=cast(param.default), step=step, **bounds, **common)
    return container.number_input(label, value=cast(param.default), step=step, **bounds, **common)


def _guard_number_input_links() -> None:
    """Make a whole-number ``st.number_input`` bound to the URL treat a link value it can't read as
    out of range (its default, which the link notice then reports) instead of failing the page.

    Streamlit (1.67) reads ``?seed=1e400`` as the float inf and calls ``int(inf)`` before its own
    range check: OverflowError (``nan``: ValueError) in the middle of the page run, before any of
    our code sees the value. Patched once, on the one method involved; without it (another
    Streamlit version) tests/test_bad_inputs.py says so.
    """
    from streamlit.elements.widgets import number_input

    serde = getattr(number_input, "NumberInputSerde", None)
    if serde is None or getattr(serde.deserialize, "guarded", False):
        return
    original = serde.deserialize

    def deserialize(self, ui_value):
        try:
            return original(self, ui_value)
        except (OverflowError, ValueError):
            return self.value

    deserialize.guarded = True
    serde.deserialize = deserialize


_guard_number_input_links()


def param_widgets(prefix: str, params: Mapping[str, Param], container: Any = st) -> dict[str, Any]:
    """One widget per declared param, keyed ``<prefix>.<name>``; returns name → value."""
    return {name: param_widget(f"{prefix}.{name}", escape_markdown(name.replace("_", " ")), param, container)
            for name, param in params.items()}


def as_text(message: object) -> str:
    """A message (an exception, a plugin's words, a visitor's value) as Markdown that shows it as
    plain text: for ``st.error``/``st.warning``/``st.info``, which render Markdown — an image or a
    link in a plugin's error must not appear on the page as one."""
    return escape_markdown(str(message))


def show_chart(figure: Any, **kwargs: Any) -> Any:
    """Draw an Altair chart or a Plotly figure, whichever ``figure`` is."""
    if isinstance(figure, go.Figure):
        return st.plotly_chart(figure, **kwargs)
    return st.altair_chart(figure, width="content", **kwargs)  # stretching would break equal aspect


def plugin_select(label: str, registry: Any, key: str, default: str, container: Any = st) -> str:
    """Select box of a registry's plugins, showing labels, with the plugin's *name* in the URL.

    ``bind="query-params"`` would put the displayed label in the URL; links carry slugs, so this
    one widget syncs by hand: read ``?<key>=<name>`` once per session, write it back on change.
    """
    names = registry.names()
    if key not in st.session_state:
        requested = st.query_params.get(key)
        st.session_state[key] = requested if requested in names else (default if default in names else names[0])
    elif st.session_state[key] not in names:  # its plugin vanished (file removed): fall back
        st.session_state[key] = default if default in names else names[0]
    name = container.selectbox(label, names, key=key, format_func=lambda slug: registry[slug].label)
    if name == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = name
    return name


def parse_n_list(text: str, width: Param, limit: int) -> list[int]:
    """``"2, 3, 5"`` → ``[2, 3, 5]``, each checked against the transform's ``n`` declaration."""
    parts = [part.strip() for part in str(text).replace(";", ",").split(",") if part.strip()]
    if not parts:
        raise ValueError("enter at least one width n, e.g. 2, 3, 5, 15, 30")
    if len(parts) > limit:
        raise ValueError(f"at most {limit} widths, got {len(parts)}")
    values = []
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise ValueError(f"{part!r} is not a number; enter widths like 2, 3, 5, 15, 30") from None
        values.append(width.validate(number, "n"))
    return list(dict.fromkeys(values))


def cached_explore(manifold: str, transform: str, n_points: int, seed: int, noise: float,
                   manifold_params: dict, transform_params: dict) -> Exploration:
    """:func:`explorer.explore`, cached per configuration: a rerun that changes only a view option
    (colour, 3-D projection, points drawn) recomputes nothing.

    One cache shared by every session (an Exploration's arrays are read-only, so all can share one
    object), bounded by entries (8) and by bytes (1/4 of the memory limit of :mod:`explorer.budget`,
    175 MB by default): many visitors asking for different large results can't grow memory
    without end. (``st.cache_resource`` bounds entries only: 8 results of 1,000,000 points would
    keep over 1 GB.)
    """
    key = exploration_key(manifold, transform, n_points, seed, noise, manifold_params, transform_params)

    def compute() -> Exploration:
        with st.spinner("Computing…"):
            return explore(manifold, transform, n_points=n_points, seed=seed, noise=noise,
                           manifold_params=manifold_params, transform_params=transform_params)

    return RESULTS.get(key, compute)


def exploration_key(manifold: str, transform: str, n_points: int, seed: int, noise: float,
                    manifold_params: Mapping, transform_params: Mapping) -> tuple:
    """The hashable key of one exploration's inputs: :func:`cached_explore`'s, and the key of what
    the page derives from a result (see :func:`result_key`)."""
    return (manifold, transform, n_points, seed, noise, _frozen(manifold_params), _frozen(transform_params))


def result_key(result: Exploration) -> tuple:
    """:func:`exploration_key` of the inputs that made ``result``."""
    return exploration_key(result.manifold, result.transform, result.n_points, result.seed, result.noise,
                           result.manifold_params, result.transform_params)


def _exploration_bytes(result: Exploration) -> int:
    return sum(array.nbytes for array in (result.original, result.t, result.embedded, result.projected, result.active)
               if array is not None)


def _frozen(params: Any) -> Any:
    return tuple(sorted(params.items(), key=lambda item: str(item[0]))) if isinstance(params, Mapping) else params


def cached_sweep(manifold: str, transform: str, n_values: tuple[int, ...], seeds: tuple[int, ...], n_points: int,
                 noise: float, manifold_params: dict, transform_params: dict, _progress=None):
    """:func:`explorer.sweep`, cached (16 tables, shared by every session; each caller gets its own
    copy); ``_progress`` (not part of the cache key) gets the done fraction.

    Not ``st.cache_data``: it records the progress bar's updates made inside the call and replays
    them on a cache hit, where that bar belongs to another session's run and replaying fails.
    """
    key = (manifold, transform, tuple(n_values), tuple(seeds), n_points, noise, _frozen(manifold_params),
           _frozen(transform_params))
    table = SWEEPS.get(key, lambda: sweep(manifold, transform, n_values=list(n_values), seeds=list(seeds),
                                          n_points=n_points, noise=noise, manifold_params=manifold_params,
                                          transform_params=transform_params, progress=_progress))
    return table.copy()


RESULTS = budget.ResultCache(size=_exploration_bytes)
SWEEPS = budget.ResultCache(size=lambda table: int(table.memory_usage(deep=True).sum()), max_entries=16)
cached_explore.clear = RESULTS.clear  # as on a st.cache_resource function
cached_sweep.clear = SWEEPS.clear


_LINK = "_link_requested"
_LINK_NOTES = "_link_ignored"


def remember_link() -> None:
    """On a session's first run, keep what its link asked for (key → values) to check it later."""
    if _LINK not in st.session_state:
        st.session_state[_LINK] = {key: st.query_params.get_all(key) for key in st.query_params}


def report_link(container: Any, declarations: Mapping[str, Param], known: set[str]) -> None:
    """Say, in ``container``, which values of the opening link were not used (until dismissed).

    Run after every widget is drawn: it compares the link with the widgets' values.
    """
    requested = st.session_state.get(_LINK)
    if requested is not None and _LINK_NOTES not in st.session_state:
        shown = {key: st.session_state[key] for key in requested if key in st.session_state}
        st.session_state[_LINK_NOTES] = ignored_values(requested, shown, declarations, known)
    notes = st.session_state.get(_LINK_NOTES)
    if notes:
        with container:
            st.warning("Some values in the link were not used:\n" + "\n".join(f"- {line}" for line in notes),
                       icon=":material/link_off:")
            st.button("Dismiss", key="_dismiss_link", on_click=lambda: st.session_state.update({_LINK_NOTES: []}))


def downloads(key: str, files: Mapping[str, tuple]) -> None:
    """A row of download buttons, ``label → (make_bytes, file name, MIME type)``; each file is
    made only when its button is clicked (Streamlit's deferred download)."""
    for column, (label, (make, file_name, mime)) in zip(st.columns(len(files) + 2), files.items()):
        column.download_button(label, make, file_name, mime, key=f"{key}.{file_name}",
                               icon=":material/download:", on_click="ignore", width="stretch")


def figure_downloads(name: str, build_chart: Callable[[], Any]) -> dict:
    """SVG and PNG entries for :func:`downloads`; the chart is built and rendered only when clicked."""
    return {"Figure (SVG)": (lambda: export.chart_svg(build_chart()), f"{name}.svg", "image/svg+xml"),
            "Figure (PNG)": (lambda: export.chart_png(build_chart()), f"{name}.png", "image/png")}
