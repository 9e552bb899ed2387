"""``indicators/<id>.html``: one indicator's maps, rankings, trend, SIMD breakdown and
tables, at every level it has."""

from __future__ import annotations

from typing import Any

import pandas as pd

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.ingest.catalogue import AnyIndicator, CountIndicator, UptakeIndicator
from generator.site import charts, formatting, maps, spans, summaries
from generator.site.context import CouncilPages
from generator.site.formatting import (
    format_ci,
    format_count,
    format_number,
    format_value,
    is_missing,
    lower_label,
)
from generator.site.pages import interventions, notes, targets, views
from generator.site.pages.overview import uptake_spread
from generator.site.words import (
    POLARITY_TEXT,
    method_text,
    national_label,
    period_range,
)


def render(pages: CouncilPages, ind: AnyIndicator) -> None:
    site, data = pages.site, pages.data
    root = "../"
    period = data.latest.get(ind.id, "")
    council_value = data.council_value(ind.id, period) if period else None
    council_row = data.council_row(ind.id, period) if period else None
    sections, tables = [], []
    for level in data.sub_levels:
        if not data.has_level(ind.id, level.id):
            continue
        rows = data.rows(ind.id, level.id, period)
        areas = data.areas[level.id]
        table_href = f"#table-{level.id}"
        table_text = f"Table of these values by {lower_label(level.label)}"
        section: dict[str, Any] = {
            "id": level.id,
            "label": level.label,
            "label_plural": level.label_plural,
            "map": None,
            "bar": None,
        }
        if level in pages.map_levels:
            wide = level.rank == 0
            map_figure = maps.map_figure(
                ind, rows, areas, geojson=f"{site.slug}-{level.id}", height=560 if wide else 480
            )
            section["map"] = pages.fig(
                f"map-{level.id}",
                f"Map by {lower_label(level.label)}, {period}",
                map_figure,
                summaries.level_summary(
                    ind,
                    rows,
                    areas,
                    period=period,
                    council_name=site.name,
                    council_value=council_value,
                    label=level.label,
                    label_plural=level.label_plural,
                ),
                table_href=table_href,
                table_text=table_text,
                is_map=True,
            )
            section["map"]["figure"] = map_figure  # the default view reuses it
        if level.rank > 0:
            bar_figure = charts.bar_figure(
                ind, rows, council_value=council_value, council_name=site.name
            )
            section["bar"] = pages.fig(
                f"bar-{level.id}",
                f"{level.label_plural} ranked, {period}",
                bar_figure,
                summaries.rank_summary(
                    ind,
                    rows,
                    areas,
                    council_name=site.name,
                    council_value=council_value,
                    label=level.label,
                    label_plural=level.label_plural,
                ),
                table_href=table_href,
                table_text=table_text,
            )
            section["bar"]["figure"] = bar_figure
        if section["map"] or section["bar"]:
            sections.append(section)
        table = views.table_rows(pages, ind, level, period, root, council_value)
        tables.append(
            {
                "id": f"table-{level.id}",
                "level": level.id,
                "label": level.label,
                "label_plural": level.label_plural,
                "rows": table,
                "period": period,
                "compare": any(r["comparison"] for r in table),
            }
        )
    map_figs = [sec["map"] for sec in sections if sec["map"]]
    trend = None
    council_rows = data.council.get(ind.id)
    if council_rows is not None and not council_rows.empty:
        line_level = next(
            (lv for lv in data.sub_levels[::-1] if lv.rank > 0 and data.has_level(ind.id, lv.id)),
            None,
        )
        line_rows = None
        if line_level is not None:
            part = data.values
            line_rows = part[(part["indicator"] == ind.id) & (part["level"] == line_level.id)]
        ind_periods = sorted(set(data.values.loc[data.values["indicator"] == ind.id, "period"]))
        aimed = spans.targeting(site.interventions, ind.id)  # shaded on the trend
        goals = targets.council_targets(pages, ind)  # target and baseline lines
        trend = pages.fig(
            "trend",
            f"Trend, {period_range(ind_periods)}",
            spans.add_targets(
                spans.add_spans(
                    charts.trend_figure(
                        ind,
                        council_rows,
                        line_rows,
                        periods=ind_periods,
                        council_name=site.name,
                        colour=pages.colour,
                        area_label=line_level.label_plural if line_level else "",
                    ),
                    aimed,
                    ind_periods,
                ),
                targets.chart_lines(ind, goals),
                ind_periods,
            ),
            " ".join(
                filter(
                    None,
                    [
                        summaries.trend_summary(ind, council_rows, site.name),
                        interventions.trend_note(aimed),
                        targets.chart_note(ind, goals),
                    ],
                )
            ),
            table_href="#table-trend",
            table_text="Table of the council value over time",
        )
        trend["rows"] = [
            {
                "period": r.period,
                "value": SUPPRESSED_MARK if r.suppressed else format_number(ind, r.value),
                "ci": SUPPRESSED_MARK if r.suppressed else format_ci(ind, r.lower, r.upper),
                "numerator": SUPPRESSED_MARK if r.suppressed else format_count(r.numerator),
                "denominator": SUPPRESSED_MARK if r.suppressed else format_count(r.denominator),
            }
            for r in council_rows.itertuples(index=False)
        ]
    groups = inequality_view(pages, ind, period, council_value)
    view = views.view_data(pages, ind, sections, tables, period, bool(trend))
    ctx = pages.context(
        f"{site.slug}/indicators/{ind.id}.html",
        title=ind.title,
        section="indicators",
        charts=bool(sections or trend or groups),
        maps=bool(map_figs),
        period=period,
    )
    ctx.update(
        ind=ind,
        ratio=not isinstance(ind, CountIndicator),
        theme=pages.theme_titles.get(ind.theme, ind.theme),
        only_levels=[lv.label_plural for lv in data.sub_levels if data.has_level(ind.id, lv.id)]
        if council_row is None
        else [],
        # Said whenever some level is missing, e.g. CiLIF, published by intermediate
        # zone, has no data-zone or ward figures (and no such maps).
        available_levels=[]
        if all(data.has_level(ind.id, lv.id) for lv in site.pack.levels)
        else [lv.label_plural for lv in site.pack.levels if data.has_level(ind.id, lv.id)],
        council_value=(
            ""
            if council_row is None
            else SUPPRESSED_MARK
            if council_row["suppressed"]
            else format_value(ind, council_value)
        ),
        council_ci=""
        if council_row is None
        else format_ci(ind, council_row["lower"], council_row["upper"]),
        # Against the council's own rate the council is 100% by construction: the card
        # also says how far areas spread around it.
        spread=uptake_spread(pages, ind, "../")
        if isinstance(ind, UptakeIndicator) and ind.expected_rate is None
        else None,
        sections=sections,
        trend=trend,
        notes=notes.for_indicator(pages, ind.id, root),
        tables=tables,
        has_ci=bool(ind.ci not in ("none",)),
        method=_with_need_note(
            method_text(ind, site.catalogue),
            site.need_notes.get(ind.id, {}).get(data.latest.get(ind.id, ""), ""),
        ),
        polarity=POLARITY_TEXT[ind.polarity],
        suppression_note=pages.suppression_note(ind),
        threshold=site.disclosure_threshold,
        csv_href=root + "data/indicator_values.csv",
        groups=groups,
        national_name=site.national_name,
        national=national_view(pages, ind, council_row),
        view=view,
    )
    pages.page(f"indicators/{ind.id}.html", "indicator.html", ctx)


def _with_need_note(method: str, note: str) -> str:
    """The method in words, then how need was modelled or carried forward (latest period),
    e.g. "Need: 2021/22 Children in low income families, the latest published"."""
    return f"{method} {note[0].upper()}{note[1:]}." if note else method


def national_view(
    pages: CouncilPages, ind: AnyIndicator, row: dict[str, Any] | None
) -> dict[str, str] | None:
    """The council against the national value, when there is one."""
    if row is None or is_missing(row.get("national")):
        return None
    key = str(row.get("national_comparison") or "")
    return {
        "value": format_value(ind, row["national"]),
        "comparison": key,
        "label": national_label(key, pages.site.national_name),
        "name": pages.site.national_name,
        "source": pages.site.national_source,
    }


def inequality_view(
    pages: CouncilPages, ind: AnyIndicator, period: str, council_value: float | None
) -> dict[str, Any] | None:
    """The SIMD section of an indicator page: quintile chart, tables, SII sentence."""
    groups = pages.site.groups
    if groups is None or not period:
        return None
    mine = groups[(groups["indicator"] == ind.id) & (groups["period"] == period)]
    if mine.empty:
        return None
    label = pages.site.inequality_label

    def table(rows: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "name": formatting.group_name(label, int(r.group), len(rows)),
                "zones": f"{int(r.zones):,}",
                "suppressed": bool(r.suppressed),
                "numerator": SUPPRESSED_MARK if r.suppressed else format_count(r.numerator),
                "denominator": SUPPRESSED_MARK if r.suppressed else format_count(r.denominator),
                "value": SUPPRESSED_MARK if r.suppressed else format_number(ind, r.value),
                "ci": SUPPRESSED_MARK if r.suppressed else format_ci(ind, r.lower, r.upper),
            }
            for r in rows.itertuples(index=False)
        ]

    quintiles = mine[mine["grouping"] == "quintile"].sort_values("group")
    deciles = mine[mine["grouping"] == "decile"].sort_values("group")
    # Deciles only "where counts allow": every decile with zones published.
    show_deciles = not deciles.empty and not deciles["suppressed"].astype(bool).any()
    figure = pages.fig(
        "simd-quintiles",
        f"By {label} quintile, {period}",
        charts.group_figure(
            ind,
            quintiles,
            label=f"{label} quintile",
            council_value=council_value,
            council_name=pages.site.name,
        ),
        summaries.group_summary(ind, quintiles, label),
        table_href="#table-simd",
        table_text=f"Table of values by {label} quintile",
    )
    return {
        "label": label,
        "figure": figure,
        "quintiles": table(quintiles),
        "deciles": table(deciles) if show_deciles else [],
        "slope": summaries.slope_sentence(ind, pages.site.slopes.get((ind.id, period)), label),
    }
