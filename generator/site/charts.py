"""Bar and line charts: areas ranked, the trend over time, values by deprivation group."""

from __future__ import annotations

from typing import Any

import pandas as pd

from generator.ingest.catalogue import AnyIndicator
from generator.site.escaping import plotly_text
from generator.site.figures import (
    COMPARISON_COLOURS,
    COMPARISON_LABELS,
    GRID_COLOUR,
    LEGEND_ORDER,
    TEXT_COLOUR,
    Figure,
    axis_title,
    base_layout,
    error_bars,
    hover,
    tick_affixes,
)
from generator.site.formatting import (
    format_value,
    group_name,
    is_missing,
    z_round,
)

BAR_COLUMNS = ("area_code", "area_name", "suppressed", "value", "lower", "upper", "comparison")


def bar_figure(
    indicator: AnyIndicator,
    rows: pd.DataFrame,
    *,
    council_value: Any,
    council_name: str,
    value_label: str = "",
) -> Figure:
    """Areas ranked by value (highest at the top), with 95% CI error bars when present.

    One trace per comparison with the council so the legend explains the colours; a dashed
    line marks the council value. Suppressed areas are left out (the summary says so).
    """
    # Plain Python on the few rows of one chart: pandas costs ~1 ms per operation here.
    shown = [
        r
        for r in zip(*(rows[c].tolist() for c in BAR_COLUMNS), strict=True)
        if not bool(r[2]) and not is_missing(r[3])
    ]
    shown.sort(key=lambda r: r[0])  # the three stable sorts of a mergesort by three keys
    shown.sort(key=lambda r: r[1])
    shown.sort(key=lambda r: r[3], reverse=True)
    # Names are tick labels, which plotly.js reads as HTML: escaped, so a name is text.
    order = [plotly_text(r[1]) for r in shown]
    data = []
    for key in LEGEND_ORDER:
        part = [r for r in shown if (r[6] if isinstance(r[6], str) else "") == key]
        if not part:
            continue
        trace: dict[str, Any] = {
            "type": "bar",
            "orientation": "h",
            "name": COMPARISON_LABELS[key],
            "y": [plotly_text(r[1]) for r in part],
            "x": [z_round(indicator, r[3]) for r in part],
            "marker": {"color": COMPARISON_COLOURS[key]},
            "text": [hover(indicator, r[1], r[3], r[4], r[5], r[6]) for r in part],
            "hovertemplate": "%{text}<extra></extra>",
            "textposition": "none",
        }
        if any(not is_missing(r[4]) for r in part):
            trace["error_x"] = {
                "type": "data",
                "symmetric": False,
                "array": [z_round(indicator, r[5] - r[3]) for r in part],
                "arrayminus": [z_round(indicator, r[3] - r[4]) for r in part],
                "color": "#3d4451",
                "thickness": 1.2,
                "width": 3,
            }
        data.append(trace)
    height = max(260, 26 * len(order) + 110)
    layout = base_layout(
        height,
        margin={"l": 10, "r": 20, "t": 40, "b": 50},
        barmode="overlay",
        bargap=0.25,
        showlegend=len(data) > 1,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        xaxis={
            "title": {"text": value_label or axis_title(indicator)},
            "gridcolor": GRID_COLOUR,
            "zeroline": True,
            "zerolinecolor": "#9aa0a6",
            "rangemode": "tozero",
            **tick_affixes(indicator),
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order,
            "autorange": "reversed",
            "automargin": True,
            "ticks": "",
            "showgrid": False,
        },
    )
    if not is_missing(council_value):
        # A shape with a legend entry: the council value is named where the colours are.
        x = z_round(indicator, council_value)
        layout["showlegend"] = True
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": TEXT_COLOUR, "width": 1.5, "dash": "dash"},
                "showlegend": True,
                "name": f"{plotly_text(council_name)}: {format_value(indicator, council_value)}",
            }
        ]
    return {"data": data, "layout": layout}


def trend_figure(
    indicator: AnyIndicator,
    council_rows: pd.DataFrame,
    area_rows: pd.DataFrame | None,
    *,
    periods: list[str],
    council_name: str,
    colour: str = "#1d5c8c",
    area_label: str = "",
) -> Figure:
    """The council value over ``periods`` (with its CI), and a thin grey line per area."""
    data: list[dict[str, Any]] = []
    if area_rows is not None and not area_rows.empty:
        area_rows = area_rows[["area_code", "area_name", "period", "suppressed", "value"]]
        shown = area_rows[~area_rows["suppressed"].astype(bool) & area_rows["value"].notna()]
        shown = shown.sort_values("period", kind="mergesort")
        # One line per area, areas by (code, name), each in period order: plain Python, as
        # a pandas group per area costs far more than the few points in it.
        lines: dict[tuple[str, str], list[tuple[str, Any]]] = {}
        for code, name, period, value in zip(
            shown["area_code"].tolist(),
            shown["area_name"].tolist(),
            shown["period"].tolist(),
            shown["value"].tolist(),
            strict=True,
        ):
            lines.setdefault((code, name), []).append((period, value))
        first = True
        for (_code, name), points in sorted(lines.items(), key=lambda kv: kv[0]):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": plotly_text(area_label or "Areas"),
                    "legendgroup": "areas",
                    "showlegend": first,
                    "x": [plotly_text(p) for p, _ in points],
                    "y": [z_round(indicator, v) for _, v in points],
                    "line": {"color": "#c3c8cf", "width": 1},
                    "hovertemplate": f"<b>{plotly_text(name)}</b><br>%{{x}}: %{{y}}<extra></extra>",
                }
            )
            first = False
    council = council_rows[
        ~council_rows["suppressed"].astype(bool) & council_rows["value"].notna()
    ].sort_values("period", kind="mergesort")
    if not council.empty:
        trace: dict[str, Any] = {
            "type": "scatter",
            "mode": "lines+markers",
            "name": plotly_text(council_name),
            "x": [plotly_text(p) for p in council["period"]],
            "y": [z_round(indicator, v) for v in council["value"]],
            "text": [
                hover(indicator, council_name, v, lo, up, "")
                for v, lo, up in zip(
                    council["value"], council["lower"], council["upper"], strict=True
                )
            ],
            "hovertemplate": "%{x}<br>%{text}<extra></extra>",
            "line": {"color": colour, "width": 3},
            "marker": {"size": 8, "color": colour},
        }
        if council["lower"].notna().any():
            trace["error_y"] = error_bars(indicator, council, colour, width=4)
        data.append(trace)
    layout = base_layout(
        360,
        margin={"l": 10, "r": 20, "t": 40, "b": 50},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        hovermode="closest",
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [plotly_text(p) for p in periods],
            "showgrid": False,
            "automargin": True,
        },
        yaxis={
            "title": {"text": axis_title(indicator)},
            "gridcolor": GRID_COLOUR,
            "rangemode": "tozero",
            "automargin": True,
            **tick_affixes(indicator),
        },
    )
    return {"data": data, "layout": layout}


#: One colour for every deprivation group: the groups are ordered, not judged.
GROUP_COLOUR = "#31688e"


def group_figure(
    indicator: AnyIndicator,
    rows: pd.DataFrame,
    *,
    label: str,
    council_value: Any = None,
    council_name: str = "",
) -> Figure:
    """Values by deprivation group (1 = most deprived) as vertical bars with 95% CIs.

    Withheld groups are left out (the table marks them); a dashed line marks the council.
    """
    shown = rows[~rows["suppressed"].astype(bool) & rows["value"].notna()]
    names = [group_name(label, int(g), len(rows)) for g in shown["group"]]
    trace: dict[str, Any] = {
        "type": "bar",
        "x": [plotly_text(n) for n in names],
        "y": [z_round(indicator, v) for v in shown["value"]],
        "marker": {"color": GROUP_COLOUR},
        "name": plotly_text(indicator.short_title),
        "text": [
            hover(indicator, n, v, lo, up, "")
            for n, v, lo, up in zip(
                names, shown["value"], shown["lower"], shown["upper"], strict=True
            )
        ],
        "hovertemplate": "%{text}<extra></extra>",
        "textposition": "none",
    }
    if shown["lower"].notna().any():
        trace["error_y"] = error_bars(indicator, shown, "#3d4451", width=4)
    shapes = []
    if not is_missing(council_value):
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": council_value,
                "y1": council_value,
                "line": {"color": "#3d4451", "dash": "dash", "width": 1.5},
            }
        )
    layout = base_layout(
        340,
        margin={"l": 60, "r": 20, "t": 30, "b": 70},
        showlegend=False,
        shapes=shapes,
        xaxis={"title": {"text": f"{plotly_text(label)} (1 = most deprived)"}, "type": "category"},
        yaxis={
            "title": {"text": axis_title(indicator)},
            "gridcolor": GRID_COLOUR,
            "rangemode": "tozero",
            **tick_affixes(indicator),
        },
    )
    if council_name and shapes:
        layout["annotations"] = [
            {
                "xref": "paper",
                "x": 1,
                "y": council_value,
                "text": plotly_text(council_name),
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"size": 11},
            }
        ]
    return {"data": [trace], "layout": layout}
