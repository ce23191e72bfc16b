"""Manifold Explorer — the page. Read top to bottom: controls, compute, tabs, link check."""

from __future__ import annotations

import streamlit as st

import manifolds
import transforms
from explorer.guide import explanation, gallery
from explorer.pipeline import ENGINE_PARAMS
from explorer.plugins import Param
from explorer.tabs import TAB_KEYS, figure1_tab, figure1_widths, sweep_tab
from explorer.ui import (as_text, cached_explore, param_widget, param_widgets, plugin_select, remember_link,
                         report_link)
from explorer.upload_ui import upload_sidebar
from explorer.views_tab import three_views_tab

st.set_page_config(page_title="Manifold Explorer", page_icon=":material/blur_on:", layout="wide")
st.title("Manifold Explorer")
st.caption(
    "What a random layer does to a low-dimensional manifold: embed it in Rⁿ with a random matrix T, "
    "apply the activation, project back with T⁺ — Figure 1 of "
    "[MobileNetV2](https://arxiv.org/abs/1801.04381), as an instrument."
)
remember_link()
link_notice = st.container()
with st.expander("Gallery: five states worth seeing", icon=":material/photo_library:"):
    gallery()
with st.expander("What am I looking at?", icon=":material/help:"):
    explanation()


# ---- Controls: every widget's key is its URL parameter -------------------------------------------

def new_random_matrix() -> None:
    """The notebook's Refresh button: the next seed draws a new T (and new noise)."""
    st.session_state["seed"] = (st.session_state.get("seed", 0) + 1) % (ENGINE_PARAMS["seed"].max + 1)


with st.sidebar:
    for failure in manifolds.registry.errors + transforms.registry.errors:
        st.warning(as_text(f"Plugin {failure.source} was not loaded — {failure.message}"), icon=":material/warning:")

    st.header("Manifold")
    manifold = plugin_select("Manifold", manifolds.registry, "manifold", default="spiral")
    manifold_params = param_widgets(manifold, manifolds.registry[manifold].params)
    if manifold == "uploaded":  # your own points: the file uploader sets manifold_params["data"]
        upload_sidebar(manifold_params)

    st.header("Transform")
    transform = plugin_select("Transform", transforms.registry, "transform", default="relu")
    transform_params = param_widgets(transform, transforms.registry[transform].params)

    st.header("Sample")
    n_points = param_widget("n_points", "points", ENGINE_PARAMS["n_points"])
    noise = param_widget("noise", "noise", ENGINE_PARAMS["noise"])
    seed = param_widget("seed", "seed", ENGINE_PARAMS["seed"])
    st.button("New random matrix", on_click=new_random_matrix, icon=":material/casino:", width="stretch",
              help="Draw a new T: the next seed (the notebook's Refresh button)")
    st.caption(":material/link: The address bar is the link: it holds every setting, so copying it "
               "shares exactly these figures.")

config = dict(manifold=manifold, transform=transform, n_points=n_points, seed=seed, noise=noise,
              manifold_params=manifold_params, transform_params=transform_params)
width_param = transforms.registry[transform].params.get("n")


# ---- Compute and show: only the open tab runs ----------------------------------------------------

try:
    result = cached_explore(**config)
except ValueError as error:
    st.error(as_text(error), icon=":material/error:")
else:
    views, figure1, sweep = st.tabs(["Three views", "Figure 1", "Sweep over n"], key="tab", bind="query-params")
    if views.open:
        with views:
            three_views_tab(result, manifolds.registry[manifold].label, figure1_widths(width_param))
    if figure1.open:
        with figure1:
            figure1_tab(config, width_param)
    if sweep.open:
        with sweep:
            sweep_tab(config, width_param)


# ---- Which values of the opening link could not be used -----------------------------------------

report_link(link_notice, known=TAB_KEYS, declarations={
    "manifold": Param(manifold, choices=manifolds.registry.names()),
    "transform": Param(transform, choices=transforms.registry.names()),
    **ENGINE_PARAMS,
    **{f"{manifold}.{name}": param for name, param in manifolds.registry[manifold].params.items()},
    **{f"{transform}.{name}": param for name, param in transforms.registry[transform].params.items()},
})
