"""Downloads and files: points as CSV / NPZ, Altair charts as SVG / PNG, the Figure-1 grid. No Streamlit.

Charts are rendered server-side by vl-convert (``vl-convert-python``): the Vega-Lite compiler and
renderer in one wheel, no browser and no Node. It is what Altair's own ``chart.save("x.svg")`` uses.
"""

from __future__ import annotations

import io
import json
from typing import Any, Callable, Iterable, Mapping

import altair as alt
import numpy as np

from explorer.charts import figure1_grid
from explorer.pipeline import Exploration, explore
from explorer.sampling import display_rows

CSV_FORMAT = "%.17g"  # 17 significant digits: every float64 reads back bit-identical


def point_columns(exploration: Exploration) -> list[str]:
    """CSV header: ``t, original_1..d, embedded_1..n, projected_1..d``."""
    d, n = exploration.d, exploration.n
    return (["t"] + [f"original_{i}" for i in range(1, d + 1)] + [f"embedded_{i}" for i in range(1, n + 1)]
            + [f"projected_{i}" for i in range(1, d + 1)])


def points_csv(exploration: Exploration) -> bytes:
    """One row per point (N rows): t, original (d columns), embedded (n), projected (d), full precision."""
    table = np.column_stack([exploration.t, exploration.original, exploration.embedded, exploration.projected])
    buffer = io.BytesIO()
    np.savetxt(buffer, table, fmt=CSV_FORMAT, delimiter=",", header=",".join(point_columns(exploration)),
               comments="", encoding="utf-8")
    return buffer.getvalue()


def points_npz(exploration: Exploration) -> bytes:
    """Compressed NPZ: ``t`` (N,), ``original`` (N, d), ``embedded`` (N, n), ``projected`` (N, d),
    ``active`` (N, n) bool when the transform reports it, and ``config``: a JSON string of the inputs
    and metrics. Loads with ``np.load(..., allow_pickle=False)``."""
    arrays = {"t": exploration.t, "original": exploration.original, "embedded": exploration.embedded,
              "projected": exploration.projected}
    if exploration.active is not None:
        arrays["active"] = exploration.active
    arrays["config"] = np.array(json.dumps(exploration_config(exploration)))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def exploration_config(exploration: Exploration) -> dict[str, Any]:
    """The inputs that reproduce ``exploration`` with :func:`explorer.explore`, and its metrics."""
    return {"manifold": exploration.manifold, "transform": exploration.transform,
            "n_points": exploration.n_points, "seed": exploration.seed, "noise": exploration.noise,
            "manifold_params": dict(exploration.manifold_params),
            "transform_params": dict(exploration.transform_params), "metrics": dict(exploration.metrics)}


# -- charts -----------------------------------------------------------------------------------------


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec with its data inline, however many rows (Altair's limit is 5000)."""
    if not isinstance(chart, alt.TopLevelMixin):
        raise TypeError(f"expected an Altair chart, got {type(chart).__name__}")
    with alt.data_transformers.enable("default", max_rows=None):
        return chart.to_dict()


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document, rendered without a browser."""
    import vl_convert

    return vl_convert.vegalite_to_svg(chart_spec(chart), vl_version=_vl_version())


def chart_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """The chart as PNG bytes, ``scale`` × its size in pixels (2 = sharp on high-density screens)."""
    import vl_convert

    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    return vl_convert.vegalite_to_png(chart_spec(chart), vl_version=_vl_version(), scale=scale)


def _vl_version() -> str | None:
    """Altair's Vega-Lite version in vl-convert's spelling (``v6_4``), or None (vl-convert's newest)
    when this vl-convert doesn't ship it."""
    import vl_convert

    wanted = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    shipped = {"v" + version.replace(".", "_") for version in vl_convert.get_vegalite_versions()}
    return wanted if wanted in shipped else None


# -- Figure 1 ---------------------------------------------------------------------------------------


def figure1_runs(manifold: str, transform: str, n_values: Iterable[int], *, n_points: int, seed: int,
                 noise: float, manifold_params: Mapping[str, Any] | None = None,
                 transform_params: Mapping[str, Any] | None = None,
                 explore_fn: Callable[..., Exploration] = explore) -> list[tuple[int, Exploration]]:
    """One exploration per width ``n`` (the transform's ``n`` param), same manifold, seed and noise.

    ``explore_fn`` is :func:`explorer.explore` or a cached equivalent (the page passes its own).
    A bad run raises ``ValueError`` starting with ``"n = <n>: "``.
    """
    runs = []
    for n in n_values:
        params = {**(transform_params or {}), "n": n}
        try:
            runs.append((n, explore_fn(manifold, transform, n_points=n_points, seed=seed, noise=noise,
                                       manifold_params=dict(manifold_params or {}), transform_params=params)))
        except ValueError as error:
            raise ValueError(f"n = {n}: {error}") from error
    if not runs:
        raise ValueError("Figure 1 needs at least one width n")
    return runs


def figure1_from_runs(runs: list[tuple[int, Exploration]], cap: int | None = None) -> alt.ConcatChart:
    """The grid of :func:`explorer.charts.figure1_grid`: the input, then X' (N, d) per ``(n, run)``.

    ``cap``: draw at most this many points per panel (an even stride along t; titles keep the
    metrics of all points)."""
    first = runs[0][1]
    rows = display_rows(first.t, cap) if cap else slice(None)
    return figure1_grid(first.original[rows], first.t[rows],
                        [(n, run.projected[rows], run.metrics) for n, run in runs])


def figure1_chart(manifold: str, transform: str, n_values: Iterable[int], n_points: int = 5000, seed: int = 0,
                  noise: float = 0.0, manifold_params: Mapping[str, Any] | None = None,
                  transform_params: Mapping[str, Any] | None = None,
                  explore_fn: Callable[..., Exploration] = explore) -> alt.ConcatChart:
    """The paper's Figure 1 for these inputs — the same chart as the page's Figure 1 tab."""
    return figure1_from_runs(figure1_runs(manifold, transform, n_values, n_points=n_points, seed=seed, noise=noise,
                                          manifold_params=manifold_params, transform_params=transform_params,
                                          explore_fn=explore_fn))
