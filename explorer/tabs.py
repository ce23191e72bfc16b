"""The page's Figure 1 and Sweep tabs (the three views are in :mod:`explorer.views_tab`).

Each ``*_tab`` function draws one tab from an already validated configuration; computing goes
through the cached engine calls in :mod:`explorer.ui`.
"""

from __future__ import annotations

import streamlit as st

from explorer import export
from explorer.charts import sweep_chart
from explorer.plugins import Param
from explorer.ui import as_text, cached_explore, cached_sweep, downloads, figure_downloads, parse_n_list, show_chart

FIGURE1_CAP = 10_000  # points drawn per Figure-1 panel
FIGURE1_DEFAULT = "2, 3, 5, 15, 30"
# URL keys of the tabs' own controls: valid in a link even while their tab is closed.
TAB_KEYS = {"tab", "colour", "view3d", "units", "display", "morph", "figure1.n", "sweep.n", "sweep.seeds",
            "sweep.points"}


def figure1_widths(width_param: Param | None) -> list[int] | None:
    """The Figure-1 widths of the link (or the default), also when the Figure 1 tab is closed."""
    if width_param is None:
        return None
    try:
        return parse_n_list(st.query_params.get("figure1.n", FIGURE1_DEFAULT), width_param, limit=8)
    except ValueError:
        return parse_n_list(FIGURE1_DEFAULT, width_param, limit=8)


def figure1_tab(config: dict, width_param) -> None:
    """The paper's Figure 1: the input, then the projected-back result for several n, measured."""
    if width_param is None:
        st.info(f"Transform '{config['transform']}' has no width parameter n, so there is no Figure 1 to draw.")
        return
    text = st.text_input("Embedding widths n", FIGURE1_DEFAULT, key="figure1.n", bind="query-params",
                         help="Comma-separated widths, one panel each (at most 8)")
    try:
        n_values = parse_n_list(text, width_param, limit=8)
    except ValueError as error:
        st.error(as_text(error))
        return

    def compute_runs():
        return export.figure1_runs(config["manifold"], config["transform"], n_values, n_points=config["n_points"],
                                   seed=config["seed"], noise=config["noise"],
                                   manifold_params=config["manifold_params"],
                                   transform_params=config["transform_params"], explore_fn=cached_explore)

    try:
        runs = compute_runs()
    except ValueError as error:
        st.error(as_text(error))
        return
    if runs[0][1].d == 3:
        st.caption("Knots live in R³: each panel shows them from above, on the (x₁, x₂) plane.")
    if config["n_points"] > FIGURE1_CAP:
        st.caption(f"Each panel draws {FIGURE1_CAP:,} of the {config['n_points']:,} points (an even stride "
                   "along t); the measurements in the titles use all of them.")
    show_chart(export.figure1_from_runs(runs, FIGURE1_CAP))
    # The download holds how to compute the runs (cached), not the runs themselves.
    downloads("figure1", figure_downloads("figure1", lambda: export.figure1_from_runs(compute_runs(), FIGURE1_CAP)))


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
        st.error(as_text(error))
        return
    bar = st.progress(0.0, text="Sweeping…")
    try:
        table = cached_sweep(config["manifold"], config["transform"], tuple(n_values),
                             tuple(range(config["seed"], config["seed"] + seeds)), n_points, config["noise"],
                             config["manifold_params"], config["transform_params"],
                             _progress=lambda done: bar.progress(done, text=f"Sweeping… {done:.0%}"))
    except ValueError as error:
        st.error(as_text(error))
        return
    finally:
        bar.empty()
    show_chart(sweep_chart(table))
    st.download_button("Download table (CSV)", table.to_csv(index=False), "sweep.csv", "text/csv",
                       icon=":material/download:")
    with st.expander("Table"):
        st.dataframe(table, hide_index=True)
