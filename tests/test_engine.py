"""explore(): the DESIGN.md formulas, determinism, validation, and misbehaving plugins."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import manifolds
import transforms
from explorer import explore
from explorer.activations import ACTIVATIONS


def run(manifold="spiral", n_points=300, seed=0, noise=0.0, **transform_params):
    return explore(manifold, "relu", n_points=n_points, seed=seed, noise=noise,
                   transform_params=transform_params)


def assert_same_arrays(a, b):
    for name in ("original", "t", "embedded", "projected", "active"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name


# -- the math -----------------------------------------------------------------------------------


@pytest.mark.parametrize("inverse", ["pinv", "square"])
@pytest.mark.parametrize("manifold", ["spiral", "circle", "trefoil", "torus_knot"])
def test_linear_activation_reconstructs_the_manifold(manifold, inverse):
    result = run(manifold, activation="linear", inverse=inverse, n=7)
    assert_allclose(result.projected, result.original, rtol=0, atol=1e-9)
    assert result.metrics["reconstruction_error"] < 1e-12
    assert result.metrics["lossy_fraction"] == 0.0


@pytest.mark.parametrize("manifold, n, seed, noise", [("spiral", 10, 0, 0.0), ("spiral", 3, 7, 0.1),
                                                       ("trefoil", 15, 2**32 - 1, 0.0), ("helix", 3, 11, 0.2)])
def test_pinv_formula(manifold, n, seed, noise):
    result = run(manifold, seed=seed, noise=noise, n=n)
    X = result.original
    T = np.random.default_rng(seed).standard_normal((n, X.shape[1]))  # the noise does not move T
    assert_allclose(result.embedded, np.maximum(X @ T.T, 0), rtol=1e-12, atol=1e-12)
    assert_allclose(result.projected, result.embedded @ np.linalg.pinv(T).T, rtol=1e-10, atol=1e-10)
    assert np.array_equal(result.active, X @ T.T > 0)


@pytest.mark.parametrize("manifold, n, seed", [("spiral", 2, 0), ("spiral", 10, 5), ("trefoil", 3, 1),
                                               ("figure_eight", 12, 9)])
def test_square_inverse_formula(manifold, n, seed):
    result = run(manifold, seed=seed, n=n, inverse="square")
    X = result.original
    d = X.shape[1]
    A = np.random.default_rng(seed).standard_normal((n, n))
    X_pad = np.hstack([X, np.zeros((len(X), n - d))])
    Y = np.maximum(X_pad @ A, 0)
    assert_allclose(result.embedded, Y, rtol=1e-12, atol=1e-12)
    assert_allclose(result.projected, (Y @ np.linalg.inv(A))[:, :d], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("manifold, n", [("spiral", 1), ("trefoil", 2), ("trefoil", 1)])
def test_square_inverse_needs_n_at_least_d(manifold, n):
    with pytest.raises(ValueError, match=f"transform 'relu'.*n = {n}"):
        run(manifold, n=n, inverse="square")
    assert run(manifold, n=n).projected.shape[1] == run(manifold).d  # pinv works for any n


@pytest.mark.parametrize("manifold", ["spiral", "lissajous_knot"])
def test_pinv_and_square_agree_for_linear_and_differ_for_relu(manifold):
    def both(activation):
        return [run(manifold, n=6, activation=activation, inverse=inverse) for inverse in ("pinv", "square")]

    pinv, square = both("linear")
    assert_allclose(pinv.projected, square.projected, rtol=0, atol=1e-9)
    pinv, square = both("relu")
    assert np.abs(pinv.projected - square.projected).max() > 0.1 * np.abs(pinv.original).max()


@pytest.mark.parametrize("activation", ["relu", "relu6", "tanh", "leaky_relu"])
def test_the_matrix_depends_only_on_seed_and_shape(activation):
    linear = run("trefoil", n=8, seed=3, activation="linear")
    other = run("trefoil", n=8, seed=3, activation=activation)
    assert np.array_equal(other.embedded, ACTIVATIONS[activation](linear.embedded))


def test_reconstruction_error_formula():
    result = run("spiral", n=3, seed=4)  # RMS size ≈ 14, so the normalisation matters
    X, P = result.original, result.projected
    by_hand = np.sqrt(np.mean(np.sum((P - X) ** 2, axis=1))) / np.sqrt(np.mean(np.sum((X - X.mean(0)) ** 2, axis=1)))
    assert result.metrics["reconstruction_error"] == pytest.approx(by_hand, rel=1e-12)
    assert 0.05 < by_hand < 2  # a ReLU with n = 3 loses information


# -- determinism and noise ----------------------------------------------------------------------


@pytest.mark.parametrize("manifold, noise", [("spiral", 0.0), ("trefoil", 0.05)])
def test_same_inputs_give_bit_identical_arrays_and_seeds_matter(manifold, noise):
    first, again = run(manifold, seed=5, noise=noise), run(manifold, seed=5, noise=noise)
    assert_same_arrays(first, again)
    other = run(manifold, seed=6, noise=noise)
    assert not np.array_equal(first.embedded, other.embedded)
    assert np.array_equal(first.original, other.original) == (noise == 0)


def test_results_are_read_only():
    result = run()
    with pytest.raises(ValueError):
        result.original[0, 0] = 1.0


@pytest.mark.parametrize("manifold", ["spiral", "circle", "torus_knot"])
def test_noise_zero_keeps_points_on_the_manifold(manifold):
    plugin = manifolds.registry[manifold]
    points, t = plugin(300, **plugin.defaults())
    result = run(manifold, noise=0.0)
    assert np.array_equal(result.original, points) and np.array_equal(result.t, t)


@pytest.mark.parametrize("noise", [0.01, 0.2])
def test_noise_moves_points_by_its_fraction_of_the_rms_size(noise):
    clean = run("trefoil", n_points=20000).original
    noisy = run("trefoil", n_points=20000, noise=noise)
    rms_size = np.sqrt(np.mean(np.sum((clean - clean.mean(0)) ** 2, axis=1)))
    assert np.array_equal(noisy.t, run("trefoil", n_points=20000).t)
    shift = (noisy.original - clean) / (noise * rms_size)
    assert np.std(shift) == pytest.approx(1.0, abs=0.02)
    assert np.abs(np.mean(shift)) < 0.02


# -- bad inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, words", [
    ({"manifold": "nope"}, ["'nope'", "spiral", "trefoil"]),
    ({"transform": "nope"}, ["'nope'", "relu"]),
    ({"manifold_params": {"bogus": 1}}, ["bogus", "turns"]),
    ({"manifold_params": {"turns": 100.0}}, ["turns", "at most"]),
    ({"manifold_params": {"turns": "4"}}, ["turns"]),
    ({"transform_params": {"n": 2.5}}, ["'relu'", "n must be a whole number"]),
    ({"transform_params": {"n": True}}, ["'relu'", "n must be a number"]),
    ({"transform_params": {"activation": "swish"}}, ["activation", "relu"]),
    ({"transform_params": {"inverse": "qr"}}, ["inverse", "pinv"]),
    ({"n_points": 0}, ["n_points"]), ({"n_points": -10}, ["n_points"]), ({"n_points": 100.5}, ["n_points"]),
    ({"n_points": 10**7}, ["n_points", "at most"]), ({"n_points": "100"}, ["n_points"]),
    ({"seed": float("nan")}, ["seed", "finite"]), ({"seed": -1}, ["seed"]), ({"seed": 0.5}, ["seed"]),
    ({"noise": -0.1}, ["noise"]), ({"noise": float("inf")}, ["noise"]),
])
def test_bad_arguments_raise_value_error(kwargs, words):
    arguments = {"manifold": "spiral", "transform": "relu", "n_points": 50, **kwargs}
    with pytest.raises(ValueError) as error:
        explore(arguments.pop("manifold"), arguments.pop("transform"), **arguments)
    assert all(word in str(error.value) for word in words), str(error.value)


# -- misbehaving plugins ------------------------------------------------------------------------


def _raise(error):
    raise error


def _curve(n):
    return np.zeros((n, 2)), np.arange(n, dtype=float)


# fault: (plugin function, what the error must say besides the plugin's name); asked for 20 points
FAULTY_MANIFOLDS = {
    "list": (lambda n: ([[0.0, 0.0]] * n, list(range(n))), "points as a list"),
    "nan": (lambda n: (np.full((n, 2), np.nan), np.arange(n, dtype=float)), "points with 40 NaN"),
    "inf_t": (lambda n: (np.zeros((n, 2)), np.full(n, np.inf)), "t with 20 NaN or infinite"),
    "strings": (lambda n: (np.full((n, 2), "a"), np.arange(n, dtype=float)), "dtype <U1"),
    "complex": (lambda n: (np.zeros((n, 2)) + 1j, np.arange(n, dtype=float)), "dtype complex128"),
    "too_few": (lambda n: _curve(n - 1), "asked for 20 points"),
    "one_d": (lambda n: (np.zeros(n), np.arange(n, dtype=float)), "points of shape (20,)"),
    "four_d": (lambda n: (np.zeros((n, 4)), np.arange(n, dtype=float)), "points of shape (20, 4)"),
    "t_column": (lambda n: (np.zeros((n, 2)), np.zeros((n, 1))), "t of shape (20, 1)"),
    "triple": (lambda n: (*_curve(n), None), "tuple of 3 items"),
    "array_only": (lambda n: _curve(n)[0], "must return (points, t)"),
    "runtime_error": (lambda n: _raise(RuntimeError("lost the plot")), "RuntimeError: lost the plot"),
    "value_error": (lambda n: _raise(ValueError("cannot draw that")), "cannot draw that"),
}


@pytest.mark.parametrize("fault", sorted(FAULTY_MANIFOLDS))
def test_faulty_manifold_raises_value_error_naming_it(fault, temp_plugin):
    func, words = FAULTY_MANIFOLDS[fault]
    temp_plugin(manifolds.registry, "faulty_curve", func)
    with pytest.raises(ValueError, match="manifold 'faulty_curve'") as error:
        explore("faulty_curve", n_points=20)
    assert words in str(error.value)


def test_a_good_temporary_manifold_works(temp_plugin):
    temp_plugin(manifolds.registry, "faulty_curve", _curve)  # the fixture itself is sound
    assert explore("faulty_curve", n_points=20).original.shape == (20, 2)


def _relu(points, rng, **_):
    embedded = np.maximum(points @ rng.standard_normal((3, points.shape[1])).T, 0)
    return embedded, points.copy(), embedded > 0


FAULTY_TRANSFORMS = {  # points (20, 2) in
    "projected_shape": (lambda x, rng: (_relu(x, rng)[0], x[:, :1]), "projected of shape (20, 1)"),
    "projected_rows": (lambda x, rng: (_relu(x, rng)[0], x[1:]), "projected of shape (19, 2)"),
    "embedded_nan": (lambda x, rng: (np.full((len(x), 3), np.nan), x), "embedded with 60 NaN"),
    "embedded_inf": (lambda x, rng: (np.full((len(x), 3), -np.inf), x), "embedded with 60 NaN or infinite"),
    "embedded_1d": (lambda x, rng: (np.zeros(len(x)), x), "embedded of shape (20,)"),
    "embedded_no_units": (lambda x, rng: (np.zeros((len(x), 0)), x), "embedded of shape (20, 0)"),
    "embedded_list": (lambda x, rng: (_relu(x, rng)[0].tolist(), x), "embedded as a list"),
    "active_ints": (lambda x, rng: (*_relu(x, rng)[:2], _relu(x, rng)[2].astype(int)), "dtype int64"),
    "active_shape": (lambda x, rng: (*_relu(x, rng)[:2], _relu(x, rng)[2][:, :1]), "shape (20, 1) and dtype bool"),
    "active_list": (lambda x, rng: (*_relu(x, rng)[:2], _relu(x, rng)[2].tolist()), "active of a list"),
    "four_items": (lambda x, rng: (*_relu(x, rng), None), "tuple of 4 items"),
    "not_a_tuple": (lambda x, rng: list(_relu(x, rng)), "must return (embedded, projected"),
    "runtime_error": (lambda x, rng: _raise(ZeroDivisionError("oops")), "ZeroDivisionError: oops"),
}


@pytest.mark.parametrize("fault", sorted(FAULTY_TRANSFORMS))
def test_faulty_transform_raises_value_error_naming_it(fault, temp_plugin):
    func, words = FAULTY_TRANSFORMS[fault]
    temp_plugin(transforms.registry, "faulty_layer", func)
    with pytest.raises(ValueError, match="transform 'faulty_layer'") as error:
        explore("spiral", "faulty_layer", n_points=20)
    assert words in str(error.value)


def test_a_good_temporary_transform_works(temp_plugin):
    temp_plugin(transforms.registry, "faulty_layer", _relu)
    result = explore("trefoil", "faulty_layer", n_points=20)
    assert result.embedded.shape == (20, 3) and result.active.dtype == bool
