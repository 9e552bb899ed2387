"""Published indicator values to Plotly figure dicts, and the text that summarises them.

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

import html
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.io as pio

from generator.ingest.catalogue import AnyIndicator
from generator.site.formatting import (
    format_ci,
    format_value,
    group_name,
    is_missing,
    is_percent,
    lower_label,
    unit_affixes,
    z_round,
)

Figure = dict[str, Any]


@dataclass(frozen=True)
class FunnelLines:
    """Funnel control limits (as ratios to expected) over a grid of expected counts."""

    grid: list[float]
    bounds: dict[float, tuple[list[float], list[float]]]  # level -> (lower, upper)

#: System fonts only: a page must not fetch a web font.
FONT_FAMILY = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
               'sans-serif')
TEXT_COLOUR = "#1f2328"
GRID_COLOUR = "#e3e6ea"
#: Areas whose numbers were withheld by disclosure control.
SUPPRESSED_COLOUR = "#a9a9a9"
#: Areas with no row at all for the period.
NO_DATA_COLOUR = "#e6e6e6"

# Colour-blind-safe sequential scales, low value first. Viridis is perceptually uniform
# and readable with every common colour-vision deficiency; ColorBrewer Blues is used where
# neither end is "worse", so a neutral measure does not look like a need.
_VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779",
            "#6ece58", "#b5de2b", "#fde725"]
_BLUES = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
          "#08519c", "#08306b"]

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
_LEGEND_ORDER = ["worse", "higher", "similar", "lower", "better", ""]

#: Plotly config for every figure. Maps do not zoom on scroll, so the page scrolls.
CONFIG = {"displaylogo": False, "responsive": True}
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

def error_bars(indicator: AnyIndicator, rows: pd.DataFrame, colour: str, *, width: int
               ) -> dict[str, Any]:
    """Plotly error bars drawing each row's 95% confidence interval around its value."""
    return {
        "type": "data", "symmetric": False,
        "array": [z_round(indicator, u - v) for u, v in zip(
            rows["upper"], rows["value"], strict=True)],
        "arrayminus": [z_round(indicator, v - lo) for v, lo in zip(
            rows["value"], rows["lower"], strict=True)],
        "color": colour, "thickness": 1.2, "width": width,
    }


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    """The minimal house style, instead of Plotly's default template (about 6 KB each)."""
    layout: dict[str, Any] = {
        "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "height": height,
        "hoverlabel": {"bgcolor": "#ffffff", "bordercolor": "#6b7280",
                       "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR}},
    }
    layout.update(extra)
    return layout


def _axis_title(indicator: AnyIndicator) -> str:
    """The unit as an axis title; none for "%" or "£", which the tick labels carry."""
    unit = indicator.unit.strip()
    return "" if is_percent(unit) or unit in ("£", "$", "€") else unit


def _tick_affixes(indicator: AnyIndicator) -> dict[str, str]:
    unit = indicator.unit.strip()
    if is_percent(unit):
        return {"ticksuffix": "%"}
    if unit in ("£", "$", "€"):
        return {"tickprefix": unit}
    return {}


def _hover(indicator: AnyIndicator, name: str, value: Any, lower: Any, upper: Any,
           comparison: Any) -> str:
    parts = [f"<b>{html.escape(name)}</b>", format_value(indicator, value)]
    ci = format_ci(indicator, lower, upper)
    if ci:
        parts[-1] += f" (95% CI {ci})"
    if isinstance(comparison, str) and comparison:
        parts.append(COMPARISON_LABELS[comparison])
    return "<br>".join(parts)


def map_figure(indicator: AnyIndicator, rows: pd.DataFrame, areas: pd.DataFrame, *,
               geojson: str, title: str = "", height: int = 480) -> Figure:
    """A choropleth of one level in one period, drawn from shared geometry.

    ``geojson`` names an entry of ``window.PlotlyGeoAssets`` such as ``"demo-datazone"``.
    Every area in ``areas`` appears exactly once: coloured by value, mid grey when
    suppressed, light grey when there is no row.
    """
    by_code = {r.area_code: r for r in rows.itertuples(index=False)}
    # Names go in ``text`` and numbers in ``customdata``; the markup lives once in the
    # hovertemplate. (Tags in every label would be JSON-escaped, six bytes per bracket.)
    shown_loc, shown_z, shown_text, shown_data = [], [], [], []
    supp_loc, supp_text, none_loc, none_text = [], [], [], []
    d = indicator.decimals
    for code, name in zip(areas["code"], areas["name"], strict=True):
        row = by_code.get(code)
        if bool(getattr(row, "suppressed", False)):
            supp_loc.append(code)
            supp_text.append(html.escape(name))
        elif row is None or is_missing(row.value):
            none_loc.append(code)
            none_text.append(html.escape(name))
        else:
            shown_loc.append(code)
            shown_z.append(z_round(indicator, row.value))
            shown_text.append(html.escape(name))
            comparison = row.comparison if isinstance(row.comparison, str) else ""
            shown_data.append([
                None if is_missing(row.value) else round(float(row.value), d),
                None if is_missing(row.lower) else round(float(row.lower), d),
                None if is_missing(row.upper) else round(float(row.upper), d),
                COMPARISON_LABELS[comparison] if comparison else "",
            ])
    prefix, suffix = (html.escape(a) for a in unit_affixes(indicator))
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
    colorbar: dict[str, Any] = {"thickness": 12, "len": 0.75, "outlinewidth": 0,
                                "title": {"text": _axis_title(indicator), "side": "right"},
                                **_tick_affixes(indicator)}
    data: list[dict[str, Any]] = [{
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
    }]
    for locs, texts, colour, name, why in (
            (supp_loc, supp_text, SUPPRESSED_COLOUR, "Withheld",
             "Withheld to protect privacy [c]"),
            (none_loc, none_text, NO_DATA_COLOUR, "No data", "No data")):
        if locs:
            data.append({
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
            })
    layout = _layout(
        height,
        margin={"l": 0, "r": 0, "t": 30 if title else 4, "b": 0},
        geo={"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"},
             "bgcolor": "rgba(0,0,0,0)"},
        dragmode=False,
    )
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}}
    return {"data": data, "layout": layout}


def bar_figure(indicator: AnyIndicator, rows: pd.DataFrame, *, council_value: Any,
               council_name: str, value_label: str = "") -> Figure:
    """Areas ranked by value (highest at the top), with 95% CI error bars when present.

    One trace per comparison with the council so the legend explains the colours; a dashed
    line marks the council value. Suppressed areas are left out (the summary says so).
    """
    shown = rows[~rows["suppressed"].astype(bool) & rows["value"].notna()]
    shown = shown.sort_values(["value", "area_name", "area_code"],
                              ascending=[False, True, True], kind="mergesort")
    order = list(shown["area_name"])
    data = []
    comparisons = shown["comparison"].fillna("")
    for key in _LEGEND_ORDER:
        part = shown[comparisons == key]
        if part.empty:
            continue
        trace: dict[str, Any] = {
            "type": "bar",
            "orientation": "h",
            "name": COMPARISON_LABELS[key],
            "y": list(part["area_name"]),
            "x": [z_round(indicator, v) for v in part["value"]],
            "marker": {"color": COMPARISON_COLOURS[key]},
            "text": [_hover(indicator, n, v, lo, up, c) for n, v, lo, up, c in zip(
                part["area_name"], part["value"], part["lower"], part["upper"],
                part["comparison"], strict=True)],
            "hovertemplate": "%{text}<extra></extra>",
            "textposition": "none",
        }
        if part["lower"].notna().any():
            trace["error_x"] = error_bars(indicator, part, "#3d4451", width=3)
        data.append(trace)
    height = max(260, 26 * len(order) + 110)
    layout = _layout(
        height,
        margin={"l": 10, "r": 20, "t": 40, "b": 50},
        barmode="overlay",
        bargap=0.25,
        showlegend=len(data) > 1,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        xaxis={"title": {"text": value_label or _axis_title(indicator)}, "gridcolor": GRID_COLOUR,
               "zeroline": True, "zerolinecolor": "#9aa0a6", "rangemode": "tozero",
               **_tick_affixes(indicator)},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": order,
               "autorange": "reversed", "automargin": True, "ticks": "", "showgrid": False},
    )
    if not is_missing(council_value):
        # A shape with a legend entry: the council value is named where the colours are.
        x = z_round(indicator, council_value)
        layout["showlegend"] = True
        layout["shapes"] = [{
            "type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": TEXT_COLOUR, "width": 1.5, "dash": "dash"},
            "showlegend": True,
            "name": f"{html.escape(council_name)}: {format_value(indicator, council_value)}",
        }]
    return {"data": data, "layout": layout}


def trend_figure(indicator: AnyIndicator, council_rows: pd.DataFrame,
                 area_rows: pd.DataFrame | None, *, periods: list[str], council_name: str,
                 colour: str = "#1d5c8c", area_label: str = "") -> Figure:
    """The council value over ``periods`` (with its CI), and a thin grey line per area."""
    data: list[dict[str, Any]] = []
    if area_rows is not None and not area_rows.empty:
        shown = area_rows[~area_rows["suppressed"].astype(bool) & area_rows["value"].notna()]
        first = True
        for (_code, name), part in shown.groupby(["area_code", "area_name"], sort=True):
            part = part.sort_values("period", kind="mergesort")
            data.append({
                "type": "scatter", "mode": "lines", "name": area_label or "Areas",
                "legendgroup": "areas", "showlegend": first,
                "x": list(part["period"]),
                "y": [z_round(indicator, v) for v in part["value"]],
                "line": {"color": "#c3c8cf", "width": 1},
                "hovertemplate": f"<b>{html.escape(str(name))}</b><br>%{{x}}: %{{y}}"
                                 "<extra></extra>",
            })
            first = False
    council = council_rows[~council_rows["suppressed"].astype(bool)
                           & council_rows["value"].notna()].sort_values("period",
                                                                        kind="mergesort")
    if not council.empty:
        trace: dict[str, Any] = {
            "type": "scatter", "mode": "lines+markers", "name": council_name,
            "x": list(council["period"]),
            "y": [z_round(indicator, v) for v in council["value"]],
            "text": [_hover(indicator, council_name, v, lo, up, "") for v, lo, up in zip(
                council["value"], council["lower"], council["upper"], strict=True)],
            "hovertemplate": "%{x}<br>%{text}<extra></extra>",
            "line": {"color": colour, "width": 3},
            "marker": {"size": 8, "color": colour},
        }
        if council["lower"].notna().any():
            trace["error_y"] = error_bars(indicator, council, colour, width=4)
        data.append(trace)
    layout = _layout(
        360,
        margin={"l": 10, "r": 20, "t": 40, "b": 50},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        hovermode="closest",
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": list(periods),
               "showgrid": False, "automargin": True},
        yaxis={"title": {"text": _axis_title(indicator)}, "gridcolor": GRID_COLOUR,
               "rangemode": "tozero", "automargin": True, **_tick_affixes(indicator)},
    )
    return {"data": data, "layout": layout}


def to_fragment(figure: Figure, div_id: str, *, config: dict[str, Any] | None = None) -> str:
    """An HTML fragment that draws ``figure`` into ``<div id=div_id>``.

    Needs ``plotly.min.js`` loaded before it. The figure is not validated (fast), and the
    fixed ``div_id`` keeps output byte-identical between builds.
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


# --- unmet need ------------------------------------------------------------------------------

#: Uptake status colours (colour-blind safe: viridis ends and a neutral grey) and labels.
STATUS_COLOURS = {"below": "#46327e", "as_expected": "#9aa0a6", "above": "#35b779"}
STATUS_LABELS = {"below": "Below expected", "as_expected": "As expected",
                 "above": "Above expected", "": "Not published"}


def funnel_figure(indicator: AnyIndicator, rows: pd.DataFrame, limits: FunnelLines, *,
                  label_plural: str) -> Figure:
    """A funnel plot: each area's observed / expected against its expected count.

    One marker per published area (``rows``: the uptake rows of one level and period), with
    the 95% and 99.8% control limits around 100% drawn as lines over the range of expected
    counts. Markers are coloured by status, so the legend explains them; suppressed areas
    are left out (their expected count could reveal a withheld need count). ``limits``
    are the control limits as the analysis computed them, over a grid of expected counts.
    """

    shown = rows[~rows["suppressed"].astype(bool) & rows["value"].notna()
                 & rows["denominator"].notna()]
    shown = shown.sort_values(["area_code"], kind="mergesort")
    d = indicator.decimals
    mult = float(getattr(indicator, "multiplier", 100))
    data: list[dict[str, Any]] = []
    if not shown.empty and limits.grid:
        grid = limits.grid
        lo_e, hi_e = grid[0], grid[-1]
        for level, name, dash in ((0.998, "99.8% limits", "dot"), (0.95, "95% limits", "dash")):
            lower, upper = limits.bounds[level]
            xs = [round(x, 2) for x in grid]
            data.append({"type": "scatter", "mode": "lines", "name": name,
                         "legendgroup": name, "x": xs + [None] + xs,
                         "y": [round(v * mult, 2) for v in lower] + [None]
                         + [round(v * mult, 2) for v in upper],
                         "line": {"color": "#3d4451", "width": 1.2, "dash": dash},
                         "hoverinfo": "skip"})
        data.append({"type": "scatter", "mode": "lines", "name": "Expected (100%)",
                     "x": [round(lo_e, 2), round(hi_e, 2)], "y": [mult, mult],
                     "line": {"color": TEXT_COLOUR, "width": 1}, "hoverinfo": "skip"})
    for key in ("below", "as_expected", "above"):
        part = shown[shown["status"] == key]
        if part.empty:
            continue
        data.append({
            "type": "scatter", "mode": "markers", "name": STATUS_LABELS[key],
            "meta": "areas",
            "x": [round(float(e), 2) for e in part["denominator"]],
            "y": [round(float(v), d) for v in part["value"]],
            "text": [html.escape(n) for n in part["area_name"]],
            "customdata": [[int(o), round(float(lo), d), round(float(up), d)]
                           for o, lo, up in zip(part["numerator"], part["lower"],
                                                part["upper"], strict=True)],
            "hovertemplate": (f"<b>%{{text}}</b><br>%{{y:.{d}f}}% of expected "
                              f"(95% CI %{{customdata[1]:.{d}f}}–%{{customdata[2]:.{d}f}}%)"
                              "<br>%{customdata[0]:,} observed, %{x:,.1f} expected"
                              "<extra></extra>"),
            "marker": {"color": STATUS_COLOURS[key], "size": 7, "opacity": 0.85,
                       "line": {"color": "#ffffff", "width": 0.5},
                       "symbol": {"below": "triangle-down", "above": "triangle-up"}.get(
                           key, "circle")},
        })
    layout = _layout(
        440, margin={"l": 60, "r": 20, "t": 40, "b": 55},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        xaxis={"title": {"text": f"Expected count ({lower_label(label_plural)})"},
               "type": "log", "gridcolor": GRID_COLOUR},
        yaxis={"title": {"text": "% of expected"}, "ticksuffix": "%", "gridcolor": GRID_COLOUR,
               # The limits shoot up for tiny expected counts; scale to the markers instead.
               "range": [0, round(max(2 * mult, 1.15 * float(shown["value"].max()))
                                  if not shown.empty else 2 * mult, 1)]},
    )
    return {"data": data, "layout": layout}



def status_map_figure(counts: pd.DataFrame, areas: pd.DataFrame, *, geojson: str,
                      n_indicators: int, height: int = 520) -> Figure:
    """Map of how many uptake indicators are below expected in each area.

    ``counts`` has ``area_code, n_below, n_published``; an area with nothing published is
    grey. Colours step from pale (none below) to dark (all below).
    """
    by_code = {r.area_code: r for r in counts.itertuples(index=False)}
    loc, z, text, none_loc, none_text = [], [], [], [], []
    for code, name in zip(areas["code"], areas["name"], strict=True):
        r = by_code.get(code)
        if r is None or not r.n_published:
            none_loc.append(code)
            none_text.append(html.escape(name))
        else:
            loc.append(code)
            z.append(int(r.n_below))
            text.append(f"{html.escape(name)}<br>{int(r.n_below)} of {int(r.n_published)} "
                        "below expected")
    top = max(n_indicators, 1)
    steps = ["#f7f7f7", "#d8cbe6", "#a98bc7", "#7b55a6", "#46327e", "#2a1a52"]
    scale = [[i / top, steps[min(i, len(steps) - 1)]] for i in range(top + 1)]
    common = {"type": "choropleth", "geojson": geojson, "featureidkey": "id",
              "locationmode": "geojson-id", "marker": {"line": {"color": "#ffffff",
                                                                  "width": 0.4}}}
    data: list[dict[str, Any]] = [{
        **common, "name": "Below expected", "locations": loc, "z": z, "text": text,
        "zmin": 0, "zmax": top, "colorscale": scale,
        "hovertemplate": "<b>%{text}</b><extra></extra>",
        "colorbar": {"thickness": 12, "len": 0.75, "outlinewidth": 0, "dtick": 1,
                     "title": {"text": "Below expected", "side": "right"}}}]
    if none_loc:
        data.append({**common, "name": "Withheld or no data", "locations": none_loc,
                     "z": [0] * len(none_loc), "text": none_text, "zmin": 0, "zmax": 1,
                     "colorscale": [[0, SUPPRESSED_COLOUR], [1, SUPPRESSED_COLOUR]],
                     "showscale": False,
                     "hovertemplate": "<b>%{text}</b><br>Withheld or no data<extra></extra>"})
    layout = _layout(height, margin={"l": 0, "r": 0, "t": 4, "b": 0}, dragmode=False,
                     geo={"fitbounds": "locations", "visible": False,
                          "projection": {"type": "mercator"}, "bgcolor": "rgba(0,0,0,0)"})
    return {"data": data, "layout": layout}


#: One colour for every deprivation group: the groups are ordered, not judged.
GROUP_COLOUR = "#31688e"


def group_figure(indicator: AnyIndicator, rows: pd.DataFrame, *, label: str,
                 council_value: Any = None, council_name: str = "") -> Figure:
    """Values by deprivation group (1 = most deprived) as vertical bars with 95% CIs.

    Withheld groups are left out (the table marks them); a dashed line marks the council.
    """
    shown = rows[~rows["suppressed"].astype(bool) & rows["value"].notna()]
    names = [group_name(label, int(g), len(rows)) for g in shown["group"]]
    trace: dict[str, Any] = {
        "type": "bar", "x": names, "y": [z_round(indicator, v) for v in shown["value"]],
        "marker": {"color": GROUP_COLOUR}, "name": indicator.short_title,
        "text": [_hover(indicator, n, v, lo, up, "") for n, v, lo, up in zip(
            names, shown["value"], shown["lower"], shown["upper"], strict=True)],
        "hovertemplate": "%{text}<extra></extra>", "textposition": "none",
    }
    if shown["lower"].notna().any():
        trace["error_y"] = error_bars(indicator, shown, "#3d4451", width=4)
    shapes = []
    if not is_missing(council_value):
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                       "y0": council_value, "y1": council_value,
                       "line": {"color": "#3d4451", "dash": "dash", "width": 1.5}})
    layout = _layout(
        340, margin={"l": 60, "r": 20, "t": 30, "b": 70}, showlegend=False, shapes=shapes,
        xaxis={"title": {"text": f"{label} (1 = most deprived)"}, "type": "category"},
        yaxis={"title": {"text": _axis_title(indicator)}, "gridcolor": GRID_COLOUR,
               "rangemode": "tozero", **_tick_affixes(indicator)})
    if council_name and shapes:
        layout["annotations"] = [{"xref": "paper", "x": 1, "y": council_value,
                                  "text": council_name, "showarrow": False,
                                  "xanchor": "right", "yanchor": "bottom",
                                  "font": {"size": 11}}]
    return {"data": [trace], "layout": layout}
