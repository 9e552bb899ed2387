"""The dashboard as people use it, in real Chromium: breakdown filters, the level toggle,
find-my-area, shareable views, keyboard operation, print, and axe on every page type."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.site.pages import views
from tests.test_browser import N_WARDS, N_ZONES, Visit

pytestmark = pytest.mark.browser

IND = "ctr_school_age_no_scg"
VISIBLE_PATHS = ".view-level:not([hidden]) path.choroplethlocation"


def _view_data(site: Path, ind: str) -> dict:
    """The page's view payload, with every view it loads on demand read from its file."""
    folder = site / "demo" / "indicators"
    page = (folder / f"{ind}.html").read_text()
    found = re.search(r'<script type="application/json" id="view-data">(.*?)</script>', page, re.S)
    assert found
    payload = json.loads(found.group(1).replace("<\\/", "</"))
    assert payload["views"] == {} and payload["files"]
    for name, href in payload["files"].items():
        record = views.read_view_script((folder / href).read_bytes())
        assert record["key"] == name and record["indicator"] == ind
        payload["views"][name] = record["view"]
    return payload


def _map_colours(page, div_id: str) -> list[str]:
    page.wait_for_selector(f"#{div_id} path.choroplethlocation", state="attached", timeout=15000)
    return page.locator(f"#{div_id} path.choroplethlocation").evaluate_all(
        "ps => ps.map(p => getComputedStyle(p).fill)"
    )


def _table(page, table_id: str) -> dict[str, str]:
    rows = page.locator(f"#{table_id} tbody tr").evaluate_all(
        "rs => rs.map(r => [r.dataset.code, r.querySelector('[data-col=\"3\"]').innerText])"
    )
    return dict(rows)


def test_family_type_filter_swaps_map_and_table(page, demo_site):
    """Choosing lone-parent households recolours the map and puts that breakdown's
    pre-computed (and disclosure-controlled) values in the table."""
    visit = Visit(page, (demo_site / "demo" / "indicators" / f"{IND}.html").as_uri())
    before = _map_colours(page, "map-ward")
    total = _table(page, "table-ward")
    page.select_option("#view-breakdown", "family_type.lone_parent")
    page.wait_for_function("document.getElementById('view-status').textContent.includes('Lone')")
    after = _map_colours(page, "map-ward")
    assert after != before
    view = _view_data(demo_site, IND)
    period = view["default"].split("|")[1]
    expected = {
        r[0]: r[3]
        for r in view["views"][f"family_type.lone_parent|{period}"]["cells"]["table-ward"]
    }
    shown = _table(page, "table-ward")
    assert shown == expected != total
    # the same cells come from the published CSV-equivalent values, suppression included
    dz = view["views"][f"family_type.lone_parent|{period}"]["cells"]["table-datazone"]
    assert any(r[3] == "[c]" for r in dz)
    assert visit.errors == []


def test_level_toggle_switches_map_paths(page, demo_site):
    """The level toggle shows the data-zone map (one path per zone) or the ward map."""
    Visit(page, (demo_site / "demo" / "indicators" / "cilif_share.html").as_uri())
    page.wait_for_selector("#map-datazone path.choroplethlocation", timeout=15000)
    assert page.locator(VISIBLE_PATHS).count() == N_ZONES
    page.check("input[name=view-level][value=ward]")
    assert page.locator(VISIBLE_PATHS).count() == N_WARDS
    assert page.locator("#table-datazone").is_hidden()
    assert page.locator("#table-ward tbody tr").count() == N_WARDS
    page.check("input[name=view-level][value=datazone]")
    assert page.locator(VISIBLE_PATHS).count() == N_ZONES


def test_search_by_zone_name_opens_profile(page, demo_site):
    """Typing a data zone's name in find-my-area opens its profile page."""
    Visit(page, (demo_site / "demo" / "index.html").as_uri())
    index = (demo_site / "demo" / "assets" / "search.js").read_text()
    areas = json.loads(index[index.index("=") + 1 :].rstrip().rstrip(";"))["areas"]
    name, code = next((a[0], a[1]) for a in areas if a[1].startswith("X01"))
    page.fill("#area-search-input", name)
    page.press("#area-search-input", "Enter")
    page.wait_for_url(f"**/areas/datazone/{code}.html")
    assert name in page.locator("h1").inner_text()


def test_search_by_postcode(page, demo_site):
    """A postcode from the public lookup finds its data zone."""
    Visit(page, (demo_site / "demo" / "quality.html").as_uri())
    index = (demo_site / "demo" / "assets" / "search.js").read_text()
    postcodes = json.loads(index[index.index("=") + 1 :].rstrip().rstrip(";"))["postcodes"]
    postcode, code = sorted(postcodes.items())[0]
    page.fill("#area-search-input", postcode[:-3].lower() + " " + postcode[-3:].lower())
    page.click("#area-search button")
    page.wait_for_url(f"**/areas/datazone/{code}.html")


def test_shared_url_restores_view(page, demo_site):
    """Level, breakdown and period go into the hash, and a reload restores them."""
    url = (demo_site / "demo" / "indicators" / f"{IND}.html").as_uri()
    Visit(page, url)
    page.check("input[name=view-level][value=ward]")
    page.select_option("#view-breakdown", "tenure.private_rented")
    assert "breakdown=tenure.private_rented" in page.url and "level=ward" in page.url
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_function("document.getElementById('view-status').textContent.includes('Private')")
    assert page.locator("#view-breakdown").input_value() == "tenure.private_rented"
    assert page.locator("input[name=view-level][value=ward]").is_checked()
    assert page.locator(VISIBLE_PATHS).count() == N_WARDS
    view = _view_data(demo_site, IND)
    key = f"tenure.private_rented|{view['default'].split('|')[1]}"
    assert _table(page, "table-ward") == {
        r[0]: r[3] for r in view["views"][key]["cells"]["table-ward"]
    }


def test_period_in_hash(page, demo_site):
    """An earlier period chosen from the list is restored from a shared link."""
    url = (demo_site / "demo" / "indicators" / "cilif_share.html").as_uri()
    Visit(page, url)
    first = page.locator("#view-period option").first.get_attribute("value")
    page.select_option("#view-period", first)
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_selector("#map-datazone path.choroplethlocation", state="attached")
    assert page.locator("#view-period").input_value() == first
    assert first in page.locator("#table-ward-title").inner_text()


def test_controls_work_by_keyboard(page, demo_site):
    """Tab reaches the search box and every view control; arrow keys move the level radio
    group and the breakdown list; Enter submits the search. Focus is visible."""
    Visit(page, (demo_site / "demo" / "indicators" / f"{IND}.html").as_uri())
    page.wait_for_selector("#map-datazone path.choroplethlocation", state="attached")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement;
            const s = getComputedStyle(e);
            return [e.id || e.name || e.tagName, s.outlineStyle, s.outlineWidth]; }""")
        reached.append(info[0])
        if info[0] in ("area-search-input", "view-level", "view-breakdown"):
            assert info[1] != "none" and info[2] != "0px", info
        if "view-breakdown" in reached:
            break
    assert {"area-search-input", "view-level", "view-breakdown"} <= set(reached)
    page.focus("input[name=view-level]:checked")
    page.keyboard.press("ArrowRight")
    assert page.locator("input[name=view-level][value=ward]").is_checked()
    assert page.locator(VISIBLE_PATHS).count() == N_WARDS
    page.focus("#view-breakdown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#view-breakdown").input_value() != ""
    assert "breakdown=" in page.url
    page.focus("#area-search-input")
    page.keyboard.type("no such place at all")
    page.keyboard.press("Enter")
    assert "No area matches" in page.locator(".search-message").inner_text()


PAGES = {
    "portal": "index.html",
    "overview": "demo/index.html",
    "indicator": f"demo/indicators/{IND}.html",
    "unmet need": "demo/unmet-need.html",
    "area profile": "demo/areas/ward/{ward}.html",
    "quality": "demo/quality.html",
    "about": "demo/about.html",
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_no_serious_violations(page, demo_site, kind):
    """axe-core (bundled, offline) finds nothing serious or critical on each page type."""
    from axe_playwright_python.sync_playwright import Axe

    ward = sorted((demo_site / "demo" / "areas" / "ward").glob("*.html"))[0].stem
    visit = Visit(page, (demo_site / PAGES[kind].format(ward=ward)).as_uri())
    if kind in ("overview", "indicator", "unmet need"):
        page.wait_for_selector(".main-svg", state="attached", timeout=15000)
    errors = list(visit.errors)  # before axe, whose own stylesheet fetches fail on file://
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    assert errors == []


def test_ward_profile_prints_on_a4(page, demo_site, tmp_path):
    """In print media a ward profile hides the header and navigation, keeps the date and
    fits everything within an A4 page width."""
    ward = sorted((demo_site / "demo" / "areas" / "ward").glob("*.html"))[0]
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    Visit(page, ward.as_uri())
    page.emulate_media(media="print")
    assert page.locator(".site-nav").is_hidden()
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".area-search").is_hidden()
    assert page.locator("footer time").is_visible()
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        'main *')].map(e => e.getBoundingClientRect().right))""")
    assert widest <= 794
    shot = tmp_path / "ward-print.png"  # never inside the shared site: other tests hash it
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
