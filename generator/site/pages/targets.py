"""Baselines and targets on the site: the lines on a council trend chart, and the overview's
list of targets with whether each is on track (``analysis/targets.py``)."""

from __future__ import annotations

from typing import Any

from generator.analysis.targets import TargetStatus
from generator.ingest.catalogue import AnyIndicator
from generator.site.context import CouncilPages
from generator.site.formatting import format_value


def council_targets(pages: CouncilPages, ind: AnyIndicator) -> list[TargetStatus]:
    """The targets set for the whole council on ``ind``."""
    top = pages.site.pack.levels[-1].id
    return [
        s
        for s in pages.site.targets
        if s.placed.target.indicator == ind.id and s.placed.level == top
    ]


def chart_lines(ind: AnyIndicator, found: list[TargetStatus]) -> list[tuple[float, str, str]]:
    """(value, label, baseline period) for ``spans.add_targets``."""
    return [
        (
            s.placed.target.value,
            f"Target {format_value(ind, s.placed.target.value)} by {s.placed.target.by}",
            s.placed.target.baseline,
        )
        for s in found
    ]


def chart_note(ind: AnyIndicator, found: list[TargetStatus]) -> str:
    """The words under a trend chart with target lines."""
    if not found:
        return ""
    return (
        "Dashed: "
        + "; ".join(
            f"target of {format_value(ind, s.placed.target.value)} by {s.placed.target.by} "
            f"(dotted: its baseline, {s.placed.target.baseline})"
            for s in found
        )
        + "."
    )


def view(pages: CouncilPages, root: str) -> list[dict[str, Any]]:
    """Every target as the overview lists it."""
    shown = {i.id: i for i in pages.site.indicators}
    names = pages.site.pack.names
    out = []
    for s in pages.site.targets:
        t = s.placed.target
        ind = shown[t.indicator]

        def fmt(x: float | None, ind: AnyIndicator = ind) -> str:
            return "" if x is None else format_value(ind, x)

        out.append(
            {
                "title": ind.short_title,
                "href": pages.indicator_href(root, ind.id),
                "area": names.get(s.placed.code, s.placed.code),
                "baseline": t.baseline,
                "baseline_value": fmt(s.baseline_value),
                "target": fmt(t.value),
                "by": t.by,
                "latest_period": s.latest_period,
                "latest": fmt(s.latest_value),
                "projected": fmt(s.projected),
                "lower": fmt(s.lower),
                "upper": fmt(s.upper),
                "status": s.status,
            }
        )
    return out
