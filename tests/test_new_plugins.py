"""The newer plugins, checked against their formulas: activations, bias, Swiss roll, deep stack,
inverted residual block, and the depth view's data."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import manifolds
import transforms
from explorer import explore
from explorer.activations import ACTIVATIONS, HARD_SWISH_FLAT
from explorer.depth import MAX_DEPTH, depth_chart, depth_table, layer_projections, stack_lossy_theory
from explorer.metrics import lossy_mask, lossy_theory, rms_spread

Z = np.linspace(-8.0, 8.0, 16001)


def same(a, b):
    """Bit-identical arrays (or both None)."""
    return (a is None and b is None) or (a is not None and b is not None and a.dtype == b.dtype
                                         and a.shape == b.shape and a.tobytes() == b.tobytes())


# -- activations ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, formula", [
    ("elu", lambda z: np.where(z > 0, z, np.exp(z) - 1)),
    ("silu", lambda z: z / (1 + np.exp(-z))),
    ("hard_swish", lambda z: z * np.minimum(np.maximum(z + 3, 0), 6) / 6),
    ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
    ("abs", np.abs),
])
def test_new_activations_follow_their_formulas(name, formula):
    assert_allclose(ACTIVATIONS[name](Z), formula(Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_active_is_where_the_slope_is_not_zero(name):
    """``active`` agrees with the numerical slope everywhere except within one grid step of a kink
    or of an isolated zero of the slope (GELU, SiLU, hard-swish minima), which are measure zero."""
    act = ACTIVATIONS[name]
    step = 1e-6
    slope = (act(Z + step) - act(Z - step)) / (2 * step)
    mask = act.active(Z)
    isolated = {"gelu": -0.7518, "silu": -1.2785, "hard_swish": -1.5}
    near = np.zeros_like(Z, dtype=bool)
    for point in [0.0, 6.0, HARD_SWISH_FLAT, 3.0, isolated.get(name, 0.0)]:
        near |= np.abs(Z - point) < 2e-3
    saturated = np.abs(slope) < 1e-300  # float64 saturation of a mathematically positive slope
    expected = np.abs(slope) > 0
    disagree = (mask != expected) & ~near & ~(mask & saturated)
    assert not np.any(disagree), Z[disagree][:5]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_injective_flag_matches_strict_monotonicity(name):
    # On [-6, 6] no slope rounds to zero in float64 (tanh's is 2.5e-5 at 6), so injective activations
    # increase strictly; the others are flat somewhere (ReLU, ReLU6, hard-swish), fall somewhere (GELU,
    # SiLU, hard-swish) or both (abs).
    steps = np.diff(ACTIVATIONS[name](np.linspace(-6.0, 6.0, 120_001)))
    assert ACTIVATIONS[name].injective == bool(np.all(steps > 0)), name


def test_silu_minimum_and_hard_swish_regions():
    z = np.linspace(-3, 0, 3_000_001)
    silu = ACTIVATIONS["silu"](z)
    assert z[np.argmin(silu)] == pytest.approx(-1.27846, abs=1e-5)
    assert silu.min() == pytest.approx(-0.27846, abs=1e-5)
    hard = ACTIVATIONS["hard_swish"]
    assert_array_equal(hard(np.array([-10.0, -3.0])), [0.0, 0.0])
    assert hard(np.array([-1.5]))[0] == -0.375
    assert_array_equal(hard.active(np.array([-10.0, -3.0, -2.999, -1.5, 0.0, 5.0])),
                       [False, False, True, True, True, True])
    assert_array_equal(ACTIVATIONS["abs"].active(np.array([-1.0, 0.0, 1.0])), [True, False, True])


@pytest.mark.parametrize("activation", ["elu", "sigmoid", "silu", "abs"])
def test_activations_active_almost_everywhere_lose_nothing_locally(activation):
    for n in (2, 3, 30):
        run = explore("spiral", "relu", n_points=1000, seed=n, transform_params={"n": n, "activation": activation})
        # the spiral starts at the origin: one point has T x = 0, where abs has slope 0
        assert run.metrics["lossy_fraction"] <= (1 / 1000 if activation == "abs" else 0.0)


def test_hard_swish_loses_where_units_are_flat():
    run = explore("circle", "relu", n_points=2000, seed=1,
                  transform_params={"n": 3, "activation": "hard_swish"}, manifold_params={})
    pre = run.original @ np.random.default_rng(1).standard_normal((3, 2)).T
    assert_array_equal(run.active, pre > -3)
    assert run.metrics["lossy_fraction"] == np.mean(np.count_nonzero(pre > -3, axis=1) < 2)


def test_abs_folds_a_circle_onto_itself():
    """|T x| = |T(−x)|: every point of a circle meets its antipode — not locally lossy, but collapsed."""
    run = explore("circle", "relu", n_points=1000, transform_params={"n": 10, "activation": "abs"})
    assert run.metrics["lossy_fraction"] == 0.0
    assert run.metrics["collapse_fraction"] == 1.0


# -- bias -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("manifold", ["spiral", "trefoil"])
@pytest.mark.parametrize("inverse", ["pinv", "square"])
def test_bias_keeps_t_and_adds_the_next_draw(manifold, inverse):
    plain = explore(manifold, "relu", n_points=300, seed=7, transform_params={"n": 6, "activation": "linear",
                                                                             "inverse": inverse})
    biased = explore(manifold, "relu", n_points=300, seed=7,
                     transform_params={"n": 6, "activation": "linear", "inverse": inverse, "bias": True})
    rng = np.random.default_rng(7)
    rng.standard_normal((6, plain.d) if inverse == "pinv" else (6, 6))
    b = rng.standard_normal(6)
    assert_array_equal(biased.embedded, plain.embedded + b)  # the same T, and b the draw after it
    assert_allclose(biased.projected, plain.original, rtol=0, atol=1e-11)  # (Y − b) T⁺: exact round trip


def test_bias_changes_where_units_are_active():
    X = explore("spiral", n_points=500).original
    run = explore("spiral", "relu", n_points=500, seed=3, transform_params={"bias": True})
    rng = np.random.default_rng(3)
    T = rng.standard_normal((10, 2))
    b = rng.standard_normal(10)
    assert_array_equal(run.active, X @ T.T + b > 0)
    assert_allclose(run.embedded, np.maximum(X @ T.T + b, 0), rtol=0, atol=0)
    assert_allclose(run.projected, (run.embedded - b) @ np.linalg.pinv(T).T, rtol=0, atol=0)


def test_bias_off_is_the_paper_layer_unchanged():
    default = explore("spiral", n_points=200)
    assert default.transform_params["bias"] is False
    rng = np.random.default_rng(0)
    T = rng.standard_normal((10, 2))
    assert_array_equal(default.embedded, np.maximum(default.original @ T.T, 0))


def test_bias_keeps_the_lossy_theory_on_average():
    """Each (T x + b)ᵢ ~ N(0, |x|² + 1) is symmetric about 0, so with b ~ N(0, 1) every unit is
    still active with probability ½, independently: the mean lossy fraction over (T, b) is still
    Σ_{k<d} C(n,k)/2ⁿ — also at x = 0, which without a bias is lost for every T."""
    def mean_lossy(bias):
        return np.mean([explore("spiral", "relu", n_points=200, seed=seed,
                                transform_params={"n": 5, "bias": bias}).metrics["lossy_fraction"]
                        for seed in range(400)])

    assert mean_lossy(False) == pytest.approx(lossy_theory(5, 2), abs=0.03)
    assert mean_lossy(True) == pytest.approx(lossy_theory(5, 2), abs=0.03)
    centre = [explore("spiral", "relu", n_points=50, seed=seed, transform_params={"n": 5, "bias": bias}).active[0]
              for seed in range(400) for bias in (False, True)]
    assert not np.any(centre[0::2])  # x = 0: no unit active without a bias
    assert np.mean([np.count_nonzero(row) < 2 for row in centre[1::2]]) == pytest.approx(lossy_theory(5, 2), abs=0.06)


# -- Swiss roll -----------------------------------------------------------------------------------

@pytest.mark.parametrize("n_points", [10, 101, 1000, 5000])
def test_swiss_roll_formula_and_grid(n_points):
    result = explore("swiss_roll", n_points=n_points)
    X, t = result.original, result.t
    assert X.shape == (n_points, 3) and result.d == 3
    assert_allclose(X[:, 0], t * np.cos(t), rtol=0, atol=0)
    assert_allclose(X[:, 1], t * np.sin(t), rtol=0, atol=0)
    assert t[0] == 1.5 * np.pi and t.max() <= 4.5 * np.pi and np.all(np.diff(t) >= 0)
    assert X[:, 2].min() == 0.0 and X[:, 2].max() <= 21.0
    heights = np.unique(X[:, 2])
    columns = np.unique(t)
    assert len(heights) * (len(columns) - 1) < n_points <= len(heights) * len(columns)  # only the last column cut
    if n_points >= 1000:  # grid spacing about equal along t (≈ arc length) and along the height
        spacing_along = 9 * np.pi**2 / (len(columns) - 1)
        spacing_up = 21.0 / (len(heights) - 1)
        assert 0.5 < spacing_along / spacing_up < 2


def test_swiss_roll_height_param():
    X = explore("swiss_roll", n_points=400, manifold_params={"height": 5.0}).original
    assert X[:, 2].max() == 5.0


def test_surface_metrics_make_sense():
    """A 2-D surface in R³: linear is a perfect round trip; with ReLU, lossy counts fewer than
    d = 3 (ambient) active units and its mean over T matches the theory for d = 3."""
    linear = explore("swiss_roll", "relu", n_points=1500, transform_params={"activation": "linear"})
    assert linear.metrics["reconstruction_error"] < 1e-12 and linear.metrics["lossy_fraction"] == 0
    # neighbours on a grid tie, and rounding reorders ties: not quite 1
    assert linear.metrics["collapse_fraction"] == 0 and linear.metrics["neighbor_preservation"] > 0.99
    relu = explore("swiss_roll", "relu", n_points=1500, transform_params={"n": 4})
    assert_array_equal(lossy_mask(relu.active, 3), np.count_nonzero(relu.active, axis=1) < 3)
    measured = np.mean([explore("swiss_roll", "relu", n_points=300, seed=seed,
                                transform_params={"n": 4}).metrics["lossy_fraction"] for seed in range(300)])
    assert measured == pytest.approx(lossy_theory(4, 3), abs=0.04)  # (1 + 4 + 6) / 16
    wide = explore("swiss_roll", "relu", n_points=1500, transform_params={"n": 30})
    assert wide.metrics["lossy_fraction"] < 1e-3 and wide.metrics["neighbor_preservation"] > 0.9


# -- deep stack -----------------------------------------------------------------------------------

@pytest.mark.parametrize("manifold", ["spiral", "trefoil", "swiss_roll"])
@pytest.mark.parametrize("activation", ["relu", "relu6", "tanh", "linear", "hard_swish"])
def test_depth_one_is_the_single_layer_exactly(manifold, activation):
    params = {"n": 7, "activation": activation}
    single = explore(manifold, "relu", n_points=400, seed=5, noise=0.01, transform_params=params)
    stack = explore(manifold, "deep_stack", n_points=400, seed=5, noise=0.01, transform_params={**params, "depth": 1})
    for name in ("original", "embedded", "projected", "active"):
        assert same(getattr(single, name), getattr(stack, name)), name
    assert single.metrics == stack.metrics


def by_hand(points, seed, n, depth, act):
    """The stack written out: each layer's T (n, d) the next draw; X'ᵢ = act(X'ᵢ₋₁ Tᵢᵀ)(Tᵢ⁺)ᵀ."""
    rng, d = np.random.default_rng(seed), points.shape[1]
    projected, counts, masks = points, [], []
    for _ in range(depth):
        T = rng.standard_normal((n, d))
        pre = projected @ T.T
        embedded = act(pre)
        projected = embedded @ np.linalg.pinv(T).T
        masks.append(act.active(pre))
        counts.append(np.count_nonzero(masks[-1], axis=1))
    return embedded, projected, np.array(counts), masks


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_deep_stack_follows_its_formula(activation):
    result = explore("trefoil", "deep_stack", n_points=500, seed=2,
                     transform_params={"n": 4, "depth": 5, "activation": activation})
    embedded, projected, counts, masks = by_hand(result.original, 2, 4, 5, ACTIVATIONS[activation])
    assert_allclose(result.embedded, embedded, rtol=0, atol=0)
    assert_allclose(result.projected, projected, rtol=0, atol=0)
    narrowest = np.argmin(counts, axis=0)  # the first layer with the fewest active units
    assert_array_equal(result.active, np.array(masks)[narrowest, np.arange(500)])
    assert result.metrics.get("lossy_fraction") == np.mean(np.any(counts < 3, axis=0))


def test_deep_stack_lossy_matches_its_theory_over_seeds():
    for n, depth in [(4, 2), (5, 3)]:
        measured = np.mean([explore("circle", "deep_stack", n_points=200, seed=seed,
                                    transform_params={"n": n, "depth": depth}).metrics["lossy_fraction"]
                            for seed in range(400)])
        assert measured == pytest.approx(stack_lossy_theory(n, 2, depth), abs=0.04), (n, depth)
    assert stack_lossy_theory(5, 2, 1) == lossy_theory(5, 2)
    assert stack_lossy_theory(5, 2, 3) == pytest.approx(1 - (1 - 6 / 32) ** 3, rel=1e-15)


def test_depth_view_data_and_chart():
    result = explore("spiral", "deep_stack", n_points=800, seed=1, transform_params={"n": 8, "depth": 4})
    layers = layer_projections(result)
    assert len(layers) == 4 and all(layer.shape == (800, 2) for layer in layers)
    assert same(layers[-1], result.projected)
    single = explore("spiral", "relu", n_points=800, seed=1, transform_params={"n": 8})
    assert same(layers[0], single.projected)
    table = depth_table(result)
    assert [row["layer"] for row in table] == [1, 2, 3, 4]
    lossy = [row["lossy_fraction"] for row in table]
    assert lossy == sorted(lossy) and lossy[-1] == result.metrics["lossy_fraction"]
    assert table[-1]["reconstruction_error"] == result.metrics["reconstruction_error"]
    assert table[-1]["neighbor_preservation"] == result.metrics["neighbor_preservation"]
    assert table[0]["reconstruction_error"] == single.metrics["reconstruction_error"]
    assert [row["lossy_theory"] for row in table] == [stack_lossy_theory(8, 2, k) for k in (1, 2, 3, 4)]
    assert all(row["lossy_theory"] is None for row in depth_table(
        explore("spiral", "deep_stack", n_points=100, transform_params={"activation": "tanh"})))
    spec = depth_chart(result, cap=300).to_dict()
    assert len(spec["concat"]) == 5
    assert spec["concat"][1]["title"]["text"] == "After layer 1"
    with pytest.raises(ValueError, match="deep_stack"):
        layer_projections(single)


def test_deep_stack_depth_bounds():
    assert transforms.registry["deep_stack"].params["depth"].max == MAX_DEPTH == 8
    with pytest.raises(ValueError, match="depth must be at most 8"):
        explore("spiral", "deep_stack", n_points=50, transform_params={"depth": 9})


# -- inverted residual block ----------------------------------------------------------------------

def block_by_hand(X, seed, expansion, act, bottleneck, residual):
    E = np.random.default_rng(seed).standard_normal((expansion * X.shape[1], X.shape[1]))
    H = act(X @ E.T)
    F = H @ np.linalg.pinv(E).T
    if bottleneck == "relu":
        F = np.maximum(F, 0.0)
    return E, H, ((X + F) / 2 if residual else F)


@pytest.mark.parametrize("manifold", ["spiral", "trefoil"])
def test_inverted_residual_with_linear_activation_is_identity_plus_a_linear_map(manifold):
    """block(X) = X + X Eᵀ(E⁺)ᵀ = X (I + (E⁺E)ᵀ) = 2X, as E⁺E = I for E (t·d, d) of full rank; the
    projection back halves it (the inverse of that linear block), so X' = X."""
    result = explore(manifold, "inverted_residual", n_points=400, seed=4, transform_params={"activation": "linear"})
    X, d = result.original, result.d
    E = np.random.default_rng(4).standard_normal((6 * d, d))
    linear_map = E.T @ np.linalg.pinv(E).T  # (d, d): X ↦ X Eᵀ (E⁺)ᵀ
    assert_allclose(linear_map, np.eye(d), rtol=0, atol=1e-12)
    assert_allclose(result.projected, (X + X @ linear_map) / 2, rtol=0, atol=1e-12 * np.abs(X).max())
    assert_allclose(result.projected, X, rtol=0, atol=1e-12 * np.abs(X).max())
    assert_allclose(result.embedded, X @ E.T, rtol=0, atol=0)
    assert result.active is None and "lossy_fraction" not in result.metrics
    assert result.metrics["reconstruction_error"] < 1e-12


@pytest.mark.parametrize("bottleneck", ["linear", "relu"])
@pytest.mark.parametrize("residual", [True, False])
@pytest.mark.parametrize("expansion", [1, 6])
def test_inverted_residual_follows_its_formula(bottleneck, residual, expansion):
    params = {"expansion": expansion, "bottleneck": bottleneck, "residual": residual}
    result = explore("helix", "inverted_residual", n_points=300, seed=9, manifold_params={"pitch": 0.2},
                     transform_params=params)
    E, H, expected = block_by_hand(result.original, 9, expansion, ACTIVATIONS["relu6"], bottleneck, residual)
    assert result.embedded.shape == (300, 3 * expansion)
    assert_allclose(result.embedded, H, rtol=0, atol=0)
    assert_allclose(result.projected, expected, rtol=0, atol=0)
    if residual:
        assert result.active is None
    else:
        wide = ACTIVATIONS["relu6"].active(result.original @ E.T)
        lost = np.count_nonzero(wide, axis=1) < 3
        if bottleneck == "relu":
            lost |= np.any(H @ np.linalg.pinv(E).T <= 0, axis=1)  # a clipped bottleneck unit
        assert_array_equal(lossy_mask(result.active, 3), lost)


def test_the_branch_alone_is_the_papers_layer_with_relu6():
    block = explore("spiral", "inverted_residual", n_points=300, seed=3, transform_params={"residual": False})
    layer = explore("spiral", "relu", n_points=300, seed=3, transform_params={"n": 12, "activation": "relu6"})
    for name in ("embedded", "projected", "active"):
        assert same(getattr(block, name), getattr(layer, name)), name


def test_residual_jacobian_is_invertible_everywhere():
    """I + E⁺DE has eigenvalues in [1, 2] for any 0/1 diagonal D: the linear-bottleneck block is
    locally invertible at every point, which is why it reports no active units."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        d = int(rng.integers(2, 4))
        E = rng.standard_normal((6 * d, d))
        D = np.diag(rng.integers(0, 2, 6 * d).astype(float))
        eigenvalues = np.linalg.eigvals(np.eye(d) + np.linalg.pinv(E) @ D @ E)
        assert np.all(np.abs(eigenvalues.imag) < 1e-9)
        assert np.all((eigenvalues.real > 1 - 1e-9) & (eigenvalues.real < 2 + 1e-9))


def test_the_linear_bottleneck_keeps_more_than_a_relu_bottleneck():
    """The paper's case, measured on the branch alone: a ReLU in the d-dimensional bottleneck
    loses far more of the spiral than the linear one."""
    def run(bottleneck):
        return explore("circle", "inverted_residual", n_points=2000, seed=0,
                       transform_params={"bottleneck": bottleneck, "residual": False}).metrics

    linear, relu = run("linear"), run("relu")
    assert relu["lossy_fraction"] > linear["lossy_fraction"] + 0.3
    assert relu["neighbor_preservation"] < linear["neighbor_preservation"]


def test_every_new_plugin_is_registered():
    assert {"custom_curve", "swiss_roll", "uploaded"} <= set(manifolds.registry.names())
    assert {"deep_stack", "inverted_residual"} <= set(transforms.registry.names())
    assert math.isfinite(rms_spread(explore("swiss_roll", n_points=50).original))
