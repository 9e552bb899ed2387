"""``unmet-need.html``: priority areas with reasons, the status map, funnel plots and the
gap table, for every uptake indicator."""

from __future__ import annotations

from typing import Any

import pandas as pd

from generator.analysis import funnel
from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.site import figures, funnels, maps, summaries
from generator.site.context import CouncilPages
from generator.site.formatting import (
    format_ci,
    format_count,
    format_value,
    is_missing,
    lower_label,
)
from generator.site.pages import interventions
from generator.site.words import (
    method_text,
    one_decimal,
    period_range,
    unslug,
)

#: The breakdown the page can be filtered by (when an uptake indicator's receipt and need
#: are both split by it).
FILTER_BREAKDOWN = "family_type"

#: The method in words on the about page, which points to docs/methods.md.
METHODS_HREF = "methods.html"


def _need_note(note: str) -> str:
    """ "need: 2021/22 ..., the latest published" as a sentence ("" stays "")."""
    return f"{note[0].upper()}{note[1:]}." if note else ""


def _pooled(rows: pd.DataFrame, period: str) -> str:
    """ "2021/22 to 2023/24 pooled", or the single period."""
    first = rows["pool_from"].replace("", pd.NA).dropna()
    start = str(first.min()) if not first.empty else period
    return period if start == period else f"{start} to {period} pooled"


def _observed(r: Any) -> str:
    """The observed count, or its bounds when the source starred it ("1 to 4"): never 0."""
    if is_missing(r.numerator) and not is_missing(r.numerator_low):
        return f"{format_count(r.numerator_low)} to {format_count(r.numerator_high)}"
    return format_count(r.numerator)


def _status_map(
    pages: CouncilPages, rows: pd.DataFrame, n_ind: int, fig_id: str, who: str
) -> dict[str, Any]:
    """The map of how many entitlements each base area is below expected on, from
    ``rows`` (published uptake rows of the latest periods; ``who``: " for lone parent
    families" under a family-type filter)."""
    site, data = pages.site, pages.data
    base = data.sub_levels[0]
    pub = rows[~rows["suppressed"].astype(bool) & rows["status"].ne("")]
    counts = (
        pub.groupby("area_code")
        .agg(
            n_below=("status", lambda s: int((s == "below").sum())),
            n_published=("status", "size"),
        )
        .reset_index()
    )
    n_any = int((counts["n_below"] > 0).sum())
    of = f"at least one of the {n_ind} entitlements is" if n_ind > 1 else "the entitlement is"
    return pages.fig(
        fig_id,
        f"Entitlements below expected{who}, by {lower_label(base.label)}",
        maps.status_map_figure(
            counts,
            data.areas[base.id],
            geojson=f"{site.slug}-{base.id}",
            n_indicators=n_ind,
        ),
        f"In {n_any} of {len(data.areas[base.id])} {lower_label(base.label_plural)}, "
        f"{of} below expected{who} "
        "(under the 99.8% funnel limit, latest years pooled). Darker areas fall short on "
        "more of them.",
        table_href="#gap-table",
        table_text="Gap table",
        is_map=True,
        note="Grey: every figure withheld to protect privacy, or no data.",
    )


def _variants(pages: CouncilPages, root: str, latest: dict[str, str]) -> dict[str, Any] | None:
    """The family-type filter: per category, its priority list and status map from the
    category's published rows, for the uptake indicators whose receipt and need are both
    split; and which indicators cannot follow it. None without such a breakdown."""
    site, data = pages.site, pages.data
    keys = sorted(k for k in site.priority_by if k[0] == FILTER_BREAKDOWN)
    if not keys or site.breakdowns is None:
        return None
    base = data.sub_levels[0]
    split = site.breakdowns
    split = split[(split["breakdown"] == FILTER_BREAKDOWN) & (split["level"] == base.id)]
    titles = {i.id: i.short_title for i in pages.uptake}
    followed = sorted(
        {i for i in split["indicator"].unique() if i in titles}, key=list(titles).index
    )
    options = []
    for _, category in keys:
        who = f" for {unslug(category).lower()} families"
        mine = split[split["category"] == category]
        rows = pd.concat(
            [mine[(mine["indicator"] == i) & (mine["period"] == latest[i])] for i in followed]
        )
        view = pages.priority_view(root, priority=site.priority_by[(FILTER_BREAKDOWN, category)])
        options.append(
            {
                "value": category,
                "label": unslug(category),
                "who": who,
                "priority": interventions.priority_reach(pages, view, root)
                if site.interventions
                else view,
                "status_fig": _status_map(pages, rows, len(followed), f"status-map-{category}", who)
                if base in pages.map_levels
                else None,
            }
        )
    return {
        "label": unslug(FILTER_BREAKDOWN),
        "options": options,
        "followed": [titles[i] for i in followed],
        "not_followed": [titles[i] for i in titles if i not in followed],
        "one_sided": [titles[i] for i in site.one_sided.get(FILTER_BREAKDOWN, []) if i in titles],
    }


def render(pages: CouncilPages) -> None:
    """Write ``unmet-need.html``: priority areas with reasons, status map, funnels, gap table."""
    site, data = pages.site, pages.data
    root = ""
    base = data.sub_levels[0]
    status_fig = None
    latest = {i.id: data.latest[i.id] for i in pages.uptake if i.id in data.latest}
    if base in pages.map_levels:
        parts = [data.rows(i, base.id, p) for i, p in latest.items()]
        rows = pd.concat(parts) if parts else data.values.iloc[0:0]
        status_fig = _status_map(pages, rows, len(pages.uptake), "status-map", "")
    funnel_figs = []
    for ind in pages.uptake:
        period = latest.get(ind.id)
        if period is None or not data.has_level(ind.id, base.id):
            continue
        rows = data.rows(ind.id, base.id, period)
        judged = rows[~rows["suppressed"] & rows["pool_expected"].notna()]
        phi = float(judged["phi"].max()) if judged["phi"].notna().any() else 1.0
        limits = funnels.FunnelLines(*funnel.funnel_lines(judged["pool_expected"], phi=phi))
        funnel_figs.append(
            pages.fig(
                f"funnel-{ind.id}",
                f"{ind.short_title}, {_pooled(rows, period)}",
                funnels.funnel_figure(ind, rows, limits, label_plural=base.label_plural),
                summaries.funnel_summary(
                    ind, rows, label=base.label, label_plural=base.label_plural
                ),
                table_href=f"{pages.indicator_href(root, ind.id)}#table-{base.id}",
                table_text="Table of these values",
                note=_need_note(site.need_notes.get(ind.id, {}).get(period, "")),
            )
        )
    tables = []
    for level in data.sub_levels:
        trs = []
        for ind in pages.uptake:
            period = latest.get(ind.id)
            if period is None:
                continue
            for r in data.rows(ind.id, level.id, period).itertuples(index=False):
                supp = bool(r.suppressed)
                mark = SUPPRESSED_MARK
                trs.append(
                    {
                        "name": r.area_name,
                        "code": r.area_code,
                        "href": pages.area_href(root, level.id, r.area_code),
                        "indicator": ind.short_title,
                        "suppressed": supp,
                        "observed": mark if supp else _observed(r),
                        "expected": mark if supp else one_decimal(r.denominator),
                        "value": mark if supp else format_value(ind, r.value),
                        "sort": "" if supp or is_missing(r.value) else f"{float(r.value):.6g}",
                        "ci": mark if supp else format_ci(ind, r.lower, r.upper),
                        "gap": mark if supp else one_decimal(r.gap),
                        "gap_sort": "" if supp or is_missing(r.gap) else f"{float(r.gap):.6g}",
                        "status": r.status,
                        "status_label": mark if supp else figures.STATUS_LABELS.get(r.status, ""),
                    }
                )
        if trs:
            trs.sort(
                key=lambda t: (
                    t["suppressed"],
                    -float(t["gap_sort"] or 0),
                    t["name"],
                    t["indicator"],
                )
            )
            tables.append(
                {
                    "id": f"gap-{level.id}",
                    "label": level.label,
                    "label_plural": level.label_plural,
                    "rows": trs,
                }
            )
    ctx = pages.context(
        f"{site.slug}/unmet-need.html",
        title="Unmet need",
        section="unmet",
        charts=True,
        maps=status_fig is not None,
        period=period_range(sorted(set(latest.values()))),
    )
    ctx.update(
        # Each priority area says which intervention has reached it ("not yet reached").
        priority=interventions.priority_reach(pages, pages.priority_view(root), root)
        if site.interventions
        else pages.priority_view(root),
        has_log=bool(site.interventions),
        variants=_variants(pages, root, latest),
        status_fig=status_fig,
        funnels=funnel_figs,
        tables=tables,
        rule=site.priority_rule_text,
        indicators=[
            {
                "title": i.title,
                "href": pages.indicator_href(root, i.id),
                "method": method_text(i, site.catalogue)
                + (
                    " " + _need_note(site.need_notes[i.id][latest[i.id]])
                    if latest.get(i.id) in site.need_notes.get(i.id, {})
                    else ""
                ),
            }
            for i in pages.uptake
        ],
        threshold=site.disclosure_threshold,
        csv_href="data/unmet_need.csv",
        methods_href=METHODS_HREF,
    )
    pages.page("unmet-need.html", "unmet_need.html", ctx)
