"""Pure chart builders: arrays in, Altair (2-D) or Plotly (3-D) figures out. No Streamlit.

Every view of one exploration shares one :class:`Colouring`, so a point keeps its colour across
views. Data go out as float32: the browser draws single precision anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

VIEW_SIZE = 300  # px; 2-D views are square so that equal axis spans mean equal aspect
POINT_SIZE_2D = 6
POINT_SIZE_3D = 2


@dataclass(frozen=True)
class Colouring:
    """Per-point colour values (N,), and how to map them.

    ``kind`` is ``"continuous"`` (``domain`` = (low, high), viridis) or ``"category"``
    (``domain`` = category names, ``colours`` = one CSS colour each).
    """

    values: np.ndarray
    title: str
    kind: str = "continuous"
    domain: tuple = ()
    colours: tuple[str, ...] = ()

    @classmethod
    def by_value(cls, values: np.ndarray, title: str) -> "Colouring":
        values = np.asarray(values, dtype=np.float32)
        low, high = float(values.min()), float(values.max())
        return cls(values, title, "continuous", (low, high if high > low else low + 1.0))

    @classmethod
    def by_category(cls, labels: np.ndarray, title: str, categories: tuple[str, ...],
                    colours: tuple[str, ...]) -> "Colouring":
        return cls(np.asarray(labels), title, "category", categories, colours)

    def vega_scale(self) -> alt.Scale:
        if self.kind == "continuous":
            return alt.Scale(scheme="viridis", domain=list(self.domain))
        return alt.Scale(domain=list(self.domain), range=list(self.colours))

    def plotly_marker(self, size: int, legend: bool = True) -> dict:
        if self.kind == "continuous":
            return dict(size=size, color=self.values, colorscale="Viridis", cmin=self.domain[0],
                        cmax=self.domain[1], showscale=legend,
                        colorbar=dict(title=dict(text=self.title), thickness=12, len=0.8))
        lookup = dict(zip(self.domain, self.colours))
        return dict(size=size, color=[lookup[label] for label in self.values])


def square_domain(points: np.ndarray, padding: float = 0.05) -> tuple[list[float], list[float]]:
    """x and y domains of equal span centred on ``points`` (N, 2): equal aspect in a square chart."""
    low, high = points.min(axis=0), points.max(axis=0)
    centre = (low + high) / 2
    half = max(float(np.max(high - low)) / 2, 1e-9) * (1 + padding)
    return [float(centre[0] - half), float(centre[0] + half)], [float(centre[1] - half), float(centre[1] + half)]


def scatter_2d(points: np.ndarray, colouring: Colouring, title: str, axes: tuple[str, str] = ("x₁", "x₂"),
               subtitle: str = "", size: int = VIEW_SIZE, legend: bool = True) -> alt.Chart:
    """Square, equal-aspect scatter of ``points`` (N, 2), coloured by ``colouring``.

    Draw it at its own size (``st.altair_chart(..., width="content")``): stretching breaks the aspect.
    """
    x_domain, y_domain = square_domain(points)
    data = pd.DataFrame({"x": points[:, 0].astype(np.float32), "y": points[:, 1].astype(np.float32),
                         "c": colouring.values})
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle or alt.Undefined))
        .mark_circle(size=POINT_SIZE_2D, opacity=0.85)
        .encode(
            x=alt.X("x:Q", title=axes[0], scale=alt.Scale(domain=x_domain, nice=False, zero=False)),
            y=alt.Y("y:Q", title=axes[1], scale=alt.Scale(domain=y_domain, nice=False, zero=False)),
            color=alt.Color("c:Q" if colouring.kind == "continuous" else "c:N", title=colouring.title,
                            scale=colouring.vega_scale(),
                            legend=alt.Legend(orient="right") if legend else None),
        )
        .properties(width=size, height=size)
    )


def scatter_3d(points: np.ndarray, colouring: Colouring, title: str, axes: tuple[str, str, str] = ("x₁", "x₂", "x₃"),
               subtitle: str = "", aspect: str = "data", size: int = VIEW_SIZE, legend: bool = True) -> go.Figure:
    """Rotatable 3-D scatter of ``points`` (N, 3). ``aspect="data"`` keeps true proportions."""
    points = points.astype(np.float32)
    figure = go.Figure(go.Scatter3d(
        x=points[:, 0], y=points[:, 1], z=points[:, 2], mode="markers",
        marker=colouring.plotly_marker(POINT_SIZE_3D, legend), hoverinfo="skip",
    ))
    heading = f"{title}<br><sup>{subtitle}</sup>" if subtitle else title
    figure.update_layout(
        title=dict(text=heading, font=dict(size=13), x=0.01, xanchor="left", yref="container", y=0.96,
                   yanchor="top"),
        height=size + 80, margin=dict(l=10, r=10, t=50, b=10),
        scene=dict(aspectmode=aspect, xaxis_title=axes[0], yaxis_title=axes[1], zaxis_title=axes[2],
                   camera=dict(eye=dict(x=1.6, y=1.6, z=1.0)), domain=dict(x=[0, 1], y=[0, 1])),
        showlegend=False,
    )
    return figure


def scatter(points: np.ndarray, colouring: Colouring, title: str, axes: tuple[str, ...], subtitle: str = "",
            aspect: str = "data", legend: bool = True):
    """A 2-D Altair chart or a 3-D Plotly figure, by the number of columns of ``points`` (N, 1..3).

    One column is drawn against the colour value (usually t) so that a 1-D embedding is still visible.
    """
    k = points.shape[1]
    if k == 3:
        return scatter_3d(points, colouring, title, axes, subtitle, aspect, legend=legend)
    if k == 1:
        along = colouring.values if colouring.kind == "continuous" else np.arange(len(points))
        points = np.column_stack([points[:, 0], along.astype(np.float64)])
        axes = (axes[0], colouring.title if colouring.kind == "continuous" else "point index")
    return scatter_2d(points, colouring, title, axes, subtitle, legend=legend)


FIGURE1_PANEL = 230  # px per small multiple


def figure1_grid(original: np.ndarray, t: np.ndarray, panels: list[tuple[int, np.ndarray, dict]],
                 columns: int = 3) -> alt.ConcatChart:
    """The paper's Figure 1: ``original`` (N, d), then each ``(n, projected (N, d), metrics)``.

    Each panel is square with equal axes; all share the colour scale of ``t`` (N,). Points in R³
    are shown on their (x₁, x₂) plane.
    """
    colouring = Colouring.by_value(t, "t")
    charts = [scatter_2d(original[:, :2], colouring, "Input", subtitle=f"{len(t):,} points",
                         size=FIGURE1_PANEL, legend=False)]
    for n, projected, measured in panels:
        facts = [f"{label} {measured[key]:.1%}" for key, label in (("lossy_fraction", "lossy"),
                                                                     ("collapse_fraction", "collapsed"))
                 if key in measured]
        charts.append(scatter_2d(projected[:, :2], colouring, f"n = {n}", subtitle=" · ".join(facts),
                                 size=FIGURE1_PANEL, legend=n == panels[-1][0]))
    return alt.concat(*charts, columns=columns).resolve_scale(x="independent", y="independent")


def sweep_chart(table: pd.DataFrame) -> alt.FacetChart:
    """Each metric against n (log axis): mean over seeds, its 10–90 % band, and for the lossy
    fraction the theory Σ_{k<d} C(n,k)/2ⁿ dashed. ``table`` is :func:`explorer.sweep.sweep`'s."""
    from explorer.metrics import METRIC_LABELS
    from explorer.sweep import sweep_summary

    summary = sweep_summary(table)
    theory = summary[summary["metric"] == "lossy_theory"].set_index("n")["mean"]
    data = summary[summary["metric"] != "lossy_theory"].copy()
    data["theory"] = np.where(data["metric"] == "lossy_fraction", data["n"].map(theory), np.nan)
    data["metric"] = data["metric"].map(lambda name: METRIC_LABELS.get(name, name))
    n_axis = alt.X("n:Q", title="embedding width n", scale=alt.Scale(type="log", nice=False),
                   axis=alt.Axis(values=sorted(data["n"].unique().tolist()), format="d"))
    band = alt.Chart().mark_area(opacity=0.25, color="#3b528b").encode(n_axis, alt.Y("low:Q", title=None),
                                                                        alt.Y2("high:Q"))
    mean = alt.Chart().mark_line(point=True, color="#3b528b").encode(
        n_axis, alt.Y("mean:Q"), tooltip=["metric:N", "n:Q", alt.Tooltip("mean:Q", format=".4f"),
                                          alt.Tooltip("low:Q", format=".4f"), alt.Tooltip("high:Q", format=".4f")])
    theory_line = alt.Chart().mark_line(strokeDash=[6, 4], color="#d62728").encode(
        n_axis, alt.Y("theory:Q"), tooltip=[alt.Tooltip("theory:Q", format=".4f", title="theory")]
    ).transform_filter("isValid(datum.theory)")
    return (
        alt.layer(band, mean, theory_line, data=data)
        .properties(width=330, height=200)
        .facet(facet=alt.Facet("metric:N", title=None, sort=[METRIC_LABELS.get(m, m) for m in METRIC_LABELS]),
               columns=2)
        .resolve_scale(y="independent")
        .properties(title=alt.Title("Measured over seeds (line: mean, band: 10th–90th percentile); "
                                    "dashed red: theory for ReLU with Gaussian T", fontSize=12))
    )


def three_views_static(original: np.ndarray, projected: np.ndarray, embedded_view: np.ndarray,
                       embedded_axes: tuple[str, ...], colouring: Colouring, titles: tuple[str, str, str],
                       note: str) -> alt.HConcatChart:
    """The three views as one flat figure for export (SVG/PNG): original and projected (N, d) on
    their (x₁, x₂) plane, the embedding (N, k) on its first two axes. Square, equal-aspect panels."""
    plane = " on the (x₁, x₂) plane" if original.shape[1] == 3 else ""
    panels = [
        scatter_2d(original[:, :2], colouring, titles[0], subtitle=plane.strip(), legend=False),
        scatter_2d(projected[:, :2], colouring, titles[1], subtitle=plane.strip(), legend=False),
    ]
    if embedded_view.shape[1] >= 2:
        panels.append(scatter_2d(embedded_view[:, :2], colouring, titles[2], axes=embedded_axes[:2], subtitle=note))
    else:
        panels.append(scatter(embedded_view, colouring, titles[2], embedded_axes, subtitle=note))
    return alt.hconcat(*panels).resolve_scale(x="independent", y="independent")
