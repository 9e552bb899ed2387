"""Render stage: a small council built in the test, rendered, and its pages inspected."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from generator.errors import Problem
from generator.ingest.catalogue import Catalogue, CountIndicator, Measure, ShareIndicator, Theme
from generator.ingest.geography import GeographyPack, LevelSpec, PackSpec
from generator.site import geometry
from generator.site.context import make_environment
from generator.site.council import CouncilSite, DatasetSummary
from generator.site.downloads import CSV_COLUMNS
from generator.site.render import render_council, render_portal

SLUG = "demo"
PERIODS = ["2022/23", "2023/24", "2024/25"]
N_DZ = 12  # 4 x 3 grid of squares
WARDS = {"X13000001": "North Ward", "X13000002": "South Ward", "X13000003": "East Ward"}
COUNCIL = ("X12000001", "Testvale Council")
#: Data zone whose latest share is withheld; its numbers must never reach a page.
SUPPRESSED_DZ = "X01000007"
#: A value we plant on the suppressed row to prove render blanks it.
LEAKED_VALUE = 87.6543


# --- a tiny council, built here ------------------------------------------------------------


def _square(x: int, y: int, size: float = 0.01) -> list[list[list[float]]]:
    x0, y0 = -3.2 + x * size, 55.9 + y * size
    return [
        [
            [round(x0, 5), round(y0, 5)],
            [round(x0 + size, 5), round(y0, 5)],
            [round(x0 + size, 5), round(y0 + size, 5)],
            [round(x0, 5), round(y0 + size, 5)],
            [round(x0, 5), round(y0, 5)],
        ]
    ]


def make_pack(root: Path) -> GeographyPack:
    """Twelve square data zones in three wards and one council, with GeoJSON on disk."""
    rows, dz_features = [], []
    ward_codes = list(WARDS)
    for n in range(N_DZ):
        code = f"X0100{n + 1:04d}"
        ward = ward_codes[n // 4]
        rows.append(
            {
                "datazone_code": code,
                "datazone_name": f"Testvale {n + 1:03d}",
                "ward_code": ward,
                "ward_name": WARDS[ward],
                "council_code": COUNCIL[0],
                "council_name": COUNCIL[1],
            }
        )
        dz_features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": f"Testvale {n + 1:03d}"},
                "geometry": {"type": "Polygon", "coordinates": _square(n % 4, n // 4)},
            }
        )
    ward_features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": _square(0, i, 0.04)},
        }
        for i, (code, name) in enumerate(WARDS.items())
    ]
    root.mkdir(parents=True, exist_ok=True)
    for name, feats in (("datazone", dz_features), ("ward", ward_features)):
        (root / f"{name}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
        )
    spec = PackSpec(
        name="test-pack",
        vintage="test",
        description="Squares for tests.",
        levels=[
            LevelSpec(
                id="datazone",
                label="Data zone",
                label_plural="Data zones",
                boundaries="datazone.geojson",
            ),
            LevelSpec(id="ward", label="Ward", label_plural="Wards", boundaries="ward.geojson"),
            LevelSpec(id="council", label="Council", label_plural="Councils"),
        ],
    )
    lookup = pd.DataFrame(rows, dtype=str)
    lookup.to_csv(root / "lookup.csv", index=False)
    return GeographyPack(root=root, spec=spec, lookup=lookup)


def make_catalogue() -> Catalogue:
    measures = {
        "cilif_children": Measure(
            id="cilif_children",
            label="Children in low income families",
            description="d",
            unit="children",
            additive=True,
            counts_people=True,
        ),
        "children_0_15": Measure(
            id="children_0_15",
            label="Children aged 0 to 15",
            description="d",
            unit="children",
            additive=True,
            counts_people=True,
        ),
    }
    themes = {
        "need": Theme(id="need", title="Need", description="How many children are in poverty."),
        "context": Theme(id="context", title="Context", description="Population."),
    }
    share = ShareIndicator(
        id="cilif_share",
        title="Children in low income families",
        short_title="Low income families",
        description="Share of children aged 0 to 15 in relative low income families.",
        theme="need",
        polarity="higher_is_worse",
        unit="%",
        decimals=1,
        source="DWP/HMRC (synthetic)",
        caveats="Synthetic.",
        method="share",
        numerator="cilif_children",
        denominator="children_0_15",
    )
    count = CountIndicator(
        id="children",
        title="Children aged 0 to 15",
        short_title="Children",
        description="Number of children.",
        theme="context",
        polarity="neutral",
        unit="children",
        decimals=0,
        source="NRS (synthetic)",
        caveats="None.",
        method="count",
        measure="children_0_15",
    )
    return Catalogue(
        themes=themes, measures=measures, indicators={share.id: share, count.id: count}
    )


def _wilson(k: float, n: float) -> tuple[float, float]:
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def make_values(pack: GeographyPack) -> pd.DataFrame:
    """Published values for both indicators, shaped as docs/internals.md says."""
    lookup = pack.lookup
    base = []
    for p_i, period in enumerate(PERIODS):
        for n, code in enumerate(lookup["datazone_code"]):
            children = 100 + 10 * n
            cilif = 5 + 3 * n + 2 * p_i  # rises with the zone number and the period
            base.append((code, period, cilif, children))
    frame = pd.DataFrame(base, columns=["area_code", "period", "cilif", "children"])
    frame = frame.merge(lookup, left_on="area_code", right_on="datazone_code")
    parts = [frame.assign(level="datazone")]
    for level in ("ward", "council"):
        summed = (
            frame.groupby([f"{level}_code", "period"], as_index=False)[["cilif", "children"]]
            .sum()
            .rename(columns={f"{level}_code": "area_code"})
        )
        parts.append(summed.assign(level=level))
    names = pack.names
    rows = []
    for part in parts:
        for r in part.itertuples(index=False):
            lo, hi = _wilson(r.cilif, r.children)
            rows.append(
                {
                    "indicator": "cilif_share",
                    "level": r.level,
                    "area_code": r.area_code,
                    "area_name": names[r.area_code],
                    "period": r.period,
                    "numerator": float(r.cilif),
                    "denominator": float(r.children),
                    "value": 100 * r.cilif / r.children,
                    "lower": lo,
                    "upper": hi,
                }
            )
            rows.append(
                {
                    "indicator": "children",
                    "level": r.level,
                    "area_code": r.area_code,
                    "area_name": names[r.area_code],
                    "period": r.period,
                    "numerator": float(r.children),
                    "denominator": float("nan"),
                    "value": float(r.children),
                    "lower": float("nan"),
                    "upper": float("nan"),
                }
            )
    values = pd.DataFrame(rows)
    council = values[values["level"] == "council"].set_index(["indicator", "period"])["value"]
    values["comparator"] = [
        float("nan") if lv == "council" else council[(i, p)]
        for i, lv, p in zip(values["indicator"], values["level"], values["period"], strict=True)
    ]
    cmp = []
    for r in values.itertuples(index=False):
        if r.level == "council" or math.isnan(r.lower):
            cmp.append("")
        elif r.lower > r.comparator:
            cmp.append("worse")
        elif r.upper < r.comparator:
            cmp.append("better")
        else:
            cmp.append("similar")
    values["comparison"] = cmp
    values["rank"] = (
        values.groupby(["indicator", "level", "period"])["value"]
        .rank(ascending=False, method="min")
        .astype("Int64")
    )
    values["suppressed"] = False
    values["note"] = ""
    # One withheld data zone. Its numbers are left in on purpose: render must blank them.
    hit = (
        (values["area_code"] == SUPPRESSED_DZ)
        & (values["period"] == PERIODS[-1])
        & (values["indicator"] == "cilif_share")
    )
    values.loc[hit, ["suppressed", "note", "value"]] = [True, "primary", LEAKED_VALUE]
    rank = {"datazone": 0, "ward": 1, "council": 2}
    values = (
        values.assign(_l=values["level"].map(rank))
        .sort_values(["indicator", "_l", "area_code", "period"])
        .drop(columns="_l")
        .reset_index(drop=True)
    )
    return values


def make_site(tmp_path: Path, *, synthetic: bool = True) -> CouncilSite:
    pack = make_pack(tmp_path / "pack")
    catalogue = make_catalogue()
    return CouncilSite(
        slug=SLUG,
        name=COUNCIL[1],
        code=COUNCIL[0],
        synthetic=synthetic,
        colour="#1d5c8c",
        pack=pack,
        catalogue=catalogue,
        indicators=list(catalogue.indicators.values()),
        values=make_values(pack),
        periods=PERIODS,
        build_date="2025-06-30",
        datasets=[
            DatasetSummary(
                id="cilif",
                title="Children in low income families",
                source="DWP (synthetic)",
                file="cilif.csv",
                rows_read=40,
                rows_used=36,
                periods=PERIODS,
                measures=["cilif_children"],
                coverage=11 / 12,
            )
        ],
        problems=[
            Problem(
                "cilif.csv",
                14,
                2,
                "DZ",
                "unknown-area",
                "X01999999 is not in the geography pack",
                "warning",
            )
        ],
        disclosure_threshold=5,
        attribution="Contains synthetic data <for tests> & more.",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> CouncilSite:
    return make_site(tmp_path_factory.mktemp("council"))


@pytest.fixture(scope="module")
def files(site: CouncilSite) -> dict[str, bytes]:
    out = render_council(site)
    out.update(render_portal([site], site.build_date))
    return out


def text(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


class _Tables(HTMLParser):
    """Collects each table's body rows (by table id on the enclosing section) as cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.section: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.in_body = False
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.section.append(a.get("id") or "")
        elif tag == "tbody":
            self.in_body = True
            self.tables.setdefault(self.section[-1], [])
        elif tag == "tr" and self.in_body:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.section.pop()
        elif tag == "tbody":
            self.in_body = False
        elif tag == "tr" and self.row is not None:
            self.tables[self.section[-1]].append(self.row)
            self.row = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def plot_calls(html: str) -> dict[str, dict]:
    """Each Plotly.newPlot call on a page: div id -> {"data": ..., "layout": ...}."""
    out = {}
    pattern = re.compile(
        r'Plotly\.newPlot\(\s*"([^"]+)",\s*(\[.*?\]),\s*(\{.*?\}),\s*'
        r'\{"displaylogo"',
        re.S,
    )
    for div_id, data, layout in pattern.findall(html):
        out[div_id] = {"data": json.loads(data), "layout": json.loads(layout)}
    return out


# --- tests ------------------------------------------------------------------------------


def test_every_expected_page_exists(files: dict[str, bytes]) -> None:
    """The council has overview, indicator, area, about, quality, data and geo files."""
    expected = {
        "index.html",
        "assets/plotly-cdash.min.js",
        "assets/site.css",
        "assets/site.js",
        f"{SLUG}/index.html",
        f"{SLUG}/about.html",
        f"{SLUG}/quality.html",
        f"{SLUG}/assets/geo.js",
        f"{SLUG}/data/indicator_values.csv",
        f"{SLUG}/data/datapackage.json",
        f"{SLUG}/indicators/cilif_share.html",
        f"{SLUG}/indicators/children.html",
        *(f"{SLUG}/areas/ward/{code}.html" for code in WARDS),
        *(f"{SLUG}/areas/datazone/X0100{n:04d}.html" for n in range(1, N_DZ + 1)),
    }
    assert expected <= set(files)
    assert not [p for p in files if p.startswith(f"{SLUG}/areas/council/")]


def test_indicator_table_has_one_row_per_data_zone(files: dict[str, bytes]) -> None:
    """The data zone table lists every zone once, the ward table every ward."""
    found = tables(text(files, f"{SLUG}/indicators/cilif_share.html"))
    dz_codes = [row[1] for row in found["table-datazone"]]
    assert sorted(dz_codes) == [f"X0100{n:04d}" for n in range(1, N_DZ + 1)]
    assert sorted(row[1] for row in found["table-ward"]) == sorted(WARDS)


def test_suppressed_row_shows_c_and_hides_its_number(files: dict[str, bytes]) -> None:
    """A withheld row reads "[c]" in every number cell; the planted value appears nowhere."""
    page = text(files, f"{SLUG}/indicators/cilif_share.html")
    rows = {row[1]: row for row in tables(page)["table-datazone"]}
    assert rows[SUPPRESSED_DZ][2:] == ["[c]"] * 5
    for path, body in files.items():
        if path.startswith(f"{SLUG}/"):
            decoded = body.decode("utf-8")
            assert "87.65" not in decoded and "87.7" not in decoded, path
    csv_rows = pd.read_csv(
        pd.io.common.StringIO(text(files, f"{SLUG}/data/indicator_values.csv")),
        dtype=str,
        keep_default_na=False,
    )
    hit = csv_rows[
        (csv_rows["area_code"] == SUPPRESSED_DZ)
        & (csv_rows["period"] == PERIODS[-1])
        & (csv_rows["indicator"] == "cilif_share")
    ].iloc[0]
    assert hit["value"] == hit["numerator"] == hit["lower"] == "[c]"
    assert hit["suppressed"] == "true"


def test_no_request_leaves_the_site(files: dict[str, bytes]) -> None:
    """No src/href/url() in our HTML, JS or CSS points at another site."""
    pattern = re.compile(
        r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
        r"""|url\(\s*["']?(?:https?:)?//""",
        re.I,
    )
    for path, body in files.items():
        if path == "assets/plotly-cdash.min.js" or not path.endswith((".html", ".js", ".css")):
            continue
        decoded = body.decode("utf-8")
        assert not pattern.search(decoded), path
        assert "http://" not in decoded and "https://" not in decoded, path


def test_links_are_relative_and_resolve(files: dict[str, bytes]) -> None:
    """Every local href/src resolves to a file the render produced."""
    for path, body in files.items():
        if not path.endswith(".html"):
            continue
        for target in re.findall(r'(?:href|src)="([^"#]*)(?:#[^"]*)?"', body.decode("utf-8")):
            if not target or target == "data:,":
                continue
            assert not target.startswith("/"), (path, target)
            resolved = (Path("/site") / path).parent.joinpath(target).resolve()
            assert str(resolved.relative_to("/site")) in files, (path, target)


def test_two_renders_are_byte_identical(site: CouncilSite, files: dict[str, bytes]) -> None:
    """Same input, same bytes, file for file."""
    again = render_council(site)
    again.update(render_portal([site], site.build_date))
    assert again.keys() == files.keys()
    assert [p for p in files if files[p] != again[p]] == []


def test_map_uses_shared_geometry_with_one_location_per_zone(files: dict[str, bytes]) -> None:
    """The data zone map names '<slug>-datazone' and places every zone exactly once."""
    calls = plot_calls(text(files, f"{SLUG}/indicators/cilif_share.html"))
    assert {"map-datazone", "map-ward", "bar-ward", "trend"} <= set(calls)
    traces = calls["map-datazone"]["data"]
    assert {t["geojson"] for t in traces} == {f"{SLUG}-datazone"}
    assert all(t["featureidkey"] == "id" and t["locationmode"] == "geojson-id" for t in traces)
    locations = [loc for t in traces for loc in t["locations"]]
    assert sorted(locations) == [f"X0100{n:04d}" for n in range(1, N_DZ + 1)]
    geo = calls["map-datazone"]["layout"]["geo"]
    assert geo["fitbounds"] == "locations" and geo["visible"] is False
    assert "template" not in calls["map-datazone"]["layout"]
    # the withheld zone is on the grey trace, not the coloured one
    assert SUPPRESSED_DZ not in traces[0]["locations"]
    assert SUPPRESSED_DZ in traces[1]["locations"]


def test_geo_js_registers_each_level_without_clobbering(files: dict[str, bytes]) -> None:
    """geo.js adds '<slug>-datazone' and '<slug>-ward' to an existing PlotlyGeoAssets."""
    js = text(files, f"{SLUG}/assets/geo.js")
    assert js.startswith("window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};")
    keys = re.findall(r'window\.PlotlyGeoAssets\["([^"]+)"\]=', js)
    assert keys == [f"{SLUG}-datazone", f"{SLUG}-ward"]
    body = js.splitlines()[2].split("=", 1)[1].rstrip(";")
    assert len(geometry.decode(body)["features"]) == N_DZ


def test_head_loads_stub_then_geometry_then_plotly(files: dict[str, bytes]) -> None:
    """The world_110m stub runs before geo.js, which runs before plotly-cdash.min.js and figures."""
    page = text(files, f"{SLUG}/indicators/cilif_share.html")
    stub = page.index("world_110m")
    geo = page.index('src="../assets/geo.js"')
    plotly_js = page.index('src="../../assets/plotly-cdash.min.js"')
    first_plot = page.index("Plotly.newPlot")
    assert stub < geo < plotly_js < first_plot
    about = text(files, f"{SLUG}/about.html")
    assert "plotly-cdash.min.js" not in about and "geo.js" not in about


def test_summary_names_highest_and_lowest(files: dict[str, bytes], site: CouncilSite) -> None:
    """The map summary names the zones with the highest and lowest published value."""
    page = text(files, f"{SLUG}/indicators/cilif_share.html")
    summary = re.search(r'id="map-datazone-summary">(.*?)</p>', page, re.S).group(1)
    values = site.values
    latest = values[
        (values["indicator"] == "cilif_share")
        & (values["level"] == "datazone")
        & (values["period"] == PERIODS[-1])
        & ~values["suppressed"]
    ]
    top = latest.loc[latest["value"].idxmax()]
    bottom = latest.loc[latest["value"].idxmin()]
    assert f"highest in {top['area_name']} ({top['value']:.1f}%)" in summary
    assert f"lowest in {bottom['area_name']} ({bottom['value']:.1f}%)" in summary
    assert "1 data zone is withheld to protect privacy." in summary


def test_every_page_has_landmarks_period_and_banner(files: dict[str, bytes]) -> None:
    """Each page: lang, skip link, header/nav/main/footer, build date, synthetic banner."""
    for path, body in files.items():
        if not path.endswith(".html"):
            continue
        page = body.decode("utf-8")
        assert '<html lang="en">' in page, path
        assert 'class="skip-link" href="#main"' in page, path
        for tag in ("<header", '<main id="main"', "<footer"):
            assert tag in page, (path, tag)
        if path != "index.html":
            assert '<nav class="site-nav"' in page, path
        assert "2025-06-30" in page and "2022/23 to 2024/25" in page, path
        assert "Synthetic demo data" in page, path


def test_text_is_escaped(files: dict[str, bytes]) -> None:
    """Attribution text with markup characters is escaped, not injected."""
    about = text(files, f"{SLUG}/about.html")
    assert "Contains synthetic data &lt;for tests&gt; &amp; more." in about
    assert "<for tests>" not in about


def test_ward_profile_lists_indicators_and_its_zones(files: dict[str, bytes]) -> None:
    """A ward page compares each indicator with the council and links its data zones."""
    page = text(files, f"{SLUG}/areas/ward/X13000001.html")
    rows = tables(page)[""]
    assert [r[0] for r in rows] == ["Low income families", "Children"]
    for n in range(1, 5):
        assert f'href="../../areas/datazone/X0100{n:04d}.html"' in page
    assert "X01000005" not in page


def test_csv_has_contract_columns_and_stable_order(
    files: dict[str, bytes], site: CouncilSite
) -> None:
    """indicator_values.csv: the contract's columns, every row, datapackage describes it."""
    body = text(files, f"{SLUG}/data/indicator_values.csv")
    assert body.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert len(body.splitlines()) == len(site.values) + 1
    package = json.loads(text(files, f"{SLUG}/data/datapackage.json"))
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert fields == CSV_COLUMNS
    assert "[c]" in package["resources"][0]["schema"]["missingValues"]


def test_quality_page_lists_datasets_and_problems(files: dict[str, bytes]) -> None:
    """Rows read and used, coverage, and each problem as its one-line message."""
    page = text(files, f"{SLUG}/quality.html")
    assert (
        "cilif.csv:14:2: DZ [unknown-area, warning] X01999999 is not in the geography pack" in page
    )
    row = tables(page)[""][0]
    assert row[2:5] == ["40", "36", "4"] and row[-1] == "92%"


def test_base_only_indicator_skips_ward_charts(tmp_path: Path) -> None:
    """An indicator published only for data zones gets a map and table, no ward map or bar."""
    site = make_site(tmp_path)
    values = site.values[
        ~((site.values["indicator"] == "children") & (site.values["level"] != "datazone"))
    ]
    site = CouncilSite(**{**site.__dict__, "values": values})
    page = render_council(site)[f"{SLUG}/indicators/children.html"].decode("utf-8")
    calls = plot_calls(page)
    assert "map-datazone" in calls
    assert not {"map-ward", "bar-ward", "trend"} & set(calls)
    assert "table-datazone" in tables(page)


def test_council_templates_can_extend_the_defaults(tmp_path: Path) -> None:
    """A council folder's base.html can extend "default:base.html"."""
    (tmp_path / "base.html").write_text(
        '{% extends "default:base.html" %}{% block head %}<meta name="x-council" '
        'content="yes">{% endblock %}',
        encoding="utf-8",
    )
    env = make_environment(tmp_path)
    assert env.get_template("default:base.html").filename.endswith("base.html")
    site = make_site(tmp_path / "site")
    files = render_council(site, template_dir=tmp_path)
    assert '<meta name="x-council" content="yes">' in files[f"{SLUG}/about.html"].decode()


def test_not_synthetic_has_no_banner(tmp_path: Path) -> None:
    """A real council's pages carry no synthetic-data banner."""
    files = render_council(make_site(tmp_path, synthetic=False))
    assert "Synthetic demo data" not in files[f"{SLUG}/index.html"].decode("utf-8")


def test_renders_with_no_values(tmp_path: Path) -> None:
    """A council whose data published nothing still gets every page, saying so."""
    site = make_site(tmp_path)
    site = CouncilSite(**{**site.__dict__, "values": site.values.iloc[0:0]})
    files = render_council(site)
    page = files[f"{SLUG}/indicators/cilif_share.html"].decode("utf-8")
    assert "Plotly.newPlot" not in page and "Not published" in page
    assert files[f"{SLUG}/data/indicator_values.csv"].decode().strip() == ",".join(CSV_COLUMNS)


def test_tripwire_reads_the_view_scripts() -> None:
    """A withheld count in a view loaded on demand (views/<indicator>/<n>.js) stops the
    build, as it would inline; the same view with the count withheld passes."""
    from generator.errors import LeakError
    from generator.site import tripwire
    from generator.site.pages import views

    cell = tripwire.SuppressedCell("cilif_share", "X01900003", "2023/24", frozenset({3.0}))
    guard = tripwire.Guard("tiny", (), (cell,))

    def site(number: str) -> dict[str, bytes]:
        view = {"cells": {"table-datazone": [["X01900003", number]]}}
        script = views.view_script("cilif_share", "|2023/24", view)
        assert views.read_view_script(script)["view"] == view
        return {"tiny/indicators/views/cilif_share/0.js": script}

    with pytest.raises(LeakError, match="primary-suppressed"):
        tripwire.check(site("3"), [guard])
    tripwire.check(site("[c]"), [guard])
