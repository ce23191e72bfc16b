"""The plugin contract: every registered plugin, Param declarations and validation, discovery."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import manifolds
import transforms
from explorer import explore
from explorer.check import check_plugin
from explorer.plugins import Param

MANIFOLD_DIR = Path(manifolds.__file__).parent


# -- every registered plugin: the same checks `python -m explorer check` runs for plugin authors --
# check_plugin checks the declaration (a non-empty label; every default validates to itself and
# validate_params({}) == defaults()), then runs the plugin through explore() twice at n_points 10,
# 101 and 1000 (a transform on the spiral, in R², and on the trefoil, in R³) and at every choice,
# boolean and bound of its params. The engine rejects wrong shapes, dtypes and NaN; check_plugin
# adds bit-identical repeats, finite metrics, a manifold's direct call equal to the engine's
# sample, and a transform's input left untouched.


@pytest.mark.parametrize("name", manifolds.registry.names())
def test_manifold_contract(name):
    assert check_plugin(manifolds.registry[name]) == []
    result = explore(name, n_points=60)
    d = result.original.shape[1]
    assert d in (2, 3) and result.original.shape == (60, d) and result.t.shape == (60,)
    assert result.projected.shape == (60, d) and result.embedded.shape == (60, 10)


@pytest.mark.parametrize("name", transforms.registry.names())
def test_transform_contract(name):
    assert check_plugin(transforms.registry[name]) == []
    for manifold, d in [("spiral", 2), ("trefoil", 3)]:
        result = explore(manifold, name, n_points=60)
        n = result.embedded.shape[1]
        assert result.embedded.shape == (60, n) and n >= 1
        assert result.projected.shape == (60, d)
        assert result.active is None or (result.active.dtype == bool and result.active.shape == (60, n))
        assert all(isinstance(value, float) and math.isfinite(value) for value in result.metrics.values())


# -- Param --------------------------------------------------------------------------------------


@pytest.mark.parametrize("param, kind, bounded", [
    (Param(True), "bool", False),
    (Param(3, min=1, max=12), "int", True),
    (Param(np.int64(3)), "int", False),
    (Param(0.5, min=0.0), "float", False),
    (Param("a", choices=["a", "b"]), "choice", False),
    (Param("cos(t)"), "text", False),
    (Param(""), "text", False),
])
def test_param_kind(param, kind, bounded):
    assert param.kind == kind and param.bounded == bounded


@pytest.mark.parametrize("param, value, expected", [
    (Param(3, min=1, max=12), 5, 5),
    (Param(3, min=1, max=12), 7.0, 7),
    (Param(3, min=1, max=12), np.int32(12), 12),
    (Param(1.0, min=0.0, max=2.0), 2, 2.0),
    (Param(1.0, min=0.0, max=2.0), np.float32(0.5), 0.5),
    (Param(False), True, True),
    (Param(False), np.bool_(True), True),
    (Param("a", choices=("a", "b")), "b", "b"),
    (Param("cos(t)"), "sin(t)", "sin(t)"),
    (Param("cos(t)"), np.str_("t"), "t"),
    (Param("cos(t)"), "", ""),
])
def test_param_accepts_and_coerces(param, value, expected):
    checked = param.validate(value, "x")
    assert checked == expected and type(checked) is type(expected)


INT, FLOAT, FLAG, CHOICE = Param(3, min=1, max=12), Param(1.0, min=0.0, max=2.0), Param(False), \
    Param("a", choices=("a", "b"))
TEXT = Param("cos(t)")


@pytest.mark.parametrize("param, value, words", [
    (INT, 13, "at most 12"), (INT, 0, "at least 1"), (INT, "3", "number"), (INT, True, "number"),
    (INT, 2.5, "whole number"), (INT, float("nan"), "finite"), (INT, None, "number"),
    (FLOAT, float("inf"), "finite"), (FLOAT, float("-inf"), "finite"), (FLOAT, -0.1, "at least"),
    (FLOAT, "1.0", "number"), (FLOAT, [1.0], "number"), (FLOAT, 1 + 0j, "number"),
    (FLAG, 1, "true or false"), (FLAG, "true", "true or false"),
    (CHOICE, "c", "one of"), (CHOICE, None, "one of"),
    (TEXT, 3, "must be text"), (TEXT, None, "must be text"), (TEXT, "t" * 201, "at most 200 characters"),
])
def test_param_rejects_bad_values_naming_the_param(param, value, words):
    with pytest.raises(ValueError, match="my_param") as error:
        param.validate(value, "my_param")
    assert words in str(error.value)


@pytest.mark.parametrize("make", [
    lambda: Param("x" * 201), lambda: Param(None), lambda: Param([1, 2]),
    lambda: Param(5, min=1, max=3), lambda: Param(0.5, min=1.0), lambda: Param(1, min=3, max=1),
    lambda: Param(float("nan")), lambda: Param("c", choices=("a", "b")),
], ids=["text-too-long", "none", "list", "int-above-max", "float-below-min", "min>max", "nan", "default-not-a-choice"])
def test_bad_param_declarations_raise(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("name, params", [
    ("Bad Name", {}), ("bad-name", {}), ("", {}), (3, {}), ("ok_name", {"a": 3}), ("ok_name", {"a": (3, 1, 5)}),
])
def test_bad_registrations_raise(name, params):
    with pytest.raises(ValueError):
        manifolds.register(name, params=params)
    assert "ok_name" not in manifolds.registry


def test_a_slug_taken_by_another_module_cannot_be_reused():
    def spiral(n_points):
        return np.zeros((n_points, 2)), np.arange(n_points, dtype=float)

    with pytest.raises(ValueError, match="already registered by manifolds.spiral"):
        manifolds.register("spiral")(spiral)
    assert manifolds.registry["spiral"].func.__module__ == "manifolds.spiral"


# -- registries and discovery -------------------------------------------------------------------


@pytest.mark.parametrize("registry", [manifolds.registry, transforms.registry], ids=["manifolds", "transforms"])
def test_unknown_name_lists_the_available_ones(registry):
    with pytest.raises(ValueError, match="'no_such_thing'") as error:
        registry["no_such_thing"]
    assert all(name in str(error.value) for name in registry.names())
    assert "no_such_thing" not in registry



PLUGIN_SOURCE = '''
import numpy as np
from manifolds import Param, register

@register("{slug}", label="Test line", params={{"slope": Param(2.0, min=0.0, max=5.0)}})
def line(n_points, slope):
    t = np.linspace(0.0, 1.0, n_points)
    return np.column_stack([t, slope * t]), t
'''


def test_a_dropped_in_file_is_discovered_and_removed(plugin_file):
    plugin_file("zz_test_dropin", PLUGIN_SOURCE.format(slug="zz_test_line"))
    assert "zz_test_line" in manifolds.registry.names()
    result = explore("zz_test_line", n_points=20, manifold_params={"slope": 3.0})
    assert np.allclose(result.original[:, 1], 3.0 * result.t)
    (MANIFOLD_DIR / "zz_test_dropin.py").unlink()
    manifolds.registry.rediscover()
    assert "zz_test_line" not in manifolds.registry.names()
    assert "manifolds.zz_test_dropin" not in sys.modules


def test_a_broken_file_is_reported_and_the_others_still_work(plugin_file):
    before = manifolds.registry.names()
    plugin_file("zz_test_broken", "raise RuntimeError('boom from a broken plugin')\n")
    assert manifolds.registry.names() == before
    [error] = [e for e in manifolds.registry.errors if "zz_test_broken" in e.source]
    assert error.source == "manifolds/zz_test_broken.py"
    assert "RuntimeError" in error.message and "boom from a broken plugin" in error.message
    for name in before:
        assert explore(name, n_points=20).original.shape[0] == 20


@pytest.fixture
def entry_points(tmp_path, monkeypatch):
    """A fake installed distribution in tmp_path with entry points in manifold_explorer.manifolds."""
    (tmp_path / "zz_ep_plugin.py").write_text(PLUGIN_SOURCE.format(slug="zz_ep_line") + "\n\ndef helper():\n    pass\n")
    dist_info = tmp_path / "zz_ep_dist-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: zz-ep-dist\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[manifold_explorer.manifolds]\n"
        "line_module = zz_ep_plugin\n"
        "line_function = zz_ep_plugin:line\n"
        "missing = zz_ep_no_such_module\n"
        "unregistered = zz_ep_plugin:helper\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    manifolds.registry.rediscover()
    yield
    (tmp_path / "zz_ep_plugin.py").unlink()  # rediscover drops plugins whose module file is gone
    sys.path.remove(str(tmp_path))
    manifolds.registry.rediscover()
    assert "zz_ep_line" not in manifolds.registry.names() and not manifolds.registry.errors


def test_entry_point_plugins_are_discovered_and_bad_ones_reported(entry_points):
    assert "zz_ep_line" in manifolds.registry.names()
    assert np.allclose(explore("zz_ep_line", n_points=20).original[:, 1], 2.0 * np.linspace(0, 1, 20))
    errors = {error.source: error.message for error in manifolds.registry.errors}
    assert set(errors) == {"entry point 'missing' (zz_ep_no_such_module)",
                           "entry point 'unregistered' (zz_ep_plugin:helper)"}
    assert "ModuleNotFoundError" in errors["entry point 'missing' (zz_ep_no_such_module)"]
    assert "not a registered manifold" in errors["entry point 'unregistered' (zz_ep_plugin:helper)"]
    assert "spiral" in manifolds.registry.names()
