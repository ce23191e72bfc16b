"""The installable example in examples/manifold-explorer-example: built and installed with pip, found
through its entry points, working in explore() and on the page.

The package is really built (pip, setuptools from PyPI in build isolation, ~5 s) and installed with
``pip install --no-deps --target <tmp>``: the dist-info and entry_points.txt are setuptools' own, and
the virtual environment is never changed. The target folder goes on ``sys.path`` for this module's
tests only; afterwards it is deleted and the registries rescanned, so the plugins are gone.
Without a package index pip can't get setuptools: the tests skip, except under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import manifolds
import transforms
from app_support import assert_healthy, run_page, two_d_views, widget
from explorer import explore
from explorer.check import check_plugin

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "manifold-explorer-example"
REGISTRIES = (manifolds.registry, transforms.registry)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Install the example into a throw-away folder on sys.path; remove every trace afterwards."""
    work = tmp_path_factory.mktemp("example")
    source, target = work / "source", work / "site"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check",
                           "--target", str(target), str(source)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        reason = f"pip could not build and install the example package:\n{done.stderr[-2000:]}"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    sys.path.insert(0, str(target))
    for registry in REGISTRIES:
        registry.rediscover()
    yield target
    shutil.rmtree(target)  # rediscover() drops plugins whose module file is gone
    sys.path.remove(str(target))
    for registry in REGISTRIES:
        registry.rediscover()
    for name in [name for name in sys.modules if name.split(".")[0] == "manifold_explorer_example"]:
        del sys.modules[name]  # rediscover() removed the plugin modules; this is their package
    assert "rose" not in manifolds.registry and "leaky_layer" not in transforms.registry


def test_the_build_has_both_entry_point_forms(installed):
    [dist_info] = installed.glob("manifold_explorer_example-0.1.0.dist-info")
    entry_points = (dist_info / "entry_points.txt").read_text()
    assert "example_curves = manifold_explorer_example.curves" in entry_points  # a module
    assert "example_layer = manifold_explorer_example.layers:leaky_layer" in entry_points  # a function


def test_both_plugins_are_discovered_without_errors(installed):
    assert manifolds.registry["rose"].func.__module__ == "manifold_explorer_example.curves"
    assert transforms.registry["leaky_layer"].func.__module__ == "manifold_explorer_example.layers"
    errors = [error for registry in REGISTRIES for error in registry.errors if "example" in error.source]
    assert not errors
    assert Path(sys.modules["manifold_explorer_example"].__file__).is_relative_to(installed)


@pytest.mark.parametrize("registry, name", [(manifolds.registry, "rose"), (transforms.registry, "leaky_layer")])
def test_both_plugins_pass_the_contract(installed, registry, name):
    assert check_plugin(registry[name]) == []


def test_the_rose_follows_its_formula(installed):
    result = explore("rose", n_points=400, manifold_params={"k": 2})
    theta = result.t
    radius = np.cos(2 * theta)
    np.testing.assert_allclose(result.original, np.column_stack([radius * np.cos(theta), radius * np.sin(theta)]),
                               atol=1e-12)
    assert theta[0] == 0.0 and theta[-1] < 2 * np.pi  # even k: one trace over [0, 2π)
    lifted = explore("rose", n_points=400, manifold_params={"k": 3, "lift": True})
    assert lifted.original.shape == (400, 3) and lifted.t[-1] < np.pi  # odd k: [0, π)


def test_the_leaky_layer_loses_nothing_unless_its_slope_is_zero(installed):
    leaky = explore("spiral", "leaky_layer", n_points=500, transform_params={"n": 3, "slope": 0.2})
    assert leaky.metrics["lossy_fraction"] == 0.0 and leaky.active.all()
    matrix = np.random.default_rng(0).standard_normal((3, 2))  # the layer's T: the first draw of rng(seed 0)
    undone = np.where(leaky.embedded > 0, leaky.embedded, leaky.embedded / 0.2)  # leaky ReLU undone unit by unit
    np.testing.assert_allclose(undone @ np.linalg.pinv(matrix).T, leaky.original, atol=1e-9)
    like_relu = explore("spiral", "leaky_layer", n_points=500, transform_params={"n": 3, "slope": 0.0})
    paper = explore("spiral", "relu", n_points=500, transform_params={"n": 3})
    np.testing.assert_allclose(like_relu.projected, paper.projected, atol=1e-12)  # slope 0 is the paper's ReLU
    assert like_relu.metrics["lossy_fraction"] == paper.metrics["lossy_fraction"] > 0


def test_the_command_line_checks_the_installed_package(installed):
    done = subprocess.run([sys.executable, "-m", "explorer", "check", "manifold_explorer_example.curves",
                           "manifold_explorer_example.layers:leaky_layer"],
                          cwd=EXAMPLE.parent.parent, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(installed)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["PASS manifold 'rose'", "PASS transform 'leaky_layer'"]


def test_the_page_offers_and_draws_the_manifold(installed):
    app = run_page({"manifold": "rose", "rose.k": "5", "n_points": "500"})
    assert_healthy(app)
    select = widget(app, "manifold")
    assert select.value == "rose" and "Rose r = cos kθ (example package)" in select.options
    assert widget(app, "rose.k").value == 5 and widget(app, "rose.lift").value is False
    original = two_d_views(app)[0]
    expected = explore("rose", n_points=500, manifold_params={"k": 5}).original
    np.testing.assert_allclose(original[["x", "y"]].to_numpy(), expected, rtol=1e-6, atol=1e-6)  # float32 on the wire


def test_the_page_offers_and_runs_the_transform(installed):
    app = run_page({"transform": "leaky_layer", "leaky_layer.slope": "0.5", "leaky_layer.n": "4",
                    "n_points": "500"})
    assert_healthy(app)
    select = widget(app, "transform")
    assert select.value == "leaky_layer"
    assert "Expand → leaky ReLU → project back (example package)" in select.options
    assert widget(app, "leaky_layer.slope").value == 0.5 and widget(app, "leaky_layer.n").value == 4
    projected = two_d_views(app)[1]
    expected = explore("spiral", "leaky_layer", n_points=500, transform_params={"n": 4, "slope": 0.5}).projected
    np.testing.assert_allclose(projected[["x", "y"]].to_numpy(), expected, rtol=1e-5, atol=1e-4)
