"""``areas/<level>/<code>.html``: an area's profile, every indicator against the council."""

from __future__ import annotations

from typing import Any

import pandas as pd

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.ingest.catalogue import IndexIndicator
from generator.ingest.geography import Level
from generator.site import figures
from generator.site.context import CouncilPages
from generator.site.data import safe_name
from generator.site.formatting import (
    format_ci,
    format_number,
    format_value,
    is_missing,
    lower_label,
)
from generator.site.pages import interventions, notes
from generator.site.words import (
    national_label,
    period_range,
)


def render(pages: CouncilPages, level: Level, code: str, name: str) -> None:
    """Write one area's profile: every indicator against the council."""
    site, data = pages.site, pages.data
    root = "../../"
    rows = []
    for ind in site.indicators:
        period = data.latest.get(ind.id)
        if period is None or not data.has_level(ind.id, level.id):
            continue
        r = data.record(ind.id, level.id, period, code)
        council_value = data.council_value(ind.id, period)
        if r is None:
            value, ci, comparison, label = "no data", "", "", ""
        else:
            supp = bool(r["suppressed"])
            value = SUPPRESSED_MARK if supp else format_value(ind, r["value"])
            ci = SUPPRESSED_MARK if supp else format_ci(ind, r["lower"], r["upper"])
            comparison = r["comparison"]
            label = figures.COMPARISON_LABELS.get(comparison, comparison) if comparison else ""
        national, n_key = "", ""
        if r is not None and not r["suppressed"] and not is_missing(r.get("national")):
            national = format_value(ind, r["national"])
            n_key = str(r.get("national_comparison") or "")
        rows.append(
            {
                "national": national,
                "national_comparison": n_key,
                "national_label": national_label(n_key, site.national_name),
                "href": pages.indicator_href(root, ind.id),
                "title": ind.short_title,
                "theme": pages.theme_titles.get(ind.theme, ind.theme),
                "period": period,
                "value": value,
                "ci": ci,
                "council": "" if council_value is None else format_value(ind, council_value),
                "comparison": comparison,
                "comparison_label": label,
            }
        )
    base = site.pack.base
    first = pages.data.first_lookup_row[level.id].get(code)
    parents = []
    if first is not None:
        for lv in data.sub_levels:
            if lv.rank > level.rank:
                pcode = first[f"{lv.id}_code"]
                parents.append(
                    {
                        "label": lv.label,
                        "name": first[f"{lv.id}_name"],
                        "code": pcode,
                        "href": pages.area_href(root, lv.id, pcode),
                    }
                )
    children = []
    if level.rank > 0:
        children = [
            {"name": n, "code": c, "href": pages.area_href(root, base.id, c)}
            for c, n in pages.data.children[level.id].get(code, [])
        ]
    path = f"areas/{level.id}/{safe_name(code)}.html"
    here = interventions.area_section(pages, level, code, name, root)
    ctx = pages.context(
        f"{site.slug}/{path}",
        title=f"{name} ({lower_label(level.label)})",
        section="areas",
        charts=any(block["figs"] for block in here),
        period=period_range(sorted({r["period"] for r in rows})) if rows else "",
    )
    ctx.update(
        area_name=name,
        area_code=code,
        level=level,
        rows=rows,
        parents=parents,
        children=children,
        base=base,
        national_name=site.national_name,
        has_national=any(r["national"] for r in rows),
        indices=index_view(pages, level, code, root),
        interventions=here,
        notes=notes.for_area(pages, level, code, root),
    )
    pages.page(path, "area.html", ctx)


def index_view(pages: CouncilPages, level: Level, code: str, root: str) -> list[dict[str, Any]]:
    """Each composite index's components for one area in the index's latest period."""
    out = []
    for ind in pages.site.indicators:
        if not isinstance(ind, IndexIndicator):
            continue
        comps = pages.site.index_components.get(ind.id)
        period = pages.data.latest.get(ind.id)
        if comps is None or comps.empty or period is None:
            continue
        mine = _components_by_area(pages, ind.id, comps, period).get((level.id, code))
        if mine is None or mine.empty:
            continue
        titles = {d.id: d.title for d in ind.dimensions}
        record = pages.data.record(ind.id, level.id, period, code) or {}
        rows = []
        for r in mine.itertuples(index=False):
            comp = pages.site.catalogue.indicators[r.component]
            gone = is_missing(r.value)
            rows.append(
                {
                    "dimension": titles.get(r.dimension, r.dimension),
                    "title": comp.short_title,
                    "href": pages.indicator_href(root, r.component),
                    "weight": f"{r.weight:g}",
                    "value": "missing" if gone else format_value(comp, r.value),
                    "score": "" if gone else f"{r.score:.1f}",
                    "missing": gone,
                }
            )
        missing = [r["title"] for r in rows if r["missing"]]
        out.append(
            {
                "title": ind.title,
                "href": pages.indicator_href(root, ind.id),
                "period": period,
                "value": ""
                if is_missing(record.get("value"))
                else format_number(ind, record["value"]),
                "normalisation": (
                    "0–100 between stated best and worst values"
                    if ind.normalisation == "bounds"
                    else "as a z-score across areas"
                )
                + (
                    ", turned so that a higher score is worse, as for the index"
                    if ind.polarity == "higher_is_worse"
                    else ", so that a higher score is better"
                ),
                "rows": rows,
                "missing": missing,
            }
        )
    return out


def _components_by_area(
    pages: CouncilPages, ind_id: str, comps: pd.DataFrame, period: str
) -> dict[tuple[str, str], pd.DataFrame]:
    """An index's component rows in one period, split by (level, area) once per council
    rather than filtered again for every area profile."""
    cache: dict[str, dict[tuple[str, str], pd.DataFrame]] = pages.__dict__.setdefault(
        "_index_components", {}
    )
    if ind_id not in cache:
        part = comps[comps["period"] == period]
        cache[ind_id] = {
            (str(lv), str(code)): frame
            for (lv, code), frame in part.groupby(["level", "area_code"], sort=False)
        }
    return cache[ind_id]
