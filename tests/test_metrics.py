"""Information-loss metrics: formulas, hand-counted cases, constructed collapses."""

import time

import numpy as np
import pytest

import manifolds
import transforms
from explorer import explore
from explorer import grouping, metrics
from explorer.activations import ACTIVATIONS
from explorer.plugins import Param

# Rows of T are the units: u1 = x1, u2 = x2, u3 = -x1 - x2. Unit i is active on a half-plane:
# u1 on (-90°, 90°), u2 on (0°, 180°), u3 on (135°, 315°). So one unit alone is active on
# (90°, 135°), (180°, 270°), (315°, 360°) — lossy for d = 2 — and two elsewhere.
T_HAND = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
ANGLES = np.array([10, 45, 100, 120, 170, 200, 280, 290, 300, 330])  # degrees
LOSSY_ANGLES = {100, 120, 200, 330}  # one active unit each; the other six have two
RADII = np.arange(1.0, 11.0)  # radius doesn't change a sign

# For ReLU6 a unit counts only strictly inside (0, 6). Point → (active units under ReLU, under ReLU6)
RELU6_POINTS = {
    (3.0, 2.0): (2, 2),    # u1 = 3, u2 = 2
    (7.0, 1.0): (2, 1),    # u1 = 7 saturates
    (7.0, 7.0): (2, 0),    # u1, u2 saturate
    (6.0, 3.0): (2, 1),    # u1 = 6 exactly is saturated, not inside
    (-9.0, 1.0): (2, 1),   # u3 = 8 saturates
    (-7.0, 2.0): (2, 2),   # u2 = 2, u3 = 5
    (-3.0, -4.0): (1, 0),  # u3 = 7 saturates
    (-1.0, -2.0): (1, 1),  # u3 = 3
    (5.0, -1.0): (1, 1),   # u1 = 5, u3 = -4
    (5.5, 0.2): (2, 2),    # u1 = 5.5, u2 = 0.2
}


def hand_points() -> np.ndarray:
    theta = np.deg2rad(ANGLES)
    return np.column_stack([RADII * np.cos(theta), RADII * np.sin(theta)])


@pytest.fixture
def hand_plugins():
    """A manifold of the ten hand-placed points, a transform with the fixed T_HAND; removed after."""
    manifolds.registry.names(), transforms.registry.names()  # discover first, then add ours

    @manifolds.register("hand_points_test", params={"which": Param("angles", choices=("angles", "relu6"))})
    def hand(n_points, which):
        points = hand_points() if which == "angles" else np.array(list(RELU6_POINTS))
        if n_points != len(points):
            raise ValueError(f"this test manifold has exactly {len(points)} points")
        return points, np.arange(float(n_points))

    @transforms.register("fixed_t_test", params={"activation": Param("relu", choices=tuple(ACTIVATIONS))})
    def fixed(points, rng, activation):
        act = ACTIVATIONS[activation]
        pre_activation = points @ T_HAND.T
        embedded = act(pre_activation)
        return embedded, embedded @ np.linalg.pinv(T_HAND).T, act.active(pre_activation)

    yield
    manifolds.registry._plugins.pop("hand_points_test", None)
    transforms.registry._plugins.pop("fixed_t_test", None)


# -- theory -------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, d, expected", [
    (2, 2, 0.75), (3, 2, 0.5), (5, 2, 0.1875), (15, 2, 16 / 2**15),  # (1 + n) / 2^n
    (1, 2, 1.0), (2, 3, 1.0),  # fewer units than dimensions: always lossy
    (3, 3, (1 + 3 + 3) / 8), (4, 3, (1 + 4 + 6) / 16), (5, 3, (1 + 5 + 10) / 32),
    (8, 3, (1 + 8 + 28) / 256),
])
def test_lossy_theory(n, d, expected):
    assert metrics.lossy_theory(n, d) == pytest.approx(expected, rel=1e-15)


# -- lossy fraction -----------------------------------------------------------------------------

def test_lossy_mask_counts_active_units_by_hand():
    active = ACTIVATIONS["relu"].active(hand_points() @ T_HAND.T)
    expected = np.isin(ANGLES, sorted(LOSSY_ANGLES))
    np.testing.assert_array_equal(metrics.lossy_mask(active, 2), expected)
    assert metrics.lossy_fraction(active, 2) == 0.4
    assert metrics.compute_all(hand_points(), np.arange(10.0), np.zeros((10, 3)), hand_points(),
                               active)["lossy_fraction"] == 0.4


def test_relu6_counts_units_strictly_inside_zero_six():
    points = np.array(list(RELU6_POINTS))
    counts = np.array(list(RELU6_POINTS.values()))
    for column, name in enumerate(["relu", "relu6"]):
        active = ACTIVATIONS[name].active(points @ T_HAND.T)
        np.testing.assert_array_equal(np.count_nonzero(active, axis=1), counts[:, column])
        assert metrics.lossy_fraction(active, 2) == np.mean(counts[:, column] < 2)
    assert np.mean(counts[:, 0] < 2) == 0.3 and np.mean(counts[:, 1] < 2) == 0.7


def test_lossy_fraction_through_explore_with_a_plugin_transform(hand_plugins):
    run = explore("hand_points_test", "fixed_t_test", n_points=10)
    assert run.metrics["lossy_fraction"] == 0.4
    np.testing.assert_array_equal(metrics.lossy_mask(run.active, 2), np.isin(ANGLES, sorted(LOSSY_ANGLES)))
    for activation, expected in [("relu", 0.3), ("relu6", 0.7), ("leaky_relu", 0.0), ("linear", 0.0)]:
        run = explore("hand_points_test", "fixed_t_test", n_points=10, manifold_params={"which": "relu6"},
                      transform_params={"activation": activation})
        assert run.metrics["lossy_fraction"] == expected, activation


@pytest.mark.parametrize("activation", ["leaky_relu", "tanh", "softplus", "linear"])
def test_injective_activations_lose_nothing(activation):
    for n in (2, 3, 30):
        run = explore("spiral", "relu", n_points=1000, seed=n, transform_params={"n": n, "activation": activation})
        assert run.metrics["lossy_fraction"] == 0.0


def test_metric_without_data_is_absent():
    points = hand_points()
    result = metrics.compute_all(points, np.arange(10.0), points @ T_HAND.T, points, None)
    assert "lossy_fraction" not in result
    assert set(result) == {"reconstruction_error", "collapse_fraction", "neighbor_preservation"}


def test_every_metric_has_a_label_and_a_one_line_explanation():
    run = explore("spiral", "relu", n_points=200)
    assert set(run.metrics) | {"lossy_theory"} == set(metrics.METRIC_HELP) == set(metrics.METRIC_LABELS)
    assert all(text and "\n" not in text for text in metrics.METRIC_HELP.values())


# -- collapse fraction --------------------------------------------------------------------------

def line_with_injective_image(count: int = 100):
    """Inputs 0, 1, …, count-1 on a line (far = 0.05 · RMS spread ≈ 1.44: neighbours are near);
    images on a curve in R^3 that never comes back near itself."""
    s = np.arange(float(count))
    return np.column_stack([s, np.zeros(count)]), np.column_stack([s, s**2 / count, np.sqrt(s)])


def test_collapse_flags_exactly_the_points_that_meet_a_far_image():
    original, embedded = line_with_injective_image()
    assert metrics.collapse_fraction(original, embedded) == 0.0
    embedded[99] = embedded[0]  # far apart, same image: both flagged
    embedded[51] = embedded[50]  # same image but neighbours in the input: not a collapse
    embedded[70] = embedded[20]
    step = metrics.COLLAPSE_TOL * metrics.rms_spread(embedded)
    embedded[70] += 0.5 * step  # within the tolerance: flagged
    embedded[80] = embedded[30] + 3.0 * step  # beyond twice the tolerance: not flagged
    expected = np.isin(np.arange(100), [0, 99, 20, 70])
    np.testing.assert_array_equal(metrics.collapse_mask(original, embedded), expected)
    assert metrics.collapse_fraction(original, embedded) == 0.04


def test_collapse_near_pairs_across_a_cell_boundary_are_found_in_high_dimensions():
    original, embedded = line_with_injective_image()
    embedded = np.hstack([embedded, np.sin(embedded)])  # n = 6 goes through the rotated search
    anchor = embedded[10].copy()
    for _ in range(5):  # the step depends (very weakly) on the images we place: iterate to a fixed point
        step = metrics.COLLAPSE_TOL * metrics.rms_spread(embedded)
        embedded[10] = step * (np.rint(anchor / step) + 0.45)  # near the upper edge of its cell
        embedded[90] = embedded[10] + 0.1 * step  # in the next cell up, in every coordinate
    keys = np.rint(embedded[[10, 90]] / (metrics.COLLAPSE_TOL * metrics.rms_spread(embedded)))
    assert np.all(keys[1] - keys[0] == 1)
    np.testing.assert_array_equal(np.flatnonzero(metrics.collapse_mask(original, embedded)), [10, 90])


def brute_force_collapse(original, embedded):
    """The definition, pair by pair: grid keys within 1 everywhere and inputs far apart (L∞)."""
    keys = np.rint(embedded / (metrics.COLLAPSE_TOL * metrics.rms_spread(embedded)))
    meet = np.abs(keys[:, None, :] - keys[None, :, :]).max(axis=2) <= 1
    far = np.abs(original[:, None, :] - original[None, :, :]).max(axis=2) > \
        metrics.COLLAPSE_FAR * metrics.rms_spread(original)
    return (meet & far).any(axis=1)


def test_collapse_mask_matches_the_pairwise_definition_on_random_cases():
    rng = np.random.default_rng(1)
    for _ in range(60):
        count, n, d = int(rng.integers(10, 200)), int(rng.integers(1, 8)), int(rng.integers(2, 4))
        original, embedded = rng.standard_normal((count, d)), rng.standard_normal((count, n))
        step = metrics.COLLAPSE_TOL * metrics.rms_spread(embedded)
        copies = int(rng.integers(0, count // 3))  # exact copies and copies up to 2.5 cells away
        source, target = rng.integers(0, count, copies), rng.integers(0, count, copies)
        jitter = rng.uniform(-2.5, 2.5, (copies, n)) * rng.choice([0.0, 1.0], (copies, 1))
        embedded[target] = embedded[source] + jitter * step
        if rng.random() < 0.3:
            embedded[: count // 4] = 0.0
        if rng.random() < 0.3:
            embedded = np.maximum(embedded, 0.0)
        np.testing.assert_array_equal(metrics.collapse_mask(original, embedded),
                                      brute_force_collapse(original, embedded))


def test_collapse_injective_is_zero_and_relu_collapses_at_small_n():
    for activation in ("linear", "leaky_relu"):  # leaky ReLU squeezes by 100 and still counts as injective
        for seed in range(5):
            for n in (2, 3, 30):
                run = explore("spiral", "relu", n_points=2000, seed=seed,
                              transform_params={"n": n, "activation": activation})
                assert run.metrics["collapse_fraction"] == 0.0, (activation, seed, n)
    relu = [explore("spiral", "relu", n_points=2000, seed=seed, transform_params={"n": n}).metrics["collapse_fraction"]
            for n in (2, 30) for seed in range(5)]
    assert np.mean(relu[:5]) > 0.15 and min(relu[:5]) > 0.02  # all units off: images at exactly 0
    assert max(relu[5:]) == 0.0


def test_collapse_of_a_huge_cluster_of_identical_images_is_fast_and_exact():
    n_points = 200_000
    phi = np.linspace(0.0, 8 * np.pi, n_points)
    original = np.column_stack([phi * np.cos(phi), phi * np.sin(phi)])
    embedded = np.where(np.arange(n_points) < n_points // 2, 0.0, phi)[:, None]  # half at exactly 0
    start = time.perf_counter()
    assert metrics.collapse_fraction(original, embedded) == 0.5
    assert time.perf_counter() - start < 10  # an O(N²) pair search would take minutes


def test_collapse_of_everything_to_one_point():
    original, _ = line_with_injective_image(50)
    assert metrics.collapse_fraction(original, np.zeros((50, 4))) == 1.0
    assert metrics.collapse_fraction(np.zeros((50, 2)), np.zeros((50, 4))) == 0.0  # nothing is far


# -- neighbour preservation ---------------------------------------------------------------------

def spiral_points(count: int = 2000) -> np.ndarray:
    phi = np.linspace(0.0, 8 * np.pi, count)
    return np.column_stack([phi * np.cos(phi), phi * np.sin(phi)])


def test_neighbor_preservation_identity_is_one_and_permutation_is_low():
    points = spiral_points()
    assert metrics.neighbor_preservation(points, points.copy()) == 1.0
    shuffled = points[np.random.default_rng(0).permutation(len(points))]
    assert metrics.neighbor_preservation(points, shuffled) < 0.02  # chance level is 10/1999


def test_neighbor_preservation_full_collapse_scores_chance_not_luck():
    points = spiral_points(500)
    # All images tie: each true neighbour is among the k "nearest" with probability k / (N - 1).
    assert metrics.neighbor_preservation(points, np.zeros_like(points)) == pytest.approx(10 / 499)


def test_neighbor_preservation_counts_shared_neighbours():
    points = np.column_stack([np.arange(30.0), np.zeros(30)])
    moved = points.copy()
    moved[:, 1] = np.where(np.arange(30) % 2 == 0, 0.0, 1000.0)  # evens and odds drift apart
    score = metrics.neighbor_preservation(points, moved, k=2)
    # Brute force: each point's 2 nearest (ties by index) before and after.
    def nearest(x, i):
        distance = np.linalg.norm(x - x[i], axis=1)
        distance[i] = np.inf
        return set(np.lexsort((np.arange(30), distance))[:2])
    expected = np.mean([len(nearest(points, i) & nearest(moved, i)) / 2 for i in range(30)])
    assert score == pytest.approx(expected)


def test_identical_points_share_the_places_they_straddle():
    values = np.repeat([0.0, 1.0, 3.0, 6.0, 10.0, 15.0], 3)  # each point thrice, no equal gaps
    points = np.column_stack([values, np.zeros_like(values)])
    found = metrics.input_neighbours(points, k=4)
    np.testing.assert_array_equal(found.queries, np.arange(18))
    # Point 4 (at 1.0): its 2 copies, then 2 of the 3 points at 0.0 — each with share 2/3.
    assert [values[found.rep[g]] for g in found.near[4]] == [1.0, 0.0, 3.0, 6.0, 10.0]
    np.testing.assert_allclose(found.share[4], [1.0, 2 / 3, 0.0, 0.0, 0.0])
    assert metrics.neighbor_preservation(points, points.copy(), k=4) == 1.0
    squeezed = points * np.array([[1.0, 0.0]])  # same again: still exact
    assert metrics.neighbor_preservation(points, squeezed, k=4) == 1.0
    merged = np.where(values[:, None] <= 1.0, 0.0, points)  # 0.0 and 1.0 become one point
    # Point 4 keeps: its 2 copies (share 1 → min(1, 4/5)) and 0.0's copies (min(2/3, 4/5)).
    expected_4 = (2 * 4 / 5 + 3 * 2 / 3) / 4
    assert metrics.neighbor_preservation(points, merged, k=4) < 1.0
    after = metrics.neighbours(merged, found.queries, 4)
    assert metrics._overlap(found, after)[4] / 4 == pytest.approx(expected_4)


def brute_force_shares(points, i, k):
    """share of each point j ≠ i among i's k nearest: identical points split the places they straddle."""
    rows, group = np.unique(points, axis=0, return_inverse=True)
    group = group.ravel()
    counts = np.bincount(group) - (np.arange(len(rows)) == group[i])
    remaining, share = k, np.zeros(len(rows))
    for g in np.argsort(np.linalg.norm(rows - points[i], axis=1)):
        if counts[g]:
            share[g] = min(remaining, counts[g]) / counts[g]
            remaining -= min(remaining, counts[g])
    result = share[group]
    result[i] = 0.0
    return result


@pytest.mark.parametrize("duplicates_in", ["neither", "input", "projection", "both"])
def test_neighbor_preservation_matches_the_definition_on_random_cases(duplicates_in):
    rng = np.random.default_rng(2)
    for _ in range(10):
        count = int(rng.integers(12, 120))
        points = rng.standard_normal((count, 2))
        projected = points + 0.3 * rng.standard_normal(points.shape)
        if duplicates_in in ("input", "both"):
            points[rng.integers(0, count, count // 4)] = points[rng.integers(0, count, count // 4)]
        if duplicates_in in ("projection", "both"):
            projected[rng.integers(0, count, count // 2)] = projected[rng.integers(0, count, count // 2)]
            projected[rng.random(count) < 0.2] = 0.0  # a cluster, like ReLU's zeros
        k = int(rng.integers(1, 11))
        expected = np.mean([np.minimum(brute_force_shares(points, i, k), brute_force_shares(projected, i, k)).sum() / k
                            for i in range(count)])
        assert metrics.neighbor_preservation(points, projected, k=k) == pytest.approx(expected)


def test_neighbor_preservation_subsamples_queries_evenly_but_searches_all_points():
    points = spiral_points(50_000)
    found = metrics.input_neighbours(points)
    queries = found.queries
    assert len(queries) == metrics.NEIGHBOUR_QUERIES and queries[0] == 0 and queries[-1] == 49_999
    assert np.all(np.diff(queries) >= 2) and np.all(np.diff(queries) <= 3)
    nearest = found.rep[found.near[:, 1:]]  # no duplicates: groups are points
    for row in (1, 777, 19_998):  # brute force
        distance = np.linalg.norm(points - points[queries[row]], axis=1)
        distance[queries[row]] = np.inf
        assert set(nearest[row]) == set(np.argsort(distance)[:10])
    assert not set(nearest.ravel()) <= set(queries)  # neighbours come from all points
    assert metrics.neighbor_preservation(points, points, input_side=found) == 1.0


def test_grouping_tells_apart_rows_that_differ_in_structured_bits():
    rng = np.random.default_rng(3)
    points = rng.standard_normal((1000, 3))
    mirrored = np.vstack([points, points * [-1.0, 1.0, -1.0], points * [-1.0, -1.0, 1.0]])  # sign bits only
    assert len(grouping.group_rows(grouping.exact_hashes(mirrored)).rep) == 3000
    keys = np.zeros((60, 4))
    keys[np.arange(60), np.arange(60) % 4] = 2.0 ** np.arange(60)  # powers of two in one coordinate
    keys[30 + np.arange(30), (np.arange(30) + 1) % 4] = -(2.0 ** np.arange(30))  # and in two
    hashes, _ = grouping.cell_hashes(keys, 1.0)
    assert len(grouping.group_rows(hashes).rep) == 60
    trefoil = explore("trefoil", "relu", n_points=2000).original  # its mirror points differ in signs
    assert metrics.neighbor_preservation(trefoil, trefoil + 1e-3) == 1.0


# -- reconstruction error and determinism -------------------------------------------------------

def test_reconstruction_error_formula():
    original = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])  # RMS spread √2.5
    assert metrics.reconstruction_error(original, original) == 0.0
    assert metrics.reconstruction_error(original, np.zeros_like(original)) == pytest.approx(1.0)
    shifted = original + np.array([0.3, 0.4])  # every point off by 0.5
    assert metrics.reconstruction_error(original, shifted) == pytest.approx(0.5 / np.sqrt(2.5))


def test_metrics_are_deterministic():
    first = explore("spiral", "relu", n_points=3000, seed=4, transform_params={"n": 3})
    second = explore("spiral", "relu", n_points=3000, seed=4, transform_params={"n": 3})
    assert first.metrics == second.metrics
    np.testing.assert_array_equal(metrics.collapse_mask(first.original, first.embedded),
                                  metrics.collapse_mask(second.original, second.embedded))
