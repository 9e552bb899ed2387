"""The SIMD section of an indicator page, for any period: the quintile chart, its text, the
quintile and decile tables and the slope index. ``indicator`` draws the page's own period;
``views`` gives every other period to the period control (issue 17: the SIMD section
names and shows the period chosen)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.ingest.catalogue import AnyIndicator
from generator.site import charts, formatting, summaries
from generator.site.context import CouncilPages
from generator.site.formatting import format_ci, format_count, format_number

#: The div id of the quintile chart (site.js swaps it per period like any other figure).
FIGURE_ID = "simd-quintiles"


def period_text(text: str, period: str) -> Markup:
    """``text``, then the period in a span that the period control rewrites."""
    return Markup('{}<span class="view-period-text">{}</span>').format(text, period)


def group_rows(pages: CouncilPages, ind: AnyIndicator, period: str) -> pd.DataFrame:
    """The published SIMD group rows of one indicator and period (may be empty)."""
    groups = pages.site.groups
    if groups is None or not period:
        return pd.DataFrame()
    return groups[(groups["indicator"] == ind.id) & (groups["period"] == period)]


def national_values(
    pages: CouncilPages, ind: AnyIndicator, period: str
) -> dict[tuple[str, int], str]:
    """Scotland's value of each SIMD group of ``period``, as text, keyed (grouping, group)."""
    nation = pages.site.national_groups
    if nation is None:
        return {}
    rows = nation[(nation["indicator"] == ind.id) & (nation["period"] == period)]
    return {
        (str(r.grouping), int(r.group)): format_number(ind, r.value)
        for r in rows.itertuples(index=False)
    }


def has_national(pages: CouncilPages, ind: AnyIndicator) -> bool:
    """Whether Scotland's SIMD groups are known for ``ind`` in any period."""
    nation = pages.site.national_groups
    return nation is not None and bool((nation["indicator"] == ind.id).any())


def table(
    ind: AnyIndicator, rows: pd.DataFrame, label: str, national: dict[tuple[str, int], str]
) -> list[dict[str, Any]]:
    """Quintile or decile rows as the template's table shows them."""
    return [
        {
            "national": national.get((str(r.grouping), int(r.group)), ""),
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


def parts(
    pages: CouncilPages, ind: AnyIndicator, period: str, council_value: float | None
) -> dict[str, Any] | None:
    """The section's figure dict, summary, tables and slope sentence for ``period``."""
    mine = group_rows(pages, ind, period)
    if mine.empty:
        return None
    label = pages.site.inequality_label
    quintiles = mine[mine["grouping"] == "quintile"].sort_values("group")
    deciles = mine[mine["grouping"] == "decile"].sort_values("group")
    national = national_values(pages, ind, period)
    return {
        "label": label,
        # The Scotland column is there for every period of an indicator that has any, so that
        # the period control's cells always fit the page's columns ("–" where none).
        "national_name": pages.site.national_name if has_national(pages, ind) else "",
        "figure": charts.group_figure(
            ind,
            quintiles,
            label=f"{label} quintile",
            council_value=council_value,
            council_name=pages.site.name,
        ),
        "summary": summaries.group_summary(ind, quintiles, label),
        "quintiles": table(ind, quintiles, label, national),
        "deciles": table(ind, deciles, label, national),
        "slope": summaries.slope_sentence(ind, pages.site.slopes.get((ind.id, period)), label),
    }


def section(
    pages: CouncilPages, ind: AnyIndicator, period: str, council_value: float | None
) -> dict[str, Any] | None:
    """The SIMD section of the page's own period, its chart rendered."""
    got = parts(pages, ind, period, council_value)
    if got is None:
        return None
    label = got["label"]
    # Deciles only "where counts allow": every decile with zones published.
    deciles = got["deciles"]
    show_deciles = bool(deciles) and not any(r["suppressed"] for r in deciles)
    figure = pages.fig(
        FIGURE_ID,
        period_text(f"By {label} quintile, ", period),
        got["figure"],
        got["summary"],
        table_href="#table-simd",
        table_text=f"Table of values by {label} quintile",
    )
    return {
        "label": label,
        "national_name": got["national_name"],
        "figure": figure,
        "quintiles": got["quintiles"],
        "deciles": deciles if show_deciles else [],
        "slope": got["slope"],
    }


def cells(rows: list[dict[str, Any]], ratio: bool, has_ci: bool, national: bool) -> list[list[str]]:
    """Table rows as the cells site.js writes into the SIMD tables, in column order."""
    out = []
    for r in rows:
        row = [r["name"], r["zones"]]
        if ratio:
            row += [r["numerator"], r["denominator"]]
        row.append(r["value"])
        if has_ci:
            row.append(r["ci"])
        if national:
            row.append(r["national"] or "–")
        out.append(row)
    return out


def view(
    pages: CouncilPages, ind: AnyIndicator, period: str, council_value: float | None
) -> dict[str, Any] | None:
    """What the period control swaps into the SIMD section for ``period``."""
    got = parts(pages, ind, period, council_value)
    if got is None:
        return None
    ratio = ind.method != "count"
    has_ci = ind.ci != "none"
    national = bool(got["national_name"])
    return {
        "figure": got["figure"],
        "summary": got["summary"],
        "tables": {
            "table-simd": cells(got["quintiles"], ratio, has_ci, national),
            "table-simd-decile": cells(got["deciles"], ratio, has_ci, national),
        },
        "slope": got["slope"],
    }
