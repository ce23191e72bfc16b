"""``python -m explorer``: check plugins, write the Figure-1 grid, write a sweep table. No browser.

    python -m explorer check manifolds/my_curve.py my_pkg.curves:torus
    python -m explorer figure --manifold spiral --n 2 3 5 15 30 --out fig1.svg
    python -m explorer sweep --manifold spiral --n 2 3 5 15 30 --seeds 20 --csv sweep.csv

Bad values end with a one-line ``error:`` message and exit code 2 (as argparse does); ``check``
exits 1 when a plugin fails its contract.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from explorer import budget
from explorer.params_text import format_value, parse_assignments, parse_value
from explorer.pipeline import ENGINE_PARAMS
from explorer.plugins import Param

FIGURE_FORMATS = (".svg", ".png")
DEFAULT_N = ("2", "3", "5", "15", "30")
_SCALE = Param(2.0, min=0.1, max=10.0)
_SEED_COUNT = Param(20, min=1, max=1000)


class UsageError(ValueError):
    """A bad command-line value: reported as ``<prog>: error: <message>``, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m explorer",
        description="Manifold Explorer without a browser: check plugins against the contract, "
                    "write the MobileNetV2 Figure-1 grid as SVG or PNG, write a sweep over n as CSV.",
        epilog="examples:\n"
               "  python -m explorer check manifolds/my_curve.py my_pkg.curves:torus\n"
               "  python -m explorer figure --manifold spiral --n 2 3 5 15 30 --out fig1.svg\n"
               "  python -m explorer sweep --manifold spiral --seeds 20 --csv sweep.csv\n\n"
               "Run python -m explorer COMMAND --help for a command's options. Bad values exit with "
               "code 2\nand a one-line error; check exits with 1 when a plugin fails.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check", help="run the plugin contract on plugin files or modules",
        description="Run the same contract tests the project runs on its own plugins. Prints one "
                    "PASS or FAIL line per plugin (and one FAIL line per problem); exits 0 when "
                    "every plugin passes, 1 otherwise.")
    check.add_argument("targets", nargs="+", metavar="TARGET",
                       help="a plugin file (manifolds/my_curve.py), a module (my_pkg.curves), a package "
                            "(manifolds: all its plugins) or a registered function (my_pkg.curves:torus)")

    figure = commands.add_parser(
        "figure", help="write the Figure-1 grid (input, then projected back for each n) as SVG or PNG",
        epilog=plugin_catalogue(), formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write the paper's Figure 1: the input manifold, then the projected-back "
                    "manifold for each embedding width n, titled with the measured loss.")
    _add_run_options(figure, points=5000, unit="panel")
    figure.add_argument("--seed", default="0",
                        help="seed of the random matrix and of the noise (default: %(default)s)")
    figure.add_argument("--out", required=True, metavar="FILE",
                        help="output file; the format comes from the extension: .svg or .png")
    figure.add_argument("--scale", default="2",
                        help="PNG only: output pixels per chart pixel, 0.1 to 10 (default: %(default)s, sharp on "
                             "high-density screens)")

    sweep = commands.add_parser(
        "sweep", help="write every metric for each n and seed as a CSV table",
        epilog=plugin_catalogue(), formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Measure every metric for each embedding width n and each of several seeds "
                    "(random matrices); write one row per (n, seed) as CSV.")
    _add_run_options(sweep, points=2000, unit="group of rows")
    sweep.add_argument("--seeds", default="20", metavar="COUNT",
                       help="number of seeds (random matrices) per n: --seed, --seed + 1, … (default: %(default)s)")
    sweep.add_argument("--seed", default="0", help="first seed (default: %(default)s)")
    sweep.add_argument("--csv", required=True, metavar="FILE", help="output CSV file")
    return parser


def plugin_catalogue() -> str:
    """Every plugin with its parameters' defaults and ranges, for --help."""
    import manifolds
    import transforms

    lines = ["plugins and their parameters (--param for the manifold, --tparam for the transform):"]
    for registry in (manifolds.registry, transforms.registry):
        for name, plugin in registry.items():
            params = ", ".join(f"{key}={format_value(param, param.default)} ({_range(param)})"
                               for key, param in plugin.params.items())
            lines.append(f"  {registry.kind} {name}: {params or 'no parameters'}")
        lines += [f"  not loaded: {error.source} — {error.message}" for error in registry.errors]
    return "\n".join(lines)


def _range(param: Param) -> str:
    if param.kind == "choice":
        return " | ".join(map(str, param.choices))
    if param.kind == "bool":
        return "true | false"
    if param.kind == "text":
        return "text"
    if param.bounded:
        return f"{param.min} to {param.max}"
    if param.min is not None or param.max is not None:
        return f"at least {param.min}" if param.min is not None else f"at most {param.max}"
    return "any number"


def _add_run_options(parser: argparse.ArgumentParser, points: int, unit: str) -> None:
    parser.add_argument("--manifold", default="spiral", help="manifold plugin name (default: %(default)s)")
    parser.add_argument("--transform", default="relu",
                        help="transform plugin name; it needs a width parameter n (default: %(default)s)")
    parser.add_argument("--n", nargs="+", default=list(DEFAULT_N), metavar="N",
                        help=f"embedding widths n, one {unit} each (default: {' '.join(DEFAULT_N)})")
    parser.add_argument("--points", default=str(points), help="points sampled on the manifold (default: %(default)s)")
    parser.add_argument("--noise", default="0",
                        help="Gaussian noise: standard deviation as a fraction of the manifold's RMS size, 0 to "
                             "0.5 (default: %(default)s)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a manifold parameter, e.g. --param turns=4 (repeat for more); "
                             "booleans: true/false, 1/0, yes/no (default: the plugin's defaults)")
    parser.add_argument("--tparam", action="append", default=[], metavar="KEY=VALUE",
                        help="a transform parameter other than n, e.g. --tparam activation=tanh "
                             "(repeat for more; default: the plugin's defaults)")


def run_config(args: argparse.Namespace) -> dict:
    """The validated inputs shared by ``figure`` and ``sweep``; raises ``ValueError`` on bad ones."""
    import manifolds
    import transforms

    manifold, transform = manifolds.registry[args.manifold], transforms.registry[args.transform]
    width = transform.params.get("n")
    if width is None:
        raise UsageError(f"transform '{transform.name}' has no width parameter n")
    transform_params = parse_assignments(transform, args.tparam)
    if "n" in transform_params:
        raise UsageError("give the widths with --n, not --tparam n=…")
    config = dict(manifold=manifold.name, transform=transform.name,
                  n_values=list(dict.fromkeys(parse_value(width, text, "--n") for text in args.n)),
                  n_points=parse_value(ENGINE_PARAMS["n_points"], args.points, "--points"),
                  seed=parse_value(ENGINE_PARAMS["seed"], args.seed, "--seed"),
                  noise=parse_value(ENGINE_PARAMS["noise"], args.noise, "--noise"),
                  manifold_params=parse_assignments(manifold, args.param), transform_params=transform_params)
    # The widest run must fit the memory limit: refuse now, not after computing the narrower ones.
    budget.check(config["n_points"], max(config["n_values"]), what=f"--points {config['n_points']} with --n "
                                                                   f"{max(config['n_values'])}")
    return config


def command_check(args: argparse.Namespace) -> int:
    from explorer.check import LoadError, check_plugin, load_target

    passed, checked = True, set()
    for target in args.targets:
        try:
            plugins = load_target(target)
        except LoadError as error:
            print(f"FAIL {target}: {error}")
            passed = False
            continue
        for plugin in plugins:
            if (plugin.kind, plugin.name) in checked:  # e.g. manifolds/*.py also matches __init__.py
                continue
            checked.add((plugin.kind, plugin.name))
            failures = check_plugin(plugin)
            passed &= not failures
            for failure in failures or [None]:
                print(f"FAIL {plugin.kind} '{plugin.name}': {failure}" if failure
                      else f"PASS {plugin.kind} '{plugin.name}'")
    return 0 if passed else 1


def command_figure(args: argparse.Namespace) -> int:
    from explorer.export import chart_png, chart_svg, figure1_chart

    out = writable_path(args.out, FIGURE_FORMATS)
    scale = parse_value(_SCALE, args.scale, "--scale")
    config = run_config(args)
    chart = figure1_chart(**config)
    data = chart_svg(chart).encode("utf-8") if out.suffix.lower() == ".svg" else chart_png(chart, scale=scale)
    write(out, data)
    print(f"wrote {out} (Figure 1 for n = {', '.join(map(str, config['n_values']))})")
    return 0


def command_sweep(args: argparse.Namespace) -> int:
    from explorer.sweep import sweep

    out = writable_path(args.csv)
    count = parse_value(_SEED_COUNT, args.seeds, "--seeds")
    config = run_config(args)
    table = sweep(config["manifold"], config["transform"], n_values=config["n_values"],
                  seeds=range(config["seed"], config["seed"] + count), n_points=config["n_points"],
                  manifold_params=config["manifold_params"], transform_params=config["transform_params"],
                  noise=config["noise"])
    write(out, table.to_csv(index=False).encode("utf-8"))
    print(f"wrote {out} ({len(table)} rows: {len(config['n_values'])} widths × {count} seeds)")
    return 0


def writable_path(text: str, suffixes: Sequence[str] | None = None) -> Path:
    """``text`` as an output path (with one of ``suffixes``, if given) in an existing writable folder."""
    path = Path(text)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise UsageError(f"can't tell the format of {text!r}: its name must end in {' or '.join(suffixes)}")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"can't write {text}: there is no folder {folder}")
    if path.is_dir():
        raise UsageError(f"can't write {text}: it is a folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"can't write {text}: permission denied")
    return path


def write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise UsageError(f"can't write {path}: {error.strerror or error}") from None


COMMANDS = {"check": command_check, "figure": command_figure, "sweep": command_sweep}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ValueError as error:  # UsageError, PluginError and Param's ValueError: all plain words
        print(f"{parser.prog} {args.command}: error: {error}", file=sys.stderr)
        return 2


