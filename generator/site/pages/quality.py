"""``quality.html``: what was read, dropped and withheld; coverage; problems found."""

from __future__ import annotations

import dataclasses
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from generator.errors import Problem, format_problems, sort_key
from generator.site.context import CouncilPages
from generator.site.words import period_range

#: How many problems of one code the quality page lists before "... and N more".
PROBLEMS_PER_CODE = 100


def render(pages: CouncilPages) -> None:
    """Write the data-quality page."""
    site, data = pages.site, pages.data
    datasets = [
        {
            "id": d.id,
            "title": d.title,
            "source": d.source,
            "file": public_file(d.file),
            "rows_read": f"{d.rows_read:,}",
            "rows_used": f"{d.rows_used:,}",
            "dropped": f"{d.rows_read - d.rows_used:,}",
            "periods": period_range(sorted(d.periods)),
            "measures": ", ".join(d.measures),
            "coverage": f"{d.coverage * 100:.0f}%",
            "why": "",
        }
        for d in site.datasets
    ]
    report = site.report
    available: list[dict[str, Any]] = []
    unavailable: list[dict[str, Any]] = []
    vintage: list[dict[str, Any]] = []
    if report is not None:
        datasets = [_report_row(d) for d in report.datasets]
        built = {i.id for i in site.indicators}
        for status in report.indicators:
            # What the site shows decides: never "available" for a page that is not built.
            row = {
                "id": status.id,
                "title": status.title,
                "theme": pages.theme_titles.get(status.theme, status.theme),
                "href": pages.indicator_href("", status.id) if status.id in built else "",
                "why": _unavailable_reason(status)
                or "no value could be published (every area withheld or missing)",
            }
            (available if status.id in built else unavailable).append(row)
        vintage = [
            {
                "dataset": f.dataset,
                "file": public_file(f.file),
                "vintage": f.vintage,
                "codes": f"{f.codes:,}",
                "examples": ", ".join(f.examples),
                "suggestion": f.suggestion,
            }
            for f in report.vintage
        ]
    suppression = []
    values = data.values
    for ind in site.indicators:
        part = values[values["indicator"] == ind.id]
        notes = part.loc[part["suppressed"], "note"]
        suppression.append(
            {
                "title": ind.short_title,
                "href": pages.indicator_href("", ind.id),
                "rows": f"{len(part):,}",
                "primary": f"{int((notes == 'primary').sum()):,}",
                "secondary": f"{int((notes == 'secondary').sum()):,}",
                "total": f"{int(part['suppressed'].sum()):,}",
            }
        )
    problems = sorted(public_problems(site.problems), key=sort_key)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    ctx = pages.context(
        f"{site.slug}/quality.html",
        title="Data quality",
        section="quality",
        period=period_range(site.periods),
    )
    ctx.update(
        datasets=datasets,
        suppression=suppression,
        has_report=report is not None,
        available=available,
        unavailable=unavailable,
        vintage=vintage,
        error_lines=format_problems(errors, PROBLEMS_PER_CODE),
        warning_lines=format_problems(warnings, PROBLEMS_PER_CODE),
        n_errors=len(errors),
        n_warnings=len(warnings),
        threshold=site.disclosure_threshold,
        limit=PROBLEMS_PER_CODE,
    )
    pages.page("quality.html", "quality.html", ctx)


#: How the quality page words a reason rows were left out (else the problem code).
REASONS = {
    "other-council": "in other councils' areas (a national file)",
    "unplaced": "placed in no area on purpose",
    "no-values": "with no values",
    "unmatched-postcode": "with a postcode not in the postcode lookup",
    "unknown-area-name": "with an area name that matches no area",
    "duplicate-household": "repeating a household already counted",
}


def public_file(file: str) -> str:
    """A file name as the published site may show it: never a path on the build machine
    (issue 17). An absolute path keeps only its folder and name
    ("/srv/data/glasgow/council.yaml" -> "glasgow/council.yaml")."""
    path: PurePath = PurePosixPath(file)
    if not path.is_absolute():
        path = PureWindowsPath(file)
        if not path.is_absolute():
            return file
    return "/".join(path.parts[-2:]) if len(path.parts) > 2 else path.name


def public_problems(problems: list[Problem]) -> list[Problem]:
    """``problems`` with every file name made safe to publish (``public_file``)."""
    return [dataclasses.replace(p, file=public_file(p.file)) for p in problems]


def _report_row(d: Any) -> dict[str, Any]:
    """One dataset of the data contract report as a quality-page table row."""
    parts = [f"{n:,} {REASONS.get(code, code)}" for code, n in d.dropped_by_code.items()]
    parts += [f"{u['rows']:,} unplaced: {u['reason']}" for u in d.unplaced]
    if d.rows_filtered:
        parts.append(f"{d.rows_filtered:,} more left out by the dataset's where filter")
    why = "; ".join(parts)
    coverage = "; ".join(f"{period}: {share * 100:.0f}%" for period, share in d.coverage.items())
    return {
        "id": d.id,
        "title": d.title,
        "file": public_file(d.file),
        "rows_read": f"{d.rows_read:,}" if d.read_ok else "not read",
        "rows_used": f"{d.rows_used:,}",
        "dropped": f"{d.rows_dropped:,}",
        "why": why,
        "periods": period_range(d.periods),
        "measures": ", ".join(d.measures),
        "coverage": coverage or "none",
    }


def _unavailable_reason(status: Any) -> str:
    """Why an indicator cannot be shown, in words."""
    parts = []
    if status.missing_measures:
        parts.append("no dataset maps " + ", ".join(status.missing_measures))
    if status.empty_measures:
        parts.append("no usable values for " + ", ".join(status.empty_measures))
    if status.missing_indicators:
        parts.append(
            "it combines indicators this site lacks: " + ", ".join(status.missing_indicators)
        )
    if not status.selected:
        parts.append("not in this council's list of indicators")
    return "; ".join(parts)
