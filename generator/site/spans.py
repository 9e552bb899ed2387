"""Intervention spans on trend charts: a shaded band from the period an intervention starts
in to the period it ends in (or the last, while it runs), added to a trend figure's layout.

The trend chart's x axis is categorical (one category per period), so a band from period
``i`` to period ``j`` runs from ``i - 0.5`` to ``j + 0.5`` in category units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from generator.analysis.interventions import period_bounds
from generator.ingest.interventions import Covered
from generator.site.escaping import plotly_text

#: Fill of a span: light enough that the lines stay readable, with a dotted edge, so that
#: the band does not rely on colour alone.
SPAN_FILL = "rgba(230, 159, 0, 0.16)"
SPAN_EDGE = "#b26b00"
#: Target and baseline lines: dashed and dotted, so they do not rely on colour.
TARGET_COLOUR = "#1b6e3a"


def span_range(item: Covered, periods: Sequence[str]) -> tuple[int, int] | None:
    """Indices of the first and last period the intervention ran in, or None when it ran
    in none of them (or the periods are not dates)."""
    end = item.entry.end or dt.date.max
    inside = []
    for n, p in enumerate(periods):
        bounds = period_bounds(p)
        if bounds is not None and bounds[0] <= end and bounds[1] >= item.entry.start:
            inside.append(n)
    return (inside[0], inside[-1]) if inside else None


def add_spans(
    figure: dict[str, Any], items: Sequence[Covered], periods: Sequence[str]
) -> dict[str, Any]:
    """``figure`` (a trend chart over ``periods``) with a shaded span per intervention."""
    shapes = list(figure["layout"].get("shapes", []))
    for item in items:
        found = span_range(item, periods)
        if found is None:
            continue
        first, last = found
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": first - 0.5,
                "x1": last + 0.5,
                "y0": 0,
                "y1": 1,
                "fillcolor": SPAN_FILL,
                "line": {"color": SPAN_EDGE, "width": 1, "dash": "dot"},
                "layer": "below",
                "name": plotly_text(item.entry.title),
                "showlegend": True,
            }
        )
    if shapes:  # a chart with no span is left exactly as it was
        figure["layout"]["shapes"] = shapes
    return figure


def targeting(
    items: Sequence[Covered], indicator: str, codes: set[str] | None = None
) -> list[Covered]:
    """The interventions aimed at ``indicator`` (covering one of ``codes``, when given)."""
    return [
        item
        for item in items
        if indicator in item.entry.indicators
        and (codes is None or bool(codes & set(item.base_codes)))
    ]


def add_targets(
    figure: dict[str, Any], targets: Sequence[tuple[float, str, str]], periods: Sequence[str]
) -> dict[str, Any]:
    """``figure`` with a dashed line at each target's value and a dotted one at its baseline
    period; ``targets`` are (value, legend label, baseline period)."""
    if not targets:
        return figure
    shapes = list(figure["layout"].get("shapes", []))
    for value, label, baseline in targets:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": value,
                "y1": value,
                "line": {"color": TARGET_COLOUR, "width": 1.5, "dash": "dash"},
                "name": plotly_text(label),
                "showlegend": True,
            }
        )
        if baseline in periods:
            x = list(periods).index(baseline)
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "x0": x,
                    "x1": x,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": TARGET_COLOUR, "width": 1, "dash": "dot"},
                    "name": plotly_text(f"Baseline {baseline}"),
                    "showlegend": True,
                }
            )
    figure["layout"]["shapes"] = shapes
    return figure
