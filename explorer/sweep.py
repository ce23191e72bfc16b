"""``sweep()``: the metrics of one manifold and transform over embedding widths n and seeds.

    from explorer import sweep, sweep_summary
    table = sweep("spiral", "relu", n_values=[2, 3, 5, 15, 30], seeds=range(20))
    sweep_summary(table)  # per n: mean and 10th–90th percentile band of each metric

Each row equals ``explore(manifold, transform, n_points=…, seed=seed, noise=…,
transform_params={…, "n": n}).metrics`` exactly; the sweep only avoids repeating work that does not
depend on n (sampling the manifold, the input's neighbour search).

``explorer.sweep`` is the function (the package exports it); reach this module's other names with
``from explorer.sweep import …`` or ``sys.modules["explorer.sweep"]``.
"""

from __future__ import annotations

import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from explorer import budget, metrics
from explorer.pipeline import ENGINE_PARAMS, apply_transform, sample_manifold, validate_engine_params
from explorer.plugins import PluginError

METRICS = ("lossy_fraction", "collapse_fraction", "neighbor_preservation", "reconstruction_error")
COLUMNS = ("n", "seed", *METRICS, "lossy_theory")
BAND = (0.1, 0.9)  # sweep_summary's band: 10th to 90th percentile over seeds
WORKERS = min(2, os.cpu_count() or 1)  # threads computing cells


def sweep(manifold: str, transform: str = "relu", n_values: Iterable[int] = (2, 3, 5, 15, 30),
          seeds: Iterable[int] = range(20), n_points: int = 2000,
          manifold_params: Mapping[str, Any] | None = None,
          transform_params: Mapping[str, Any] | None = None, noise: float = 0.0,
          progress: Callable[[float], Any] | None = None) -> pd.DataFrame:
    """One row per (n, seed), sorted by n then seed; columns ``COLUMNS``: n, seed, each metric
    (NaN where the transform gives no data for it) and ``lossy_theory`` — ``lossy_theory(n, d)``
    for the paper's layer (transform "relu" with activation "relu", either inverse), else NaN.

    ``n_values`` and ``seeds`` are de-duplicated and sorted; each n is validated by the transform's
    ``n`` parameter (which replaces any ``n`` in ``transform_params``), each seed like explore()'s.
    ``progress(fraction)`` is called as cells finish (at most ~100 times, last with 1.0).
    Bad values raise ``ValueError`` naming the problem.
    """
    import manifolds
    import transforms

    manifold_plugin, transform_plugin = manifolds.registry[manifold], transforms.registry[transform]
    seeds = _integers(seeds, "seeds", lambda seed: ENGINE_PARAMS["seed"].validate(seed, "seed"))
    n_points, _, noise = validate_engine_params(n_points, seeds[0], noise)
    manifold_params = manifold_plugin.validate_params(manifold_params)
    if "n" not in transform_plugin.params:
        raise PluginError(f"transform '{transform}' has no parameter 'n', so there is no width to sweep")
    n_values = _integers(n_values, "n_values", lambda n: transform_plugin.params["n"].validate(n, "n"))
    cell_params = {n: transform_plugin.validate_params({**(transform_params or {}), "n": n}) for n in n_values}
    need = budget.check(n_points, n_values[-1], what=f"Sweeping transform '{transform}' over n", copies=WORKERS)
    paper_layer = transform == "relu" and cell_params[n_values[0]].get("activation", "relu") == "relu"

    def cell(n: int, seed: int, original: np.ndarray, input_side: metrics.Neighbours) -> dict[str, Any]:
        embedded, projected, active = apply_transform(transform_plugin, original, seed, cell_params[n])
        row = {"n": n, "seed": seed, **dict.fromkeys(METRICS, np.nan)}
        row.update(metrics.measure(original, embedded, projected, active, input_side=input_side))
        row["lossy_theory"] = metrics.lossy_theory(n, original.shape[1]) if paper_layer else np.nan
        return row

    rows, total, reported = [], len(n_values) * len(seeds), -1
    original = input_side = None
    # Cells are independent: two threads overlap their k-d tree work, which releases the GIL.
    # One sample at a time (per seed with noise, else one for all); progress from this thread.
    with budget.reserve(need), ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for seed in seeds:
            if original is None or noise > 0:
                original, _ = sample_manifold(manifold_plugin, n_points, manifold_params, seed, noise)
                input_side = metrics.input_neighbours(original)
            for row in pool.map(cell, n_values, repeat(seed), repeat(original), repeat(input_side)):
                rows.append(row)
                if progress is not None and int(100 * len(rows) / total) > reported:
                    reported = int(100 * len(rows) / total)
                    progress(len(rows) / total)
    table = pd.DataFrame(rows, columns=list(COLUMNS)).sort_values(["n", "seed"], kind="stable")
    return table.reset_index(drop=True).astype({"n": "int64", "seed": "int64"})


def sweep_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per n and metric, over seeds: tidy rows ``n, metric, mean, low, high, std, seeds``.

    ``low``/``high`` are the 10th/90th percentiles (``BAND``, linear interpolation): a band that
    stays inside a metric's range (a fraction near 0 or 1 is skewed; mean ± std would leave [0, 1])
    and that shows where most single seeds fall. ``std`` is the sample standard deviation (the
    standard error of the mean is std / √seeds). ``lossy_theory`` appears as a metric with
    low = high = mean. Metrics that are NaN for every seed at an n are left out.
    """
    present = [column for column in (*METRICS, "lossy_theory") if column in table.columns]
    long = table.melt(id_vars=["n", "seed"], value_vars=present, var_name="metric").dropna(subset=["value"])
    grouped = long.groupby(["n", "metric"], sort=False)["value"]
    summary = pd.DataFrame({
        "mean": grouped.mean(),
        "low": grouped.quantile(BAND[0]),
        "high": grouped.quantile(BAND[1]),
        "std": grouped.std(),
        "seeds": grouped.count(),
    }).reset_index()
    order = {name: rank for rank, name in enumerate(present)}
    summary = summary.sort_values(["n", "metric"], key=lambda c: c.map(order) if c.name == "metric" else c)
    return summary.reset_index(drop=True)


def _integers(values: Any, name: str, validate: Callable[[Any], int]) -> list[int]:
    """Sorted distinct validated integers from a non-empty iterable (not a string or a number)."""
    if isinstance(values, (str, bytes, numbers.Number)) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a list of whole numbers, got {values!r}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must not be empty")
    return sorted({validate(value) for value in values})
