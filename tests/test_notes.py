"""Local commentary (notes.yaml, issue 15): located errors, inert HTML, and the demo's notes
on area profiles and indicator pages, marked as local commentary."""

from __future__ import annotations

import dataclasses

from generator.ingest.catalogue import load_catalogue
from generator.ingest.geography import load_pack
from generator.ingest.notes import read_notes
from tests.conftest import ROOT

BAD = ROOT / "tests" / "fixtures" / "bad-interventions" / "notes.yaml"


def test_bad_notes_give_located_errors_and_html_stays_text(demo_council):
    """An unknown area, a note attached to nothing and an unknown indicator are located
    errors; the note with a <script> is valid and shows it as text on the area's profile."""
    from generator.site.context import CouncilPages
    from generator.site.pages import notes
    from generator.site.render import environment

    pack = load_pack(ROOT / "demo" / "geography")
    read = read_notes(BAD, pack, load_catalogue())
    assert [(p.line, p.col, p.field, p.code) for p in read.problems] == [
        (5, 13, "notes[0].areas[0]", "unknown-area"),
        (7, 5, "notes[1]", "note-unattached"),
        (12, 18, "notes[2].indicators[0]", "unknown-indicator"),
    ]
    site = dataclasses.replace(demo_council.site, notes=read.notes)
    pages = CouncilPages(site, environment(None))
    shown = notes.for_area(pages, pack.base, "X01000001", "../../")
    assert len(shown) == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown[0]["html"]
    assert "<script" not in shown[0]["html"]


def test_demo_notes_show_as_local_commentary(demo_files):
    """The demo's data-problem note is on its zone's profile and on scp_uptake's page, marked
    as local commentary, with its date; a zone without notes has no such section."""
    import json

    late = json.loads((ROOT / "demo" / "manifest.json").read_text())["late_shortfall_zone"]
    area = demo_files[f"demo/areas/datazone/{late['code']}.html"].decode()
    page = demo_files["demo/indicators/scp_uptake.html"].decode()
    for html in (area, page):
        assert "Local commentary" in html and "Known data problem" in html
        assert '<time datetime="2025-05-12">' in html and "<strong>empty</strong>" in html
    assert "Local commentary" not in demo_files["demo/areas/datazone/X01000001.html"].decode()
