"""A corpus of bad inputs through every door — explore()/sweep(), the command line, a link — and a scan
for dangerous code. Engine and command line: a ValueError / exit code 2 with one line naming the value;
links: no exception, a notice naming the value (as text), the defaults drawn. Nothing else escapes."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import manifolds
from app_support import plotly_charts, run_page, vega_charts
from explorer import explore, sweep
from explorer.links import markdown_code

ROOT = Path(__file__).resolve().parent.parent
BIG = "9" * 400  # a whole number far past float's range


# -- explore() and sweep() ------------------------------------------------------------------------

# id: (explore keyword arguments over spiral/relu at 50 points, words the ValueError must hold)
ENGINE = {
    "manifold-int": ({"manifold": 123}, ["manifold must be a plugin name", "int 123"]),
    "manifold-none": ({"manifold": None}, ["manifold must be a plugin name", "NoneType"]),
    "manifold-list": ({"manifold": ["spiral"]}, ["manifold must be a plugin name", "list"]),
    "manifold-empty": ({"manifold": ""}, ["Can't find manifold ''", "spiral"]),
    "manifold-path": ({"manifold": "../../etc/passwd"}, ["Can't find manifold '../../etc/passwd'"]),
    "transform-int": ({"transform": 5}, ["transform must be a plugin name"]),
    "transform-unknown": ({"transform": "RELU"}, ["Can't find transform 'RELU'", "relu"]),
    "params-int": ({"manifold_params": 5}, ["manifold 'spiral'", "parameters must be a dict", "int 5"]),
    "params-text": ({"manifold_params": "turns=3"}, ["parameters must be a dict", "'turns=3'"]),
    "params-pairs": ({"manifold_params": [("turns", 3.0)]}, ["parameters must be a dict", "list"]),
    "params-int-key": ({"transform_params": {1: 2, "n": 3}}, ["transform 'relu'", "names must be strings", "1"]),
    "params-unknown": ({"transform_params": {"width": 3}}, ["no parameter 'width'", "activation"]),
    "n-huge-int": ({"transform_params": {"n": 10**400}}, ["n must be at most 64"]),
    "turns-huge-int": ({"manifold_params": {"turns": 10**400}}, ["turns is too large a number", "401 digits"]),
    "turns-text": ({"manifold_params": {"turns": "nan"}}, ["turns must be a number", "'nan'"]),
    "turns-nan": ({"manifold_params": {"turns": float("nan")}}, ["turns must be a finite number"]),
    "n-numpy-bool": ({"transform_params": {"n": np.bool_(True)}}, ["n must be a number"]),
    "n-bool": ({"transform_params": {"n": False}}, ["n must be a number, got False"]),
    "n-numpy-fraction": ({"transform_params": {"n": np.float64(2.5)}}, ["n must be a whole number, got 2.5"]),
    "n-zero": ({"transform_params": {"n": 0}}, ["n must be at least 1"]),
    "n-65": ({"transform_params": {"n": 65}}, ["n must be at most 64"]),
    "activation-none": ({"transform_params": {"activation": None}}, ["activation must be one of", "None"]),
    "activation-case": ({"transform_params": {"activation": "ReLU"}}, ["activation must be one of", "'ReLU'"]),
    "inverse-number": ({"transform_params": {"inverse": 1}}, ["inverse must be one of", "got 1"]),
    "points-huge-int": ({"n_points": 10**400}, ["n_points must be at most 1000000"]),
    "points-billion": ({"n_points": 10**9}, ["n_points must be at most 1000000"]),
    "points-nine": ({"n_points": 9}, ["n_points must be at least 10"]),
    "points-none": ({"n_points": None}, ["n_points must be a number, got None"]),
    "points-complex": ({"n_points": complex(100)}, ["n_points must be a number"]),
    "points-decimal": ({"n_points": Decimal(100)}, ["n_points must be a number"]),
    "points-array": ({"n_points": np.array([100, 200])}, ["n_points must be a number"]),
    "points-numpy-bool": ({"n_points": np.bool_(True)}, ["n_points must be a number"]),
    "points-fraction": ({"n_points": Fraction(201, 2)}, ["n_points must be a whole number"]),
    "seed-numpy-negative": ({"seed": np.int64(-1)}, ["seed must be at least 0, got -1"]),
    "seed-2-32": ({"seed": 2**32}, ["seed must be at most 4294967295"]),
    "seed-inf": ({"seed": float("inf")}, ["seed must be a finite number"]),
    "noise-float32-nan": ({"noise": np.float32("nan")}, ["noise must be a finite number"]),
    "noise-negative-inf": ({"noise": float("-inf")}, ["noise must be a finite number"]),
    "noise-text": ({"noise": "0.1"}, ["noise must be a number, got '0.1'"]),
}


@pytest.mark.parametrize("case", sorted(ENGINE))
def test_bad_explore_arguments_raise_value_error_naming_the_value(case):
    kwargs, words = ENGINE[case]
    arguments = {"manifold": "spiral", "transform": "relu", "n_points": 50, **kwargs}
    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        explore(arguments.pop("manifold"), arguments.pop("transform"), **arguments)
    assert time.perf_counter() - start < 0.5  # refused before any work
    message = str(error.value)
    assert all(word in message for word in words), message
    assert "\n" not in message


SWEEPS = {
    "n-values-text": ({"n_values": "2, 3"}, ["n_values must be a list of whole numbers"]),
    "seeds-empty": ({"seeds": []}, ["seeds must not be empty"]),
    "n-values-zero": ({"n_values": [0, 2]}, ["n must be at least 1"]),
    "params-pairs": ({"manifold_params": [("turns", 3.0)]}, ["parameters must be a dict"]),
    "points-ten-million": ({"n_points": 10**7}, ["n_points must be at most 1000000"]),
}


@pytest.mark.parametrize("case", sorted(SWEEPS))
def test_bad_sweep_arguments_raise_value_error(case):
    kwargs, words = SWEEPS[case]
    with pytest.raises(ValueError) as error:
        sweep("spiral", **{"n_values": [2, 3], "seeds": [0], "n_points": 100, **kwargs})
    assert all(word in str(error.value) for word in words), str(error.value)


def test_numpy_values_are_read_as_the_python_values_they_hold():
    plain = explore("spiral", n_points=300, seed=4, noise=0.1, manifold_params={"turns": 3.0},
                    transform_params={"n": 7, "activation": "tanh"})
    typed = explore(np.str_("spiral"), np.str_("relu"), n_points=np.int64(300), seed=np.uint32(4),
                    noise=np.float64(0.1), manifold_params={"turns": np.float32(3.0)},
                    transform_params={np.str_("n"): np.int16(7), "activation": np.str_("tanh")})
    assert typed.transform_params == plain.transform_params and type(typed.transform_params["n"]) is int
    for name in ("original", "t", "embedded", "projected", "active"):
        assert getattr(typed, name).tobytes() == getattr(plain, name).tobytes(), name


# -- the command line -------------------------------------------------------------------------------

OUT = "{tmp}/out.svg"
CSV = "{tmp}/out.csv"
FIGURE = ["figure", "--points", "200", "--n", "2", "3", "--out", OUT]
CLI = {
    "points-text": (["--points", "abc"], ["--points must be a whole number, got 'abc'"]),
    "points-zero": (["--points", "0"], ["--points must be at least 10"]),
    "points-negative": (["--points", "-5"], ["--points must be at least 10, got -5"]),
    "points-1e400": (["--points", "1e400"], ["--points must be a finite number"]),
    "points-huge-int": (["--points", BIG], ["--points must be at most 1000000"]),
    "points-over-memory": (["--points", "1000000", "--n", "64"], ["needs ~2.1 GB", "1,000,000 points at n = 64",
                                                                  "the limit is 700 MB", "lower"]),
    "n-zero": (["--n", "0"], ["--n must be at least 1"]),
    "n-text": (["--n", "two"], ["--n must be a whole number, got 'two'"]),
    "n-fraction": (["--n", "2.5"], ["--n must be a whole number, got 2.5"]),
    "seed-negative": (["--seed", "-1"], ["--seed must be at least 0"]),
    "seed-2-32": (["--seed", str(2**32)], ["--seed must be at most 4294967295"]),
    "noise-nan": (["--noise", "nan"], ["--noise must be a finite number"]),
    "noise-too-big": (["--noise", "0.9"], ["--noise must be at most 0.5"]),
    "param-text": (["--param", "turns=abc"], ["manifold 'spiral'", "turns must be a number, got 'abc'"]),
    "param-unknown": (["--param", "bogus=1"], ["manifold 'spiral' has no parameter 'bogus'"]),
    "param-no-equals": (["--param", "turns"], ["expected key=value, got 'turns'"]),
    "tparam-choice": (["--tparam", "activation=swish"], ["activation must be one of", "'swish'"]),
    "tparam-n": (["--tparam", "n=3"], ["give the widths with --n"]),
    "manifold-unknown": (["--manifold", "nope"], ["Can't find manifold 'nope'"]),
    "transform-path": (["--transform", "../../x"], ["Can't find transform '../../x'"]),
    "out-format": (["--out", "{tmp}/fig.gif"], ["can't tell the format", ".svg or .png"]),
    "out-folder": (["--out", "/nonexistent/folder/fig.svg"], ["there is no folder /nonexistent/folder"]),
    "scale-zero": (["--scale", "0"], ["--scale must be at least 0.1"]),
    "plugin-refuses": (["--manifold", "torus_knot", "--param", "p=2", "--param", "q=4"],
                       ["manifold 'torus_knot'", "gcd(p, q) must be 1"]),
    "formula-code": (["--manifold", "custom_curve", "--param", "x=__import__('os').system('touch {tmp}/pwned')"],
                     ["manifold 'custom_curve'", "not allowed"]),
    "sweep-seeds-zero": (["sweep", "--seeds", "0", "--csv", CSV], ["--seeds must be at least 1"]),
    "sweep-points-text": (["sweep", "--points", "many", "--csv", CSV], ["--points must be a whole number"]),
    "sweep-csv-folder": (["sweep", "--csv", "/nonexistent/folder/t.csv"], ["there is no folder"]),
}


def cli_args(case: str, tmp: Path) -> list[str]:
    extra, _ = CLI[case]
    if extra[0] == "sweep":
        args = ["sweep", "--points", "200", "--n", "2", "--seeds", "1", "--csv", CSV] + extra[1:]
    else:
        args = FIGURE + extra
    return [arg.replace("{tmp}", str(tmp)) for arg in args]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """Every command-line case, run as ``python -m explorer …``, four at a time: case → (result, folder)."""
    def run(case):
        folder = tmp_path_factory.mktemp(case)
        done = subprocess.run([sys.executable, "-m", "explorer", *cli_args(case, folder)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        return case, (done, folder)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(run, CLI))


@pytest.mark.parametrize("case", sorted(CLI))
def test_bad_command_line_values_end_with_one_line_and_exit_code_2(case, cli_runs):
    if case == "formula-code" and "custom_curve" not in manifolds.registry:
        pytest.skip("no custom_curve manifold installed")
    done, folder = cli_runs[case]
    command = "sweep" if CLI[case][0][0] == "sweep" else "figure"
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"python -m explorer {command}: error: "), lines
    assert all(word in lines[0] for word in CLI[case][1]), lines[0]
    assert done.stdout == ""
    assert list(folder.iterdir()) == []  # nothing written (no figure, no table, no "pwned")


# -- links --------------------------------------------------------------------------------------------

# id: a link's query (plus n_points=400 unless it sets n_points); the notice names "key=value"
LINKS = {
    "points-1e400": {"n_points": "1e400"},
    "points-minus-1e400": {"n_points": "-1e400"},
    "points-huge-int": {"n_points": BIG},
    "points-hex": {"n_points": "0x10"},
    "seed-inf": {"seed": "inf"},
    "seed-huge-negative": {"seed": "-" + BIG},
    "seed-2-32": {"seed": "4294967296"},
    "seed-very-long": {"seed": "7" * 5000},
    "noise-negative": {"noise": "-0.01"},
    "noise-comma": {"noise": "0,1"},
    "n-1e3": {"relu.n": "1e3"},
    "n-fraction": {"relu.n": "64.5"},
    "n-1e400": {"relu.n": "1e400"},
    "activation-case": {"relu.activation": "RELU"},
    "activation-html": {"relu.activation": "<img src=x onerror=alert(1)>"},
    "bias-maybe": {"relu.bias": "maybe"},
    "manifold-script": {"manifold": "<script>alert(1)</script>"},
    "manifold-path": {"manifold": "../../etc/passwd"},
    "turns-markdown-breakout": {"spiral.turns": "`![x](http://127.0.0.1:9/p.png)` [a](javascript:alert(1))"},
    "turns-comma": {"spiral.turns": ","},
    "unknown-key-newline": {"whatever": "a\n# heading\n![x](http://127.0.0.1:9/p.png)"},
    "tab-html": {"tab": "<b>x</b>"},
}


def outside_code_spans(markdown: str) -> str:
    """``markdown`` with its inline code spans removed (a fence of n backticks closes at the next n)."""
    out, at = [], 0
    while at < len(markdown):
        if markdown[at] == "`":
            fence = len(markdown[at:]) - len(markdown[at:].lstrip("`"))
            close = markdown.find("`" * fence, at + fence)
            if close >= 0:
                at = close + fence
                continue
        out.append(markdown[at])
        at += 1
    return "".join(out)


def unescaped_markup(text: str) -> list[str]:
    tokens = ("![", "](", "<img", "<script", "<b>", "\n#")
    return [token for token in tokens for at in range(len(text))
            if text.startswith(token, at) and (at == 0 or text[at - 1] != "\\")]


@pytest.mark.parametrize("case", sorted(LINKS))
def test_bad_link_values_are_named_as_text_and_the_defaults_drawn(case):
    query = LINKS[case]
    app = run_page({"n_points": "400", **query})
    assert not app.exception, [e.message for e in app.exception]
    notices = [w.value for w in app.warning if "link" in w.value]
    assert len(notices) == 1, notices
    key, value = next(iter(query.items()))
    assert markdown_code(f"{key}={value}") in notices[0], notices[0]
    assert not unescaped_markup(outside_code_spans(notices[0])), notices[0]
    assert max(len(line) for line in notices[0].splitlines()) < 600  # a long value is clipped
    assert vega_charts(app) or plotly_charts(app)


# -- nothing dangerous ---------------------------------------------------------------------------------

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "test-artifacts", "build", "dist", "__pycache__"}
DANGEROUS_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
DANGEROUS_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "joblib"}
DANGEROUS_ATTRIBUTES = {("os", "system"), ("os", "popen"), ("pd", "read_pickle"), ("pandas", "read_pickle"),
                        ("yaml", "load"), ("yaml", "unsafe_load")}
# (file, rule) → why it is fine. Keep this short; every entry needs a reason.
ALLOWED = {
    ("tests/test_upload.py", "allow_pickle=True"): "writes a hostile .npy file to prove the uploader refuses it",
}


def python_files() -> list[Path]:
    """The project's own Python files: not installed packages (any virtualenv, e.g. CI's .venv-ci)."""
    virtualenvs = {path.parent for path in ROOT.rglob("pyvenv.cfg")}
    return sorted(path for path in ROOT.rglob("*.py")
                  if not SKIP_DIRS & set(path.relative_to(ROOT).parts)
                  and not any(venv in path.parents for venv in virtualenvs))


def findings(path: Path) -> list[tuple[str, int, str]]:
    """(rule, line, code) for each dangerous construct in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + ([node.module] if isinstance(node, ast.ImportFrom)
                                                            and node.module else [])
            found += [(f"import {name}", node.lineno, name) for name in names
                      if name.split(".")[0] in DANGEROUS_MODULES]
        if not isinstance(node, ast.Call):
            continue
        code = ast.unparse(node)[:120]
        function = node.func
        if isinstance(function, ast.Name) and function.id in DANGEROUS_CALLS:
            found.append((f"{function.id}()", node.lineno, code))
        if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
            if (function.value.id, function.attr) in DANGEROUS_ATTRIBUTES:
                found.append((f"{function.value.id}.{function.attr}()", node.lineno, code))
            if function.value.id in ("np", "numpy") and function.attr == "load":
                keywords = {keyword.arg: keyword.value for keyword in node.keywords}
                safe = isinstance(keywords.get("allow_pickle"), ast.Constant) and keywords["allow_pickle"].value is False
                if not safe:
                    found.append(("np.load without allow_pickle=False", node.lineno, code))
        if isinstance(function, ast.Attribute) and function.attr == "html" and \
                not (node.args and isinstance(node.args[0], ast.Constant)):
            found.append(("html() of non-constant content", node.lineno, code))
        for keyword in node.keywords:
            if keyword.arg in ("shell", "unsafe_allow_html", "allow_pickle") and \
                    not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                found.append((f"{keyword.arg}={ast.unparse(keyword.value)}", node.lineno, code))
    return found


def test_no_eval_exec_pickle_shell_or_unsafe_html():
    files = python_files()
    assert len(files) > 30 and ROOT / "explorer" / "pipeline.py" in files
    problems = [f"{path.relative_to(ROOT)}:{line}: {rule}: {code}"
                for path in files for rule, line, code in findings(path)
                if (str(path.relative_to(ROOT)), rule) not in ALLOWED]
    assert not problems, "\n".join(problems)


def test_the_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import pickle\nimport numpy as np\nimport os, subprocess, streamlit as st\n"
                      "eval(text)\nexec(code)\nnp.load(f)\nnp.load(f, allow_pickle=True)\nos.system(cmd)\n"
                      "subprocess.run(cmd, shell=True)\nst.markdown(text, unsafe_allow_html=True)\nst.html(text)\n"
                      "np.load(f, allow_pickle=False)\nst.markdown('ok')\n")
    rules = [rule for rule, _, _ in findings(sample)]
    assert sorted(rules) == sorted(["import pickle", "eval()", "exec()", "np.load without allow_pickle=False",
                                    "np.load without allow_pickle=False", "allow_pickle=True", "os.system()",
                                    "shell=True", "unsafe_allow_html=True", "html() of non-constant content"])
