"""The page's two helpers for newcomers: the gallery of presets and "What am I looking at?"."""

from __future__ import annotations

import streamlit as st

from explorer.gallery import PRESETS

PAPER = "https://arxiv.org/abs/1801.04381"


def gallery() -> None:
    """A row of preset cards, each a link that opens that exact state."""
    for column, preset in zip(st.columns(len(PRESETS)), PRESETS):
        with column.container(border=True, height="stretch"):
            st.markdown(f"**{preset.title}**")
            st.caption(preset.story)
            st.markdown(f"[Open :material/arrow_forward:]({preset.link})")


def explanation() -> None:
    """The math of the page in a few lines, with a link to the paper."""
    st.markdown(
        "A curve (or knot) is sampled as points $X \\in \\mathbb{R}^{N\\times d}$, each with its position "
        "$t$ along the curve — the colour. A random layer embeds it in a wider space and applies an "
        "activation; the page then projects it back and compares:"
    )
    st.latex(r"Y = \operatorname{act}(X T^\top) \in \mathbb{R}^{N \times n}, \qquad "
             r"X' = Y\,(T^{+})^\top \in \mathbb{R}^{N\times d}, \qquad T_{ij} \sim \mathcal{N}(0, 1)")
    st.markdown(
        "**Original** is $X$, **Projected back** is $X'$, **Embedded** is $Y$ seen in 3-D. Where fewer "
        "than $d$ of the $n$ units are active, the layer squashes a neighbourhood flat and cannot be "
        "undone (the *lossy* points, red under *lost / kept*). For a Gaussian $T$ and ReLU that happens "
        "with probability"
    )
    st.latex(r"P_\text{lossy}(n, d) = \frac{1}{2^n} \sum_{k<d} \binom{n}{k}"
             r"\qquad (d = 2:\ 0.75,\ 0.5,\ 0.19 \text{ at } n = 2, 3, 5)")
    st.markdown(
        "so narrow layers destroy the manifold and wide ones keep it: the argument of "
        f"[MobileNetV2: Inverted Residuals and Linear Bottlenecks]({PAPER}) (Sandler et al., 2018, "
        "Figure 1) for keeping the narrow layers linear. The *Figure 1* tab reproduces that figure with "
        "measurements on it; the *Sweep* tab checks the formula above against many random layers."
    )
