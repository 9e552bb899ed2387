"""Local commentary (``notes.yaml``) on area profiles and indicator pages: dated, marked as
the council's own words rather than statistics, and rendered from Markdown with raw HTML
shown as text (the case-study renderer)."""

from __future__ import annotations

from typing import Any

from generator.ingest.geography import Level
from generator.ingest.notes import NOTE_KINDS, PlacedNote
from generator.site.context import CouncilPages
from generator.site.pages.interventions import case_study_html


def _view(pages: CouncilPages, placed: PlacedNote, root: str) -> dict[str, Any]:
    names = pages.site.pack.names
    top = pages.site.pack.levels[-1].id
    n = placed.note
    return {
        "date": n.date.isoformat(),
        "kind": n.kind,
        "kind_label": NOTE_KINDS[n.kind],
        "author": n.author,
        "html": case_study_html(n.text),
        "areas": [
            {
                "name": names.get(code, code),
                "href": "" if level == top else pages.area_href(root, level, code),
            }
            for level, code in placed.areas
        ],
    }


def _sorted(notes: list[PlacedNote]) -> list[PlacedNote]:
    return sorted(notes, key=lambda p: p.note.date, reverse=True)  # newest first


def for_area(pages: CouncilPages, level: Level, code: str, root: str) -> list[dict[str, Any]]:
    """Notes about one area, newest first."""
    return [_view(pages, p, root) for p in _sorted(pages.site.notes) if (level.id, code) in p.areas]


def for_indicator(pages: CouncilPages, ind_id: str, root: str) -> list[dict[str, Any]]:
    """Notes about one indicator, newest first (with the areas each is about)."""
    return [_view(pages, p, root) for p in _sorted(pages.site.notes) if ind_id in p.note.indicators]
