"""The page's tabs: three views, the paper's Figure 1, the sweep over n. Streamlit UI code.

Each ``*_tab`` function draws one tab from an already validated configuration; computing goes
through the cached engine calls in :mod:`explorer.ui`.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import streamlit as st

from explorer import metrics as metric_info
from explorer import export
from explorer.charts import scatter, sweep_chart, three_views_static
from explorer.colouring import Colouring
from explorer.pipeline import Exploration
from explorer.plugins import Param
from explorer.projection import view_embedding
from explorer.sampling import DISPLAY_CAP, display_rows
from explorer.ui import cached_explore, cached_sweep, downloads, param_widget, parse_n_list, show_chart

FIGURE1_CAP = 10_000  # points drawn per Figure-1 panel
LOST_KEPT = (("kept", "lost"), ("#b8c4d6", "#d62728"))
# URL keys of the tabs' own controls: valid in a link even while their tab is closed.
TAB_KEYS = {"tab", "colour", "view3d", "units", "display", "figure1.n", "sweep.n", "sweep.seeds", "sweep.points"}
DISPLAY = Param(DISPLAY_CAP, min=1_000, max=200_000, step=1_000,
                help="At most this many points are drawn per view (an even stride along t); "
                     "every computation and metric uses all points")


def point_colouring(result: Exploration, mode: str) -> Colouring:
    """Colour by t (viridis), or grey = kept / red = lost (fewer than d active units)."""
    if mode == "lost / kept" and result.active is not None:
        lost = metric_info.lossy_mask(result.active, result.d)
        return Colouring.by_category(lost, "point", *LOST_KEPT)
    return Colouring.by_value(result.t, "t")


def metrics_row(result: Exploration) -> None:
    """One ``st.metric`` per measurement, with its one-line explanation as hover help; the lossy
    fraction of the paper's layer also shows its theory (an average over random T)."""
    for column, (name, value) in zip(st.columns(len(result.metrics)), result.metrics.items()):
        column.metric(metric_info.METRIC_LABELS.get(name, name), f"{value:.3g}",
                      help=metric_info.METRIC_HELP.get(name))
        if name == "lossy_fraction" and is_paper_layer(result):
            column.caption(f"theory, averaged over T: {metric_info.lossy_theory(result.n, result.d):.3g}")


def is_paper_layer(result: Exploration) -> bool:
    """ReLU through a Gaussian T: where lossy_theory applies."""
    return result.transform == "relu" and result.transform_params.get("activation") == "relu"


def three_views_tab(result: Exploration, manifold_label: str) -> None:
    """Original, projected back and embedded, side by side, sharing one colour scale."""
    options = st.columns([1, 1, 1, 1])
    modes = ["t"] + (["lost / kept"] if result.active is not None else [])
    mode = options[0].radio("Colour by", modes, horizontal=True, key="colour", bind="query-params",
                            help="t: position along the manifold. lost / kept: red where fewer than d "
                                 "units are active, so the layer cannot be inverted there")
    colouring = point_colouring(result, mode)

    projection = {}
    if result.n > 3:
        method = options[1].radio("3-D view of Rⁿ", ["PCA", "coordinates"], horizontal=True, key="view3d",
                                  bind="query-params", help="PCA: the three directions of largest variance. "
                                                            "coordinates: three units of your choice")
        projection["method"] = method.lower()
        if method == "coordinates":
            units = options[2].multiselect(f"Units (of {result.n})", list(range(1, result.n + 1)),
                                           default=[1, 2, 3], max_selections=3, key="units", bind="query-params")
            projection["coordinates"] = tuple(unit - 1 for unit in units)
    with options[3]:
        rows = display_rows(result.t, param_widget("display", "points drawn per view", DISPLAY))
    shown = sample(result, rows)
    colouring = colouring.take(rows)
    if len(rows) < result.n_points:
        st.caption(f"Drawing {len(rows):,} of {result.n_points:,} points in each view (an even stride along t); "
                   "metrics and downloads use all of them.")

    axes = tuple(f"x{'₁₂₃'[i]}" for i in range(result.d))
    space = f"R{'²³'[result.d - 2]}"
    titles = (f"Original X in {space}", f"Projected back X' in {space}", f"Embedded Y in Rⁿ, n = {result.n}")
    try:
        view = view_embedding(shown.embedded, **projection)
    except ValueError as error:
        view = None
        st.info(str(error))
    left, middle, right = st.columns(3)
    with left:
        show_chart(scatter(shown.original, colouring, titles[0], axes, legend=False,
                           subtitle=f"{manifold_label}, {result.n_points:,} points"))
    with middle:
        show_chart(scatter(shown.projected, colouring, titles[1], axes, legend=False,
                           subtitle=f"n = {result.n}, {result.transform_params.get('activation', result.transform)}"))
    if view is not None:
        with right:
            show_chart(scatter(view.points, colouring, titles[2], view.axes, subtitle=view.note))
    metrics_row(result)
    if view is not None:
        downloads("three_views", {
            "Points (CSV)": (lambda: export.points_csv(result), "points.csv", "text/csv"),
            "Points (NPZ)": (lambda: export.points_npz(result), "points.npz", "application/octet-stream"),
            **figure_downloads("three-views", lambda: three_views_static(
                shown.original, shown.projected, view.points, view.axes, colouring, titles, view.note)),
        })


def sample(result: Exploration, rows: np.ndarray):
    """The rows of ``result`` a view draws: original, projected (len(rows), d), embedded (len(rows), n)."""
    if len(rows) == result.n_points:
        return result
    return SimpleNamespace(original=result.original[rows], projected=result.projected[rows],
                           embedded=result.embedded[rows])


def figure_downloads(name: str, build_chart) -> dict:
    """SVG and PNG entries for :func:`explorer.ui.downloads`, rendered only when clicked."""
    return {"Figure (SVG)": (lambda: export.chart_svg(build_chart()), f"{name}.svg", "image/svg+xml"),
            "Figure (PNG)": (lambda: export.chart_png(build_chart()), f"{name}.png", "image/png")}


def figure1_tab(config: dict, width_param) -> None:
    """The paper's Figure 1: the input, then the projected-back result for several n, measured."""
    if width_param is None:
        st.info(f"Transform '{config['transform']}' has no width parameter n, so there is no Figure 1 to draw.")
        return
    text = st.text_input("Embedding widths n", "2, 3, 5, 15, 30", key="figure1.n", bind="query-params",
                         help="Comma-separated widths, one panel each (at most 8)")
    try:
        n_values = parse_n_list(text, width_param, limit=8)
    except ValueError as error:
        st.error(str(error))
        return
    try:
        runs = export.figure1_runs(config["manifold"], config["transform"], n_values, n_points=config["n_points"],
                                   seed=config["seed"], noise=config["noise"],
                                   manifold_params=config["manifold_params"],
                                   transform_params=config["transform_params"], explore_fn=cached_explore)
    except ValueError as error:
        st.error(str(error))
        return
    if runs[0][1].d == 3:
        st.caption("Knots live in R³: each panel shows them from above, on the (x₁, x₂) plane.")
    if config["n_points"] > FIGURE1_CAP:
        st.caption(f"Each panel draws {FIGURE1_CAP:,} of the {config['n_points']:,} points (an even stride "
                   "along t); the measurements in the titles use all of them.")
    show_chart(export.figure1_from_runs(runs, FIGURE1_CAP))
    downloads("figure1", figure_downloads("figure1", lambda: export.figure1_from_runs(runs, FIGURE1_CAP)))


def sweep_tab(config: dict, width_param) -> None:
    """Measured information loss against n, mean and band over seeds, with the theory curve."""
    if width_param is None:
        st.info(f"Transform '{config['transform']}' has no width parameter n to sweep.")
        return
    left, middle, right = st.columns([2, 1, 1])
    text = left.text_input("Widths n", "1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30", key="sweep.n", bind="query-params",
                           help="Comma-separated widths (at most 40)")
    seeds = middle.slider("Seeds", 1, 50, 20, key="sweep.seeds", bind="query-params",
                          help="Random matrices per n: seeds seed, seed + 1, …")
    n_points = right.select_slider("Points per run", [500, 1000, 2000, 5000, 10000], 2000, key="sweep.points",
                                   bind="query-params")
    try:
        n_values = parse_n_list(text, width_param, limit=40)
    except ValueError as error:
        st.error(str(error))
        return
    bar = st.progress(0.0, text="Sweeping…")
    try:
        table = cached_sweep(config["manifold"], config["transform"], tuple(n_values),
                             tuple(range(config["seed"], config["seed"] + seeds)), n_points, config["noise"],
                             config["manifold_params"], config["transform_params"],
                             _progress=lambda done: bar.progress(done, text=f"Sweeping… {done:.0%}"))
    except ValueError as error:
        st.error(str(error))
        return
    finally:
        bar.empty()
    show_chart(sweep_chart(table))
    st.download_button("Download table (CSV)", table.to_csv(index=False), "sweep.csv", "text/csv",
                       icon=":material/download:")
    with st.expander("Table"):
        st.dataframe(table, hide_index=True)
