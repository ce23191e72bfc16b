"""Pure chart builders: arrays in, Altair (2-D) or Plotly (3-D) figures out. No Streamlit.

Every view of one exploration shares one :class:`~explorer.colouring.Colouring`, so a point keeps
its colour across views. Data go out as float32 coordinates and a uint8 colour code: the browser
draws single precision anyway.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from explorer.colouring import Colouring, nice_ticks

VIEW_SIZE = 300  # px; 2-D views are square so that equal axis spans mean equal aspect
POINT_SIZE_2D = 6
POINT_SIZE_3D = 2
COORDINATE_LEVELS = 65535  # uint16 codes of 3-D coordinates
UNSELECTED = "#d9d9d9"  # points outside a selection


def square_domain(points: np.ndarray, padding: float = 0.05) -> tuple[list[float], list[float]]:
    """x and y domains of equal span centred on ``points`` (N, 2): equal aspect in a square chart."""
    low, high = points.min(axis=0), points.max(axis=0)
    centre = (low + high) / 2
    half = max(float(np.max(high - low)) / 2, 1e-9) * (1 + padding)
    return [float(centre[0] - half), float(centre[0] + half)], [float(centre[1] - half), float(centre[1] + half)]


def scatter_2d(points: np.ndarray, colouring: Colouring, title: str, axes: tuple[str, str] = ("x₁", "x₂"),
               subtitle: str = "", size: int = VIEW_SIZE, legend: bool = True) -> alt.Chart:
    """Square, equal-aspect scatter of ``points`` (N, 2), coloured by ``colouring`` (N codes).

    Draw it at its own size (``st.altair_chart(..., width="content")``): stretching breaks the aspect.
    """
    data = pd.DataFrame({"x": points[:, 0].astype(np.float32), "y": points[:, 1].astype(np.float32),
                         "c": colouring.codes})
    return scatter_panel(alt.Chart(data), "x", "y", points, colouring, title, axes, subtitle, size, legend)


def scatter_panel(chart: alt.Chart, x: str, y: str, points: np.ndarray, colouring: Colouring, title: str,
           axes: tuple[str, str], subtitle: str, size: int, legend: bool, highlight=None) -> alt.Chart:
    """Encode fields ``x``, ``y`` (holding ``points`` (N, 2)) and ``c`` as a square scatter panel.

    ``highlight``: an Altair predicate (a selection parameter, a ``datum`` test, or both combined
    with ``&``); points outside it are drawn grey.
    """
    x_domain, y_domain = square_domain(points)
    colour = colouring.vega_color("c", legend)
    return (
        chart.mark_circle(size=POINT_SIZE_2D, opacity=0.85)
        .encode(
            x=alt.X(f"{x}:Q", title=axes[0], scale=alt.Scale(domain=x_domain, nice=False, zero=False)),
            y=alt.Y(f"{y}:Q", title=axes[1], scale=alt.Scale(domain=y_domain, nice=False, zero=False)),
            color=alt.condition(highlight, colour, alt.value(UNSELECTED)) if highlight else colour,
        )
        .properties(width=size, height=size, title=alt.Title(title, subtitle=subtitle or alt.Undefined))
    )


def coordinate_codes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """``points`` (..., d) as uint16 codes on one scale shared by every axis (so proportions stay
    true): returns codes (..., d), origin (d,) and scale, with point = origin + code · scale."""
    flat = points.reshape(-1, points.shape[-1])
    origin = flat.min(axis=0)
    scale = max(float(np.max(flat.max(axis=0) - origin)), 1e-12) / COORDINATE_LEVELS
    return np.rint((points - origin) / scale).astype(np.uint16), origin, scale


def coded_axis(title: str, low: float, high_code: int, scale: float) -> dict:
    """A Plotly axis over codes 0..``high_code`` whose ticks are labelled in true units from ``low``."""
    values = nice_ticks(low, low + float(high_code) * scale, 5)
    return dict(title=dict(text=title), tickvals=((values - low) / scale).tolist(),
                ticktext=[f"{v:.3g}" for v in values])


def scatter_3d(points: np.ndarray, colouring: Colouring, title: str, axes: tuple[str, str, str] = ("x₁", "x₂", "x₃"),
               subtitle: str = "", aspect: str = "data", size: int = VIEW_SIZE, legend: bool = True,
               selected: np.ndarray | None = None) -> go.Figure:
    """Rotatable 3-D scatter of ``points`` (N, 3). ``aspect="data"`` keeps true proportions.

    Coordinates go out as uint16 codes on one common scale (``layout.meta`` holds ``origin`` and
    ``scale``: point = origin + code · scale), 1/65535 of the widest axis — far below a pixel — so
    the view costs 8 bytes per point in Plotly's base64 JSON instead of 16 for float32. Axis ticks
    are labelled in true units. ``selected`` (N,) bool: the first trace holds the selected points in
    colour, a second one the others in grey.
    """
    codes, origin, scale = coordinate_codes(points)
    chosen = slice(None) if selected is None else selected
    figure = go.Figure(go.Scatter3d(
        x=codes[chosen, 0], y=codes[chosen, 1], z=codes[chosen, 2], mode="markers",
        marker=colouring.take(chosen).plotly_marker(POINT_SIZE_3D, legend), hoverinfo="skip",
    ))
    if selected is not None:
        figure.add_trace(go.Scatter3d(x=codes[~selected, 0], y=codes[~selected, 1], z=codes[~selected, 2],
                                      mode="markers", hoverinfo="skip",
                                      marker=dict(size=POINT_SIZE_3D, color=UNSELECTED, opacity=0.5)))
    high = codes.max(axis=0)
    axis = [coded_axis(axes[i], origin[i], high[i], scale) for i in range(3)]

    heading = f"{title}<br><sup>{subtitle}</sup>" if subtitle else title
    figure.update_layout(
        title=dict(text=heading, font=dict(size=13), x=0.01, xanchor="left", yref="container", y=0.96,
                   yanchor="top"),
        height=size + 40, margin=dict(l=20, r=10, t=50, b=10), showlegend=False,
        hovermode=False,  # no hover: spares WebGL's picking pass on every redraw
        scene=dict(aspectmode=aspect, xaxis=axis[0], yaxis=axis[1], zaxis=axis[2],
                   camera=dict(eye=dict(x=1.7, y=1.7, z=1.0)), domain=dict(x=[0, 1], y=[0, 1])),
        meta=dict(origin=origin.tolist(), scale=scale),
    )
    return figure


def scatter(points: np.ndarray, colouring: Colouring, title: str, axes: tuple[str, ...], subtitle: str = "",
            aspect: str = "data", legend: bool = True, selected: np.ndarray | None = None):
    """A 2-D Altair chart or a 3-D Plotly figure, by the number of columns of ``points`` (N, 1..3).

    One column is drawn against the point index so that a 1-D embedding is still visible.
    """
    k = points.shape[1]
    if k == 3:
        return scatter_3d(points, colouring, title, axes, subtitle, aspect, legend=legend, selected=selected)
    if k == 1:  # a line: spread it out along the point order so that it can be seen
        points = np.column_stack([points[:, 0], np.arange(len(points), dtype=np.float64)])
        axes = (axes[0], "point index")
    chart = scatter_2d(points, colouring, title, axes, subtitle, legend=legend)
    if selected is None:
        return chart
    chart.data["s"] = selected.astype(np.uint8)
    return chart.encode(color=alt.condition("datum.s == 1", colouring.vega_color("c", legend), alt.value(UNSELECTED)))


FIGURE1_PANEL = 230  # px per small multiple


def figure1_grid(original: np.ndarray, t: np.ndarray, panels: list[tuple[int, np.ndarray, dict]],
                 columns: int = 3) -> alt.ConcatChart:
    """The paper's Figure 1: ``original`` (N, d), then each ``(n, projected (N, d), metrics)``,
    each panel titled with its measured lossy and collapse fractions (see :func:`panel_grid`)."""
    views = [("Input", f"{len(t):,} points", original)]
    for n, projected, measured in panels:
        facts = [f"{label} {measured[key]:.1%}" for key, label in (("lossy_fraction", "lossy"),
                                                                     ("collapse_fraction", "collapsed"))
                 if key in measured]
        views.append((f"n = {n}", " · ".join(facts), projected))
    return panel_grid(t, views, columns)


def panel_grid(t: np.ndarray, views: list[tuple[str, str, np.ndarray]], columns: int = 3) -> alt.ConcatChart:
    """Small multiples of ``(title, subtitle, points (N, d))``, coloured by ``t`` (N,).

    Each panel is square with equal axes; all share one colour scale. Points in R³ are shown on
    their (x₁, x₂) plane. One dataset feeds every panel (columns ``x0, y0, x1, …`` and one colour
    column ``c``), so nothing is sent twice.
    """
    colouring = Colouring.by_value(t, "t")
    data = {"c": colouring.codes}
    charts = []
    for i, (title, subtitle, points) in enumerate(views):
        data[f"x{i}"], data[f"y{i}"] = points[:, 0].astype(np.float32), points[:, 1].astype(np.float32)
        charts.append(scatter_panel(alt.Chart(), f"x{i}", f"y{i}", points[:, :2], colouring, title, ("x₁", "x₂"),
                                    subtitle, FIGURE1_PANEL, legend=i == len(views) - 1))
    return (alt.concat(*charts, columns=columns, data=pd.DataFrame(data))
            .resolve_scale(x="independent", y="independent"))


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
