"""``python -m explorer check``: a good plugin passes, each kind of broken one fails in plain words."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import manifolds
import transforms
from explorer.check import PATH_MODULE_PREFIX, LoadError, check_plugin, edge_values, load_target
from explorer.cli import main

ROOT = Path(__file__).resolve().parent.parent
REGISTRIES = (manifolds.registry, transforms.registry)

HEADER = "import numpy as np\nfrom manifolds import Param, register\nimport transforms\n"

GOOD = HEADER + '''
@register("zz_check_rose", label="Rose (check test)",
          params={"k": Param(3, min=1, max=9), "scale": Param(1.0, min=0.1, max=4.0),
                  "lift": Param(False), "style": Param("cos", choices=("cos", "sin"))})
def rose(n_points, k, scale, lift, style):
    """Returns points (n_points, 2 or 3) and t (n_points,)."""
    t = np.linspace(0.0, np.pi, n_points, endpoint=False)
    r = scale * (np.cos(k * t) if style == "cos" else np.sin(k * t))
    columns = [r * np.cos(t), r * np.sin(t)] + ([np.sin(k * t)] if lift else [])
    return np.column_stack(columns), t


@register("zz_check_odd_only", label="Odd petals only", params={"k": Param(3, min=1, max=9)})
def odd_only(n_points, k):
    if k % 2 == 0:
        raise ValueError("k must be odd")  # refusing a value with ValueError is allowed
    t = np.linspace(0.0, np.pi, n_points, endpoint=False)
    return np.column_stack([np.cos(k * t) * np.cos(t), np.cos(k * t) * np.sin(t)]), t


@transforms.register("zz_check_abs", label="Expand, |.|, project back",
                     params={"n": transforms.Param(6, min=1, max=32)})
def abs_layer(points, rng, n):
    matrix = rng.standard_normal((n, points.shape[1]))
    pre = points @ matrix.T
    return np.abs(pre), np.abs(pre) @ np.linalg.pinv(matrix).T, pre != 0
'''

CURVE = HEADER + '''
@register("{slug}", label="{label}")
def curve(n_points):
    t = np.linspace(0.0, 1.0, n_points)
    {body}
'''

BAD = {
    "wrong_shape": ("return np.column_stack([t, t, t, t]), t",
                    "with n_points = 10: returned points of shape (10, 4); expected (n_points, d) with d = 2 or 3"),
    "wrong_count": ("return np.column_stack([t, t])[:100], t[:100]",
                    "with n_points = 101: was asked for 101 points and returned points of shape (100, 2)"),
    "nan": ("return np.column_stack([t, np.where(t < 0.5, np.nan, t)]), t",
            "with n_points = 10: returned points with 5 NaN or infinite values"),
    "random": ("return np.column_stack([t, np.random.default_rng().random(n_points)]), t",
               "two calls with the same inputs gave different original arrays; a plugin must be deterministic"),
    "complex": ("return np.column_stack([t, t * 1j]), t",
                "returned points as an array of shape (10, 2) and dtype complex128; expected a numeric numpy array"),
    "not_a_tuple": ("return np.column_stack([t, t])",
                    "must return (points, t); it returned an array of shape (10, 2)"),
    "type_error": ("return np.column_stack([t, t]), t + 'oops'",
                   "with n_points = 10: failed: "),
}


@pytest.fixture(autouse=True)
def registries_restored():
    """Plugins the checked files registered are removed afterwards; so are their modules."""
    before = [(registry, set(registry.names())) for registry in REGISTRIES]
    yield
    for registry, names in before:
        for name in set(registry._plugins) - names:
            registry._plugins.pop(name)
    for name in [name for name in sys.modules if name.startswith(PATH_MODULE_PREFIX)]:
        del sys.modules[name]


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def check(*targets) -> tuple[int, list[str]]:
    """Run ``python -m explorer check`` in this process; the exit code and printed lines."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", *map(str, targets)])
    return code, out.getvalue().splitlines()


def test_a_good_plugin_file_passes(tmp_path):
    code, lines = check(write(tmp_path, "good", GOOD))
    assert code == 0
    assert lines == ["PASS manifold 'zz_check_odd_only'", "PASS manifold 'zz_check_rose'",
                     "PASS transform 'zz_check_abs'"]


def test_every_param_value_at_its_edges_is_tried(tmp_path):
    load_target(str(write(tmp_path, "good", GOOD)))
    assert edge_values(manifolds.registry["zz_check_rose"]) == [
        ("k", 1), ("k", 9), ("scale", 0.1), ("scale", 4.0), ("lift", True), ("style", "sin")]


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_misbehaving_manifold_fails_in_plain_words(tmp_path, case):
    body, reason = BAD[case]
    slug = f"zz_check_{case}"
    code, lines = check(write(tmp_path, case, CURVE.format(slug=slug, label="Bad", body=body)))
    assert code == 1
    [line] = lines
    assert line.startswith(f"FAIL manifold '{slug}': ") and reason in line, line
    assert "Traceback" not in line


def test_a_crash_at_a_parameter_bound_fails_but_a_value_error_passes(tmp_path):
    source = HEADER + '''
@register("zz_check_bound", label="Crashes at k = 9", params={"k": Param(3, min=1, max=9)})
def curve(n_points, k):
    t = np.linspace(0.0, 1.0, n_points)
    if k == 9:
        {{}}["missing"]
    return np.column_stack([t, k * t]), t
'''
    code, lines = check(write(tmp_path, "bound", source.replace("{{}}", "{}")))
    assert code == 1
    assert lines == ["FAIL manifold 'zz_check_bound': with k = 9: failed: KeyError: 'missing'"]


def test_a_transform_returning_the_wrong_projected_shape_fails(tmp_path):
    source = HEADER + '''
@transforms.register("zz_check_flat", label="Projects into R^1")
def flat(points, rng):
    return points @ rng.standard_normal((points.shape[1], 5)), points[:, :1]
'''
    code, lines = check(write(tmp_path, "flat", source))
    assert code == 1
    assert lines == ["FAIL transform 'zz_check_flat': with n_points = 10 on the spiral: returned projected of "
                     "shape (10, 1); expected (10, 2), the input's shape"]


def test_a_transform_that_changes_its_input_fails(tmp_path):
    source = HEADER + '''
@transforms.register("zz_check_inplace", label="Scales its input in place")
def inplace(points, rng):
    points[-1] = 0.0
    return points.copy(), points.copy()
'''
    code, lines = check(write(tmp_path, "inplace", source))
    assert code == 1
    assert lines == [f"FAIL transform 'zz_check_inplace': it changed its input points in place (on the {name}); "
                     f"a transform must leave them as they are" for name in ("spiral", "trefoil")]


def test_an_empty_label_fails(tmp_path):
    code, lines = check(write(tmp_path, "label", CURVE.format(slug="zz_check_label", label=" ",
                                                              body="return np.column_stack([t, t]), t")))
    assert code == 1 and lines == ["FAIL manifold 'zz_check_label': its label must be a non-empty string, got ' '"]


@pytest.mark.parametrize("source, reason", [
    ("raise RuntimeError('boom from a broken plugin')\n", "importing it failed: RuntimeError: boom from a broken plugin"),
    ("import numpy as np\n\nx = (\n", "importing it failed: SyntaxError: "),
    ("from manifolds import register\n\n@register('Bad Name')\ndef f(n_points):\n    pass\n",
     "importing it failed: PluginError: manifold name 'Bad Name' must be a lower-case slug"),
    ("import numpy as np\n\ndef helper(n_points):\n    return None\n", "it registers no manifold or transform"),
], ids=["raises", "syntax-error", "bad-slug", "registers-nothing"])
def test_a_file_that_does_not_load_fails_with_the_reason(tmp_path, source, reason):
    path = write(tmp_path, "broken", source)
    code, lines = check(path)
    assert code == 1
    [line] = lines
    assert line.startswith(f"FAIL {path}: {reason}"), line


def test_one_failure_does_not_hide_the_others(tmp_path):
    good = write(tmp_path, "good", GOOD)
    bad = write(tmp_path, "bad", CURVE.format(slug="zz_check_nan", label="NaN",
                                              body="return np.column_stack([t, np.full(n_points, np.inf)]), t"))
    code, lines = check(bad, tmp_path / "missing.py", good)
    assert code == 1
    assert lines[0].startswith("FAIL manifold 'zz_check_nan': with n_points = 10: returned points with")
    assert lines[1] == f"FAIL {tmp_path / 'missing.py'}: there is no file {tmp_path / 'missing.py'}"
    assert lines[2:] == ["PASS manifold 'zz_check_odd_only'", "PASS manifold 'zz_check_rose'",
                         "PASS transform 'zz_check_abs'"]


def test_the_same_file_can_be_checked_twice_in_one_process(tmp_path):
    path = write(tmp_path, "good", GOOD)
    first, second = load_target(str(path)), load_target(str(path))
    assert [p.name for p in first] == [p.name for p in second] == ["zz_check_odd_only", "zz_check_rose", "zz_check_abs"]


# -- built-in plugins and dotted targets --------------------------------------------------------------


def test_built_in_plugins_pass_by_file_module_and_function():
    code, lines = check("manifolds/spiral.py", "manifolds.trefoil", "transforms.relu:expand_activate_project")
    assert code == 0
    assert lines == ["PASS manifold 'spiral'", "PASS manifold 'trefoil'", "PASS transform 'relu'"]


def test_a_package_means_all_its_plugins_each_checked_once():
    code, lines = check("manifolds", "transforms", *sorted(str(path) for path in (ROOT / "manifolds").glob("*.py")))
    assert code == 0
    assert lines == ([f"PASS manifold '{name}'" for name in manifolds.registry.names()]
                     + [f"PASS transform '{name}'" for name in transforms.registry.names()])


@pytest.mark.parametrize("target, reason", [
    ("zz_no_such_module", "importing it failed: ModuleNotFoundError: No module named 'zz_no_such_module'"),
    ("manifolds.spiral:nothing", "manifolds.spiral has no attribute 'nothing'"),
    ("explorer.check:check_plugin", "explorer.check:check_plugin is not a registered manifold or transform"),
])
def test_bad_dotted_targets_fail_with_the_reason(target, reason):
    with pytest.raises(LoadError, match="^" + reason.replace("(", r"\(").replace(")", r"\)")):
        load_target(target)


@pytest.mark.parametrize("name", [*manifolds.registry.names(), *transforms.registry.names()])
def test_every_built_in_plugin_passes(name):
    registry = manifolds.registry if name in manifolds.registry else transforms.registry
    assert check_plugin(registry[name]) == []


def test_the_command_exits_with_1_and_no_traceback(tmp_path):
    bad = write(tmp_path, "bad", CURVE.format(slug="zz_check_sub", label="Bad",
                                              body="return np.column_stack([t, t, t, t]), t"))
    package = tmp_path / "zz_check_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "curves.py").write_text(GOOD)
    done = subprocess.run([sys.executable, "-m", "explorer", "check", str(bad), "zz_check_pkg.curves:rose"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**_environment(), "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "FAIL manifold 'zz_check_sub': with n_points = 10: returned points of shape (10, 4); "
        "expected (n_points, d) with d = 2 or 3",
        "PASS manifold 'zz_check_rose'"]


def _environment() -> dict:
    import os

    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
