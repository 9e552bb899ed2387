"""The site as its readers use it (issue 17), in real Chromium: every page type on a phone
(390 x 844) and a laptop (1366 x 900) with no sideways scroll, no text cut off by its box,
every table value on screen, and axe clean."""

from __future__ import annotations

import io
import re

import pytest

from tests.test_browser import Visit

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 900)}

PAGES = {
    "portal": "index.html",
    "overview": "demo/index.html",
    "indicator": "demo/indicators/cilif_share.html",
    "indicator by ward": "demo/indicators/cilif_share.html#level=ward",
    "uptake indicator": "demo/indicators/fsm_p6_p7_uptake.html#level=ward",
    "count indicator": "demo/indicators/cilif_count.html#level=ward",
    "unmet need": "demo/unmet-need.html",
    "ward profile": "demo/areas/ward/{ward}.html",
    "zone profile": "demo/areas/datazone/{zone}.html",
    "quality": "demo/quality.html",
    "about": "demo/about.html",
    "methods": "demo/methods.html",
    "report": "demo/report.html",
    "interventions": "demo/interventions.html",
    "case study": "demo/interventions/scp_letters.html",
}

# Every visible element that holds text of its own, and every Plotly text label, checked
# against the viewport, its scroll box and (for SVG text) its chart.
LAYOUT_JS = """() => {
  const W = window.innerWidth, out = {scroll: document.documentElement.scrollWidth - W,
    clipped: [], outside: [], svg: [], cells: []};
  const name = e => (e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + e.className)
    + ': ' + (e.textContent || '').trim().slice(0, 40);
  const visible = e => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  // Table rows after the third are laid out like the third: not measured (speed).
  for (const e of document.querySelectorAll('body *:not(tbody tr:nth-child(n+4) *)')) {
    if (e.closest('svg, .visually-hidden, .skip-link') || !visible(e)) continue;
    const head = e.closest('thead');  // a stacked table's headings, hidden on a phone
    if (head && getComputedStyle(head).position === 'absolute') continue;
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    if (r.left < -1 || r.right > W + 1) out.outside.push(name(e));
    if (/(hidden|clip)/.test(cs.overflowX) && e.scrollWidth > e.clientWidth + 1)
      out.clipped.push(name(e));
    const box = e.closest('.table-wrap');
    if (box) { const b = box.getBoundingClientRect();
      if (r.left < b.left - 1 || r.right > b.right + 1) out.clipped.push(name(e)); }
  }
  for (const svg of document.querySelectorAll('.js-plotly-plot .main-svg')) {
    if (!visible(svg)) continue;
    const s = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim() || !visible(t)) continue;
      const r = t.getBoundingClientRect();
      if (r.left < s.left - 2 || r.right > s.right + 2 || r.top < s.top - 2
          || r.bottom > s.bottom + 2) out.svg.push(svg.closest('.js-plotly-plot').id
          + ': ' + t.textContent.trim().slice(0, 30));
    }
  }
  for (const table of document.querySelectorAll('table.data')) {
    const row = table.tBodies[0] && table.tBodies[0].rows[0];
    if (!row || !visible(table)) continue;
    for (const c of row.cells) {
      if (!c.textContent.trim()) continue;
      const r = c.getBoundingClientRect();
      if (r.width === 0 || r.left < -1 || r.right > W + 1) out.cells.push(name(c));
    }
  }
  return out;
}"""


#: Page types tests/test_views.py already runs axe on at Playwright's default 1280 x 720.
AXED_AT_DEFAULT_SIZE = (
    "portal",
    "overview",
    "indicator",
    "unmet need",
    "ward profile",
    "quality",
    "about",
)


def _url(demo_site, kind: str) -> str:
    ward = sorted((demo_site / "demo" / "areas" / "ward").glob("*.html"))[0].stem
    zone = sorted((demo_site / "demo" / "areas" / "datazone").glob("*.html"))[0].stem
    path, _, frag = PAGES[kind].format(ward=ward, zone=zone).partition("#")
    return (demo_site / path).as_uri() + (f"#{frag}" if frag else "")


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_fits_the_screen_and_passes_axe(page, demo_site, kind, size):
    """No sideways scroll, no text cut off by its box or its chart, every value in the
    first row of every table on screen, and axe finds nothing serious."""
    from axe_playwright_python.sync_playwright import Axe

    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})
    visit = Visit(page, _url(demo_site, kind))
    if page.locator("div.plotly-graph-div").count():
        page.wait_for_function(
            "[...document.querySelectorAll('.main-svg')].some(s => s.getBoundingClientRect()"
            ".width > 0)",
            timeout=15000,
        )
        page.wait_for_timeout(300)  # responsive charts settle to the new width
    found = page.evaluate(LAYOUT_JS)
    assert found["scroll"] <= 0, found
    assert found["outside"] == [] and found["clipped"] == [], found
    assert found["svg"] == [], found
    assert found["cells"] == [], found
    errors = list(visit.errors)
    assert errors == []
    if size == "laptop" and kind in AXED_AT_DEFAULT_SIZE:
        return  # axe at 1280 px in tests/test_views.py: not again (10 s on the largest)
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


def test_every_period_moves_every_title_card_and_map(page, demo_site):
    """Choosing each period on offer (every period of the indicator, not the latest few)
    makes every chart and table title, the council card, the Scotland figure and the SIMD
    section name that period, and the card shows that period's published council value."""
    import pandas as pd

    csv = pd.read_csv(
        demo_site / "demo" / "data" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    ind = "cilif_share"
    council = csv[(csv["indicator"] == ind) & (csv["level"] == "council")]
    periods = sorted(council["period"])
    Visit(page, (demo_site / "demo" / "indicators" / f"{ind}.html").as_uri())
    page.wait_for_selector("#map-datazone .main-svg", timeout=15000)
    offered = page.locator("#view-period option").evaluate_all("os => os.map(o => o.value)")
    assert offered == periods and len(periods) > 3
    for period in periods:
        page.select_option("#view-period", period)
        # Other periods load on demand (views/<indicator>/<n>.js): wait for the redraw.
        page.wait_for_function(
            "p => document.getElementById('view-status').textContent.includes(p)",
            arg=period,
            timeout=15000,
        )
        titles = page.locator(
            "main .panel-title:not(#trend-title):not(#table-trend-title), .keyfact-main "
            ".keyfact-label, .keyfact-main .national"
        ).evaluate_all("ns => ns.filter(n => n.offsetParent !== null).map(n => n.innerText)")
        assert len(titles) >= 6  # map, SIMD chart, tables, card, Scotland
        assert [t for t in titles if period not in t] == [], (period, titles)
        others = [p for p in periods if p != period]
        assert [t for t in titles if any(p in t for p in others)] == []
        value = council.loc[council["period"] == period, "value"].iloc[0]
        assert page.locator("#council-value").inner_text() == f"{float(value):.1f}%"
        assert page.locator("#simd-quintiles-title").inner_text().endswith(period)


#: A4 less the 14 mm top and bottom margins of site.css's @page, at 96 px to the inch.
A4_PRINTABLE_PX = (297 - 2 * 14) / 25.4 * 96
A4_WIDTH_PX = (210 - 2 * 12) / 25.4 * 96


def _pdf_text(page_text: str) -> str:
    return re.sub(r"\s+", "", page_text.replace("\ufb01", "fi").replace("\ufb02", "fl"))


def test_report_prints_on_a4_with_its_headline_whole(page, demo_site, demo_council):
    """report.html prints from Chromium as A4 pages; the PDF names the council and every
    priority area; the headline section fits its first page whole (every headline row on
    page 1, and its print layout no taller than the page)."""
    pypdf = pytest.importorskip("pypdf")
    site = demo_council.site
    page.set_viewport_size({"width": round(A4_WIDTH_PX), "height": round(A4_PRINTABLE_PX)})
    visit = Visit(page, (demo_site / "demo" / "report.html").as_uri())
    page.wait_for_selector(".main-svg", timeout=15000)
    page.emulate_media(media="print")
    assert page.locator(".site-nav").is_hidden()
    top, bottom, wide = page.evaluate(
        """() => { const r = document.getElementById('report-headline').getBoundingClientRect();
        return [r.top + scrollY, r.bottom + scrollY, document.documentElement.scrollWidth]; }"""
    )
    assert bottom <= A4_PRINTABLE_PX and wide <= A4_WIDTH_PX + 1
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (596, 843)  # A4 in points
    pages = [_pdf_text(p.extract_text()) for p in reader.pages]
    everything = "".join(pages)
    assert _pdf_text(site.name) in pages[0]
    headline_titles = [i.short_title for i in site.indicators]
    assert [t for t in headline_titles if _pdf_text(t) not in pages[0]] == []
    areas = [a.name for found in site.priority.values() for a in found]
    assert areas and [a for a in areas if _pdf_text(a) not in everything] == []
    assert visit.errors == []
