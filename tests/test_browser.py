"""The demo site in real Chromium: maps draw, tables fill, nothing leaves the site."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from generator.ingest.geography import load_pack
from generator.site import geometry
from tests.conftest import DEMO_CONFIG

pytestmark = pytest.mark.browser

DEMO_PACK = load_pack(DEMO_CONFIG.parent / "../../demo/geography")
N_ZONES = len(DEMO_PACK.areas("datazone"))
N_WARDS = len(DEMO_PACK.areas("ward"))


class Visit:
    """A page opened in Chromium, with every request and console error it made."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(url)

    def outside_requests(self, allowed: tuple[str, ...]) -> list[str]:
        return [u for u in self.requests if not u.startswith(allowed)]


@pytest.fixture(scope="module")
def served(demo_site: Path) -> Iterator[str]:
    """The demo site on a loopback HTTP server, as a static host would serve it."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(demo_site))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_overview_from_disk(page, demo_site):
    """The overview opens from disk, draws its data-zone map, and stays on the site."""
    visit = Visit(page, (demo_site / "demo" / "index.html").as_uri())
    page.wait_for_selector("path.choroplethlocation", timeout=15000)
    assert page.locator("path.choroplethlocation").count() == N_ZONES
    assert visit.outside_requests(("file://",)) == []
    assert visit.errors == []


def test_indicator_page_from_disk_draws_every_chart_with_the_trimmed_bundle(page, demo_site):
    """An indicator page opened from disk loads the trimmed plotly.js (not the full one, which
    the site no longer holds), every chart on it draws, nothing is logged as an error and no
    request leaves the site."""
    assert not (demo_site / "assets" / "plotly.min.js").exists()
    visit = Visit(page, (demo_site / "demo" / "indicators" / "cilif_share.html").as_uri())
    expected = page.locator("div.plotly-graph-div").count()
    assert expected >= 4  # two maps, a ranking and a trend at least
    page.wait_for_function(
        "n => document.querySelectorAll('div.plotly-graph-div.js-plotly-plot .main-svg')"
        ".length >= n",
        arg=expected,
        timeout=15000,
    )
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('div.plotly-graph-div')].map(d => ({
            id: d.id, traces: (d.data || []).length,
            svg: d.querySelectorAll('.main-svg').length}))"""
    )
    assert all(d["traces"] > 0 and d["svg"] > 0 for d in drawn), drawn
    assert page.locator("path.choroplethlocation").count() == N_ZONES + N_WARDS
    # The browser's decoder makes exactly the boundaries geometry.decode reads from geo.js.
    line = (demo_site / "demo" / "assets" / "geo.js").read_text().splitlines()[2]
    key, body = line.split("=", 1)
    assert key == 'window.PlotlyGeoAssets["demo-datazone"]'
    drawn_zones = page.evaluate("() => window.PlotlyGeoAssets['demo-datazone']")
    assert drawn_zones == geometry.decode(body.rstrip(";"))
    scripts = [u.rsplit("/", 1)[-1] for u in visit.requests if u.endswith(".js")]
    assert "plotly-cdash.min.js" in scripts and "plotly.min.js" not in scripts
    assert visit.outside_requests(("file://",)) == []
    assert visit.errors == []


def test_indicator_page_over_http(page, served):
    """An indicator page draws one path per data zone and per ward, its data-zone table has
    one row per zone, and every request goes to the site itself."""
    visit = Visit(page, served + "demo/indicators/cilif_share.html")
    # Both maps are drawn; the level toggle shows one at a time (tests/test_views.py).
    page.wait_for_selector("#map-datazone path.choroplethlocation", timeout=15000)
    page.wait_for_selector("#map-ward path.choroplethlocation", state="attached", timeout=15000)
    assert page.locator("#map-datazone path.choroplethlocation").count() == N_ZONES
    assert page.locator("#map-ward path.choroplethlocation").count() == N_WARDS
    assert page.locator("#table-datazone tbody tr").count() == N_ZONES
    assert page.locator("#table-ward tbody tr").count() == N_WARDS
    assert visit.outside_requests((served,)) == []
    assert visit.errors == []


def test_table_matches_published_csv(page, demo_site):
    """The values in the page's table are the published ones from the CSV download."""
    Visit(page, (demo_site / "demo" / "indicators" / "cilif_share.html").as_uri())
    cells = page.locator("#table-ward tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('th,td')].map(c => c.innerText.trim()))"
    )
    csv = pd.read_csv(
        demo_site / "demo" / "data" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    latest = csv[(csv["indicator"] == "cilif_share") & (csv["level"] == "ward")]
    latest = latest[latest["period"] == latest["period"].max()]
    names = {row[0] for row in cells}
    assert names == set(latest["area_name"])


def test_funnel_plot_has_one_marker_per_area_and_both_limits(page, demo_site):
    """The unmet-need page draws each funnel with one marker per published data zone and the
    95% and 99.8% limit lines, and the page stays on the site."""
    visit = Visit(page, (demo_site / "demo" / "unmet-need.html").as_uri())
    page.wait_for_selector("#funnel-fsm_secondary_uptake .scatterlayer .trace", timeout=15000)
    traces = page.evaluate("""() => document.getElementById('funnel-fsm_secondary_uptake')
        .data.map(t => ({name: t.name, mode: t.mode, n: t.x.filter(x => x !== null).length}))""")
    names = [t["name"] for t in traces]
    assert "95% limits (reference)" in names and "99.8% limits (flags)" in names
    markers = sum(t["n"] for t in traces if t["mode"] == "markers")
    csv = pd.read_csv(
        demo_site / "demo" / "data" / "unmet_need.csv", dtype=str, keep_default_na=False
    )
    rows = csv[(csv["indicator"] == "fsm_secondary_uptake") & (csv["level"] == "datazone")]
    rows = rows[rows["period"] == rows["period"].max()]
    judged = rows["status"].isin(["below", "as_expected", "above", "too_few"])
    assert markers == int((judged & (rows["pooled_observed"] != "")).sum()) > 0
    drawn = page.locator("#funnel-fsm_secondary_uptake .scatterlayer path.point").count()
    assert drawn == markers
    assert visit.outside_requests(("file://",)) == []
    assert visit.errors == []
