"""Local insight, ``notes.yaml``: dated text a council attaches to areas or indicators
(officer insight, community voice, a known problem with the data).

Read beside council.yaml (or where its ``notes:`` key points) and checked like the
interventions log: areas by code or name at any level, indicators against the catalogue,
every problem located. The text is Markdown, rendered by the site with raw HTML off and
shown as local commentary, apart from the statistics.
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
from generator.ingest.models import Strict

DEFAULT_NOTES = "notes.yaml"

#: How each kind of note is labelled on the site.
NOTE_KINDS: dict[str, str] = {
    "officer_insight": "Officer insight",
    "community_voice": "Community voice",
    "data_problem": "Known data problem",
}


class Note(Strict):
    """One dated piece of local commentary."""

    date: dt.date = Field(description="When it was written or refers to (YYYY-MM-DD).")
    kind: Literal["officer_insight", "community_voice", "data_problem"] = Field(
        description="officer_insight, community_voice or data_problem."
    )
    author: str = Field(
        default="",
        max_length=200,
        description="Who wrote it (a team, not a person's name, is best).",
    )
    text: str = Field(
        min_length=1,
        max_length=5000,
        description="The note, in Markdown; raw HTML is shown as text.",
    )
    areas: list[str] = Field(
        default_factory=list,
        description="Areas it is about: codes or names at any level; shown on their profiles.",
    )
    indicators: list[str] = Field(
        default_factory=list,
        description="Indicator ids it is about; shown on their pages.",
    )


class NotesFile(Strict):
    """The whole of notes.yaml."""

    notes: list[Note] = Field(default_factory=list, description="One entry per note.")


@dataclass(frozen=True)
class PlacedNote:
    """A note with its areas resolved: (level, code) pairs."""

    note: Note
    areas: list[tuple[str, str]]


@dataclass(frozen=True)
class NotesRead:
    """The notes as far as they could be read, and every problem found."""

    path: Path | None
    notes: list[PlacedNote] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_notes(
    path: Path, pack: GeographyPack | None, catalogue: Catalogue, *, required: bool = False
) -> NotesRead:
    """Validate ``path``; a missing file is no notes unless ``required``."""
    if not path.is_file() and not required:
        return NotesRead(None)
    doc, parsed, problems = yamlio.load_model(path, NotesFile, "notes.yaml")
    if doc is None or parsed is None:
        return NotesRead(path, [], problems)
    placed: list[PlacedNote] = []
    index = area_index(pack) if pack is not None else None
    for n, note in enumerate(parsed.notes):
        at = ("notes", n)
        before = len(problems)
        if not note.areas and not note.indicators:
            problems.append(
                doc.problem(at, "note-unattached", "a note needs 'areas', 'indicators' or both")
            )
        for k, ind in enumerate(note.indicators):
            if ind not in catalogue.indicators:
                problems.append(
                    doc.problem(
                        (*at, "indicators", k),
                        "unknown-indicator",
                        f"{ind!r} is not an indicator of the catalogue"
                        + did_you_mean(ind, list(catalogue.indicators)),
                    )
                )
        areas = []
        if index is not None and pack is not None:
            for k, typed in enumerate(note.areas):
                found = resolve_area(typed, pack, index)
                if isinstance(found, str):
                    problems.append(
                        doc.problem((*at, "areas", k), *area_problem(found, typed, pack))
                    )
                else:
                    areas.append(found)
        if len(problems) == before:
            placed.append(PlacedNote(note, areas))
    return NotesRead(path, placed, problems)
