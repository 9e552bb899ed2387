"""The view controls of an indicator page: level, breakdown and period. Each variant is
pre-rendered as plain figure data and table cells that ``site.js`` swaps in."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pandas as pd
from markupsafe import Markup

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.ingest.catalogue import AnyIndicator
from generator.ingest.geography import Level
from generator.site import charts, figures, maps, summaries
from generator.site.context import CouncilPages
from generator.site.escaping import inline_json
from generator.site.formatting import (
    format_ci,
    format_count,
    format_number,
    format_value,
    is_missing,
)
from generator.site.words import (
    unslug,
)

#: How many of an indicator's latest periods its page lets a reader switch between.
PERIOD_VIEWS = 3


class Row(NamedTuple):
    area_code: str
    area_name: str
    suppressed: bool
    numerator: Any
    denominator: Any
    value: Any
    lower: Any
    upper: Any
    comparison: Any


TABLE_COLUMNS = Row._fields


def table_rows(
    pages: CouncilPages,
    ind: AnyIndicator,
    level: Level,
    period: str,
    root: str,
    council_value: float | None,
    rows: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    if rows is None:
        rows = pages.data.rows(ind.id, level.id, period)
    # Plain Python on one table's rows: pandas costs ~1 ms per operation here. Sorted as
    # suppressed last, then by value (blanks last), name and code: stable sorts, last key first.
    records = [Row(*r) for r in zip(*(rows[c].tolist() for c in TABLE_COLUMNS), strict=True)]
    records.sort(key=lambda r: r.area_code)
    records.sort(key=lambda r: r.area_name)
    sign = 1.0 if ind.polarity == "higher_is_better" else -1.0
    records.sort(key=lambda r: (True, 0.0) if is_missing(r.value) else (False, sign * r.value))
    records.sort(key=lambda r: bool(r.suppressed))
    out = []
    for r in records:
        supp = bool(r.suppressed)
        out.append(
            {
                "name": r.area_name,
                "code": r.area_code,
                "href": pages.area_href(root, level.id, r.area_code),
                "suppressed": supp,
                "numerator": SUPPRESSED_MARK if supp else format_count(r.numerator),
                "denominator": SUPPRESSED_MARK if supp else format_count(r.denominator),
                "value": SUPPRESSED_MARK if supp else format_number(ind, r.value),
                "sort": "" if supp or is_missing(r.value) else f"{float(r.value):.6g}",
                "ci": SUPPRESSED_MARK if supp else format_ci(ind, r.lower, r.upper),
                "comparison": r.comparison,
                "comparison_label": (
                    figures.COMPARISON_LABELS.get(r.comparison, r.comparison)
                    if r.comparison
                    else ""
                ),
            }
        )
    return out


def variant_rows(
    pages: CouncilPages, ind_id: str, key: str, level_id: str, period: str
) -> pd.DataFrame:
    """Published rows of one variant ("" = the total, else "breakdown.category")."""
    if not key:
        return pages.data.rows(ind_id, level_id, period)
    return pages.data.variants.get((ind_id, key, level_id, period), pages.data.values.iloc[0:0])


def view_data(
    pages: CouncilPages,
    ind: AnyIndicator,
    sections: list[dict[str, Any]],
    tables: list[dict[str, Any]],
    period: str,
    has_trend: bool,
) -> dict[str, Any]:
    """What the level, breakdown and period controls switch between.

    Every variant (breakdown category x period) is pre-rendered here as plain figure
    data and table cells; site.js swaps them into the one map, ranking, trend and table
    of each level (Plotly.react), so the page works from disk with no server."""
    data = pages.data
    root = "../"
    levels = [{"id": t["level"], "label": t["label"]} for t in tables]
    council_key = pages.data.top.id if pages.data.top is not None else ""
    if has_trend and council_key:
        levels.append(
            {"id": council_key, "label": pages.data.top.label if pages.data.top is not None else ""}
        )
    # The latest few periods only: each is a full set of pre-rendered figures, and open
    # data can run back twenty years (the trend and the CSV still hold every period).
    all_periods = sorted(set(data.values.loc[data.values["indicator"] == ind.id, "period"]))
    all_periods = [p for p in all_periods if p <= period][-PERIOD_VIEWS:]
    keyed = [("", "All", "", all_periods)]
    for (bd, cat), periods in pages.data.variant_periods.get(ind.id, {}).items():
        keyed.append((f"{bd}.{cat}", unslug(cat), unslug(bd), periods[-PERIOD_VIEWS:]))
    options = [{"key": k, "label": lab, "group": grp} for k, lab, grp, _ in keyed]
    groups: dict[str, list[dict[str, str]]] = {}
    for o in options[1:]:
        groups.setdefault(o["group"], []).append(o)
    # The page carries its default view only (site.js reads it from the page itself); each
    # other view is a small script of its own, loaded when a reader picks it.
    files: dict[str, str] = {}
    if len(keyed) > 1 or len(all_periods) > 1:
        for key, label, group, periods in keyed:
            for p in periods:
                if not key and p == period:
                    continue
                name = f"{key}|{p}"
                view = one_view(
                    pages, ind, key, p, sections, tables, root, f"{group}: {label}" if key else ""
                )
                href = f"{VIEWS_FOLDER}/{ind.id}/{len(files)}.js"
                pages.out[f"{pages.site.slug}/indicators/{href}"] = view_script(ind.id, name, view)
                files[name] = href
    payload = {
        "default": f"|{period}",
        "views": {},
        "files": files,
        "periods": {k: ps for k, _, _, ps in keyed},
    }
    return {
        "levels": levels if len(levels) > 1 else [],
        "groups": groups,
        "periods": all_periods if len(all_periods) > 1 else [],
        "period": period,
        "json": Markup(inline_json(payload)) if files else "",
    }


#: Where an indicator page's other views live, beside it: ``views/<indicator>/<n>.js``.
VIEWS_FOLDER = "views"
#: The global each view script calls (site.js defines it; ``read_view_script`` undoes it).
VIEW_CALL = "CdashView("


def view_script(ind_id: str, name: str, view: dict[str, Any]) -> bytes:
    """One view as a script (a page opened from disk can load a script, not fetch JSON):
    ``CdashView({"indicator": ..., "key": "<breakdown.category>|<period>", "view": ...});``"""
    body = inline_json({"indicator": ind_id, "key": name, "view": view})
    return f"{VIEW_CALL}{body});\n".encode()


def read_view_script(data: bytes) -> dict[str, Any]:
    """What ``view_script`` wrote: {"indicator", "key", "view"}."""
    text = data.decode("utf-8").strip()
    if not (text.startswith(VIEW_CALL) and text.endswith(");")):
        raise ValueError("not a view script")
    return dict(json.loads(text[len(VIEW_CALL) : -2]))


def council_text(ind: AnyIndicator, crow: Any) -> tuple[float | None, str, str]:
    """The council's value, its text and its CI sentence, from its row (None: no row)."""
    cvalue = (
        None
        if crow is None or crow["suppressed"] or is_missing(crow["value"])
        else float(crow["value"])
    )
    shown = (
        "" if crow is None else SUPPRESSED_MARK if crow["suppressed"] else format_value(ind, cvalue)
    )
    ci = "" if crow is None or crow["suppressed"] else format_ci(ind, crow["lower"], crow["upper"])
    return cvalue, shown, f"95% confidence interval {ci}" if ci else ""


def cells_of(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Table rows (``table_rows``) as the cells site.js fills in."""
    return [
        [
            r["code"],
            r["numerator"],
            r["denominator"],
            r["value"],
            r["sort"],
            r["ci"],
            r["comparison"],
            r["comparison_label"],
        ]
        for r in rows
    ]


def one_view(
    pages: CouncilPages,
    ind: AnyIndicator,
    key: str,
    period: str,
    sections: list[dict[str, Any]],
    tables: list[dict[str, Any]],
    root: str,
    label: str,
) -> dict[str, Any]:
    """One variant's figures, summaries, table cells and council value."""
    site = pages.site
    top = pages.data.top
    council = (
        variant_rows(pages, ind.id, key, top.id, period)
        if top is not None
        else pages.data.values.iloc[0:0]
    )
    mine = council[council["area_code"] == site.code] if not council.empty else council
    crow = mine.iloc[0] if len(mine) else None
    cvalue, shown, ci_text = council_text(ind, crow)
    figs: dict[str, Any] = {}
    texts: dict[str, str] = {}
    by_level = {lv.id: lv for lv in pages.data.sub_levels}
    for sec in sections:
        level = by_level[sec["id"]]
        rows = variant_rows(pages, ind.id, key, level.id, period)
        areas = pages.data.areas[level.id]
        if sec["map"]:
            figs[sec["map"]["id"]] = maps.map_figure(
                ind,
                rows,
                areas,
                geojson=f"{site.slug}-{level.id}",
                height=560 if level.rank == 0 else 480,
            )
            texts[sec["map"]["id"]] = summaries.level_summary(
                ind,
                rows,
                areas,
                period=period,
                council_name=site.name,
                council_value=cvalue,
                label=level.label,
                label_plural=level.label_plural,
            )
        if sec["bar"]:
            figs[sec["bar"]["id"]] = charts.bar_figure(
                ind, rows, council_value=cvalue, council_name=site.name
            )
            texts[sec["bar"]["id"]] = summaries.rank_summary(
                ind,
                rows,
                areas,
                council_name=site.name,
                council_value=cvalue,
                label=level.label,
                label_plural=level.label_plural,
            )
    cells: dict[str, list[list[str]]] = {}
    for t in tables:
        level = by_level[t["level"]]
        rows = variant_rows(pages, ind.id, key, level.id, period)
        cells[t["id"]] = cells_of(table_rows(pages, ind, level, period, root, cvalue, rows))
    if key and top is not None and pages.data.council.get(ind.id) is not None:
        periods = pages.data.variant_periods[ind.id][tuple(key.split(".", 1))]  # type: ignore[index]
        trend = pd.concat([variant_rows(pages, ind.id, key, top.id, p) for p in periods])
        trend = trend[trend["area_code"] == site.code]
        figs["trend"] = charts.trend_figure(
            ind,
            trend,
            None,
            periods=periods,
            council_name=f"{site.name}: {label}",
            colour=pages.colour,
        )
        texts["trend"] = summaries.trend_summary(ind, trend, f"{site.name} ({label})")
    return {
        "council": shown,
        "ci": ci_text,
        "figs": figs,
        "summaries": texts,
        "cells": cells,
        "label": label,
        "period": period,
    }
