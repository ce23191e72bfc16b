"""Resource limits: requests over the memory limit are refused at once, saying what to lower; the
estimate stays above what explore() really allocates; running explorations share the limit; cached
results are bounded in bytes; a slow plugin call is given up after its time limit."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import transforms
from explorer import budget, explore, metrics, sweep
from explorer.budget import BudgetError, ResultCache, call_with_time_limit, estimate
from explorer.plugins import Param

INSTANT = 0.2  # seconds: "refused at once"


def refused_quickly(call, *words):
    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        call()
    elapsed = time.perf_counter() - start
    assert elapsed < INSTANT, f"took {elapsed:.3f} s to refuse"
    assert all(word in str(error.value) for word in words), str(error.value)
    return str(error.value)


@pytest.fixture
def limit_mb(monkeypatch):
    """``limit_mb(50)``: the memory limit is 50 MB for this test."""
    def set_limit(megabytes):
        monkeypatch.setenv(budget.MEMORY_ENV, str(megabytes))
    return set_limit


# -- refusing ---------------------------------------------------------------------------------------


def test_a_billion_points_is_refused_at_once():
    refused_quickly(lambda: explore("spiral", n_points=10**9), "n_points", "at most")
    # past the engine's own maximum too: the budget alone refuses it, by arithmetic
    message = refused_quickly(lambda: budget.check(10**9, 10), "1,000,000,000 points at n = 10", "limit is 700 MB",
                              "lower the number of points (n_points) or the width n")
    assert "GB" in message or "TB" in message


def test_the_message_says_how_much_for_what_and_what_to_lower():
    message = refused_quickly(lambda: explore("spiral", "relu", n_points=1_000_000, transform_params={"n": 64}),
                              "manifold 'spiral'", "transform 'relu'", "1,000,000 points at n = 64",
                              "the limit is 700 MB", budget.MEMORY_ENV, "lower the number of points (n_points) or the width n")
    assert "~2.1 GB" in message


def test_a_small_limit_refuses_what_the_engine_would_otherwise_take(limit_mb):
    limit_mb(50)
    explore("spiral", n_points=20_000)  # ≈ 24 MB: fits
    refused_quickly(lambda: explore("spiral", n_points=200_000), "200,000 points at n = 10", "limit is 50 MB")
    refused_quickly(lambda: sweep("spiral", n_values=[2, 64], seeds=[0], n_points=100_000), "Sweeping",
                    "100,000 points at n = 64", "(2 at a time)")


def test_the_default_page_fits_at_a_million_points():
    """The default limit is sized so the page's defaults (n = 10) run at the engine's maximum."""
    assert estimate(1_000_000, 10) <= budget.memory_limit() < estimate(1_000_000, 64)


def test_a_plugin_width_beyond_any_param_maximum_is_refused_before_the_call(temp_plugin):
    calls = []

    def wide(points, rng, n):
        calls.append(n)
        return np.zeros((len(points), n)), points.copy()

    temp_plugin(transforms.registry, "zz_wide_layer", wide, params={"n": Param(8, min=1, max=10**9)})
    refused_quickly(lambda: explore("spiral", "zz_wide_layer", n_points=1000, transform_params={"n": 10**8}),
                    "transform 'zz_wide_layer'", "1,000 points at n = 100,000,000")
    assert calls == []  # never attempted


def test_a_width_nobody_declared_is_checked_before_the_metrics(temp_plugin, limit_mb, monkeypatch):
    """A transform without an ``n`` parameter is checked on N alone, then on the width it returned."""
    limit_mb(40)

    def sneaky(points, rng):
        return np.zeros((len(points), 2_000)), points.copy()

    temp_plugin(transforms.registry, "zz_sneaky_layer", sneaky)
    monkeypatch.setattr(metrics, "compute_all", lambda *args: pytest.fail("the metrics ran"))
    message = refused_quickly(lambda: explore("spiral", "zz_sneaky_layer", n_points=10_000),
                              "transform 'zz_sneaky_layer' returned n = 2,000", "10,000 points at n = 2,000")
    assert "limit is 40 MB" in message
    refused_quickly(lambda: explore("spiral", "zz_sneaky_layer", n_points=1_000_000),
                    "1,000,000 points;", "lower the number of points (n_points)")


@pytest.mark.parametrize("text", ["abc", "-5", "0", "nan", "inf"])
def test_a_bad_limit_setting_is_named(text, limit_mb):
    limit_mb(text)
    with pytest.raises(ValueError, match=budget.MEMORY_ENV):
        explore("spiral", n_points=100)


# -- the model ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_points, n, activation", [(20_000, 1, "relu"), (20_000, 64, "gelu"), (60_000, 16, "gelu"),
                                                      (60_000, 64, "relu"), (5_000, 10, "relu")])
def test_the_estimate_covers_the_measured_peak(n_points, n, activation):
    """tracemalloc sees every NumPy array; the estimate must stay above it, and not absurdly so.
    (If a metric starts to allocate more, refit PER_POINT / PER_UNIT: python -m explorer.budget.)"""
    peak = budget.measure_peak("trefoil", n_points=n_points, n=n, activation=activation,
                               inverse="square" if n >= 3 else "pinv")
    guess = estimate(n_points, n)
    assert peak <= guess <= 4 * peak, f"measured {peak / 2**20:.1f} MB, estimated {guess / 2**20:.1f} MB"


def test_estimates_grow_with_points_and_width_and_cost_nothing():
    assert estimate(1000, 10) < estimate(2000, 10) < estimate(2000, 20)
    assert estimate(1000) == estimate(1000, 1)
    start = time.perf_counter()
    for exponent in range(1, 60):
        estimate(10**exponent, 10**exponent)
    assert time.perf_counter() - start < INSTANT


def test_format_bytes():
    assert budget.format_bytes(600 * 2**20) == "600 MB"
    assert budget.format_bytes(2.5 * 2**30) == "2.5 GB"
    assert budget.format_bytes(512) == "512 bytes"


# -- explorations running at once share the limit ---------------------------------------------------


def test_reservations_wait_for_each_other_and_nest(limit_mb):
    limit_mb(100)
    order = []
    with budget.reserve(80 * 2**20):
        with budget.reserve(80 * 2**20):  # nested in one thread: counted once, never waits
            assert budget.POOL.reserved == 80 * 2**20

        def second():
            with budget.reserve(50 * 2**20):
                order.append("second ran")

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first done")  # the second waits: 80 + 50 MB > 100 MB
    thread.join(5)
    assert order == ["first done", "second ran"]
    assert budget.POOL.reserved == 0


def test_a_request_gives_up_when_the_server_stays_busy(limit_mb):
    limit_mb(100)
    with budget.reserve(80 * 2**20):
        outcome = []

        def blocked():
            try:
                with budget.reserve(50 * 2**20, wait=0.1):
                    outcome.append("ran")
            except BudgetError as error:
                outcome.append(str(error))

        thread = threading.Thread(target=blocked)
        thread.start()
        thread.join(5)
    assert len(outcome) == 1 and outcome[0].startswith("the server is busy"), outcome
    assert "lower the number of points" in outcome[0]
    assert budget.POOL.reserved == 0


def test_concurrent_explorations_all_finish():
    results, errors = {}, []

    def run(seed):
        try:
            results[seed] = explore("trefoil", n_points=3_000, seed=seed)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and sorted(results) == [0, 1, 2, 3]
    for seed, result in results.items():  # each its own: no shared mutable state
        assert result.embedded.tobytes() == explore("trefoil", n_points=3_000, seed=seed).embedded.tobytes()
    assert budget.POOL.reserved == 0


# -- cached results are bounded in bytes ------------------------------------------------------------


def test_the_result_cache_is_bounded_by_entries_and_bytes(limit_mb):
    limit_mb(40)  # cache: 10 MB
    cache = ResultCache(size=len, max_entries=3)
    for key in "abc":
        cache.get(key, lambda: b"x" * 1000)
    cache.get("d", lambda: b"x" * 1000)
    assert len(cache) == 3  # "a" dropped: least recently used
    calls = []
    cache.get("a", lambda: calls.append(1) or b"x")
    assert calls == [1]
    cache.get("big", lambda: b"x" * (6 * 2**20))
    cache.get("big2", lambda: b"x" * (6 * 2**20))
    assert cache.nbytes <= 10 * 2**20 and len(cache) <= 3
    huge = cache.get("huge", lambda: b"x" * (11 * 2**20))  # over the whole bound: returned, not kept
    assert len(huge) == 11 * 2**20 and cache.nbytes <= 10 * 2**20


def test_the_result_cache_computes_once_and_never_keeps_errors():
    cache, calls = ResultCache(size=lambda value: 8), []
    gate = threading.Event()

    def slow():
        calls.append(1)
        gate.wait(5)
        return "value"

    threads = [threading.Thread(target=cache.get, args=("k", slow)) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert calls == [1] and cache.get("k", slow) == "value"
    with pytest.raises(ValueError):
        cache.get("bad", lambda: (_ for _ in ()).throw(ValueError("no")))
    assert cache.get("bad", lambda: "fine now") == "fine now"
    assert cache.get(["unhashable"], lambda: "computed") == "computed"


# -- time limit -------------------------------------------------------------------------------------


def test_no_time_limit_in_a_notebook_by_default(monkeypatch):
    monkeypatch.delenv(budget.SECONDS_ENV, raising=False)
    monkeypatch.setattr(budget, "_on_streamlit_page", lambda: False)
    assert budget.plugin_seconds() is None
    assert call_with_time_limit("manifold 'x'", threading.current_thread) is threading.current_thread()
    monkeypatch.setattr(budget, "_on_streamlit_page", lambda: True)
    assert budget.plugin_seconds() == budget.PAGE_PLUGIN_SECONDS


@pytest.mark.parametrize("text, seconds", [("2.5", 2.5), ("off", None), ("0", None)])
def test_the_time_limit_setting(text, seconds, monkeypatch):
    monkeypatch.setenv(budget.SECONDS_ENV, text)
    assert budget.plugin_seconds() == seconds


def test_a_bad_time_limit_setting_is_named(monkeypatch):
    monkeypatch.setenv(budget.SECONDS_ENV, "soon")
    with pytest.raises(ValueError, match=budget.SECONDS_ENV):
        budget.plugin_seconds()


def test_a_slow_call_is_given_up_and_refused_until_it_finishes(monkeypatch):
    monkeypatch.setenv(budget.SECONDS_ENV, "0.2")
    release = threading.Event()
    who = "transform 'zz_slow_call'"
    start = time.perf_counter()
    with pytest.raises(BudgetError, match=r"transform 'zz_slow_call' took longer than 0.2 s"):
        call_with_time_limit(who, release.wait, 30)
    assert time.perf_counter() - start < 2
    with pytest.raises(BudgetError, match="still busy"):  # the first call still runs: refused at once
        call_with_time_limit(who, lambda: "again")
    release.set()
    time.sleep(0.2)
    assert call_with_time_limit(who, lambda: "again") == "again"
    with pytest.raises(KeyError):  # a fast call's own error comes back as it was
        call_with_time_limit(who, {}.__getitem__, "missing")
