"""``python -m explorer figure | sweep``: files written without a browser, complete --help, clean errors."""

from __future__ import annotations

import contextlib
import io
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from explorer import explore, sweep
from explorer.cli import build_parser, main
from explorer.params_text import format_value, parse_assignments, parse_value
from explorer.plugins import Param

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def run_here(*args: str) -> tuple[int, str, str]:
    """``main(args)`` in this process (fast): exit code, stdout, stderr. An exception fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's own errors
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def svg_size(path: Path) -> tuple[float, float]:
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return float(root.get("width")), float(root.get("height"))


# -- figure ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    """The same Figure 1 as SVG and as PNG at scale 3."""
    folder = tmp_path_factory.mktemp("figures")
    common = ["--manifold", "spiral", "--transform", "relu", "--n", "2", "3", "15", "--points", "1500",
              "--seed", "2", "--param", "turns=3", "--tparam", "activation=relu"]
    runs = [subprocess.Popen([sys.executable, "-m", "explorer", "figure", *common, *extra], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # both at once: half the wait
            for extra in (["--out", str(folder / "fig1.svg")], ["--scale", "3", "--out", str(folder / "fig1.png")])]
    outputs = [process.communicate(timeout=180) for process in runs]
    for process, (_, stderr) in zip(runs, outputs):
        assert process.returncode == 0, stderr
    return folder / "fig1.svg", folder / "fig1.png", outputs[0][0]


def test_figure_svg_is_the_figure1_grid(figures):
    svg, _, stdout = figures
    assert stdout.strip() == f"wrote {svg} (Figure 1 for n = 2, 3, 15)"
    root = ElementTree.parse(svg).getroot()
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert {"Input", "n = 2", "n = 3", "n = 15"} <= set(texts)
    lossy = explore("spiral", "relu", n_points=1500, seed=2, manifold_params={"turns": 3.0},
                    transform_params={"n": 2}).metrics["lossy_fraction"]
    assert any(text and f"lossy {lossy:.1%}" in text for text in texts)  # the panel's measured loss
    marks = [element for element in root.iter(f"{SVG}path") if element.get("d")]
    assert len(marks) >= 4 * 1500


def test_figure_png_is_the_chart_size_times_the_scale(figures):
    svg, png, _ = figures
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    svg_width, svg_height = svg_size(svg)
    assert abs(width - 3 * svg_width) <= 3 and abs(height - 3 * svg_height) <= 3


# -- sweep ----------------------------------------------------------------------------------------


def test_sweep_csv_has_a_row_per_width_and_seed(tmp_path):
    out = tmp_path / "sweep.csv"
    done = run("sweep", "--manifold", "circle", "--n", "2", "5", "--seeds", "3", "--seed", "4", "--points", "300",
               "--noise", "0.01", "--param", "radius=2", "--csv", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {out} (6 rows: 2 widths × 3 seeds)"
    table = pd.read_csv(out)
    assert list(table[["n", "seed"]].itertuples(index=False, name=None)) == [
        (2, 4), (2, 5), (2, 6), (5, 4), (5, 5), (5, 6)]
    expected = sweep("circle", "relu", n_values=[2, 5], seeds=[4, 5, 6], n_points=300, noise=0.01,
                     manifold_params={"radius": 2.0})
    assert list(table.columns) == list(expected.columns)
    np.testing.assert_allclose(table.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-15, atol=0)


# -- help -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "figure", "sweep"])
def test_help_documents_every_option_with_its_default(command):
    done = run(command, "--help")
    assert done.returncode == 0 and not done.stderr
    help_text = " ".join(done.stdout.split())
    subparser = build_parser()._subparsers._group_actions[0].choices[command]
    for action in subparser._actions:
        for flag in action.option_strings:
            assert flag in help_text, flag
        assert action.help, f"{command} {action.dest} has no help"
        if action.option_strings and not action.required and action.default not in (None, "==SUPPRESS=="):
            assert "default" in action.help.lower(), f"{command} {action.dest} doesn't say its default"
    if command != "check":
        assert "manifold spiral: turns=4.0 (0.5 to 10.0)" in help_text  # plugins and their params listed
        assert "transform relu: n=10 (1 to 64)" in help_text


def test_top_level_help_lists_the_commands():
    done = run("--help")
    assert done.returncode == 0
    assert all(command in done.stdout for command in ("check", "figure", "sweep", "examples:"))


# -- bad input: one line on stderr, exit code 2, no traceback -------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["figure", "--manifold", "nope"], "Can't find manifold 'nope'. Available: circle"),
    (["figure", "--transform", "nope"], "Can't find transform 'nope'"),
    (["figure", "--param", "turns=99"], "manifold 'spiral': turns must be at most 10.0, got 99.0"),
    (["figure", "--param", "turns=lots"], "manifold 'spiral': turns must be a number, got 'lots'"),
    (["figure", "--param", "spin=1"], "manifold 'spiral' has no parameter 'spin'; its parameters are: turns"),
    (["figure", "--param", "turns"], "manifold 'spiral': expected key=value, got 'turns'"),
    (["figure", "--tparam", "activation=swish"], "transform 'relu': activation must be one of relu, relu6"),
    (["figure", "--tparam", "n=3"], "give the widths with --n"),
    (["figure", "--n", "2", "2.5"], "--n must be a whole number, got 2.5"),
    (["figure", "--n", "0"], "--n must be at least 1, got 0"),
    (["figure", "--n", "65"], "--n must be at most 64, got 65"),
    (["figure", "--n", "two"], "--n must be a whole number, got 'two'"),
    (["figure", "--points", "5"], "--points must be at least 10, got 5"),
    (["figure", "--noise", "nan"], "--noise must be a finite number"),
    (["figure", "--seed", "-1"], "--seed must be at least 0, got -1"),
    (["figure", "--scale", "0"], "--scale must be at least 0.1"),
    (["figure", "--manifold", "torus_knot", "--param", "p=2", "--param", "q=4"], "n = 2: manifold 'torus_knot'"),
    (["figure", "--out", "{tmp}/figure.pdf"], "its name must end in .svg or .png"),
    (["figure", "--out", "{tmp}/no/such/folder/fig.svg"], "can't write {tmp}/no/such/folder/fig.svg: there is no folder"),
    (["sweep", "--csv", "{tmp}/no/such/folder/out.csv"], "there is no folder"),
    (["sweep", "--seeds", "0"], "--seeds must be at least 1, got 0"),
    (["sweep", "--transform", "zz_none", "--csv", "{tmp}/out.csv"], "Can't find transform 'zz_none'"),
])
def test_bad_values_are_one_line_errors(tmp_path, args, message):
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    if "--out" not in args and args[0] == "figure":
        args += ["--out", str(tmp_path / "fig.svg")]
    if "--csv" not in args and args[0] == "sweep":
        args += ["--csv", str(tmp_path / "out.csv")]
    code, stdout, stderr = run_here(*args)
    assert code == 2, (stdout, stderr)
    [line] = stderr.splitlines()
    assert line.startswith(f"python -m explorer {args[0]}: error: ")
    assert message.replace("{tmp}", str(tmp_path)) in line, line
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("args, message", [
    (["figure", "--manifold", "nope", "--out", "x.svg"], "Can't find manifold 'nope'"),
    (["sweep", "--n", "2", "--seeds", "1", "--points", "100", "--csv", "/no/such/folder/out.csv"], "no folder"),
])
def test_the_command_itself_exits_2_without_a_traceback(args, message):
    done = run(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"python -m explorer {args[0]}: error: ") and message in line


def test_an_unwritable_output_is_an_error(tmp_path):
    target = tmp_path / "fig.svg"
    target.mkdir()  # a folder where the file should go: can't be written, even by root
    code, _, stderr = run_here("figure", "--n", "2", "--points", "100", "--out", str(target))
    assert code == 2 and f"can't write {target}: it is a folder" in stderr


def test_usage_errors_are_argparse_errors():
    code, _, stderr = run_here("figure")
    assert code == 2 and "the following arguments are required: --out" in stderr


# -- parameter text (shared with the page's links) ------------------------------------------------------


@pytest.mark.parametrize("param, text, expected", [
    (Param(3, min=1, max=12), "5", 5), (Param(3, min=1, max=12), " 7 ", 7), (Param(3, min=1, max=12), "7.0", 7),
    (Param(1.0, min=0.0, max=2.0), "2", 2.0), (Param(1.0, min=0.0, max=2.0), "1e-3", 0.001),
    (Param(False), "true", True), (Param(False), "Yes", True), (Param(False), "1", True),
    (Param(True), "false", False), (Param(True), "0", False), (Param(True), "NO", False),
    (Param("a", choices=("a", "b")), "b", "b"), (Param(2, choices=(1, 2, 4)), "4", 4),
    (Param(2, choices=(1, 2, 4)), "4.0", 4), (Param(0.5, choices=(0.5, 1.5)), "1.5", 1.5),
])
def test_parse_value_reads_text_as_the_param_kind(param, text, expected):
    value = parse_value(param, text, "x")
    assert value == expected and type(value) is type(expected)
    assert parse_value(param, format_value(param, value), "x") == value


@pytest.mark.parametrize("param, text, words", [
    (Param(3, min=1, max=12), "2.5", "whole number"), (Param(3, min=1, max=12), "abc", "whole number"),
    (Param(3, min=1, max=12), "13", "at most 12"), (Param(3, min=1, max=12), "", "whole number"),
    (Param(1.0, min=0.0, max=2.0), "inf", "finite"), (Param(1.0, min=0.0, max=2.0), "one", "a number"),
    (Param(False), "maybe", "true/false, 1/0, yes/no"), (Param(False), "2", "true or false"),
    (Param("a", choices=("a", "b")), "c", "one of a, b"), (Param(2, choices=(1, 2, 4)), "3", "one of 1, 2, 4"),
])
def test_parse_value_rejects_bad_text_naming_the_param(param, text, words):
    with pytest.raises(ValueError, match=re.escape("spiral.turns")) as error:
        parse_value(param, text, "spiral.turns")
    assert words in str(error.value)


def test_format_value_round_trips_floats_exactly():
    param = Param(0.1, min=0.0, max=1.0)
    value = 0.1 + 0.2
    assert parse_value(param, format_value(param, value), "x") == value


def test_parse_assignments_uses_the_plugins_declaration():
    import manifolds

    assert parse_assignments(manifolds.registry["torus_knot"], ["p=3", "R = 2.5"]) == {"p": 3, "R": 2.5}
    with pytest.raises(ValueError, match="torus_knot' has no parameter 'x'"):
        parse_assignments(manifolds.registry["torus_knot"], ["x=1"])
