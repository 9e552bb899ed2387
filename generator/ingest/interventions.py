"""The interventions log, ``interventions.yaml``: what the council did, where and when.

Read beside council.yaml (or where its ``interventions:`` key points), validated like the
config: every problem located as ``file:line:col``, with a stable code (docs/errors.md).
``read_log`` checks each entry against the geography pack (areas given by code or name, at
any level) and the catalogue (the indicators it aims to move), and reads each case study's
Markdown as plain text: it is rendered, with raw HTML off, only by the site stage.

A log with entries is optional; a missing file is an empty log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field

from generator.errors import Problem
from generator.ingest import yamlio
from generator.ingest.arearefs import area_index, area_problem, did_you_mean, resolve_area
from generator.ingest.catalogue import Catalogue
from generator.ingest.geography import GeographyPack
from generator.ingest.limits import outside
from generator.ingest.models import Identifier, Strict

#: The log's file name, beside council.yaml, unless the config's ``interventions:`` says.
DEFAULT_LOG = "interventions.yaml"
#: Longest case study read, in bytes (a page of prose is a few kilobytes).
MAX_CASE_STUDY_BYTES = 200_000

Kind = Literal[
    "letters",
    "school_event",
    "link_worker",
    "campaign",
    "service_change",
    "outreach",
    "other",
]
#: How each kind reads on the site.
KIND_LABELS: dict[str, str] = {
    "letters": "Letters",
    "school_event": "School event",
    "link_worker": "Link worker",
    "campaign": "Campaign",
    "service_change": "Service change",
    "outreach": "Outreach",
    "other": "Other",
}


class Intervention(Strict):
    """One thing the council (or a partner) did, in some areas, from a date."""

    id: Identifier = Field(description="Short id, unique in the log (letters, digits, _).")
    title: str = Field(min_length=1, max_length=200, description="Title shown on the site.")
    description: str = Field(default="", max_length=5000, description="What was done, briefly.")
    kind: Kind = Field(
        description="What sort of intervention: letters, school_event, link_worker, campaign, "
        "service_change, outreach or other."
    )
    partner: str = Field(
        default="", max_length=200, description="Who delivered it, if not the council alone."
    )
    areas: list[str] = Field(
        min_length=1,
        description="The areas it covers: codes or names at any level of the geography pack "
        "(data zones, wards, the council), or 'all' for the whole council.",
    )
    start: dt.date = Field(description="The date it started (YYYY-MM-DD).")
    end: dt.date | None = Field(
        default=None, description="The date it ended (YYYY-MM-DD); leave out while it runs."
    )
    indicators: list[Identifier] = Field(
        default_factory=list,
        description="Ids of the catalogue indicators it aims to move (e.g. scp_uptake): "
        "their trend charts show its span, and 'what works' compares them with similar areas.",
    )
    reached: int | None = Field(
        default=None,
        ge=0,
        le=10_000_000,
        description="How many families or households it reached: a count of people, so it is "
        "withheld when under the disclosure threshold.",
    )
    reached_unit: Literal["families", "households"] = Field(
        default="families", description="What 'reached' counts: families or households."
    )
    case_study: str | None = Field(
        default=None,
        description="A Markdown file beside the log telling its story; published as its own "
        "page with any raw HTML shown as text.",
    )


class InterventionsLog(Strict):
    """The whole of interventions.yaml."""

    interventions: list[Intervention] = Field(
        default_factory=list, description="One entry per intervention."
    )


@dataclass(frozen=True)
class Covered:
    """An intervention with its areas resolved against the geography pack."""

    entry: Intervention
    #: (level id, code) of each area the log names, in the log's order
    areas: list[tuple[str, str]]
    #: every base-level area (data zone) inside them, sorted
    base_codes: list[str]
    case_study_text: str | None = None  # the Markdown, unrendered


@dataclass(frozen=True)
class LogRead:
    """The log as far as it could be read: valid entries and every problem found."""

    path: Path | None  # None when the council keeps no log
    interventions: list[Covered] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def log_path(config_path: Path, configured: str | None) -> Path:
    """Where a council's log is: ``configured`` relative to council.yaml, else beside it."""
    return (config_path.parent / (configured or DEFAULT_LOG)).resolve()


def read_log(
    path: Path, pack: GeographyPack | None, catalogue: Catalogue, *, required: bool = False
) -> LogRead:
    """Validate the log at ``path`` and resolve its areas; a missing file is an empty log
    unless ``required`` (the config named it)."""
    if not path.is_file() and not required:
        return LogRead(None)
    doc, log, problems = yamlio.load_model(path, InterventionsLog, "interventions.yaml")
    if doc is None or log is None:
        return LogRead(path, [], problems)
    covered: list[Covered] = []
    seen: set[str] = set()
    index = area_index(pack) if pack is not None else None
    for n, entry in enumerate(log.interventions):
        at = ("interventions", n)
        before = len(problems)
        if entry.id in seen:
            problems.append(
                doc.problem(
                    (*at, "id"), "duplicate-id", f"intervention id {entry.id!r} is used twice"
                )
            )
        seen.add(entry.id)
        if entry.end is not None and entry.end < entry.start:
            problems.append(
                doc.problem(
                    (*at, "end"),
                    "end-before-start",
                    f"ends {entry.end.isoformat()}, before it starts ({entry.start.isoformat()})",
                )
            )
        for k, ind in enumerate(entry.indicators):
            if ind not in catalogue.indicators:
                problems.append(
                    doc.problem(
                        (*at, "indicators", k),
                        "unknown-indicator",
                        f"{ind!r} is not an indicator of the catalogue"
                        + did_you_mean(ind, list(catalogue.indicators))
                        + " (`cdash indicators` lists them)",
                    )
                )
        areas: list[tuple[str, str]] = []
        if index is not None and pack is not None:
            for k, typed in enumerate(entry.areas):
                found = resolve_area(typed, pack, index)
                if isinstance(found, str):
                    problems.append(
                        doc.problem((*at, "areas", k), *area_problem(found, typed, pack))
                    )
                else:
                    areas.append(found)
        text = None
        if entry.case_study is not None:
            text, problem = _case_study(doc, (*at, "case_study"), path.parent, entry.case_study)
            if problem is not None:
                problems.append(problem)
        if len(problems) == before and pack is not None:
            covered.append(Covered(entry, areas, _base_codes(pack, areas), text))
    return LogRead(path, covered, problems)


def _base_codes(pack: GeographyPack, areas: list[tuple[str, str]]) -> list[str]:
    base = f"{pack.base.id}_code"
    codes: set[str] = set()
    for level, code in areas:
        rows = pack.lookup[pack.lookup[f"{level}_code"].astype(str) == code]
        codes |= set(rows[base].astype(str))
    return sorted(codes)


def _case_study(
    doc: yamlio.YamlDocument, at: tuple[str | int, ...], folder: Path, name: str
) -> tuple[str | None, Problem | None]:
    """The case study's Markdown, or the problem reading it."""
    if outside(name):
        return None, doc.problem(
            at, "outside-log-folder", f"{name!r} must be a file beside the log, named without '..'"
        )
    file = folder / name
    if not file.is_file():
        return None, doc.problem(at, "missing-file", f"no case study at {yamlio.display(file)}")
    data = file.read_bytes()
    if len(data) > MAX_CASE_STUDY_BYTES:
        return None, doc.problem(
            at, "file-too-large", f"the case study is over {MAX_CASE_STUDY_BYTES:,} bytes"
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, doc.problem(at, "bad-encoding", "the case study is not UTF-8 text")
