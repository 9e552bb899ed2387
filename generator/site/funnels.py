"""Funnel plots of observed / expected against expected, with control limits computed by
the analysis, so the picture is the flag rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from generator.ingest.catalogue import AnyIndicator
from generator.site.escaping import plotly_text
from generator.site.figures import (
    GRID_COLOUR,
    STATUS_COLOURS,
    STATUS_LABELS,
    TEXT_COLOUR,
    Figure,
    base_layout,
)
from generator.site.formatting import (
    lower_label,
)


@dataclass(frozen=True)
class FunnelLines:
    """Funnel control limits (as ratios to expected) over a grid of expected counts."""

    grid: list[float]
    bounds: dict[float, tuple[list[float], list[float]]]  # level -> (lower, upper)


#: Tick marks of the funnel plots' log axis of expected counts.
LOG_TICKS = [m * 10**e for e in range(-1, 7) for m in (1, 2, 5)]


def funnel_figure(
    indicator: AnyIndicator, rows: pd.DataFrame, limits: FunnelLines, *, label_plural: str
) -> Figure:
    """A funnel plot: each area's pooled observed / expected against its pooled expected.

    One marker per judged area (``rows``: the uptake rows of one level and period; the
    pooled columns ``pool_observed``/``pool_expected`` are what the flag judged), with the
    99.8% limits (the flag rule) and the 95% limits (for reference) around 100%, widened by
    the same over-dispersion, drawn over the range of expected counts. Markers are coloured
    by status, so the legend explains them; suppressed and censored areas are left out.
    ``limits`` come from ``analysis.funnel.funnel_lines``, the functions that flag.
    """

    shown = rows[
        ~rows["suppressed"].astype(bool)
        & rows["pool_observed"].notna()
        & rows["pool_expected"].notna()
        & rows["status"].isin(["below", "as_expected", "above", "too_few"])
    ]
    shown = shown.sort_values(["area_code"], kind="mergesort")
    shown = shown.assign(
        value=shown["pool_observed"]
        / shown["pool_expected"]
        * float(getattr(indicator, "multiplier", 100)),
        numerator=shown["pool_observed"],
        denominator=shown["pool_expected"],
    )
    d = indicator.decimals
    mult = float(getattr(indicator, "multiplier", 100))
    data: list[dict[str, Any]] = []
    if not shown.empty and limits.grid:
        grid = limits.grid
        lo_e, hi_e = grid[0], grid[-1]
        for level, name, dash in (
            (0.998, "99.8% limits (flags)", "solid"),
            (0.95, "95% limits (reference)", "dash"),
        ):
            lower, upper = limits.bounds[level]
            xs = [round(x, 2) for x in grid]
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": name,
                    "legendgroup": name,
                    "x": xs + [None] + xs,
                    "y": [round(v * mult, 2) for v in lower]
                    + [None]
                    + [round(v * mult, 2) for v in upper],
                    "line": {"color": "#3d4451", "width": 1.2, "dash": dash},
                    "hoverinfo": "skip",
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Expected (100%)",
                "x": [round(lo_e, 2), round(hi_e, 2)],
                "y": [mult, mult],
                "line": {"color": TEXT_COLOUR, "width": 1},
                "hoverinfo": "skip",
            }
        )
    for key in ("below", "as_expected", "above", "too_few"):
        part = shown[shown["status"] == key]
        if part.empty:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": STATUS_LABELS[key],
                "meta": "areas",
                "x": [round(float(e), 2) for e in part["denominator"]],
                "y": [round(float(v), d) for v in part["value"]],
                "text": [plotly_text(n) for n in part["area_name"]],
                "customdata": [
                    [int(o), round(float(lo), d), round(float(up), d)]
                    for o, lo, up in zip(
                        part["numerator"], part["lower_998"], part["upper_998"], strict=True
                    )
                ],
                "hovertemplate": (
                    f"<b>%{{text}}</b><br>%{{y:.{d}f}}% of expected "
                    f"(99.8% limits %{{customdata[1]:.{d}f}}–%{{customdata[2]:.{d}f}}%)"
                    "<br>%{customdata[0]:,} observed, %{x:,.1f} expected"
                    "<extra></extra>"
                ),
                "marker": {
                    "color": STATUS_COLOURS[key],
                    "size": 7,
                    "opacity": 0.85,
                    "line": {"color": "#ffffff", "width": 0.5},
                    "symbol": {
                        "below": "triangle-down",
                        "above": "triangle-up",
                        "too_few": "circle-open",
                    }.get(key, "circle"),
                },
            }
        )
    layout = base_layout(
        440,
        margin={"l": 60, "r": 20, "t": 40, "b": 55},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        xaxis={
            "title": {"text": f"Expected count ({lower_label(label_plural)})"},
            "type": "log",
            "gridcolor": GRID_COLOUR,
            # 1, 2, 5, 10, 20, 50...: plotly's own log ticks crowd "6 7 8 9 1 2 3" on a phone.
            "tickmode": "array",
            "tickvals": LOG_TICKS,
            "ticktext": [f"{t:,g}" for t in LOG_TICKS],
        },
        yaxis={
            "title": {"text": "% of expected"},
            "ticksuffix": "%",
            "gridcolor": GRID_COLOUR,
            # The limits shoot up for tiny expected counts; scale to the markers instead.
            "range": [
                0,
                round(
                    max(2 * mult, 1.15 * float(shown["value"].max()))
                    if not shown.empty
                    else 2 * mult,
                    1,
                ),
            ],
        },
    )
    return {"data": data, "layout": layout}
