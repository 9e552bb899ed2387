"""``index.html`` of a council: headline figures by theme, the lead map, areas of most
need, and the unmet-need summary."""

from __future__ import annotations

from typing import Any

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.ingest.catalogue import AnyIndicator, CountIndicator, UptakeIndicator
from generator.ingest.geography import Level
from generator.site import maps, summaries
from generator.site.context import CouncilPages
from generator.site.formatting import (
    format_ci,
    format_value,
    is_missing,
    lower_label,
)
from generator.site.pages import changes, targets


def uptake_spread(pages: CouncilPages, ind: UptakeIndicator, root: str) -> dict[str, Any] | None:
    """The headline of an uptake indicator measured against the council's own rate: the
    council is 100% by construction, so the card shows the spread across the smallest
    areas (the middle 80%: 10th to 90th percentile of published values) and how many are
    flagged below expected."""
    data = pages.data
    period = data.latest.get(ind.id, "")
    base = data.sub_levels[0]
    if not period or not data.has_level(ind.id, base.id):
        return None
    rows = data.rows(ind.id, base.id, period)
    # The areas the funnel judged, by their pooled ratio: the single-year ratio of a tiny
    # area is mostly chance (0% for a zone expecting 2).
    judged = rows[
        ~rows["suppressed"]
        & rows["status"].isin(["below", "as_expected", "above"])
        & rows["pool_observed"].notna()
        & (rows["pool_expected"] > 0)
    ]
    if len(judged) < 5:
        return None
    ratio = judged["pool_observed"] / judged["pool_expected"] * ind.multiplier
    lo, hi = ratio.quantile([0.1, 0.9]).tolist()
    n_below = int((rows["status"] == "below").sum())
    label = lower_label(base.label if n_below == 1 else base.label_plural)
    return {
        "id": ind.id,
        "title": ind.short_title,
        "href": pages.indicator_href(root, ind.id),
        "value": (
            f"{lo:.0f}% to {hi:.0f}%"
            if ind.multiplier == 100
            else f"{format_value(ind, lo)} to {format_value(ind, hi)}"
        ),
        "ci": "",
        "period": period,
        "change": (
            f"middle 80% of {lower_label(base.label_plural)} judged, latest years pooled; "
            "100% = the council's own rate"
        ),
        "worse": f"{n_below} {label} below expected" if n_below else "",
        "na": True,
    }


def headline(pages: CouncilPages, ind: AnyIndicator, root: str) -> dict[str, Any]:
    if isinstance(ind, UptakeIndicator) and ind.expected_rate is None:
        spread = uptake_spread(pages, ind, root)
        if spread is not None:
            return spread
    data = pages.data
    period = data.latest.get(ind.id, "")
    row = data.council_row(ind.id, period) if period else None
    value = None if row is None else row["value"]
    change = ""
    if period and ind.id in data.council:
        earlier = [p for p in data.council[ind.id]["period"] if p < period]
        if earlier:
            before = data.council_value(ind.id, earlier[-1])
            if before is not None and value is not None and not is_missing(value):
                a, b = round(before, ind.decimals), round(float(value), ind.decimals)
                word = "Up from" if b > a else "Down from" if b < a else "Same as"
                change = f"{word} {format_value(ind, before)} in {earlier[-1]}"
    worse = ""
    base = data.sub_levels[0]
    if period and data.has_level(ind.id, base.id):
        stats = summaries.level_stats(data.rows(ind.id, base.id, period), data.areas[base.id])
        n = stats.comparisons.get("worse", 0)
        if n:
            worse = (
                f"{n} {lower_label(base.label if n == 1 else base.label_plural)} "
                "significantly worse than the council"
            )
    if row is None:
        levels = [lv for lv in data.sub_levels if period and data.has_level(ind.id, lv.id)]
        shown = (
            f"By {lower_label(levels[0].label)} only" if len(levels) == 1 else "No council value"
        )
    elif row["suppressed"]:
        shown = SUPPRESSED_MARK
    else:
        shown = format_value(ind, value)
    return {
        "id": ind.id,
        "title": ind.short_title,
        "href": pages.indicator_href(root, ind.id),
        "value": shown,
        "ci": "" if row is None else format_ci(ind, row["lower"], row["upper"]),
        "period": period,
        "change": change,
        "worse": worse,
        "na": row is None,
    }


def worst_areas(
    pages: CouncilPages, ind: AnyIndicator, level: Level, period: str, root: str, limit: int
) -> list[dict[str, Any]]:
    rows = pages.data.rows(ind.id, level.id, period)
    rows = rows[~rows["suppressed"] & rows["value"].notna()]
    ascending = ind.polarity == "higher_is_better"
    rows = rows.sort_values(
        ["value", "area_name", "area_code"], ascending=[ascending, True, True], kind="mergesort"
    )
    return [
        {
            "name": r.area_name,
            "code": r.area_code,
            "href": pages.area_href(root, level.id, r.area_code),
            "value": format_value(ind, r.value),
        }
        for r in rows.head(limit).itertuples(index=False)
    ]


def render(pages: CouncilPages) -> None:
    """Write the council's overview page."""
    site, data = pages.site, pages.data
    root = ""
    groups: dict[str, list[dict[str, Any]]] = {}
    for ind in site.indicators:
        groups.setdefault(ind.theme, []).append(headline(pages, ind, root))
    theme_order = list(site.catalogue.themes)
    themes = [
        {
            "id": t,
            "title": pages.theme_titles.get(t, t.replace("_", " ").title()),
            "description": (
                site.catalogue.themes[t].description if t in site.catalogue.themes else ""
            ),
            "headlines": groups[t],
        }
        for t in sorted(
            groups, key=lambda t: (theme_order.index(t) if t in theme_order else 999, t)
        )
    ]
    lead = pages.lead
    lead_fig = None
    more_maps: list[dict[str, Any]] = []
    need: list[dict[str, Any]] = []
    period = ""
    base = data.sub_levels[0]
    if lead is not None and lead.id in data.latest:
        period = data.latest[lead.id]
        # The lead's finest map: by intermediate zone when it comes no finer (CiLIF).
        lead_level = next((lv for lv in pages.map_levels if data.has_level(lead.id, lv.id)), None)
        if lead_level is not None:
            lead_fig = overview_map(pages, lead, lead_level, period, root)
        # A data-zone and a ward map in any case, of another indicator if the lead has
        # none at that level, so the council always sees its smallest areas and wards.
        for level in [lv for lv in pages.map_levels if lv.rank == 0 or lv == data.sub_levels[-1]]:
            if data.has_level(lead.id, level.id):
                continue
            other = next(
                (
                    i
                    for i in sorted(site.indicators, key=lambda i: isinstance(i, CountIndicator))
                    if i.id in data.latest and data.has_level(i.id, level.id)
                ),
                None,
            )
            if other is not None:
                more_maps.append(overview_map(pages, other, level, data.latest[other.id], root))
        for level, limit in ((base, 10), *((lv, 5) for lv in data.sub_levels[1:][::-1])):
            if data.has_level(lead.id, level.id):
                need.append(
                    {
                        "label_plural": level.label_plural,
                        "areas": worst_areas(pages, lead, level, period, root, limit),
                    }
                )
    area_lists = [
        {
            "level": lv.id,
            "label_plural": lv.label_plural,
            "areas": [
                {"name": n, "code": c, "href": pages.area_href(root, lv.id, c)}
                for c, n in zip(data.areas[lv.id]["code"], data.areas[lv.id]["name"], strict=True)
            ],
        }
        for lv in data.sub_levels[1:][::-1]
    ]
    ctx = pages.context(
        f"{site.slug}/index.html",
        title=site.name,
        section="overview",
        charts=lead_fig is not None or bool(more_maps),
        maps=lead_fig is not None or bool(more_maps),
        period=period,
    )
    ctx.update(
        changes=changes.view(pages, ""),  # since the last refresh (None on a first build)
        targets=targets.view(pages, ""),
        themes=themes,
        lead=None
        if lead is None
        else {
            "title": lead.title,
            "href": pages.indicator_href(root, lead.id),
            "better": "lowest" if lead.polarity == "higher_is_better" else "highest",
        },
        lead_fig=lead_fig,
        more_maps=more_maps,
        need=need,
        area_lists=area_lists,
        unmet={"href": "unmet-need.html", "priority": pages.priority_view(root, 3)}
        if pages.uptake
        else None,
        base_label_plural=base.label_plural,
        base_count=len(data.areas[base.id]),
    )
    pages.page("index.html", "overview.html", ctx)


def overview_map(
    pages: CouncilPages, ind: AnyIndicator, level: Level, period: str, root: str
) -> dict[str, Any]:
    """One indicator's map at one level, as the overview shows it."""
    data, site = pages.data, pages.site
    rows = data.rows(ind.id, level.id, period)
    figure = maps.map_figure(ind, rows, data.areas[level.id], geojson=f"{site.slug}-{level.id}")
    summary = summaries.level_summary(
        ind,
        rows,
        data.areas[level.id],
        period=period,
        council_name=site.name,
        council_value=data.council_value(ind.id, period),
        label=level.label,
        label_plural=level.label_plural,
    )
    return pages.fig(
        f"map-{level.id}",
        f"{ind.title}, by {lower_label(level.label)}, {period}",
        figure,
        summary,
        is_map=True,
        note=pages.suppression_note(ind),
        table_href=f"{pages.indicator_href(root, ind.id)}#table-{level.id}",
        table_text=f"Table of {lower_label(level.label_plural)} for this indicator",
    )
