"""``report.html``: the council on A4, to take to a committee or paste into the Local Child
Poverty Action Report: headline figures, priority areas, the key map and table, and the
methods in brief. It prints from the browser (site.css, print rules)."""

from __future__ import annotations

from typing import Any

from generator.ingest.catalogue import AnyIndicator, UptakeIndicator
from generator.site.context import CouncilPages
from generator.site.formatting import format_number, is_missing, lower_label
from generator.site.pages import views
from generator.site.pages.overview import headline, overview_map
from generator.site.words import national_label, period_range


def render(pages: CouncilPages) -> None:
    """Write the council's report page."""
    site, data = pages.site, pages.data
    root = ""
    rows = [headline_row(pages, ind) for ind in site.indicators]
    lead = pages.lead
    lead_fig = None
    lead_table = None
    if lead is not None and lead.id in data.latest:
        period = data.latest[lead.id]
        level = next((lv for lv in pages.map_levels if data.has_level(lead.id, lv.id)), None)
        if level is not None:
            lead_fig = overview_map(pages, lead, level, period, root)
        top = next(
            (lv for lv in data.sub_levels[::-1] if lv.rank > 0 and data.has_level(lead.id, lv.id)),
            None,
        )
        if top is not None:
            lead_table = {
                "title": lead.title,
                "unit": lead.unit,
                "label": top.label,
                "label_plural": top.label_plural,
                "period": period,
                "rows": views.table_rows(
                    pages, lead, top, period, root, data.council_value(lead.id, period)
                ),
            }
    ctx = pages.context(
        f"{site.slug}/report.html",
        title=f"{site.name}: report",
        section="report",
        charts=lead_fig is not None,
        maps=lead_fig is not None,
        period=period_range(site.periods),
    )
    ctx.update(
        headlines=rows,
        priority=pages.priority_view(root) if pages.uptake else [],
        has_uptake=bool(pages.uptake),
        uptake_titles=[i.short_title for i in pages.uptake],
        lead_fig=lead_fig,
        lead_table=lead_table,
        threshold=site.disclosure_threshold,
        national_name=site.national_name,
        sources=sorted({d.source for d in site.datasets if d.source}),
        uptake_pooled=any(isinstance(i, UptakeIndicator) and i.pool > 1 for i in pages.uptake),
        base_label_plural=lower_label(data.sub_levels[0].label_plural),
    )
    pages.page("report.html", "report.html", ctx)


def headline_row(pages: CouncilPages, ind: AnyIndicator) -> dict[str, Any]:
    """One indicator's line of the headline table: numbers without units (the unit is said
    once, beside the title), so the table fits an A4 page."""
    data, site = pages.data, pages.site
    h = headline(pages, ind, "")
    period = h["period"]
    crow = data.council_row(ind.id, period) if period else None
    value, change = h["value"], ""
    if h.get("na") and isinstance(ind, UptakeIndicator):
        # The spread of an uptake against the council's own rate (overview.uptake_spread).
        change = "middle 80% of areas; the council is 100% by construction"
    elif crow is not None and not crow["suppressed"] and not is_missing(crow["value"]):
        value = format_number(ind, crow["value"])
        earlier = [p for p in data.council[ind.id]["period"] if p < period]
        before = data.council_value(ind.id, earlier[-1]) if earlier else None
        if before is not None:
            a, b = round(before, ind.decimals), round(float(crow["value"]), ind.decimals)
            word = "up from" if b > a else "down from" if b < a else "same as"
            change = f"{word} {format_number(ind, before)} ({earlier[-1]})"
    national = None if crow is None else crow.get("national")
    key = "" if crow is None else str(crow.get("national_comparison") or "")
    return {
        "title": ind.short_title,
        "unit": "" if f"({ind.unit})" in ind.short_title else ind.unit,
        "period": period,
        "value": value,
        "ci": h["ci"],
        "national": "" if is_missing(national) else format_number(ind, national),
        # "Worse than Scotland" as one word beside the value: the table stays narrow.
        "national_word": national_label(key, site.national_name).split(" ")[0].lower(),
        "change": change,
    }
