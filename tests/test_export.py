"""Downloads parse back to exactly what explore() computed; SVG and PNG are real images of the chart."""

from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ElementTree

import numpy as np
import pandas as pd
import pytest

from explorer import explore
from explorer.charts import figure1_grid
from explorer.export import (chart_png, chart_spec, chart_svg, figure1_chart, figure1_runs, point_columns,
                             points_csv, points_npz)

SVG = "{http://www.w3.org/2000/svg}"
# pandas 3 reads floats round-trip exactly by default (and deprecates the option); pandas 2 needs it
ROUND_TRIP = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


@pytest.fixture(scope="module")
def spiral():
    return explore("spiral", "relu", n_points=400, seed=3, noise=0.05,
                   manifold_params={"turns": 3.0}, transform_params={"n": 7})


@pytest.fixture(scope="module")
def trefoil_tanh():
    """R³ input and an activation whose values have all their digits."""
    return explore("trefoil", "relu", n_points=250, seed=1, transform_params={"n": 4, "activation": "tanh"})


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the PNG signature and IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_size(text: str) -> tuple[float, float]:
    root = ElementTree.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return float(root.get("width")), float(root.get("height"))


# -- points ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["spiral", "trefoil_tanh"])
def test_csv_reads_back_bit_identical(name, request):
    result = request.getfixturevalue(name)
    table = pd.read_csv(io.BytesIO(points_csv(result)), **ROUND_TRIP)
    d, n = result.d, result.n
    assert list(table.columns) == (["t"] + [f"original_{i}" for i in range(1, d + 1)]
                                   + [f"embedded_{i}" for i in range(1, n + 1)]
                                   + [f"projected_{i}" for i in range(1, d + 1)]) == point_columns(result)
    assert len(table) == result.n_points
    for prefix, array in (("original_", result.original), ("embedded_", result.embedded),
                          ("projected_", result.projected)):
        columns = [column for column in table.columns if column.startswith(prefix)]
        assert table[columns].to_numpy().tobytes() == np.ascontiguousarray(array).tobytes(), prefix
    assert table["t"].to_numpy().tobytes() == result.t.tobytes()


def test_csv_reads_back_exactly_with_numpy_too(spiral):
    array = np.loadtxt(io.BytesIO(points_csv(spiral)), delimiter=",", skiprows=1)
    expected = np.column_stack([spiral.t, spiral.original, spiral.embedded, spiral.projected])
    assert np.array_equal(array, expected)


@pytest.mark.parametrize("name", ["spiral", "trefoil_tanh"])
def test_npz_reads_back_bit_identical(name, request):
    result = request.getfixturevalue(name)
    with np.load(io.BytesIO(points_npz(result)), allow_pickle=False) as data:
        assert set(data.files) == {"t", "original", "embedded", "projected", "active", "config"}
        for key in ("t", "original", "embedded", "projected", "active"):
            expected = getattr(result, key)
            assert data[key].dtype == expected.dtype and data[key].shape == expected.shape, key
            assert data[key].tobytes() == np.ascontiguousarray(expected).tobytes(), key
        config = json.loads(str(data["config"]))
    again = explore(config["manifold"], config["transform"], n_points=config["n_points"], seed=config["seed"],
                    noise=config["noise"], manifold_params=config["manifold_params"],
                    transform_params=config["transform_params"])
    assert again.projected.tobytes() == result.projected.tobytes()  # the config reproduces the data
    assert config["metrics"] == result.metrics


def test_npz_leaves_out_active_when_the_transform_has_none(temp_plugin):
    import transforms

    def identity(points, rng):
        return points.copy(), points.copy()

    temp_plugin(transforms.registry, "zz_export_identity", identity)
    result = explore("circle", "zz_export_identity", n_points=50)
    with np.load(io.BytesIO(points_npz(result)), allow_pickle=False) as data:
        assert "active" not in data.files and np.array_equal(data["projected"], result.original)


# -- charts ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid():
    """Figure 1 at 6000 points: more rows per panel than Altair's default inline limit (5000)."""
    return figure1_chart("spiral", "relu", [2, 5], n_points=6000, seed=0)


def test_figure1_chart_is_the_grid_of_the_explorations():
    runs = figure1_runs("circle", "relu", [2, 3], n_points=100, seed=4, noise=0.0, transform_params={"n": 9})
    assert [n for n, _ in runs] == [2, 3]
    for n, run in runs:
        expected = explore("circle", "relu", n_points=100, seed=4, transform_params={"n": n})
        assert run.projected.tobytes() == expected.projected.tobytes()
    first = runs[0][1]
    by_hand = figure1_grid(first.original, first.t, [(n, run.projected, run.metrics) for n, run in runs])
    chart = figure1_chart("circle", "relu", [2, 3], n_points=100, seed=4, transform_params={"n": 9})
    assert chart_spec(chart) == chart_spec(by_hand)


def test_figure1_bad_width_names_the_width():
    with pytest.raises(ValueError, match=r"^n = 65: .*at most 64"):
        figure1_runs("spiral", "relu", [2, 65], n_points=100, seed=0, noise=0.0)


def test_figure1_uses_the_given_explore_function():
    calls = []

    def counting_explore(*args, **kwargs):
        calls.append(kwargs["transform_params"]["n"])
        return explore(*args, **kwargs)

    figure1_chart("spiral", "relu", [3, 4], n_points=50, explore_fn=counting_explore)
    assert calls == [3, 4]


def test_spec_inlines_every_point(grid):
    spec = chart_spec(grid)
    (rows,) = spec["datasets"].values()  # one dataset feeds every panel
    assert len(rows) == 6000
    assert set(rows[0]) == {"c", "x0", "y0", "x1", "y1", "x2", "y2"}


def test_svg_parses_and_draws_every_panel(grid):
    text = chart_svg(grid)
    root = ElementTree.fromstring(text)
    assert root.tag == f"{SVG}svg"
    width, height = svg_size(text)
    assert width > 2 * 230 and height > 230  # two columns of panels at least
    paths = [element for element in root.iter(f"{SVG}path") if element.get("d")]
    assert len(paths) >= 3 * 6000  # one circle mark per point in each of the three panels
    titles = "".join(element.text or "" for element in root.iter(f"{SVG}text"))
    assert "Input" in titles and "n = 2" in titles and "n = 5" in titles


@pytest.mark.parametrize("scale", [1, 2])
def test_png_is_the_chart_times_the_scale(grid, scale):
    width, height = svg_size(chart_svg(grid))
    png_width, png_height = png_size(chart_png(grid, scale=scale))
    assert abs(png_width - width * scale) <= scale and abs(png_height - height * scale) <= scale


def test_png_rejects_a_bad_scale(grid):
    with pytest.raises(ValueError, match="scale"):
        chart_png(grid, scale=0)


def test_only_altair_charts_are_rendered():
    with pytest.raises(TypeError, match="Altair"):
        chart_svg({"mark": "point"})
