"""Charts you can touch: linked brushing across the 2-D views, and the morph X → X'. Pure.

Both run in the browser: the brush is a Vega-Lite interval parameter shared by two panels of one
chart (one dataset, one row per point), and the morph is a Plotly animation whose frames are sent
once, so scrubbing and playing need no server round trip.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from explorer.charts import POINT_SIZE_3D, VIEW_SIZE, coded_axis, coordinate_codes, scatter_panel
from explorer.colouring import Colouring

BRUSH = "brush"
MORPH_STEPS = 21  # frames from s = 0 to s = 1


def linked_views(original: np.ndarray, projected: np.ndarray, colouring: Colouring, titles: tuple[str, str],
                 subtitles: tuple[str, str], selected: np.ndarray | None = None) -> alt.HConcatChart:
    """Original and projected-back panels of ``original``/``projected`` (N, 2) as one chart.

    Dragging on the original draws the interval parameter ``brush`` (over its x and y); the same
    rows are highlighted in both panels. ``selected`` (N,) bool, if given, greys the other points
    too (a selection made outside the chart, e.g. a range of t).
    """
    data = {"x": original[:, 0].astype(np.float32), "y": original[:, 1].astype(np.float32),
            "xp": projected[:, 0].astype(np.float32), "yp": projected[:, 1].astype(np.float32),
            "c": colouring.codes}
    brush = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    highlight = brush  # an empty brush selects everything
    if selected is not None:
        data["s"] = selected.astype(np.uint8)
        highlight = brush & (alt.datum.s == 1)
    left = scatter_panel(alt.Chart(), "x", "y", original, colouring, titles[0], ("x₁", "x₂"), subtitles[0], VIEW_SIZE,
                  legend=False, highlight=highlight).add_params(brush)
    right = scatter_panel(alt.Chart(), "xp", "yp", projected, colouring, titles[1], ("x₁", "x₂"), subtitles[1], VIEW_SIZE,
                   legend=False, highlight=highlight)
    return alt.hconcat(left, right, data=pd.DataFrame(data)).resolve_scale(x="independent", y="independent")


def brushed(original: np.ndarray, selection: dict | None) -> np.ndarray | None:
    """(N,) bool: the points of ``original`` (N, 2) inside a brush ``{"x": [a, b], "y": [c, d]}``,
    or None when there is no brush."""
    if not selection or "x" not in selection or "y" not in selection:
        return None
    (x0, x1), (y0, y1) = sorted(selection["x"]), sorted(selection["y"])
    return (original[:, 0] >= x0) & (original[:, 0] <= x1) & (original[:, 1] >= y0) & (original[:, 1] <= y1)


def morph_frames(original: np.ndarray, projected: np.ndarray, steps: int = MORPH_STEPS
                 ) -> list[tuple[str, np.ndarray]]:
    """``(label, (1 − s)·X + s·X')`` for s evenly from 0 to 1: frame 0 is X, the last is X'."""
    return [(f"s = {s:.2f}", (1.0 - s) * original + s * projected) for s in np.linspace(0.0, 1.0, steps)]


def animation(frames: list[tuple[str, np.ndarray]], colouring: Colouring, title: str, slider_label: str,
              size: int = VIEW_SIZE) -> go.Figure:
    """A Plotly animation of point sets (N, d), d = 2 or 3, with a Play button and a slider.

    Every frame's coordinates are uint16 codes on one scale shared by all frames (``layout.meta``:
    point = origin + code · scale), so the axes stay fixed while the points move.
    """
    stacked = np.stack([points for _, points in frames])  # (frames, N, d)
    d = stacked.shape[2]
    codes, origin, scale = coordinate_codes(stacked)
    marker = colouring.plotly_marker(POINT_SIZE_3D if d == 3 else 4)

    def trace(frame: np.ndarray):
        if d == 3:
            return go.Scatter3d(x=frame[:, 0], y=frame[:, 1], z=frame[:, 2], mode="markers", marker=marker,
                                hoverinfo="skip")
        return go.Scattergl(x=frame[:, 0], y=frame[:, 1], mode="markers", marker=marker, hoverinfo="skip")

    labels = [label for label, _ in frames]
    figure = go.Figure(data=[trace(codes[0])],
                       frames=[go.Frame(data=[trace(frame)], name=label) for label, frame in zip(labels, codes)])
    high = codes.reshape(-1, d).max(axis=0)
    axes = {}
    for i, name in enumerate(("xaxis", "yaxis", "zaxis")[:d]):
        axes[name] = coded_axis(f"x{'₁₂₃'[i]}", origin[i], high[i], scale)
        axes[name]["range"] = [-0.02 * high[i], 1.02 * high[i]]
    if d == 3:
        figure.update_layout(scene=dict(aspectmode="data", **axes))
    else:
        axes["yaxis"].update(scaleanchor="x", scaleratio=1)
        figure.update_layout(**axes)
    step = dict(frame=dict(duration=80, redraw=True), transition=dict(duration=0), mode="immediate")
    figure.update_layout(
        title=dict(text=title, font=dict(size=13), x=0.01, xanchor="left"), height=size + 160,
        margin=dict(l=10, r=10, t=50, b=10), showlegend=False, meta=dict(origin=origin.tolist(), scale=scale),
        hovermode=False,
        updatemenus=[dict(type="buttons", direction="left", x=0, y=-0.08, xanchor="left", yanchor="top",
                          buttons=[dict(label="▶ Play", method="animate", args=[None, dict(step, fromcurrent=True)]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(step, frame=dict(duration=0, redraw=False))])])],
        sliders=[dict(active=0, x=0.25, len=0.75, y=-0.04,
                      currentvalue=dict(prefix=f"{slider_label}: ", xanchor="right"),
                      steps=[dict(label=label.split("= ")[-1], method="animate",
                                  args=[[label], dict(step, frame=dict(duration=0, redraw=True))])
                             for label in labels])],
    )
    return figure
