"""Preset states worth seeing, each a link into the page. Pure data and URL building."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class Preset:
    """A card: ``title``, a one-sentence ``story`` and the URL ``query`` (key → value) it opens."""

    title: str
    story: str
    query: dict[str, str]

    @property
    def link(self) -> str:
        return "?" + urlencode(self.query)


PRESETS = (
    Preset("The paper's Figure 1",
           "The spiral through ReLU layers of width 2, 3, 5, 15 and 30: narrow layers fold it, wide ones keep it.",
           {"tab": "Figure 1"}),
    Preset("n = 2 destroys the spiral",
           "With two ReLU units three quarters of the points lose a direction, and whole arcs collapse onto a line.",
           {"relu.n": "2", "colour": "lost / kept"}),
    Preset("Leaky ReLU loses nothing",
           "A leaky ReLU keeps a small slope everywhere, so the layer stays invertible and no point is lost.",
           {"relu.n": "3", "relu.activation": "leaky_relu", "colour": "lost / kept"}),
    Preset("A trefoil survives at n = 30",
           "Embedded in thirty dimensions, a knotted curve in R³ comes back with every neighbourhood intact.",
           {"manifold": "trefoil", "relu.n": "30"}),
    Preset("Square inverse vs pseudo-inverse",
           "The blog post's padded square matrix A⁻¹ instead of the paper's T⁺: the same ReLU, a different picture.",
           {"relu.inverse": "square", "relu.n": "4", "tab": "Figure 1", "figure1.n": "3, 4, 6, 10"}),
)
