"""``areas/<level>/<code>.html``: an area's profile, every indicator against the council."""

from __future__ import annotations

from typing import Any

import pandas as pd

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.ingest.catalogue import IndexIndicator
from generator.ingest.geography import Level
from generator.site import figures, spine
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
                **spine_row(pages, ind, level, code, period, r, council_value, name),
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
            # Only levels this one nests in: an intermediate zone is not "part of" the
            # ward its first data zone falls in (IZs and wards do not nest; issue 17).
            if lv.rank > level.rank and pages.nests(level.id, lv.id):
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


def _number(value: Any) -> float | None:
    return None if value is None or is_missing(value) else float(value)


def spine_row(
    pages: CouncilPages,
    ind: Any,
    level: Level,
    code: str,
    period: str,
    r: dict[str, Any] | None,
    council_value: float | None,
    area_name: str,
) -> dict[str, Any]:
    """The spine-chart row and the trend line of one indicator on an area's profile."""
    site, data = pages.site, pages.data
    spread = _spread(pages, ind.id, level.id, period)
    shown = r is not None and not r["suppressed"]
    value = _number(r["value"]) if shown and r is not None else None
    national = _number(r.get("national")) if shown and r is not None else None
    out: dict[str, Any] = {"spine": "", "trend": "", "trend_text": ""}
    if spread is not None:
        words = [f"{ind.short_title}: {area_name} "]
        words.append(format_value(ind, value) if value is not None else "withheld or no data")
        words.append(
            f"; {lower_label(level.label_plural)} of the council range from "
            f"{format_value(ind, spread.low)} to {format_value(ind, spread.high)}"
        )
        if ind.method == "count":  # a council's count is no area's: the range says enough
            council_value, national = None, None
        if council_value is not None:
            words.append(f"; council {format_value(ind, council_value)}")
        if national is not None:
            words.append(f"; {site.national_name} {format_value(ind, national)}")
        out["spine"] = spine.spine_svg(
            spread,
            value,
            council_value,
            national,
            ind.polarity,
            str(r["comparison"]) if shown and r is not None else "",
            "".join(words),
        )
    periods = [p for p in site.periods if (ind.id, level.id, p) in data.slices]
    trend: list[float | None] = []
    for p in periods:
        rec = data.record(ind.id, level.id, p, code)
        trend.append(_number(rec["value"]) if rec is not None and not rec["suppressed"] else None)
    if sum(v is not None for v in trend) >= 2:
        text = ", ".join(
            f"{p} {format_value(ind, v) if v is not None else 'no value'}"
            for p, v in zip(periods, trend, strict=True)
        )
        out["trend"] = spine.trend_svg(trend, f"{ind.short_title} over time: {text}")
        out["trend_text"] = text
    return out


def _spread(pages: CouncilPages, ind_id: str, level_id: str, period: str) -> spine.Spread | None:
    """The range of an indicator's published values across the level's areas, once per
    council (every profile of the level shares it)."""
    cache: dict[tuple[str, str, str], spine.Spread | None] = pages.__dict__.setdefault(
        "_spreads", {}
    )
    key = (ind_id, level_id, period)
    if key not in cache:
        rows = pages.data.rows(ind_id, level_id, period)
        shown = rows[~rows["suppressed"].astype(bool)]
        cache[key] = spine.Spread.of(pd.to_numeric(shown["value"], errors="coerce").to_numpy(float))
    return cache[key]


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
