"""The page's downloads: points as CSV / NPZ and figures as SVG / PNG, read back and checked."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ElementTree

import numpy as np
import pandas as pd

from app_support import assert_healthy, capture_downloads, run_page
from explorer import explore


def made(downloads: dict, name: str) -> bytes:
    content = downloads[name]
    content = content() if callable(content) else content
    return content.encode() if isinstance(content, str) else content


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_points_downloads_match_the_engine(monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = run_page({"n_points": "700", "seed": "3", "relu.n": "6"})
    assert_healthy(app)
    expected = explore("spiral", n_points=700, seed=3, transform_params={"n": 6})
    table = pd.read_csv(io.BytesIO(made(downloads, "points.csv")))
    np.testing.assert_array_equal(table["t"], expected.t)
    np.testing.assert_array_equal(table[["original_1", "original_2"]], expected.original)
    np.testing.assert_array_equal(table[[f"embedded_{i}" for i in range(1, 7)]], expected.embedded)
    np.testing.assert_array_equal(table[["projected_1", "projected_2"]], expected.projected)
    with np.load(io.BytesIO(made(downloads, "points.npz")), allow_pickle=False) as arrays:
        for name in ("t", "original", "embedded", "projected", "active"):
            np.testing.assert_array_equal(arrays[name], getattr(expected, name))


def test_three_view_figure_downloads_are_valid_svg_and_png(monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = run_page({"n_points": "300", "manifold": "trefoil"})
    assert_healthy(app)
    svg = ElementTree.fromstring(made(downloads, "three-views.svg"))
    text = "".join(svg.itertext())
    assert "Original X in R³" in text and "Projected back X' in R³" in text and "PC1" in text
    symbol_groups = [g for g in svg.iter() if "mark-symbol" in (g.get("class") or "")]
    assert [sum(1 for child in group if child.tag.endswith("path")) for group in symbol_groups] == [300] * 3
    width, height = png_size(made(downloads, "three-views.png"))
    assert width > 2 * height > 0  # three square panels side by side


def test_figure1_downloads(monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = run_page({"tab": "Figure 1", "figure1.n": "2, 30", "n_points": "300"})
    assert_healthy(app)
    text = "".join(ElementTree.fromstring(made(downloads, "figure1.svg")).itertext())
    assert "n = 2" in text and "n = 30" in text and "Input" in text
    width, height = png_size(made(downloads, "figure1.png"))
    assert width > 0 and height > 0
