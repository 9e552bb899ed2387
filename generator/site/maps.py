"""Choropleth maps: an indicator by area, and the unmet-need status map. A map carries
no geometry, only the name of a FeatureCollection that the council's geo.js defines."""

from __future__ import annotations

from typing import Any

import pandas as pd

from generator.ingest.catalogue import AnyIndicator
from generator.site.escaping import plotly_text
from generator.site.figures import (
    COMPARISON_LABELS,
    DIVERGING_SCALE,
    NO_DATA_COLOUR,
    SUPPRESSED_COLOUR,
    Figure,
    axis_title,
    base_layout,
    colour_scale,
    tick_affixes,
)
from generator.site.formatting import (
    is_missing,
    unit_affixes,
    z_round,
)

_MAP_COLUMNS = (
    "area_code",
    "suppressed",
    "value",
    "lower",
    "upper",
    "comparison",
    "status",
    "numerator_low",
)


def map_layout(height: int, top: int = 4) -> dict[str, Any]:
    """The layout of every choropleth: the council's areas filling the frame, no basemap,
    no dragging (the page scrolls), ``top`` pixels kept for a title."""
    return base_layout(
        height,
        margin={"l": 0, "r": 0, "t": top, "b": 0},
        geo={
            "fitbounds": "locations",
            "visible": False,
            "projection": {"type": "mercator"},
            "bgcolor": "rgba(0,0,0,0)",
        },
        dragmode=False,
    )


def map_figure(
    indicator: AnyIndicator,
    rows: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    geojson: str,
    title: str = "",
    height: int = 480,
) -> Figure:
    """A choropleth of one level in one period, drawn from shared geometry.

    ``geojson`` names an entry of ``window.PlotlyGeoAssets`` such as ``"demo-datazone"``.
    Every area in ``areas`` appears exactly once: coloured by value, mid grey when
    suppressed, light grey when there is no row.
    """
    uptake = getattr(indicator, "method", "") == "uptake"
    few_loc: list[str] = []
    few_text: list[str] = []
    star_loc: list[str] = []
    star_text: list[str] = []
    # Only the columns used: pandas iterates a frame column by column.
    used = rows[[c for c in _MAP_COLUMNS if c in rows.columns]]
    by_code = {r.area_code: r for r in used.itertuples(index=False)}
    # Names go in ``text`` and numbers in ``customdata``; the markup lives once in the
    # hovertemplate. (Tags in every label would be JSON-escaped, six bytes per bracket.)
    shown_loc, shown_z, shown_text, shown_data = [], [], [], []
    supp_loc, supp_text, none_loc, none_text = [], [], [], []
    d = indicator.decimals
    for code, name in zip(areas["code"].tolist(), areas["name"].tolist(), strict=True):
        row = by_code.get(code)
        status = getattr(row, "status", "") if uptake else ""
        if bool(getattr(row, "suppressed", False)):
            supp_loc.append(code)
            supp_text.append(plotly_text(name))
        elif status == "censored" or (
            uptake and row is not None and not is_missing(getattr(row, "numerator_low", None))
        ):
            star_loc.append(code)
            star_text.append(plotly_text(name))
        elif status == "too_few":
            few_loc.append(code)
            few_text.append(plotly_text(name))
        elif row is None or is_missing(row.value):
            none_loc.append(code)
            none_text.append(plotly_text(name))
        else:
            shown_loc.append(code)
            shown_z.append(z_round(indicator, row.value))
            shown_text.append(plotly_text(name))
            comparison = row.comparison if isinstance(row.comparison, str) else ""
            shown_data.append(
                [
                    None if is_missing(row.value) else round(float(row.value), d),
                    None if is_missing(row.lower) else round(float(row.lower), d),
                    None if is_missing(row.upper) else round(float(row.upper), d),
                    COMPARISON_LABELS[comparison] if comparison else "",
                ]
            )
    prefix, suffix = (plotly_text(a) for a in unit_affixes(indicator))
    template = f"<b>%{{text}}</b><br>{prefix}%{{customdata[0]:,.{d}f}}{suffix}"
    if any(c[1] is not None for c in shown_data):
        template += f" (95% CI %{{customdata[1]:,.{d}f}}–%{{customdata[2]:,.{d}f}})"
    if any(c[3] for c in shown_data):
        template += "<br>%{customdata[3]}"
    common = {
        "type": "choropleth",
        "geojson": geojson,
        "featureidkey": "id",
        "locationmode": "geojson-id",
    }
    colorbar: dict[str, Any] = {
        "thickness": 12,
        "len": 0.75,
        "outlinewidth": 0,
        "title": {"text": axis_title(indicator), "side": "right"},
        **tick_affixes(indicator),
    }
    data: list[dict[str, Any]] = [
        {
            **common,
            "name": indicator.short_title,
            "locations": shown_loc,
            "z": shown_z,
            "text": shown_text,
            "customdata": shown_data,
            "hovertemplate": template + "<extra></extra>",
            "colorscale": colour_scale(indicator.polarity),
            "colorbar": colorbar,
            "marker": {"line": {"color": "#ffffff", "width": 0.4}},
        }
    ]
    if uptake:
        # Diverging around 100% (as expected): purple below, orange above (ColorBrewer
        # PuOr, colour-blind safe), symmetric so that 100% is the neutral middle.
        mult = float(getattr(indicator, "multiplier", 100))
        spread = max([abs(float(z) - mult) for z in shown_z if z is not None] + [mult * 0.1])
        spread = min(spread, mult)
        data[0].update(
            colorscale=DIVERGING_SCALE, zmid=mult, zmin=mult - spread, zmax=mult + spread
        )
    for locs, texts, colour, name, why in (
        (supp_loc, supp_text, SUPPRESSED_COLOUR, "Withheld", "Withheld to protect privacy [c]"),
        (
            few_loc,
            few_text,
            NO_DATA_COLOUR,
            "Too few to judge",
            "Too few expected to judge: not even none received would be flagged",
        ),
        (
            star_loc,
            star_text,
            NO_DATA_COLOUR,
            "Starred in the source",
            "Count starred in the source: known only within a range",
        ),
        (none_loc, none_text, NO_DATA_COLOUR, "No data", "No data"),
    ):
        if locs:
            data.append(
                {
                    **common,
                    "name": name,
                    "locations": locs,
                    "z": [0] * len(locs),
                    "text": texts,
                    "hovertemplate": f"<b>%{{text}}</b><br>{why}<extra></extra>",
                    "colorscale": [[0, colour], [1, colour]],
                    "zmin": 0,
                    "zmax": 1,
                    "showscale": False,
                    "marker": {"line": {"color": "#ffffff", "width": 0.4}},
                }
            )
    layout = map_layout(height, top=30 if title else 4)
    if title:
        layout["title"] = {
            "text": plotly_text(title),
            "x": 0,
            "xanchor": "left",
            "font": {"size": 14},
        }
    return {"data": data, "layout": layout}


def status_map_figure(
    counts: pd.DataFrame, areas: pd.DataFrame, *, geojson: str, n_indicators: int, height: int = 520
) -> Figure:
    """Map of how many uptake indicators are below expected in each area.

    ``counts`` has ``area_code, n_below, n_published``; an area with nothing published is
    grey. Colours step from pale (none below) to dark (all below).
    """
    by_code = {r.area_code: r for r in counts.itertuples(index=False)}
    loc, z, text, none_loc, none_text = [], [], [], [], []
    for code, name in zip(areas["code"].tolist(), areas["name"].tolist(), strict=True):
        r = by_code.get(code)
        if r is None or not r.n_published:
            none_loc.append(code)
            none_text.append(plotly_text(name))
        else:
            loc.append(code)
            z.append(int(r.n_below))
            text.append(
                f"{plotly_text(name)}<br>{int(r.n_below)} of {int(r.n_published)} below expected"
            )
    top = max(n_indicators, 1)
    steps = ["#f7f7f7", "#d8cbe6", "#a98bc7", "#7b55a6", "#46327e", "#2a1a52"]
    scale = [[i / top, steps[min(i, len(steps) - 1)]] for i in range(top + 1)]
    common = {
        "type": "choropleth",
        "geojson": geojson,
        "featureidkey": "id",
        "locationmode": "geojson-id",
        "marker": {"line": {"color": "#ffffff", "width": 0.4}},
    }
    data: list[dict[str, Any]] = [
        {
            **common,
            "name": "Below expected",
            "locations": loc,
            "z": z,
            "text": text,
            "zmin": 0,
            "zmax": top,
            "colorscale": scale,
            "hovertemplate": "<b>%{text}</b><extra></extra>",
            "colorbar": {
                "thickness": 12,
                "len": 0.75,
                "outlinewidth": 0,
                "dtick": 1,
                "title": {"text": "Below expected", "side": "right"},
            },
        }
    ]
    if none_loc:
        data.append(
            {
                **common,
                "name": "Withheld or no data",
                "locations": none_loc,
                "z": [0] * len(none_loc),
                "text": none_text,
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, SUPPRESSED_COLOUR], [1, SUPPRESSED_COLOUR]],
                "showscale": False,
                "hovertemplate": "<b>%{text}</b><br>Withheld or no data<extra></extra>",
            }
        )
    layout = map_layout(height)
    return {"data": data, "layout": layout}
