"""The "Three views" tab: original, projected back and embedded, linked by one colour scale and one
selection, with the metrics, the morph X → X' and downloads. Streamlit UI code."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import streamlit as st

from explorer import export
from explorer import metrics as metric_info
from explorer.charts import scatter, three_views_static
from explorer.colouring import Colouring
from explorer.depth import depth_chart
from explorer.interactive import BRUSH, animation, brushed, linked_views, morph_frames
from explorer.pipeline import Exploration
from explorer.plugins import Param
from explorer.projection import view_embedding
from explorer.regions import activation_regions, active_counts
from explorer.sampling import DISPLAY_CAP, display_rows
from explorer.ui import (as_text, cached_explore, downloads, figure_downloads, param_widget, result_key,
                         show_chart)

COLOUR_MODES = ("t", "lost / kept", "active units", "activation region")
LOST_KEPT = (("kept", "lost"), ("#b8c4d6", "#d62728"))
REGION_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#17becf")
OTHER_REGIONS = "#c7c7c7"
MORPH_CAP = 5_000  # points per morph frame: every frame is sent once, up front
DISPLAY = Param(DISPLAY_CAP, min=1_000, max=200_000, step=1_000,
                help="At most this many points are drawn per view (an even stride along t); "
                     "every computation and metric uses all points")
VIEW_METHODS = {"PCA": "pca", "coordinates": "coordinates", "random": "random"}


def three_views_tab(result: Exploration, manifold_label: str, figure1_widths: list[int] | None) -> None:
    """The tab, top to bottom: view options, the three views, metrics (and the selection's), morph."""
    options = st.columns(4)
    modes = COLOUR_MODES if result.active is not None else COLOUR_MODES[:1]
    mode = options[0].selectbox("Colour by", modes, key="colour", bind="query-params", help=COLOUR_HELP)
    projection = embedding_options(result.n, options[1], options[2])
    with options[3]:
        rows = display_rows(result.t, param_widget("display", "points drawn per view", DISPLAY))
    shown = sample(result, rows)
    colouring = point_colouring(result.active[rows] if result.active is not None else None, result.t[rows],
                                result.d, mode)
    if len(rows) < result.n_points:
        st.caption(f"Drawing {len(rows):,} of {result.n_points:,} points in each view (an even stride along t); "
                   "metrics and downloads use all of them.")

    t_range = st.slider("Select a range of t", float(result.t.min()), float(result.t.max()),
                        (float(result.t.min()), float(result.t.max())), key="select.t",
                        help="Highlights these points in every view and measures them below. In a 2-D "
                             "view you can also drag a box on the original.")
    by_t = (result.t >= t_range[0]) & (result.t <= t_range[1])
    selection = None if by_t.all() else by_t

    axes = tuple(f"x{'₁₂₃'[i]}" for i in range(result.d))
    space = f"R{'²³'[result.d - 2]}"
    titles = (f"Original X in {space}", f"Projected back X' in {space}", f"Embedded Y in Rⁿ, n = {result.n}")
    subtitles = (f"{manifold_label}, {result.n_points:,} points",
                 f"n = {result.n}, {result.transform_params.get('activation', result.transform)}")
    try:
        view = view_embedding(shown.embedded, **projection)
    except ValueError as error:
        view = None
        st.info(as_text(error))

    if result.d == 2:
        pair, right = st.columns([2, 1])
        with pair:
            event = st.altair_chart(
                linked_views(shown.original, shown.projected, colouring, titles[:2], subtitles,
                             None if selection is None else selection[rows]),
                on_select="rerun", selection_mode=BRUSH, key="linked_views", width="content")
        box = brushed(result.original, (event or {}).get("selection", {}).get(BRUSH))
        if box is not None:
            selection = box if selection is None else selection & box
    else:
        left, middle, right = st.columns(3)
        with left:
            show_chart(scatter(shown.original, colouring, titles[0], axes, legend=False, subtitle=subtitles[0],
                               selected=None if selection is None else selection[rows]))
        with middle:
            show_chart(scatter(shown.projected, colouring, titles[1], axes, legend=False, subtitle=subtitles[1],
                               selected=None if selection is None else selection[rows]))
    if view is not None:
        with right:
            show_chart(scatter(view.points, colouring, titles[2], view.axes, subtitle=view.note,
                               selected=None if selection is None else selection[rows]))

    metrics_row(result)
    if selection is not None:
        selection_row(result, selection)
    if result.transform == "deep_stack":
        st.subheader("Layer by layer", help="X' after each layer of the stack: how the manifold degrades with depth")
        show_chart(_depth_chart(result_key(result), result))
    every = max(1, len(rows) // MORPH_CAP)
    morph_section(result, rows[::every], colouring.take(np.arange(0, len(rows), every)), figure1_widths)
    if view is not None:
        # The buttons keep their functions per session: they hold the inputs, not the (large) result.
        inputs = export.exploration_config(result)
        inputs.pop("metrics")
        downloads("three_views", {
            "Points (CSV)": (lambda: export.points_csv(cached_explore(**inputs)), "points.csv", "text/csv"),
            "Points (NPZ)": (lambda: export.points_npz(cached_explore(**inputs)), "points.npz",
                             "application/octet-stream"),
            **figure_downloads("three-views", lambda: three_views_static(
                shown.original, shown.projected, view.points, view.axes, colouring, titles, view.note)),
        })


COLOUR_HELP = ("**t**: position along the manifold. **lost / kept**: red where fewer than d units are "
               "active, so the layer cannot be inverted there. **active units**: how many of the n units "
               "are active. **activation region**: points with the same set of active units share a colour "
               "— on each region the layer is one linear map.")


def embedding_options(n: int, method_column, units_column) -> dict:
    """The controls of the 3-D view of Rⁿ (only when n > 3); returns view_embedding's options."""
    if n <= 3:
        return {}
    method = method_column.selectbox("3-D view of Rⁿ", list(VIEW_METHODS), key="view3d", bind="query-params",
                                     help="PCA: the three directions of largest variance (with the share of "
                                          "variance they explain). coordinates: three units of your choice. "
                                          "random: a random orthonormal projection")
    options = {"method": VIEW_METHODS[method]}
    if method == "coordinates":
        units = units_column.multiselect(f"Units (of {n})", list(range(1, n + 1)), default=[1, 2, 3],
                                         max_selections=3, key="units", bind="query-params")
        options["coordinates"] = tuple(unit - 1 for unit in units)
    return options


def point_colouring(active: np.ndarray | None, t: np.ndarray, d: int, mode: str) -> Colouring:
    """The colour of each drawn point (``t`` (N,), ``active`` (N, n) bool or None) for ``mode``."""
    if active is None or mode == "t":
        return Colouring.by_value(t, "t")
    if mode == "lost / kept":
        return Colouring.by_category(metric_info.lossy_mask(active, d), "point", *LOST_KEPT)
    if mode == "active units":
        return Colouring.by_value(active_counts(active), "active units")
    regions = activation_regions(active)
    largest = np.argsort(-regions.sizes, kind="stable")[: len(REGION_COLOURS)]
    code_of_region = np.full(len(regions.sizes), len(largest), dtype=np.uint8)
    code_of_region[largest] = np.arange(len(largest))
    names = tuple(_short(regions.describe(region)) for region in largest)
    if len(regions.sizes) > len(largest):
        names += (f"{len(regions.sizes) - len(largest)} other regions",)
    colours = REGION_COLOURS[: len(largest)] + (OTHER_REGIONS,) * (len(names) - len(largest))
    return Colouring.by_category(code_of_region[regions.index], f"region ({len(regions.sizes)})", names, colours)


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def metrics_row(result: Exploration) -> None:
    """One ``st.metric`` per measurement, with its one-line explanation as hover help; the lossy
    fraction of the paper's layer also shows its theory (an average over random T)."""
    for column, (name, value) in zip(st.columns(len(result.metrics)), result.metrics.items()):
        column.metric(metric_info.METRIC_LABELS.get(name, name), f"{value:.3g}",
                      help=metric_info.METRIC_HELP.get(name))
        if name == "lossy_fraction" and is_paper_layer(result):
            column.caption(f"theory, averaged over T: {metric_info.lossy_theory(result.n, result.d):.3g}")


def selection_row(result: Exploration, selection: np.ndarray) -> None:
    """The measurements restricted to the selected points (``selection`` (N,) bool)."""
    count = int(selection.sum())
    facts = [f"**Selection:** {count:,} of {result.n_points:,} points"]
    if count:
        if result.active is not None:
            facts.append(f"lossy {metric_info.lossy_mask(result.active[selection], result.d).mean():.1%}")
        facts.append(f"collapsed {selected_collapse(result)[selection].mean():.1%}")
        error = np.sqrt(np.mean(np.sum((result.projected[selection] - result.original[selection]) ** 2, axis=1)))
        facts.append(f"reconstruction error {error / metric_info.rms_spread(result.original):.3g} "
                     "(relative to the whole manifold's size)")
    st.markdown(" · ".join(facts))


def selected_collapse(result: Exploration) -> np.ndarray:
    """(N,) bool collapse mask of ``result``, computed once per exploration."""
    return _collapse_mask(result_key(result), result)


@st.cache_resource(max_entries=4, show_spinner="Running the stack layer by layer…")
def _depth_chart(key: tuple, _result: Exploration):
    """Cached by ``key``; ``_result`` is not hashed."""
    return depth_chart(_result, MORPH_CAP)


@st.cache_resource(max_entries=8, show_spinner=False)
def _collapse_mask(key: tuple, _result: Exploration) -> np.ndarray:
    """Cached by ``key`` (the exploration's inputs); ``_result`` is not hashed."""
    return metric_info.collapse_mask(_result.original, _result.embedded)


def is_paper_layer(result: Exploration) -> bool:
    """ReLU through a Gaussian T: where lossy_theory applies."""
    return result.transform == "relu" and result.transform_params.get("activation") == "relu"


def morph_section(result: Exploration, rows: np.ndarray, colouring: Colouring, widths: list[int] | None) -> None:
    """Every point moving from X to X' (s from 0 to 1), or X' stepping through the Figure-1 widths n.

    ``rows`` (M,) the points to animate, ``colouring`` their colours (M codes)."""
    st.subheader("Morph", help="Plays in the browser: the frames are sent once, so the slider and Play "
                               "need no round trip to the server.")
    choices = ["off", "X → X'"] + (["over n"] if widths else [])
    mode = st.radio("Animate", choices, horizontal=True, key="morph", bind="query-params",
                    help="X → X': (1 − s)·X + s·X'. over n: the projected-back points for each Figure-1 width. "
                         "Off by default: the frames are sent only when asked for")
    if mode == "off":
        return
    if mode == "over n":
        config = dict(manifold=result.manifold, transform=result.transform, n_points=result.n_points,
                      seed=result.seed, noise=result.noise, manifold_params=result.manifold_params)
        frames = [("input", result.original[rows])]
        for n in widths:
            run = cached_explore(**config, transform_params={**result.transform_params, "n": n})
            frames.append((f"n = {n}", run.projected[rows]))
        figure = animation(frames, colouring, "X' for each width n", "n")
    else:
        figure = animation(morph_frames(result.original[rows], result.projected[rows]), colouring,
                           "(1 − s)·X + s·X'", "s")
    left, _ = st.columns([2, 1])
    with left:
        show_chart(figure, key="morph_chart")


def sample(result: Exploration, rows: np.ndarray):
    """The rows of ``result`` a view draws: original, projected (len(rows), d), embedded (len(rows), n)."""
    if len(rows) == result.n_points:
        return result
    return SimpleNamespace(original=result.original[rows], projected=result.projected[rows],
                           embedded=result.embedded[rows])
