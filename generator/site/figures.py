"""Stage 8: published indicator values to Plotly figure dicts. This module holds what every
figure shares (fonts, colours, layout, hover text, the HTML fragment); ``maps``, ``charts``
and ``funnels`` build the figures themselves. The text beside each figure is in
``summaries``.

No I/O. Every figure is a plain dict (``{"data": [...], "layout": {...}}``) so that it is
not validated trace by trace, and maps carry no geometry: a map's ``geojson`` is the
*name* of a FeatureCollection that the council's ``assets/geo.js`` puts in
``window.PlotlyGeoAssets`` (see docs/TOOLING.md). ``to_fragment`` turns a figure into an
HTML fragment with a fixed ``div_id`` so that builds are byte-identical.

Each figure function takes the rows of one indicator, already sliced by the caller, with
the columns of the published values table (docs/internals.md): ``area_code``,
``area_name``, ``value``, ``lower``, ``upper``, ``comparison`` and ``suppressed``. Numbers
on a suppressed row are never read.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.io as pio

from generator.ingest.catalogue import AnyIndicator
from generator.site.escaping import plotly_text
from generator.site.formatting import (
    format_ci,
    format_value,
    is_percent,
    z_round,
)

Figure = dict[str, Any]

#: System fonts only: a page must not fetch a web font.
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
TEXT_COLOUR = "#1f2328"
GRID_COLOUR = "#e3e6ea"
#: Areas whose numbers were withheld by disclosure control.
SUPPRESSED_COLOUR = "#a9a9a9"
#: Areas with no row at all for the period.
NO_DATA_COLOUR = "#e6e6e6"

# Colour-blind-safe sequential scales, low value first. Viridis is perceptually uniform
# and readable with every common colour-vision deficiency; ColorBrewer Blues is used where
# neither end is "worse", so a neutral measure does not look like a need.
_VIRIDIS = [
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
]
#: Diverging scale for uptake (% of expected) around 100%: ColorBrewer PuOr, purple below
#: expected, orange above, pale at 100%. Colour-blind safe (ColorBrewer's own rating).
DIVERGING_SCALE = [
    [0.0, "#542788"],
    [0.2, "#8073ac"],
    [0.4, "#d8daeb"],
    [0.5, "#f7f7f7"],
    [0.6, "#fee0b6"],
    [0.8, "#e08214"],
    [1.0, "#b35806"],
]
_BLUES = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]

#: Bar colours by comparison with the council. Polarity is already applied in ``comparison``.
COMPARISON_COLOURS = {
    "worse": "#46327e",
    "better": "#35b779",
    "similar": "#9aa0a6",
    "higher": "#08519c",
    "lower": "#6baed6",
    "": "#4a6378",
}
COMPARISON_LABELS = {
    "worse": "Worse than council",
    "better": "Better than council",
    "similar": "Similar to council",
    "higher": "Higher than council",
    "lower": "Lower than council",
    "": "No comparison",
}
LEGEND_ORDER = ["worse", "higher", "similar", "lower", "better", ""]

#: Plotly config for every figure. No toolbar button may send data off the page: no Plotly
#: logo (a link out), no "Share chart" (plotly.js 4 shows it by default; it posts the chart
#: to Plotly Cloud). The toolbar itself is off: on a phone it sat on the legends of trend and
#: funnel charts (issue 17), and every chart has a table and a CSV instead of a PNG export.
#: Maps do not zoom on scroll, so the page scrolls.
CONFIG = {
    "displaylogo": False,
    "displayModeBar": False,
    "responsive": True,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["sendDataToCloud"],
}
MAP_CONFIG = {**CONFIG, "scrollZoom": False}


def colour_scale(polarity: str) -> list[list[Any]]:
    """A Plotly colorscale where dark reads as worse.

    ``higher_is_worse``: light = low, dark = high. ``higher_is_better``: dark = low.
    ``neutral``: light to dark blue, with no judgement in the colour.
    """
    if polarity == "neutral":
        colours = _BLUES
    elif polarity == "higher_is_better":
        colours = _VIRIDIS
    else:
        colours = _VIRIDIS[::-1]
    last = len(colours) - 1
    return [[round(n / last, 4), c] for n, c in enumerate(colours)]


# --- figures -----------------------------------------------------------------------------


def error_bars(
    indicator: AnyIndicator, rows: pd.DataFrame, colour: str, *, width: int
) -> dict[str, Any]:
    """Plotly error bars drawing each row's 95% confidence interval around its value."""
    return {
        "type": "data",
        "symmetric": False,
        "array": [
            z_round(indicator, u - v) for u, v in zip(rows["upper"], rows["value"], strict=True)
        ],
        "arrayminus": [
            z_round(indicator, v - lo) for v, lo in zip(rows["value"], rows["lower"], strict=True)
        ],
        "color": colour,
        "thickness": 1.2,
        "width": width,
    }


def base_layout(height: int, **extra: Any) -> dict[str, Any]:
    """The minimal house style, instead of Plotly's default template (about 6 KB each)."""
    layout: dict[str, Any] = {
        "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "height": height,
        "hoverlabel": {
            "bgcolor": "#ffffff",
            "bordercolor": "#6b7280",
            "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        },
    }
    layout.update(extra)
    return layout


def axis_title(indicator: AnyIndicator) -> str:
    """The unit as an axis title; none for "%" or "£", which the tick labels carry."""
    unit = indicator.unit.strip()
    return "" if is_percent(unit) or unit in ("£", "$", "€") else unit


def tick_affixes(indicator: AnyIndicator) -> dict[str, str]:
    unit = indicator.unit.strip()
    if is_percent(unit):
        return {"ticksuffix": "%"}
    if unit in ("£", "$", "€"):
        return {"tickprefix": unit}
    return {}


def hover(
    indicator: AnyIndicator, name: str, value: Any, lower: Any, upper: Any, comparison: Any
) -> str:
    parts = [f"<b>{plotly_text(name)}</b>", format_value(indicator, value)]
    ci = format_ci(indicator, lower, upper)
    if ci:
        parts[-1] += f" (95% CI {ci})"
    if isinstance(comparison, str) and comparison:
        parts.append(COMPARISON_LABELS[comparison])
    return "<br>".join(parts)


def to_fragment(figure: Figure, div_id: str, *, config: dict[str, Any] | None = None) -> str:
    """An HTML fragment that draws ``figure`` into ``<div id=div_id>``.

    Needs plotly.js (``plotly-cdash.min.js``) loaded before it. The figure is not validated
    (fast), and the fixed ``div_id`` keeps output byte-identical between builds.
    """
    height = figure.get("layout", {}).get("height", 450)
    return pio.to_html(
        figure,
        config=config or CONFIG,
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        validate=False,
        default_height=f"{height}px",
    )


#: Uptake status colours (colour-blind safe: viridis ends and a neutral grey) and labels.
STATUS_COLOURS = {
    "below": "#46327e",
    "as_expected": "#9aa0a6",
    "above": "#35b779",
    "too_few": "#d0d3d8",
    "censored": "#d0d3d8",
}
STATUS_LABELS = {
    "below": "Below expected",
    "as_expected": "As expected",
    "above": "Above expected",
    "too_few": "Too few to judge",
    "censored": "Starred in the source",
    "": "Not published",
}
