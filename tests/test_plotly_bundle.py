"""The trimmed plotly.js bundle: it is the recorded build and draws the site's charts offline."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import plotly.graph_objects as go
import pytest

from generator.site import figures
from generator.site.assets import GEO_STUB, PLOTLY_FULL_JS
from tests.conftest import ROOT, SHARED_DATA

STATIC = ROOT / "generator" / "site" / "static"
BUNDLE = STATIC / "plotly-cdash.min.js"
RECORD = json.loads((STATIC / "plotly-cdash.json").read_text())
WEST_LOTHIAN = SHARED_DATA / "boundaries" / "dz2011_west_lothian.geojson"
GEO_KEY = "test-datazone"
N_ZONES = 12
BARS = ["Area A", "Area B", "Area C", "Area D"]


# --- the record, no browser ---------------------------------------------------------------


def test_bundle_matches_record():
    """The committed bundle has the sha256 and size its record states."""
    data = BUNDLE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == RECORD["sha256"]
    assert len(data) == RECORD["size"]


def test_record_names_the_site_traces_and_python_plotly_version():
    """The record lists the traces the site draws, and the version in the bundle's header is
    the plotly.js the installed Python plotly bundles (the one figures are written for)."""
    from plotly.offline._plotlyjs_version import __plotlyjs_version__

    assert RECORD["traces"] == ["bar", "choropleth", "scatter"]
    assert RECORD["plotly_js"] == __plotlyjs_version__
    header = BUNDLE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (cdash - minified) v{__plotlyjs_version__}" in header


def test_bundle_is_much_smaller_than_the_full_one():
    """Trimming pays: under a third of the full plotly.min.js."""
    assert RECORD["size"] < PLOTLY_FULL_JS.stat().st_size / 3


# --- a page with every kind of chart the site draws -----------------------------------------


def zone_features() -> list[dict]:
    """A few real West Lothian data zones when the shared data is there, else squares."""
    if WEST_LOTHIAN.is_file():
        data = json.loads(WEST_LOTHIAN.read_text(encoding="utf-8"))
        return [
            {
                "type": "Feature",
                "id": f["properties"]["dz_code"],
                "properties": {},
                "geometry": f["geometry"],
            }
            for f in data["features"][:N_ZONES]
        ]
    out = []
    for i in range(N_ZONES):
        x, y = -3.6 + (i % 4) * 0.02, 55.9 + (i // 4) * 0.02
        ring = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
        out.append(
            {
                "type": "Feature",
                "id": f"S0199{i:04d}",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return out


def chart_figures(codes: list[str]) -> dict[str, go.Figure]:
    """A map, a ranking and a trend using the layout features the site uses or will use."""
    choropleth = go.Figure(
        go.Choropleth(
            geojson=GEO_KEY,
            featureidkey="id",
            locationmode="geojson-id",
            locations=codes,
            z=list(range(len(codes))),
            text=codes,
            hovertemplate="%{text}: %{z}<extra></extra>",
            marker={"line": {"color": "#ffffff", "width": 0.4}},
        )
    )
    choropleth.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    ranking = go.Figure(
        go.Bar(
            x=[30, 25, 20, 10],
            y=BARS,
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [3, 2, 2, 1],
                "arrayminus": [2, 2, 1, 1],
            },
        )
    )
    ranking.add_shape(
        type="line", xref="x", yref="paper", x0=22, x1=22, y0=0, y1=1, line={"dash": "dash"}
    )
    periods = ["2021/22", "2022/23", "2023/24"]
    trend = go.Figure(
        [
            # a CI band drawn as one closed shape, and one as a pair of lines
            go.Scatter(
                x=periods + periods[::-1],
                y=[22, 24, 26, 20, 19, 18],
                fill="toself",
                mode="lines",
                line={"width": 0},
                name="95% CI",
                hoverinfo="skip",
            ),
            go.Scatter(x=periods, y=[10, 11, 12], mode="lines", name="lower", showlegend=False),
            go.Scatter(x=periods, y=[14, 15, 16], mode="lines", fill="tonexty", name="upper"),
            go.Scatter(
                x=periods,
                y=[21, 22, 23],
                mode="lines+markers",
                name="Council",
                error_y={"type": "data", "array": [1, 1, 1]},
            ),
        ]
    )
    trend.add_vrect(x0=0.5, x1=1.5, fillcolor="#9aa0a6", opacity=0.2, line_width=0)
    trend.add_hline(y=20, line_dash="dot")
    trend.add_annotation(x="2023/24", y=20, text="Scotland", showarrow=False)
    return {"map": choropleth, "ranking": ranking, "trend": trend}


def write_page(folder: Path, bundle: Path) -> Path:
    """An HTML page laid out like the site's (stub, shared geometry, bundle, fragments)."""
    folder.mkdir(parents=True, exist_ok=True)
    feats = zone_features()
    collection = {"type": "FeatureCollection", "features": feats}
    (folder / "geo.js").write_text(
        f"window.PlotlyGeoAssets[{json.dumps(GEO_KEY)}]={json.dumps(collection)};", encoding="utf-8"
    )
    shutil.copyfile(bundle, folder / "plotly.js")
    fragments = "".join(
        figures.to_fragment(
            fig.to_dict(), div_id, config=figures.MAP_CONFIG if div_id == "map" else figures.CONFIG
        )
        for div_id, fig in chart_figures([f["id"] for f in feats]).items()
    )
    page = folder / "index.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>charts</title>'
        f'<link rel="icon" href="data:,"><script>{GEO_STUB}</script>'
        '<script src="geo.js"></script><script src="plotly.js"></script></head>'
        f"<body><main>{fragments}</main></body></html>",
        encoding="utf-8",
    )
    return page


class Visit:
    """A page opened in Chromium, with every request and console error it made."""

    #: URLs a page opened from disk may use: itself, and the blob/data URLs of a download.
    LOCAL = ("file://", "blob:", "data:")

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(url)
        page.wait_for_selector("#map path.choroplethlocation", timeout=15000)
        page.wait_for_selector("#trend .scatterlayer .trace", timeout=15000)

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.LOCAL)]

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def modebar(self, div_id: str) -> list[str]:
        """The titles of the modebar buttons of one chart, in order."""
        return self.page.locator(f"#{div_id} .modebar-btn").evaluate_all(
            "bs => bs.map(b => b.getAttribute('data-title'))"
        )


@pytest.mark.browser
def test_trimmed_bundle_draws_every_chart_offline(page, tmp_path):
    """From disk, the trimmed bundle draws one path per zone, one bar per area, every trend
    trace with its bands, error bars, shapes and annotation; no error, no request off disk."""
    visit = Visit(page, write_page(tmp_path, BUNDLE).as_uri())
    assert visit.count("#map path.choroplethlocation") == N_ZONES
    assert visit.count("#ranking .barlayer .point") == len(BARS)
    assert visit.count("#ranking .errorbar") == len(BARS)
    assert visit.count("#ranking .shapelayer path") == 1
    assert visit.count("#trend .scatterlayer .trace") == 4
    filled = page.locator("#trend .scatterlayer .js-fill").evaluate_all(
        "ps => ps.filter(p => (p.getAttribute('d') || '').length > 1).length"
    )
    assert filled == 2  # the toself band and the tonexty band
    assert visit.count("#trend .errorbar") == 3
    assert visit.count("#trend .shapelayer path") == 2  # the vrect span and the hline
    assert page.locator("#trend .annotation-text").text_content() == "Scotland"
    assert visit.errors == []
    assert visit.outside_requests() == []


@pytest.mark.browser
def test_trimmed_bundle_keeps_the_api_site_js_uses(page, tmp_path):
    """Plotly.react redraws a map with new values and Plots.resize runs, as site.js does for
    the view toggles."""
    visit = Visit(page, write_page(tmp_path, BUNDLE).as_uri())
    fills = page.evaluate("""async () => {
        const div = document.getElementById('map');
        const fill = () => getComputedStyle(div.querySelector('path.choroplethlocation')).fill;
        const before = fill();
        const data = JSON.parse(JSON.stringify(div.data));
        data[0].z = data[0].z.slice().reverse();
        await Plotly.react(div, data, div.layout);
        await Plotly.Plots.resize(div);
        return [before, fill()];
    }""")
    assert fills[0] != fills[1]
    assert visit.count("#map path.choroplethlocation") == N_ZONES
    assert visit.errors == []
    assert visit.outside_requests() == []


@pytest.mark.browser
def test_no_chart_shows_a_toolbar_in_either_bundle(page, tmp_path):
    """The site's config turns the chart toolbar off (it sat on phone legends, issue 17), so
    no toolbar button can send a chart anywhere: neither bundle draws one for the site's
    charts, while a chart told to show its toolbar does get one (the check can fail)."""
    for bundle in (PLOTLY_FULL_JS, BUNDLE):
        visit = Visit(page, write_page(tmp_path / bundle.stem, bundle).as_uri())
        assert visit.count(".modebar") == 0
        assert {div_id: visit.modebar(div_id) for div_id in ("map", "ranking")} == {
            "map": [],
            "ranking": [],
        }
        shown = page.evaluate("""async () => {
            const div = document.getElementById('ranking');
            await Plotly.react(div, div.data, div.layout, {displayModeBar: true});
            return div.querySelectorAll('.modebar-btn').length;
        }""")
        assert shown > 0
        assert visit.errors == []
        assert visit.outside_requests() == []
