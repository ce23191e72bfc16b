"""One colour scale shared by every view, sent as one byte per point.

Colour values are quantized to 256 codes (uint8) before they leave the server: matplotlib's own
viridis is a 256-entry table, so nothing visible is lost, and a colour costs 1 byte per point
instead of 4 (float32) or ~8 (a string). Legends and colour bars map codes back to values.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np

LEVELS = 255  # codes 0..255
TICKS = 6


@dataclass(frozen=True)
class Colouring:
    """``codes`` (N,) uint8 and how to read them.

    ``kind="continuous"``: code c stands for ``low + c·(high − low)/255``, drawn with viridis.
    ``kind="category"``: code c is ``categories[c]``, drawn in ``colours[c]``.
    """

    codes: np.ndarray
    title: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    categories: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()

    @classmethod
    def by_value(cls, values: np.ndarray, title: str) -> "Colouring":
        values = np.asarray(values, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        span = high - low if high > low else 1.0
        codes = np.rint((values - low) * (LEVELS / span)).astype(np.uint8)
        return cls(codes, title, "continuous", low, low + span)

    @classmethod
    def by_category(cls, index: np.ndarray, title: str, categories: tuple[str, ...],
                    colours: tuple[str, ...]) -> "Colouring":
        """``index`` (N,) ints into ``categories``."""
        return cls(np.asarray(index, dtype=np.uint8), title, "category", categories=categories, colours=colours)

    def take(self, rows: np.ndarray) -> "Colouring":
        """The same scale for a subset of the points (``rows`` indexes ``codes``)."""
        return Colouring(self.codes[rows], self.title, self.kind, self.low, self.high, self.categories,
                         self.colours)

    def value_of(self, codes: np.ndarray) -> np.ndarray:
        """What each code stands for (continuous: the value, to within (high − low)/510)."""
        if self.kind == "continuous":
            return self.low + np.asarray(codes, dtype=np.float64) * ((self.high - self.low) / LEVELS)
        return np.asarray(self.categories, dtype=object)[np.asarray(codes, dtype=int)]

    def _ticks(self) -> tuple[list[float], list[str]]:
        """Round values inside the range, as code positions and labels."""
        values = nice_ticks(self.low, self.high)
        positions = [float((v - self.low) * LEVELS / (self.high - self.low)) for v in values]
        return positions, [f"{v:.4g}" for v in values]

    # -- Vega-Lite --------------------------------------------------------------------------------

    def vega_color(self, field: str = "c", legend: bool = True) -> alt.Color:
        if self.kind == "continuous":
            positions, _ = self._ticks()
            scale = alt.Scale(scheme="viridis", domain=[0, LEVELS])
            label = f"format({self.low!r} + datum.value * {(self.high - self.low) / LEVELS!r}, '.4~g')"
            legend_spec = alt.Legend(orient="right", values=positions, labelExpr=label, title=self.title)
            return alt.Color(f"{field}:Q", scale=scale, legend=legend_spec if legend else None, title=self.title)
        names = "[" + ", ".join(repr(c) for c in self.categories) + "]"
        scale = alt.Scale(domain=list(range(len(self.categories))), range=list(self.colours))
        legend_spec = alt.Legend(orient="right", labelExpr=f"{names}[datum.value]", title=self.title)
        return alt.Color(f"{field}:N", scale=scale, legend=legend_spec if legend else None, title=self.title)

    # -- Plotly -----------------------------------------------------------------------------------

    def plotly_marker(self, size: int, legend: bool = True) -> dict:
        if self.kind == "continuous":
            positions, labels = self._ticks()
            return dict(size=size, color=self.codes, colorscale="Viridis", cmin=0, cmax=LEVELS, showscale=legend,
                        colorbar=dict(title=dict(text=self.title), thickness=12, len=0.8, tickvals=positions,
                                      ticktext=labels))
        count = len(self.categories)
        scale = [[edge, colour] for i, colour in enumerate(self.colours)
                 for edge in (i / count, (i + 1) / count)]
        return dict(size=size, color=self.codes, colorscale=scale, cmin=-0.5, cmax=count - 0.5, showscale=legend,
                    colorbar=dict(title=dict(text=self.title), thickness=12, len=0.5,
                                  tickvals=list(range(count)), ticktext=list(self.categories)))


def nice_ticks(low: float, high: float, count: int = TICKS) -> np.ndarray:
    """About ``count`` round values (1, 2 or 5 × 10^k apart) between ``low`` and ``high``."""
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = float(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= 0.75 * raw))
    return np.arange(np.ceil(low / step) * step, high + step * 1e-9, step)
