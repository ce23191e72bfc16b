"""sweep(): the table, its validation, and measured lossy fraction against the theory."""

import sys

import numpy as np
import pandas as pd
import pytest

import manifolds
import transforms
from explorer import explore, sweep, sweep_summary
from explorer.metrics import lossy_theory

# `explorer.sweep` is the function (exported by the package), so reach the module through sys.modules.
sweep_module = sys.modules["explorer.sweep"]


@pytest.fixture(scope="module")
def trefoil():
    """The registry's trefoil; until the knot plugins land, a stand-in with the usual formula."""
    if "trefoil" in manifolds.registry:
        yield "trefoil"
        return

    @manifolds.register("trefoil", label="Trefoil knot (test stand-in)")
    def stand_in(n_points):
        t = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
        points = np.column_stack([np.sin(t) + 2 * np.sin(2 * t), np.cos(t) - 2 * np.cos(2 * t), -np.sin(3 * t)])
        return points, t

    yield "trefoil"
    manifolds.registry._plugins.pop("trefoil", None)


@pytest.fixture
def widthless_transform():
    transforms.registry.names()

    @transforms.register("widthless_test")
    def widthless(points, rng):
        return points.copy(), points.copy()

    yield "widthless_test"
    transforms.registry._plugins.pop("widthless_test", None)


def test_one_row_per_n_and_seed_with_every_metric():
    table = sweep("spiral", n_values=[5, 2, 3], seeds=range(4), n_points=300)
    assert list(table.columns) == ["n", "seed", "lossy_fraction", "collapse_fraction",
                                   "neighbor_preservation", "reconstruction_error", "lossy_theory"]
    assert len(table) == 12
    assert list(zip(table.n, table.seed)) == [(n, s) for n in (2, 3, 5) for s in range(4)]
    assert table.notna().all().all()
    assert list(table.lossy_theory.unique()) == [0.75, 0.5, 0.1875]


def test_rows_equal_explore():
    table = sweep("spiral", n_values=[2, 7], seeds=[3, 11], n_points=400, noise=0.05,
                  manifold_params={"turns": 2.5}, transform_params={"inverse": "square", "n": 99})
    for row in table.itertuples():
        run = explore("spiral", "relu", n_points=400, seed=row.seed, noise=0.05, manifold_params={"turns": 2.5},
                      transform_params={"inverse": "square", "n": row.n})
        assert {key: getattr(row, key) for key in run.metrics} == run.metrics


def test_sweep_is_deterministic():
    first = sweep("spiral", n_values=[2, 30], seeds=range(3), n_points=500, noise=0.1)
    second = sweep("spiral", n_values=[2, 30], seeds=range(3), n_points=500, noise=0.1)
    pd.testing.assert_frame_equal(first, second)


def test_theory_only_for_the_papers_relu_layer():
    relu = sweep("spiral", n_values=[3], seeds=[0], n_points=100, transform_params={"inverse": "square"})
    assert relu.lossy_theory.tolist() == [0.5]  # the square variant's T is Gaussian too
    tanh = sweep("spiral", n_values=[3], seeds=[0], n_points=100, transform_params={"activation": "tanh"})
    assert tanh.lossy_theory.isna().all() and tanh.lossy_fraction.tolist() == [0.0]


def test_progress_is_reported_up_to_one():
    seen = []
    sweep("spiral", n_values=range(2, 12), seeds=range(30), n_points=50, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and 50 <= len(seen) <= 101


@pytest.mark.parametrize("kwargs, message", [
    ({"n_values": []}, "n_values must not be empty"),
    ({"n_values": [2, 0]}, "n must be at least 1"),
    ({"n_values": [65]}, "n must be at most 64"),
    ({"n_values": [2.5]}, "n must be a whole number"),
    ({"n_values": "2, 3"}, "n_values must be a list"),
    ({"n_values": 5}, "n_values must be a list"),
    ({"seeds": []}, "seeds must not be empty"),
    ({"seeds": [-1]}, "seed must be at least 0"),
    ({"seeds": "abc"}, "seeds must be a list"),
    ({"n_points": 5}, "n_points must be at least 10"),
    ({"noise": -0.1}, "noise must be at least 0"),
    ({"transform_params": {"activation": "swish"}}, "activation must be one of"),
    ({"n_values": [1, 2], "transform_params": {"inverse": "square"}}, "square inverse needs n ≥ d"),
])
def test_bad_values_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sweep("spiral", **{"n_values": [2, 3], "seeds": [0], "n_points": 100, **kwargs})


def test_unknown_names_and_widthless_transforms_raise(widthless_transform):
    with pytest.raises(ValueError, match="Can't find manifold 'spirale'"):
        sweep("spirale")
    with pytest.raises(ValueError, match="no parameter 'n'"):
        sweep("spiral", widthless_transform)


def test_summary_gives_mean_and_band_per_n_and_metric():
    table = sweep("spiral", n_values=[2, 5], seeds=range(10), n_points=300)
    summary = sweep_summary(table)
    assert list(summary.columns) == ["n", "metric", "mean", "low", "high", "std", "seeds"]
    assert len(summary) == 2 * 5 and (summary.seeds == 10).all()
    for row in summary.itertuples():
        values = table.loc[table.n == row.n, row.metric]
        assert row.mean == pytest.approx(values.mean())
        assert row.low == pytest.approx(values.quantile(0.1)) and row.high == pytest.approx(values.quantile(0.9))
    theory = summary[summary.metric == "lossy_theory"]
    assert (theory["low"] == theory["mean"]).all() and (theory["high"] == theory["mean"]).all()
    tanh = sweep_summary(sweep("spiral", n_values=[2], seeds=[0], n_points=50, transform_params={"activation": "tanh"}))
    assert "lossy_theory" not in set(tanh.metric)


# -- the paper's claim, measured -----------------------------------------------------------------
#
# For any fixed x ≠ 0 the signs of the n entries of T x (T Gaussian) are independent fair coins, so
# E_T[lossy_fraction] = P(Binomial(n, 1/2) < d) = lossy_theory(n, d) exactly, whatever the
# manifold. How evenly the points' directions spread only changes how much one T deviates from the
# mean: little for the spiral (directions uniform; at n = 3 every T gives exactly 1/2, since a unit
# is active at x iff it is inactive at -x), more for the trefoil. So we compare the mean over S
# seeds with the theory within 4 standard errors, SE = std over seeds / √S (a 4σ z-test: a correct
# implementation fails it with probability ~10⁻⁴ per n, and the seeds are fixed, so never
# flakily). Plus 1/N: the spiral's first point is the origin, where no unit is ever active — a
# bias of at most one point in N. With S = 100 the tolerance stays below 0.07 (checked), tight
# enough to catch "≤ d" instead of "< d" or Σ_{k≤d}, which move the mean by ≥ 0.1 at these n.

@pytest.mark.parametrize("manifold", ["spiral", "trefoil"])
def test_mean_lossy_fraction_matches_theory(manifold, trefoil):
    n_points, seeds = 500, range(100)
    table = sweep(manifold, n_values=[2, 3, 5, 8], seeds=seeds, n_points=n_points)
    d = 2 if manifold == "spiral" else 3
    for n, measured in table.groupby("n").lossy_fraction:
        standard_error = measured.std() / np.sqrt(len(seeds))
        tolerance = 4 * standard_error + 1 / n_points
        assert tolerance < 0.07
        assert abs(measured.mean() - lossy_theory(n, d)) < tolerance, (manifold, n, measured.mean())
    assert (table.lossy_theory == [lossy_theory(n, d) for n in table.n]).all()
