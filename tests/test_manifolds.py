"""Manifold plugins: each sample satisfies its curve's formula and geometry (scikit-learn style)."""

import numpy as np
import pytest
from numpy import cos, sin
from numpy.testing import assert_allclose, assert_array_equal

import manifolds
from explorer import explore

TAU = 2 * np.pi
N = 400


def closed_t(n, **_):
    return np.linspace(0.0, TAU, n, endpoint=False)


def turns_t(n, turns, **_):
    return np.linspace(0.0, TAU * turns, n)


# name: (d, closed?, t(n, **params), formula(t, **params) -> coordinates, non-default params)
CURVES = {
    "spiral": (2, False, turns_t, lambda t, turns: (t * cos(t), t * sin(t)), {"turns": 2.5}),
    "circle": (2, True, closed_t, lambda t, radius: (radius * cos(t), radius * sin(t)), {"radius": 3.5}),
    "trefoil": (3, True, closed_t,
                lambda t: (sin(t) + 2 * sin(2 * t), cos(t) - 2 * cos(2 * t), -sin(3 * t)), {}),
    "figure_eight": (3, True, closed_t,
                     lambda t: ((2 + cos(2 * t)) * cos(3 * t), (2 + cos(2 * t)) * sin(3 * t), sin(4 * t)), {}),
    "torus_knot": (3, True, closed_t,
                   lambda t, p, q, R, r: ((R + r * cos(q * t)) * cos(p * t), (R + r * cos(q * t)) * sin(p * t),
                                          r * sin(q * t)),
                   {"p": 3, "q": 5, "R": 3.0, "r": 0.5}),
    "helix": (3, False, turns_t, lambda t, turns, pitch: (cos(t), sin(t), pitch * t / TAU),
              {"turns": 2.0, "pitch": 0.4}),
    "lissajous_knot": (3, True, closed_t,
                       lambda t, nx, ny, nz, phase_x, phase_y, phase_z: (
                           cos(nx * t + phase_x), cos(ny * t + phase_y), cos(nz * t + phase_z)),
                       {"nx": 3, "ny": 4, "nz": 7, "phase_x": 0.1, "phase_y": 0.7, "phase_z": 1.5}),
}


def sample(name, n=N, **params):
    """Through the engine (noise 0), so the engine's checks and parameter validation apply too."""
    result = explore(name, "relu", n_points=n, manifold_params=params)
    return result.original, result.t


def strand_separation(points, closed, gap):
    """Smallest distance between samples more than ``gap`` indices apart, over the largest step."""
    index = np.arange(len(points))
    apart = np.abs(index[:, None] - index[None, :])
    if closed:
        apart = np.minimum(apart, len(points) - apart)
    distances = np.linalg.norm(points[:, None] - points[None, :], axis=2)
    return distances[apart > gap].min() / np.linalg.norm(np.diff(points, axis=0), axis=1).max()


def test_every_registered_manifold_has_a_formula_test():
    assert set(manifolds.registry.names()) >= set(CURVES)


@pytest.mark.parametrize("custom", [False, True], ids=["defaults", "custom"])
@pytest.mark.parametrize("name", sorted(CURVES))
def test_points_follow_the_formula(name, custom):
    d, _, t_of, formula, custom_params = CURVES[name]
    params = {**manifolds.registry[name].defaults(), **(custom_params if custom else {})}
    points, t = sample(name, **params)
    assert points.shape == (N, d) and t.shape == (N,)
    assert_allclose(t, t_of(N, **params), rtol=0, atol=1e-12)
    assert_allclose(points, np.column_stack(formula(t, **params)), rtol=0, atol=1e-12)
    assert np.all(np.diff(t) > 0)


@pytest.mark.parametrize("name", sorted(name for name, curve in CURVES.items() if curve[1]))
def test_closed_curves_close_without_a_duplicated_point(name):
    points, t = sample(name)
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    closing_step = np.linalg.norm(points[0] - points[-1])
    assert t[0] == 0.0 and t[-1] < TAU
    assert 0.5 * steps.min() < closing_step < 1.5 * steps.max()


@pytest.mark.parametrize("name", sorted(name for name, curve in CURVES.items() if curve[0] == 3))
def test_space_curves_do_not_cross_themselves(name):
    points, _ = sample(name, n=2000)
    assert strand_separation(points, CURVES[name][1], gap=100) > 3


def test_spiral_radius_equals_angle():
    points, t = sample("spiral", turns=3.0)
    assert_allclose(np.linalg.norm(points, axis=1), t, atol=1e-12)
    assert t[-1] == pytest.approx(3 * TAU)


@pytest.mark.parametrize("radius", [0.1, 1.0, 7.25])
def test_circle_has_constant_radius_and_even_spacing(radius):
    points, _ = sample("circle", radius=radius)
    assert_allclose(np.linalg.norm(points, axis=1), radius, rtol=1e-12)
    steps = np.linalg.norm(np.diff(np.vstack([points, points[:1]]), axis=0), axis=1)
    assert_allclose(steps, 2 * radius * np.sin(np.pi / N), rtol=1e-9)


@pytest.mark.parametrize("p, q, R, r", [(2, 3, 2.0, 1.0), (3, 2, 2.0, 1.0), (3, 5, 4.0, 0.3),
                                        (1, 4, 1.5, 1.4), (7, 11, 10.0, 5.0)])
def test_torus_knot_lies_on_its_torus_and_winds_p_and_q_times(p, q, R, r):
    points, _ = sample("torus_knot", n=3000, p=p, q=q, R=R, r=r)
    x, y, z = points.T
    from_axis = np.hypot(x, y) - R
    assert_allclose(from_axis**2 + z**2, r**2, rtol=1e-9)
    closed = np.vstack([points, points[:1]])  # follow the loop all the way round
    around_axis = np.unwrap(np.arctan2(closed[:, 1], closed[:, 0]))
    around_tube = np.unwrap(np.arctan2(closed[:, 2], np.hypot(closed[:, 0], closed[:, 1]) - R))
    assert around_axis[-1] - around_axis[0] == pytest.approx(TAU * p)
    assert around_tube[-1] - around_tube[0] == pytest.approx(TAU * q)


def test_helix_climbs_pitch_per_turn_on_the_unit_cylinder():
    points, t = sample("helix", turns=2.5, pitch=0.8)
    assert_allclose(np.hypot(points[:, 0], points[:, 1]), 1.0, rtol=1e-12)
    assert np.all(np.diff(points[:, 2]) > 0)
    assert points[-1, 2] - points[0, 2] == pytest.approx(2.5 * 0.8)
    azimuth = np.unwrap(np.arctan2(points[:, 1], points[:, 0]))
    assert azimuth[-1] - azimuth[0] == pytest.approx(2.5 * TAU)


def test_lissajous_knot_default_is_the_standard_3_2_5_knot():
    assert manifolds.registry["lissajous_knot"].defaults() == {
        "nx": 3, "ny": 2, "nz": 5, "phase_x": 0.7, "phase_y": 0.2, "phase_z": 0.0}
    points, _ = sample("lissajous_knot")
    assert np.all(np.abs(points) <= 1.0)
    # x = cos(3t + 0.7) makes exactly 3 full oscillations: 6 sign changes around the loop.
    x = np.append(points[:, 0], points[0, 0])
    assert np.count_nonzero(np.diff(np.sign(x))) == 6


@pytest.mark.parametrize("name, params, words", [
    ("torus_knot", {"p": 2, "q": 4}, ["gcd", "p = 2", "q = 4"]),
    ("torus_knot", {"p": 6, "q": 9}, ["gcd", "p = 6", "q = 9"]),
    ("torus_knot", {"p": 5, "q": 5}, ["gcd"]),
    ("torus_knot", {"R": 1.0, "r": 1.0}, ["r = 1.0", "R = 1.0"]),
    ("torus_knot", {"R": 0.5, "r": 2.0}, ["smaller"]),
    ("lissajous_knot", {"nx": 4, "ny": 2}, ["coprime", "nx = 4", "ny = 2"]),
    ("lissajous_knot", {"ny": 7, "nz": 7}, ["coprime", "ny = 7", "nz = 7"]),
])
def test_impossible_parameter_combinations_raise_through_explore(name, params, words):
    with pytest.raises(ValueError, match=f"manifold '{name}'") as error:
        sample(name, **params)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("n", [10, 11, 1001])
def test_closed_curves_sample_evenly_for_any_count(n):
    points, t = sample("trefoil", n=n)
    assert_array_equal(t, np.linspace(0.0, TAU, n, endpoint=False))
    assert points.shape == (n, 3)
