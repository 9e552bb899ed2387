"""Real geography: importing official boundaries, and the three seed councils built from the
open data in ../shared/data (skipped when that folder is absent). Nothing derived from the
open data is written anywhere but pytest's temporary folders."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import BUILD_DATE, ROOT, SHARED_DATA, TINY_CONFIG, shared_folder

shapely = pytest.importorskip("shapely")
pytest.importorskip("pyogrio")

from generator.errors import ProblemsError  # noqa: E402
from generator.ingest.geoimport import import_pack  # noqa: E402
from generator.site import build as site  # noqa: E402

needs_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"open data folder {SHARED_DATA} is absent"
)
LOOKUP = SHARED_DATA / "lookups" / "DataZone2011lookup_2022-05-05.csv"
COUNCILS = {  # slug: (boundary file stem, code, data zones, intermediate zones, wards)
    "west-lothian": ("west_lothian", "S12000040", 239, 37, 9),
    "glasgow-city": ("glasgow_city", "S12000049", 746, 136, 23),
    "south-lanarkshire": ("south_lanarkshire", "S12000029", 431, 82, 20),
}


def _boundaries(stem: str) -> Path:
    return SHARED_DATA / "boundaries" / f"dz2011_{stem}.geojson"


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> Path:
    """The three seed councils' packs, imported once per test run and shared read-only."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"open data folder {SHARED_DATA} is absent")

    def make(folder: Path) -> None:
        for slug, (stem, *_) in COUNCILS.items():
            import_pack(
                _boundaries(stem),
                LOOKUP,
                folder / f"{slug}-dz2011",
                name=f"{slug}-dz2011",
                vintage="scotland-dz2011",
                code_field="dz_code",
                attribution="Contains public sector information licensed under the "
                "Open Government Licence v3.0.",
            )

    return shared_folder(tmp_path_factory, "seed-packs", make)


@pytest.fixture(scope="module")
def real_site(packs, tmp_path_factory) -> Path:
    """The three seed councils built from the open data, once per test run (read-only)."""
    configs = [ROOT / "council_configs" / slug / "council.yaml" for slug in COUNCILS]

    def make(folder: Path) -> None:
        site.build(
            configs,
            folder / "site",
            data_dir=SHARED_DATA,
            packs_dir=packs,
            build_date=BUILD_DATE,
            jobs=2,
        )

    return shared_folder(tmp_path_factory, "seed-site", make) / "site"


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


@needs_data
@pytest.mark.parametrize("slug", list(COUNCILS))
def test_import_gives_the_council_areas(packs, slug):
    _, code, n_dz, n_iz, n_ward = COUNCILS[slug]
    pack = packs / f"{slug}-dz2011"
    lookup = pd.read_csv(pack / "lookup.csv", dtype=str)
    assert lookup["datazone_code"].nunique() == n_dz
    assert lookup["intermediate_zone_code"].nunique() == n_iz
    assert lookup["ward_code"].nunique() == n_ward
    assert set(lookup["council_code"]) == {code}
    for level, n in (("datazone", n_dz), ("ward", n_ward), ("council", 1)):
        feats = _features(pack / f"{level}.geojson")
        assert len(feats) == n and all(f["id"] == f["properties"]["code"] for f in feats)


def _gaps_and_overlaps(geoms) -> tuple[float, float]:
    """Total pairwise overlap area, and the area of holes inside the union, in degrees²
    (West Lothian's outline has one real hole; it is not a gap between data zones)."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    overlap = float(shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]])).sum())
    union = shapely.union_all(geoms)
    holes = sum(
        shapely.Polygon(ring).area
        for part in getattr(union, "geoms", [union])
        for ring in part.interiors
    )
    return overlap, holes


@needs_data
def test_simplification_keeps_a_coverage_and_shrinks_it(tmp_path):
    """Dense input (the open shapes with extra vertices every ~50 m, in British National
    Grid): simplified data zones still tile exactly, with far fewer vertices."""
    src = _features(_boundaries("west_lothian"))
    geoms = np.array([shapely.geometry.shape(f["geometry"]) for f in src])
    dense = _write_bng(tmp_path / "dense.gpkg", src, shapely.segmentize(geoms, 0.0005))
    report = import_pack(
        dense,
        LOOKUP,
        tmp_path / "pack",
        name="t",
        vintage="v",
        code_field="dz_code",
        tolerance_m=10,
    )
    print(f"simplification ratio: {report.ratio:.3f}")
    assert report.ratio < 0.5
    out = np.array(
        [
            shapely.geometry.shape(f["geometry"])
            for f in _features(tmp_path / "pack" / "datazone.geojson")
        ]
    )
    assert shapely.coverage_is_valid(out)
    overlap, holes = _gaps_and_overlaps(out)
    _, holes_before = _gaps_and_overlaps(geoms)
    assert overlap == pytest.approx(0, abs=1e-12)
    # No new gap: only the outline's own hole, moved by snapping to the 1 m grid.
    assert holes == pytest.approx(holes_before, abs=1e-8)


def _write_bng(path: Path, features: list[dict], geoms) -> Path:
    import pyogrio
    from pyproj import Transformer

    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    projected = shapely.transform(
        geoms, lambda c: np.column_stack(to_bng.transform(c[:, 0], c[:, 1]))
    )
    codes = np.array([f["properties"]["dz_code"] for f in features], dtype=object)
    driver = "GPKG" if path.suffix == ".gpkg" else "ESRI Shapefile"
    pyogrio.raw.write(
        str(path),
        shapely.to_wkb(projected),
        [codes],
        ["dz_code"],
        geometry_type="MultiPolygon",
        crs="EPSG:27700",
        driver=driver,
    )
    return path


@needs_data
def test_british_national_grid_lands_where_wgs84_does(tmp_path):
    """A zipped EPSG:27700 shapefile of the same shapes lands within 10 m of the WGS84 file."""
    from pyproj import Transformer

    src = _features(_boundaries("west_lothian"))
    geoms = np.array([shapely.geometry.shape(f["geometry"]) for f in src])
    shp = _write_bng(tmp_path / "dz.shp", src, geoms)
    archive = tmp_path / "dz.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("dz.*"):
            if part != archive:
                zf.write(part, part.name)
    assert shp.exists()
    import_pack(
        archive,
        LOOKUP,
        tmp_path / "bng",
        name="t",
        vintage="v",
        tolerance_m=0,
        code_field="dz_code",
    )
    import_pack(
        _boundaries("west_lothian"),
        LOOKUP,
        tmp_path / "wgs",
        name="t",
        vintage="v",
        tolerance_m=0,
        code_field="dz_code",
    )
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)

    def metres(pack: str):
        feats = _features(tmp_path / pack / "datazone.geojson")
        return shapely.transform(
            np.array([shapely.geometry.shape(f["geometry"]) for f in feats]),
            lambda c: np.column_stack(to_bng.transform(c[:, 0], c[:, 1])),
        )

    distances = shapely.hausdorff_distance(metres("bng"), metres("wgs"))
    assert distances.max() < 10


def _write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


@needs_data
def test_bad_geography_input_names_the_file_and_field(tmp_path):
    src = _features(_boundaries("west_lothian"))

    def problems(boundaries: Path, **kw) -> list[str]:
        with pytest.raises(ProblemsError) as exc:
            import_pack(boundaries, LOOKUP, tmp_path / "out", name="t", vintage="v", **kw)
        return [f"{p.file} {p.field} [{p.code}] {p.message}" for p in exc.value.problems]

    found = problems(_boundaries("west_lothian"), code_field="DataZone")
    assert "dz2011_west_lothian.geojson DataZone [missing-field]" in found[0]
    dupes = _write_geojson(tmp_path / "dupes.geojson", [*src, src[0]])
    assert any(
        "dupes.geojson dz_code [duplicate-code] S01013243" in p
        for p in problems(dupes, code_field="dz_code")
    )
    found = problems(_boundaries("west_lothian"), code_field="dz_code", crs="EPSG:999999")
    assert "crs [unknown-crs]" in found[0]
    missing = _write_geojson(tmp_path / "missing.geojson", src[1:])
    found = problems(missing, code_field="dz_code")
    assert found == [
        f"{LOOKUP} DZ2011_Code [no-shape] S01013243 has no shape in {tmp_path / 'missing.geojson'}"
    ]
    stray = dict(src[0], properties={**src[0]["properties"], "dz_code": "S01999999"})
    extra = _write_geojson(tmp_path / "extra.geojson", [*src[1:], stray])
    found = problems(extra, code_field="dz_code")
    assert any("[no-lookup-row] S01999999" in p for p in found)
    # Told to allow it, the import leaves out what does not match.
    report = import_pack(
        extra,
        LOOKUP,
        tmp_path / "ok",
        name="t",
        vintage="v",
        code_field="dz_code",
        allow_unmatched=True,
    )
    assert report.levels[0].areas == 238


@needs_data
def test_seed_councils_build_with_coarse_levels_said(real_site):
    for slug in COUNCILS:
        assert (real_site / slug / "index.html").is_file()
    page = (real_site / "west-lothian" / "indicators" / "cilif_share.html").read_text()
    # CiLIF comes by intermediate zone: no data-zone or ward map, and the page says so.
    assert 'id="map-intermediate_zone"' in page
    assert 'id="map-datazone"' not in page and 'id="map-ward"' not in page
    assert "Available by intermediate zones and councils only" in page
    assert "Open Government Licence" in (real_site / "west-lothian" / "about.html").read_text()
    # Open data only: the overview does not promise the council's own data it lacks.
    overview = (real_site / "west-lothian" / "index.html").read_text()
    assert "no unmet-need page yet" in overview and "from the council's own data" not in overview


@needs_data
@pytest.mark.parametrize("slug", list(COUNCILS))
def test_totals_match_the_official_figures(real_site, slug):
    _, code, *_ = COUNCILS[slug]
    values = pd.read_csv(real_site / slug / "data" / "indicator_values.csv", dtype=str)
    pop = pd.read_csv(
        SHARED_DATA / "population" / "sape_mid2020_dz2011_children_summary.csv",
        dtype={"dz_code": str, "ward_code": str, "la_code": str},
    )
    pop = pop[pop["la_code"] == code]
    children = values[(values["indicator"] == "children_0_15") & (values["period"] == "2020/21")]
    wards = children[children["level"] == "ward"].set_index("area_code")["value"].astype(float)
    lookup = pd.read_csv(LOOKUP, dtype=str)[["DZ2011_Code", "MMWard_Code"]]
    expected = (
        pop.merge(lookup, left_on="dz_code", right_on="DZ2011_Code")
        .groupby("MMWard_Code")["age_0_15"]
        .sum()
    )
    pd.testing.assert_series_equal(
        wards.sort_index(), expected.sort_index().astype(float), check_names=False
    )
    council = children[children["level"] == "council"]["value"].astype(float)
    assert council.tolist() == [pop["age_0_15"].sum()]

    cilif = pd.read_csv(SHARED_DATA / "cilif" / "cilif_relative_iz2011.csv", dtype=str)
    iz_sum = (
        cilif[(cilif["la_code"] == code) & (cilif["period"] == "2021/22")][
            "children_relative_low_income"
        ]
        .astype(float)
        .sum()
    )
    published = values[
        (values["indicator"] == "cilif_count")
        & (values["level"] == "council")
        & (values["period"] == "2021/22")
    ]["value"].astype(float)
    assert published.tolist() == [iz_sum]


@needs_data
@pytest.mark.browser
def test_west_lothian_overview_maps_in_chromium(real_site, page):
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
    )
    page.goto((real_site / "west-lothian" / "index.html").as_uri())
    page.wait_for_selector("#map-datazone path.choroplethlocation")
    page.wait_for_selector("#map-ward path.choroplethlocation")
    assert page.locator("#map-datazone path.choroplethlocation").count() == 239
    assert page.locator("#map-ward path.choroplethlocation").count() == 9
    page.screenshot(path=str(real_site.parent / "west-lothian.png"), full_page=True)
    assert outside == []


def test_postcode_keyed_dataset(tmp_path):
    """Rows keyed by postcode land in their data zone; unmatched ones are counted with row
    numbers on the quality page, never shown as postcodes."""
    council = tmp_path / "council"
    shutil.copytree(TINY_CONFIG.parent, council)
    lookup = pd.read_csv(council / "geography" / "lookup.csv", dtype=str)
    zones = lookup["datazone_code"].tolist()
    (council / "data" / "postcodes.csv").write_text(
        "Postcode,DataZone2011\n"
        + "".join(f"XX{n} {n}AB,{z}\nXX{n} {n}AC,{z}\n" for n, z in enumerate(zones, start=1))
    )
    rows = ["Postcode,Year,Referrals"]
    for n, _ in enumerate(zones, start=1):
        rows += [f"xx{n}{n}ab,2024,6", f" XX{n}  {n}AC ,2024,4"]
    rows += ["ZZ9 9ZZ,2024,7", "QQ1 1QQ,2024,3"]
    (council / "data" / "foodbank.csv").write_text("\n".join(rows) + "\n")
    config = (council / "council.yaml").read_text() + (
        "postcode_lookup: {file: postcodes.csv, postcode_column: Postcode, "
        "area_column: DataZone2011}\n"
    )
    config = config.replace(
        "datasets:\n",
        (
            "datasets:\n"
            "  - id: foodbank\n    title: Foodbank referrals\n    file: foodbank.csv\n"
            "    area: {column: Postcode, type: postcode}\n    period: {column: Year}\n"
            "    measures: {foodbank_referrals_families: Referrals}\n"
        ),
        1,
    )
    (council / "council.yaml").write_text(config)
    out = tmp_path / "site"
    site.build([council / "council.yaml"], out, build_date=BUILD_DATE)
    slug = next(p.name for p in out.iterdir() if (p / "quality.html").is_file())
    values = pd.read_csv(out / slug / "data" / "indicator_values.csv", dtype=str)
    counts = values[
        (values["indicator"] == "foodbank_referrals_per_1000_children")
        & (values["level"] == "datazone")
    ]
    assert counts["numerator"].astype(float).tolist() == [10.0] * len(zones)
    quality = (out / slug / "quality.html").read_text()
    assert (
        "2 row(s) of dataset foodbank have a postcode that is not in the postcode lookup" in quality
    )
    assert "ZZ9" not in quality and "QQ1" not in quality


@pytest.mark.slow
@needs_data
def test_synthetic_local_extracts_on_real_geography(packs, tmp_path):
    """The council-held extracts, made up for West Lothian's real data zones with need that
    follows SIMD income deprivation, build end to end with the seed config's open data."""
    import yaml

    from scripts import synthetic

    lookup = pd.read_csv(packs / "west-lothian-dz2011" / "lookup.csv", dtype=str)
    simd = pd.read_csv(SHARED_DATA / "simd" / "simd2020v2_dz2011_tidy.csv")
    zones = synthetic.zones_from_simd(lookup, simd)
    data = synthetic.generate_datasets(zones, ["2020/21", "2021/22"], np.random.default_rng(7))
    names = dict(zip(lookup["datazone_code"], lookup["datazone_name"], strict=True))
    data_dir = tmp_path / "data"
    synthetic.write_council_exports(data, names, data_dir / "local", "West Lothian Council")
    for sub in ("simd", "population", "cilif", "benefits"):  # the open data, linked not copied
        (data_dir / sub).symlink_to(SHARED_DATA / sub)
    # Need follows income deprivation: more low-income children where SIMD says so.
    cilif = data.datasets["cilif"].groupby("datazone_code")["cilif_children"].sum()
    dep = zones.set_index("datazone_code")["deprivation"]
    assert np.corrcoef(dep[cilif.index], cilif)[0, 1] > 0.5

    config = yaml.safe_load(
        (ROOT / "council_configs" / "west-lothian" / "council.yaml").read_text(encoding="utf-8")
    )
    demo = yaml.safe_load(
        (ROOT / "council_configs" / "demo" / "council.yaml").read_text(encoding="utf-8")
    )
    local = [
        dict(ds, file=f"local/{ds['file']}")
        for ds in demo["datasets"]
        if ds["id"] in ("school_meals", "clothing_grants", "ctr_hb", "foodbank_advice")
    ]
    config["datasets"] += local
    path = tmp_path / "west-lothian" / "council.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "site"
    site.build([path], out, data_dir=data_dir, packs_dir=packs, build_date=BUILD_DATE)
    pages = {p.name for p in (out / "west-lothian" / "indicators").glob("*.html")}
    assert {
        "fsm_p6_p7_share.html",
        "ctr_households_per_1000_children.html",
        "cilif_share.html",
    } <= pages
    page = (out / "west-lothian" / "indicators" / "fsm_p6_p7_share.html").read_text()
    assert 'id="map-datazone"' in page and 'id="map-ward"' in page


@needs_data
@pytest.mark.parametrize("slug", list(COUNCILS))
def test_seed_about_page_credits_the_open_government_licence(real_site, slug):
    """Every figure and boundary of a seed council is Crown copyright under the OGL: its
    about page lists the attributions and every page's footer carries them (issue 16)."""
    about = (real_site / slug / "about.html").read_text(encoding="utf-8")
    assert "No third-party attribution is required" not in about
    ogl = "Contains public sector information licensed under the Open Government Licence v3.0."
    for credit in (
        ogl,
        "Contains National Records of Scotland data © Crown copyright and database right.",
        "Contains Scottish Government data © Crown copyright and database right.",
        "DWP Stat-Xplore © Crown copyright.",
    ):
        assert credit in about
    overview = (real_site / slug / "index.html").read_text(encoding="utf-8")
    assert ogl in overview[overview.index('<footer class="site-footer">') :]
