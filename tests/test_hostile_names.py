"""Names that look like code stay text: in page JSON, in charts, in CSV cells, and no chart
button sends anything off the page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from generator.site.pages import views
from tests.conftest import BUILD_DATE, TINY_CONFIG, shared_folder

#: Hostile names for the tiny council's areas, by the name they replace.
HOSTILE = {
    "Tinyton Council": 'Tiny<!--<script>alert("council")</script> & Co\u2028Council',
    "Tinyton West": '<a href="https://evil.example/">West</a>',
    "Tinyton East": "East</script><script>alert(1)</script>\u2029",
    "Tinyton 01": '=HYPERLINK("https://evil.example","01")',
    "Tinyton 02": "+SUM(1,2)",
    "Tinyton 03": "-2+3",
    "Tinyton 04": "@cmd",
    "Tinyton 05": "\tTab 05",
    "Tinyton 06": "<img src=x onerror=alert(6)>",
}


def hostile_council(folder: Path) -> Path:
    """The tiny council copied to ``folder`` with every area name replaced by a hostile one."""
    src = TINY_CONFIG.parent
    shutil.copytree(src, folder)
    geo = folder / "geography"
    rows = list(csv.DictReader((geo / "lookup.csv").open(encoding="utf-8")))
    for row in rows:
        for key, value in row.items():
            row[key] = HOSTILE.get(value, value)
    with (geo / "lookup.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for path in geo.glob("*.geojson"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for feat in data["features"]:
            props = feat["properties"]
            props["name"] = HOSTILE.get(props["name"], props["name"])
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    config = folder / "council.yaml"
    text = config.read_text(encoding="utf-8")
    name = json.dumps(HOSTILE["Tinyton Council"])  # a YAML double-quoted scalar
    config.write_text(text.replace("name: Tinyton Council", f"name: {name}"), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The hostile-named council built once for this module."""
    from generator.site import build as site

    def make(base: Path) -> None:
        config = hostile_council(base / "council")
        site.build([config], base / "site", build_date=BUILD_DATE)

    return shared_folder(tmp_path_factory, "hostile", make) / "site"


def view_blocks(page: str) -> list[str]:
    return re.findall(r'<script type="application/json" id="view-data">(.*?)</script>', page, re.S)


def test_view_data_blocks_hold_no_markup(hostile_site):
    """Every inline JSON block parses, holds no raw < > & or line separators, and gives the
    hostile names back exactly."""
    pages = sorted((hostile_site / "tiny" / "indicators").glob("*.html"))
    assert pages
    seen = 0
    for path in pages:
        html = path.read_text(encoding="utf-8")
        # The page has exactly the script blocks it means to: none was opened by a name.
        assert html.count("<script") == html.count("</script>"), path.name
        for block in view_blocks(html):
            assert not re.search("[<>&\u2028\u2029]", block), path.name
            # The other views are scripts beside the page, written the same way.
            for href in json.loads(block)["files"].values():
                script = (path.parent / href).read_text(encoding="utf-8")
                assert not re.search("[<>&\u2028\u2029]", script), href
                text = json.dumps(views.read_view_script(script.encode()), ensure_ascii=False)
                seen += 1
                assert "evil.example" in text  # the names survive, as text
    assert seen > 0


def test_csv_cells_are_formula_safe(hostile_site):
    """No text cell of any CSV starts with a formula character; numbers stay numbers."""
    found = 0
    for path in (hostile_site / "tiny" / "data").glob("*.csv"):
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header, body = table[0], table[1:]
        for row in body:
            for col, cell in zip(header, row, strict=True):
                if col in ("area_name", "area_code", "indicator", "level", "period"):
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (col, cell)
                elif cell not in ("", "[c]", "true", "false") and col in ("value", "numerator"):
                    float(cell)  # a number, unprefixed
            names = dict(zip(header, row, strict=True))
            if names["area_name"] == "'" + HOSTILE["Tinyton 04"]:
                found += 1
    assert found > 0


def test_figures_escape_names(hostile_site):
    """Plotly figure text carries names HTML-escaped: no live tag in any figure."""
    html = (hostile_site / "tiny" / "indicators" / "cilif_share.html").read_text(encoding="utf-8")
    figures = re.findall(
        r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{", html, re.S
    )
    assert figures
    for data, _layout in figures:
        text = json.dumps(json.loads(data), ensure_ascii=False)
        assert "<a href" not in text and "<img" not in text and "<script" not in text
        # Some hostile name is in every figure, escaped (a trend over one period has only
        # the council's line, whose hostile name carries a script tag).
        assert "&lt;a href" in text or "&lt;img" in text or "&lt;script" in text


@pytest.mark.browser
def test_hostile_pages_in_chromium(page, hostile_site):
    """Every indicator page opens with no dialog or script error, parses its view data,
    draws its charts with no live link inside them, and no toolbar button requests
    anything or opens a window."""
    dialogs: list[str] = []
    popups: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("popup", lambda p: popups.append(p.url))
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    pages = sorted((hostile_site / "tiny" / "indicators").glob("*.html"))
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
        parsed = page.evaluate(
            """() => { const el = document.getElementById('view-data');
                       if (!el) return 'none';
                       return Object.keys(JSON.parse(el.textContent).files).length; }"""
        )
        assert parsed == "none" or parsed >= 1, path.name
        links = page.locator(".js-plotly-plot a").count()
        assert links == 0, f"{path.name}: a live link inside a chart"
        # The tick labels show the hostile names literally.
        ticks = page.locator(".js-plotly-plot .ytick text").evaluate_all(
            "ts => ts.map(t => t.textContent)"
        )
        if ticks:
            # Long names wrap onto lines (issue 17), so "<a" and "href" may part.
            assert any("<a" in t or "<img" in t for t in ticks), path.name
        titles = page.locator(".js-plotly-plot .modebar-btn").evaluate_all(
            "bs => bs.map(b => b.getAttribute('data-title'))"
        )
        assert not any("share" in (t or "").lower() or "cloud" in (t or "").lower() for t in titles)
        before = len(requests)
        for button in page.locator(".js-plotly-plot .modebar-btn").all():
            if button.is_visible():
                button.click(force=True)
        page.wait_for_timeout(200)
        outside = [u for u in requests[before:] if not u.startswith(("file:", "data:", "blob:"))]
        assert outside == [], f"{path.name}: {outside}"
    assert dialogs == []
    assert popups == []
    assert errors == []
