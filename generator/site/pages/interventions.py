"""``interventions.html`` and ``interventions/<id>.html``: the council's interventions log
(where and when each ran, a map, filters by kind and status), what works against similar
areas, and a page per case study, rendered from Markdown with raw HTML off. Also the
"Interventions here" section of an area profile and the reach of each priority area on the
unmet-need page."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from markupsafe import Markup

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.analysis.interventions import Effect, publishable_reached
from generator.ingest.catalogue import AnyIndicator, UptakeIndicator
from generator.ingest.geography import Level
from generator.ingest.interventions import KIND_LABELS, Covered
from generator.site import charts, spans
from generator.site.context import CouncilPages
from generator.site.escaping import plotly_text
from generator.site.formatting import format_count
from generator.site.maps import map_layout
from generator.site.words import period_range

#: Where the log's pages live in a council's site.
PAGE = "interventions.html"
CASE_DIR = "interventions"
#: Map colours by how many interventions cover a zone (0, 1, 2, 3 or more).
COVER_STEPS = ["#f2f2f2", "#fdd49e", "#fc8d59", "#d7301f"]


@cache
def _markdown() -> Any:
    """Markdown for case studies: CommonMark and tables; raw HTML shown as text; images
    not loaded (a site fetches nothing from elsewhere); headings one level down."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


def case_study_html(text: str) -> Markup:
    """A case study's Markdown as safe HTML: no raw HTML, no images, no script links."""
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:  # the page title is the h1: the story's headings go one down
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return Markup(md.renderer.render(tokens, md.options, {}))


def status(item: Covered, build_date: str) -> str:
    """planned, running or ended, on the build date."""
    today = dt.date.fromisoformat(build_date)
    if item.entry.start > today:
        return "planned"
    if item.entry.end is not None and item.entry.end < today:
        return "ended"
    return "running"


def effect_view(effect: Effect, ind: AnyIndicator) -> dict[str, Any]:
    """An Effect as the templates word it (numbers to one decimal place)."""

    def one(x: float | None) -> str:
        return "" if x is None else f"{abs(x):.1f}"

    def signed(x: float | None) -> str:
        return "" if x is None else f"{x:.1f}".replace("-", "−")

    return {
        "verdict": effect.verdict,
        "subject": "uptake" if isinstance(ind, UptakeIndicator) else ind.short_title,
        "units": "points" if isinstance(ind, UptakeIndicator) or "%" in ind.unit else ind.unit,
        "size": one(effect.estimate),
        "estimate": signed(effect.estimate),
        "lower": signed(effect.lower),
        "upper": signed(effect.upper),
        "reason": effect.reason,
        "covered": effect.covered,
        "comparison": effect.comparison,
        "before": period_range(list(effect.before)),
        "after": period_range(list(effect.after)),
        "indicator": ind.short_title,
    }


def _area_names(pages: CouncilPages, item: Covered) -> list[dict[str, str]]:
    names = pages.site.pack.names
    levels = {lv.id: lv for lv in pages.site.pack.levels}
    top = pages.site.pack.levels[-1].id
    out = []
    for level, code in item.areas:
        href = "" if level == top else pages.area_href("", level, code)
        out.append(
            {
                "name": names.get(code, code),
                "code": code,
                "href": href,
                "level": levels[level].label,
            }
        )
    return out


def entry_view(pages: CouncilPages, item: Covered, root: str) -> dict[str, Any]:
    """One intervention as the interventions page lists it."""
    site, e = pages.site, item.entry
    shown = {i.id: i for i in site.indicators}
    reached = publishable_reached(e.reached, site.disclosure_threshold)
    effects = [
        {**effect_view(x, shown[x.indicator]), "href": pages.indicator_href(root, x.indicator)}
        for x in site.effects
        if x.intervention == e.id and x.indicator in shown
    ]
    return {
        "id": e.id,
        "title": e.title,
        "description": e.description,
        "kind": e.kind,
        "kind_label": KIND_LABELS[e.kind],
        "partner": e.partner,
        "start": e.start.isoformat(),
        "end": e.end.isoformat() if e.end else "",
        "status": status(item, site.build_date),
        "areas": _area_names(pages, item),
        "zones": len(item.base_codes),
        "reached": ""
        if e.reached is None
        else SUPPRESSED_MARK
        if reached is None
        else format_count(reached),
        "reached_unit": e.reached_unit,
        "indicators": [
            {"title": shown[i].short_title, "href": pages.indicator_href(root, i)}
            for i in e.indicators
            if i in shown
        ],
        "effects": effects,
        "case_href": f"{root}{CASE_DIR}/{e.id}.html" if item.case_study_text is not None else "",
    }


def coverage_map(pages: CouncilPages) -> dict[str, Any] | None:
    """Map of how many interventions cover each zone."""
    base = pages.data.sub_levels[0]
    if base not in pages.map_levels:
        return None
    count: dict[str, list[str]] = {}
    for item in pages.site.interventions:
        for code in item.base_codes:
            count.setdefault(code, []).append(item.entry.title)
    areas = pages.data.areas[base.id]
    loc, z, text = [], [], []
    for code, name in zip(areas["code"].tolist(), areas["name"].tolist(), strict=True):
        titles = count.get(code, [])
        loc.append(code)
        z.append(min(len(titles), len(COVER_STEPS) - 1))
        text.append(
            plotly_text(name)
            + "<br>"
            + ("<br>".join(plotly_text(t) for t in titles) if titles else "No intervention")
        )
    top = len(COVER_STEPS) - 1
    figure = {
        "data": [
            {
                "type": "choropleth",
                "geojson": f"{pages.site.slug}-{base.id}",
                "featureidkey": "id",
                "locationmode": "geojson-id",
                "locations": loc,
                "z": z,
                "text": text,
                "zmin": 0,
                "zmax": top,
                "colorscale": [[i / top, c] for i, c in enumerate(COVER_STEPS)],
                "marker": {"line": {"color": "#ffffff", "width": 0.4}},
                "hovertemplate": "<b>%{text}</b><extra></extra>",
                "colorbar": {
                    "thickness": 12,
                    "len": 0.75,
                    "outlinewidth": 0,
                    "dtick": 1,
                    "title": {"text": "Interventions", "side": "right"},
                },
            }
        ],
        "layout": map_layout(480),
    }
    covered = sum(1 for c in areas["code"] if c in count)
    return pages.fig(
        "interventions-map",
        f"Where interventions ran, by {base.label.lower()}",
        figure,
        f"{covered} of {len(areas)} {base.label_plural.lower()} are covered by at least one "
        f"of the {len(pages.site.interventions)} interventions in the log; darker areas by "
        "more of them.",
        table_href="#interventions-table",
        table_text="Table of interventions",
        is_map=True,
    )


def render(pages: CouncilPages) -> None:
    """Write interventions.html and a page per case study."""
    site = pages.site
    if not site.interventions:
        return
    entries = [entry_view(pages, item, "") for item in site.interventions]
    ctx = pages.context(
        f"{site.slug}/{PAGE}",
        title="Interventions",
        section="interventions",
        charts=True,
        maps=True,
    )
    ctx.update(
        entries=entries,
        kinds=sorted({(e["kind"], e["kind_label"]) for e in entries}),
        statuses=[
            s for s in ("planned", "running", "ended") if any(e["status"] == s for e in entries)
        ],
        map_fig=coverage_map(pages),
        methods_href="methods.html#6-what-works-interventions-against-similar-areas",
        threshold=site.disclosure_threshold,
    )
    pages.page(PAGE, "interventions.html", ctx)
    for item in site.interventions:
        if item.case_study_text is None:
            continue
        path = f"{CASE_DIR}/{item.entry.id}.html"
        cctx = pages.context(f"{site.slug}/{path}", title=item.entry.title, section="interventions")
        cctx.update(
            entry=entry_view(pages, item, "../"),
            body=case_study_html(item.case_study_text),
            log_href=f"../{PAGE}",
        )
        pages.page(path, "case_study.html", cctx)


def covering(pages: CouncilPages, level: Level, code: str) -> list[Covered]:
    """Interventions that cover an area: it is named in the log, or every one of its zones
    is covered (a zone: it is one of the covered zones)."""
    site = pages.site
    zones = (
        {code} if level.rank == 0 else {c for c, _ in pages.data.children[level.id].get(code, [])}
    )
    return [
        item
        for item in site.interventions
        if (level.id, code) in item.areas or (zones and zones <= set(item.base_codes))
    ]


def area_section(
    pages: CouncilPages, level: Level, code: str, name: str, root: str
) -> list[dict[str, Any]]:
    """The interventions covering an area, each with a trend of the area's own values of
    the indicators it targets, the intervention's span shaded."""
    data = pages.data
    out = []
    for item in covering(pages, level, code):
        figs = []
        for ind in pages.site.indicators:
            if ind.id not in item.entry.indicators or not data.has_level(ind.id, level.id):
                continue
            part = data.values
            rows = part[
                (part["indicator"] == ind.id)
                & (part["level"] == level.id)
                & (part["area_code"] == code)
            ]
            periods = sorted(set(part.loc[part["indicator"] == ind.id, "period"]))
            if rows.empty:
                continue
            figure = spans.add_spans(
                charts.trend_figure(
                    ind, rows, None, periods=periods, council_name=name, colour=pages.colour
                ),
                [item],
                periods,
            )
            figs.append(
                pages.fig(
                    f"trend-{item.entry.id}-{ind.id}",
                    f"{ind.short_title}, {period_range(periods)}",
                    figure,
                    f"{ind.short_title} in {name} over time; the shaded span is "
                    f"{item.entry.title} ({span_text(item)}).",
                    table_href=pages.indicator_href(root, ind.id),
                    table_text="The indicator's page and tables",
                )
            )
        out.append({"entry": entry_view(pages, item, root), "figs": figs})
    return out


def span_text(item: Covered) -> str:
    """'from 2022-10-01 to 2022-11-30', or 'from 2024-06-01, still running'."""
    e = item.entry
    return f"from {e.start.isoformat()}" + (
        f" to {e.end.isoformat()}" if e.end else ", still running"
    )


def trend_note(items: list[Covered]) -> str:
    """The note under a trend chart that shows spans."""
    if not items:
        return ""
    return "Shaded: " + "; ".join(f"{i.entry.title} ({span_text(i)})" for i in items) + "."


def priority_reach(
    pages: CouncilPages, groups: list[dict[str, Any]], root: str
) -> list[dict[str, Any]]:
    """The unmet-need page's priority areas, each with the interventions that have covered
    it by the build date (none: "not yet reached") and whether one covers it now."""
    levels = {lv.label_plural: lv for lv in pages.data.sub_levels}
    for group in groups:
        level = levels[group["label_plural"]]
        for area in group["areas"]:
            found = [
                (item, status(item, pages.site.build_date))
                for item in covering(pages, level, area["code"])
            ]
            area["reached_by"] = [
                {
                    "title": item.entry.title,
                    "status": state,
                    "href": f"{root}{PAGE}#intervention-{item.entry.id}",
                }
                for item, state in found
                if state != "planned"
            ]
            area["targeted"] = any(state == "running" for _, state in found)
    return groups
