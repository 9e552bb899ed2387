"""Interventions in real Chromium: the span on the targeted trend chart, and the 'not yet
reached' mark and filter on the unmet-need page (the shared demo build and browser)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from tests.test_browser import Visit

pytestmark = pytest.mark.browser


def test_span_is_drawn_on_the_targeted_trend_chart(page, demo_site):
    """scp_uptake's trend chart draws a shaded span for each intervention aimed at it, and
    says so in its summary; an indicator no intervention targets has none; a covered
    zone's profile shows its own trend with the span."""
    visit = Visit(page, (demo_site / "demo" / "indicators" / "scp_uptake.html").as_uri())
    page.wait_for_selector("#trend .main-svg", timeout=15000)
    spans = page.evaluate(
        """() => { const d = document.getElementById('trend');
            return {layout: (d.layout.shapes || []).filter(s => s.type === 'rect').length,
                    drawn: d.querySelectorAll('.layer-below .shapelayer path').length}; }"""
    )
    assert spans == {"layout": 2, "drawn": 2}
    assert "Shaded: Letters to families about Scottish Child Payment" in page.inner_text(
        "#trend-summary"
    )
    assert visit.errors == [] and visit.outside_requests(("file://",)) == []
    Visit(
        page, (demo_site / "demo" / "indicators" / "uc_households_per_1000_children.html").as_uri()
    )
    page.wait_for_selector("#trend .main-svg", timeout=15000)
    assert page.evaluate("() => document.querySelectorAll('#trend .shapelayer path').length") == 0
    # The profile of a zone the letters covered: its own trend, with the letters' span.
    manifest = json.loads((ROOT / "demo" / "manifest.json").read_text())
    zone = manifest["interventions"][0]["zones"][0]
    Visit(page, (demo_site / "demo" / "areas" / "datazone" / f"{zone}.html").as_uri())
    chart = "#trend-scp_letters-scp_uptake"
    page.wait_for_selector(f"{chart} .main-svg", timeout=15000)
    assert page.locator(f"{chart} .layer-below .shapelayer path").count() == 1


def test_unmet_need_marks_priority_areas_not_yet_reached_and_filters_them(page, demo_site):
    """Priority areas no intervention covers read 'Not yet reached'; ticking 'only areas not
    currently targeted by a service' hides the ones a running intervention covers."""
    Visit(page, (demo_site / "demo" / "unmet-need.html").as_uri())
    marks = page.locator("#priority .not-reached")
    assert marks.count() >= 1 and marks.first.is_visible()
    assert marks.first.inner_text() == "Not yet reached"
    targeted = page.locator('#priority [data-targeted="yes"]')
    assert targeted.count() >= 1 and targeted.first.is_visible()
    total = page.locator("#priority [data-filter-item]").count()
    page.get_by_label("Only areas not currently targeted by a service").check()
    assert not targeted.first.is_visible()
    assert page.locator('#priority [data-targeted="no"]').first.is_visible()
    shown = total - targeted.count()
    assert page.inner_text("#priority .filter-count") == f"{shown} of {total} shown"


@pytest.mark.parametrize("path", ["interventions.html", "interventions/scp_letters.html"])
def test_interventions_pages_have_no_serious_axe_violations(page, demo_site, path):
    """axe finds nothing serious on the interventions page (its map drawn) or a case study;
    on the former, filtering by kind leaves only that kind's rows."""
    from axe_playwright_python.sync_playwright import Axe

    visit = Visit(page, (demo_site / "demo" / path).as_uri())
    if path == "interventions.html":
        page.wait_for_selector("path.choroplethlocation", timeout=15000)
        page.select_option('select[name="kind"]', "letters")
        rows = page.locator("#interventions-list tbody tr")
        assert [r.get_attribute("data-kind") for r in rows.all() if r.is_visible()] == ["letters"]
        page.select_option('select[name="kind"]', "")
    errors = list(visit.errors)
    bad = [
        (v["id"], v["impact"])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [] and errors == []
    assert visit.outside_requests(("file://",)) == []
