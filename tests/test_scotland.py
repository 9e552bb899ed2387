"""``cdash scotland``: every council from the national open data (issue 16).

The seed configs are checked against the generated ones without the open data. The rest
runs the command as documented for three small councils (Orkney, Shetland,
Clackmannanshire) on ../shared/data, and checks the published figures against independent
sums of the national files; it is skipped when that folder is absent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from generator import scotland
from generator.cli import app
from tests.conftest import BUILD_DATE, ROOT, SHARED_DATA

SMALL = ["orkney-islands", "shetland-islands", "clackmannanshire"]
SEEDS = {  # slug: (code, the lookup's LA_Name)
    "west-lothian": ("S12000040", "West Lothian"),
    "glasgow-city": ("S12000049", "Glasgow City"),
    "south-lanarkshire": ("S12000029", "South Lanarkshire"),
}
needs_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"open data folder {SHARED_DATA} is absent"
)


@pytest.mark.parametrize("slug", list(SEEDS))
def test_seed_config_is_the_generated_config(slug):
    """A seed config says what `cdash scotland` writes for that council, bar its colour."""
    code, name = SEEDS[slug]
    generated = yaml.safe_load(scotland.council_config(scotland.Council(slug, code, name)))
    seed = yaml.safe_load((ROOT / "council_configs" / slug / "council.yaml").read_text())
    assert seed["council"].pop("colour").startswith("#")
    assert seed == generated


@needs_data
def test_partition_puts_every_data_zone_in_one_council():
    """6,976 data zones in 32 councils, none lost or doubled, each in its lookup council."""
    councils = scotland.councils_from_lookup(SHARED_DATA)
    assert len(councils) == scotland.COUNCILS
    parts = scotland.partition(SHARED_DATA, councils)
    codes = [f["properties"]["dz_code"] for fs in parts.values() for f in fs]
    assert len(codes) == len(set(codes)) == scotland.DATA_ZONES
    lookup = pd.read_csv(SHARED_DATA / scotland.LOOKUP, dtype=str)
    assert set(codes) == set(lookup["DZ2011_Code"])
    council_of = dict(zip(lookup["DZ2011_Code"], lookup["LA_Code"], strict=True))
    for slug, features in parts.items():
        assert {council_of[f["properties"]["dz_code"]] for f in features} == {councils[slug].code}


@pytest.fixture(scope="session")
def small_site(tmp_path_factory) -> Path:
    """`cdash scotland` for three small councils, as the README gives it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"open data folder {SHARED_DATA} is absent")
    root = tmp_path_factory.mktemp("scotland")
    args = ["scotland", "--data-dir", str(SHARED_DATA), "--out", str(root / "site")]
    args += ["--work", str(root / "work"), "--councils", ",".join(SMALL), "-j", "2", "-q"]
    result = CliRunner().invoke(app, [*args, "--build-date", BUILD_DATE])
    assert result.exit_code == 0, result.output
    return root / "site"


def _published(site: Path, slug: str) -> pd.DataFrame:
    return pd.read_csv(site / slug / "data" / "indicator_values.csv", dtype={"area_code": str})


@pytest.mark.slow
@needs_data
def test_three_councils_and_the_portal(small_site):
    portal = (small_site / "index.html").read_text(encoding="utf-8")
    for slug in SMALL:
        assert (small_site / slug / "index.html").is_file()
        assert f'href="{slug}/index.html"' in portal
    packs = small_site.parent / "work" / "packs"
    lookup = pd.read_csv(SHARED_DATA / scotland.LOOKUP, dtype=str)
    for slug in SMALL:
        pack = pd.read_csv(packs / f"{slug}-dz2011" / "lookup.csv", dtype=str)
        code = set(pack["council_code"])
        assert len(code) == 1
        mine = lookup[lookup["LA_Code"].isin(code)]
        assert sorted(pack["datazone_code"]) == sorted(mine["DZ2011_Code"])


OGL = "Contains public sector information licensed under the Open Government Licence v3.0."


@pytest.mark.slow
@needs_data
def test_every_page_of_an_open_data_site_credits_the_ogl_and_os(small_site):
    """The footer of every page (portal included) carries the OGL and the OS notice."""
    pages = sorted(small_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        text = page.read_text(encoding="utf-8")
        footer = text[text.index('<footer class="site-footer">') :]
        assert OGL in footer, page
        assert "Contains OS data © Crown copyright and database right." in footer, page
    about = (small_site / "orkney-islands" / "about.html").read_text(encoding="utf-8")
    assert "No third-party attribution is required" not in about
    assert "DWP Stat-Xplore © Crown copyright." in about
    assert "<td>Open Government Licence v3.0</td>" in about


def _tiny_real(tmp_path: Path, attribution: str) -> Path:
    """The tiny fixture council as if it were real data (not synthetic)."""
    source = ROOT / "tests" / "fixtures" / "tiny-council"
    text = (source / "council.yaml").read_text(encoding="utf-8")
    text = text.replace("synthetic: true", "synthetic: false").replace("data_dir: data\n", "")
    text = text.replace("geography: geography", f"geography: {source / 'geography'}")
    if attribution:
        text = text.replace(
            "    source: Test fixture\n",
            f"    source: Test fixture\n    attribution: {attribution}\n",
            1,
        )
    path = tmp_path / "council.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("attribution", ["", "Contains made-up data."])
def test_real_data_without_any_attribution_is_a_warning(tmp_path, attribution):
    from generator.ingest.catalogue import load_catalogue
    from generator.ingest.validate import validate

    path = _tiny_real(tmp_path, attribution)
    v = validate(
        path,
        ROOT / "tests" / "fixtures" / "tiny-council" / "data",
        load_catalogue(ROOT / "shared_indicators"),
    )
    codes = [(p.code, p.severity) for p in v.problems if p.code == "no-attribution"]
    assert codes == ([] if attribution else [("no-attribution", "warning")])


# --- Scotland computed from the national files, checked against independent sums ----------


def _read(rel: str, **kw) -> pd.DataFrame:
    return pd.read_csv(SHARED_DATA / rel, **kw)


def _uc_november(frame: pd.DataFrame) -> pd.DataFrame:
    """The UC file's November rows, as the seed config maps them (November 2015 -> 2015/16)."""
    frame = frame[frame["period"].str.startswith("November ")].copy()
    year = frame["period"].str[-4:].astype(int)
    frame["period"] = year.astype(str) + "/" + ((year + 1) % 100).astype(str).str.zfill(2)
    return frame


def _expected_sums(by: str | None = None) -> dict[tuple[str, str], pd.Series | float]:
    """(measure, period) -> the national files' sum, over Scotland or per ``by`` column,
    computed here straight from the CSVs."""
    out: dict[tuple[str, str], pd.Series | float] = {}
    pop = _read(scotland.DATASETS[1], dtype={"dz_code": str})
    single = _read(scotland.DATASETS[2], dtype={"dz_code": str})
    single = single[single["sex"] == "All"].merge(pop[["dz_code", "la_code"]], on="dz_code")
    simd = _read(scotland.DATASETS[0], dtype={"dz_code": str})
    cilif = _read(scotland.DATASETS[3], dtype={"iz_code": str})
    uc = _uc_november(_read(scotland.DATASETS[4], dtype={"iz_code": str}))

    def total(frame: pd.DataFrame, column: str | list[str]):
        values = frame[column].sum(axis=1) if isinstance(column, list) else frame[column]
        return values.groupby(frame[by]).sum() if by else float(values.sum())

    out[("children_0_15", "2020/21")] = total(pop, "age_0_15")
    out[("total_population", "2020/21")] = total(pop, "total_population")
    out[("children_10_11", "2020/21")] = total(single, ["10", "11"])
    out[("children_5_15", "2020/21")] = total(single, [str(a) for a in range(5, 16)])
    out[("simd_income_deprived", "2020")] = total(simd, "income_deprived_count")
    for period, part in cilif.groupby("period"):
        out[("cilif_children", str(period))] = total(part, "children_relative_low_income")
    for period, part in uc.groupby("period"):
        out[("uc_households", str(period))] = total(part, "households_on_universal_credit")
    return out


@pytest.fixture(scope="session")
def orkney(small_site):
    """Stages 1-7 of the generated Orkney config, on the packs `cdash scotland` made."""
    from generator.analysis.prepare import analyse, national_totals
    from generator.ingest.catalogue import load_catalogue
    from generator.ingest.validate import validate

    work = small_site.parent / "work"
    catalogue = load_catalogue(ROOT / "shared_indicators")
    v = validate(
        work / "configs" / "orkney-islands" / "council.yaml",
        SHARED_DATA,
        catalogue,
        packs_dir=work / "packs",
    )
    return v, national_totals(v, catalogue), analyse(v, catalogue)


@pytest.mark.slow
@needs_data
def test_scotland_totals_are_the_sums_of_the_national_files(orkney):
    """Every national total the build computes equals the file's own sum, to the unit."""
    _, totals, _ = orkney
    expected = _expected_sums()
    assert expected[("children_0_15", "2020/21")] == 916_783  # NRS: Scotland, mid-2020
    assert expected[("total_population", "2020/21")] == 5_466_000
    for (measure, period), value in expected.items():
        assert totals[measure][period] == value, (measure, period)
    assert set(totals["cilif_children"]) == {p for m, p in expected if m == "cilif_children"}


@pytest.mark.slow
@needs_data
def test_scotland_values_use_the_indicators_own_method(orkney):
    """Scotland's share of children is 916,783 / 5,466,000; its CiLIF share is the CiLIF sum
    over the children's sum: both on every row of the council's published values."""
    _, _, analysis = orkney
    expected = _expected_sums()
    published = analysis.published
    for ind, num, den in (
        ("children_share_of_population", "children_0_15", "total_population"),
        ("cilif_share", "cilif_children", "children_0_15"),
    ):
        rows = published[(published["indicator"] == ind) & (published["period"] == "2020/21")]
        assert len(rows) > 0
        want = 100 * expected[(num, "2020/21")] / expected[(den, "2020/21")]
        assert rows["national"].to_numpy() == pytest.approx(want, rel=1e-12)
        shown = rows[rows["value"].notna()]
        inside = (shown["lower"] <= shown["national"]) & (shown["national"] <= shown["upper"])
        assert ((shown["national_comparison"] == "similar") == inside).all()


@pytest.mark.slow
@needs_data
def test_each_councils_published_totals_are_its_rows_of_the_national_files(small_site):
    """The council row of every count and ratio equals the national files' rows of that
    council (no data zone or intermediate zone lost or doubled)."""
    expected = _expected_sums(by="la_code")
    codes = scotland.councils_from_lookup(SHARED_DATA)
    from generator.ingest.catalogue import load_catalogue

    catalogue = load_catalogue(ROOT / "shared_indicators")
    checked = 0
    for slug in SMALL:
        rows = _published(small_site, slug)
        rows = rows[(rows["level"] == "council") & ~rows["suppressed"]]
        for r in rows.itertuples():
            ind = catalogue.indicators[r.indicator]
            parts = (
                [("value", ind.measure)]
                if ind.method == "count"
                else [
                    ("numerator", getattr(ind, "numerator", "")),
                    ("denominator", getattr(ind, "denominator", "")),
                ]
            )
            for column, measure in parts:
                key = (measure, r.period)
                if key in expected and not pd.isna(getattr(r, column)):
                    assert getattr(r, column) == expected[key][codes[slug].code], (slug, r)
                    checked += 1
    assert checked >= 3 * 10


@pytest.mark.slow
@needs_data
def test_a_wards_values_are_the_sums_of_its_data_zones(small_site):
    """Roll-up against the national lookup: every published ward value of a count (and
    every ward numerator and denominator) equals the sum over the data zones the
    statistics.gov.scot lookup puts in that ward."""
    from generator.ingest.catalogue import load_catalogue

    lookup = _read(scotland.LOOKUP, dtype=str, usecols=["DZ2011_Code", "MMWard_Code"])
    ward_of = dict(zip(lookup["DZ2011_Code"], lookup["MMWard_Code"], strict=True))
    pop = _read(scotland.DATASETS[1], dtype={"dz_code": str})
    pop["ward"] = pop["dz_code"].map(ward_of)
    single = _read(scotland.DATASETS[2], dtype={"dz_code": str})
    single = single[single["sex"] == "All"].copy()
    single["ward"] = single["dz_code"].map(ward_of)
    simd = _read(scotland.DATASETS[0], dtype={"dz_code": str})
    simd["ward"] = simd["dz_code"].map(ward_of)
    by_ward = {
        ("children_0_15", "2020/21"): pop.groupby("ward")["age_0_15"].sum(),
        ("total_population", "2020/21"): pop.groupby("ward")["total_population"].sum(),
        ("children_10_11", "2020/21"): single[["10", "11"]]
        .sum(axis=1)
        .groupby(single["ward"])
        .sum(),
        ("simd_income_deprived", "2020"): simd.groupby("ward")["income_deprived_count"].sum(),
    }
    catalogue = load_catalogue(ROOT / "shared_indicators")
    checked, wards = 0, set()
    for slug in SMALL:
        rows = _published(small_site, slug)
        rows = rows[(rows["level"] == "ward") & ~rows["suppressed"]]
        for r in rows.itertuples():
            ind = catalogue.indicators[r.indicator]
            parts = (
                [("value", getattr(ind, "measure", ""))]
                if ind.method == "count"
                else [
                    ("numerator", getattr(ind, "numerator", "")),
                    ("denominator", getattr(ind, "denominator", "")),
                ]
            )
            for column, measure in parts:
                key = (measure, r.period)
                if key in by_ward and not pd.isna(getattr(r, column)):
                    assert getattr(r, column) == by_ward[key][r.area_code], (slug, r)
                    checked += 1
                    wards.add(r.area_code)
    mine = {c.code for s, c in scotland.councils_from_lookup(SHARED_DATA).items() if s in SMALL}
    n_wards = pop.loc[pop["la_code"].isin(mine), "ward"].nunique()
    assert len(wards) == n_wards  # every ward of the three councils was compared
    assert checked >= 2 * n_wards


@pytest.mark.slow
@needs_data
def test_scotland_by_simd_quintile_is_summed_over_every_data_zone(orkney, small_site):
    """Scotland's children share in each SIMD quintile: the children of the 6,976 data zones
    of that quintile over their population, with the Wilson interval of a share."""
    from generator.analysis.intervals import wilson

    _, _, analysis = orkney
    pop = _read(scotland.DATASETS[1], dtype={"dz_code": str})
    simd = _read(scotland.DATASETS[0], dtype={"dz_code": str})[["dz_code", "simd_quintile"]]
    pop = pop.merge(simd, on="dz_code")
    assert len(pop) == scotland.DATA_ZONES
    sums = pop.groupby("simd_quintile")[["age_0_15", "total_population"]].sum()
    nation = analysis.national_groups
    rows = nation[
        (nation["indicator"] == "children_share_of_population") & (nation["grouping"] == "quintile")
    ].set_index("group")
    assert sorted(rows.index) == [1, 2, 3, 4, 5]
    assert rows["zones"].sum() == scotland.DATA_ZONES
    for q, r in sums.iterrows():
        k, n = float(r["age_0_15"]), float(r["total_population"])
        assert rows.loc[q, "value"] == pytest.approx(100 * k / n, rel=1e-12)
        lower, upper = wilson(k, n)
        assert rows.loc[q, "lower"] == pytest.approx(100 * lower, rel=1e-9)
        assert rows.loc[q, "upper"] == pytest.approx(100 * upper, rel=1e-9)
    page = small_site / "orkney-islands" / "indicators" / "children_share_of_population.html"
    text = page.read_text(encoding="utf-8")
    assert "Scotland, same quintile</th>" in text
    first = sums.iloc[0]
    assert f"{100 * first['age_0_15'] / first['total_population']:.1f}</td>" in text


# --- a data folder per council ------------------------------------------------------------


def _tiny_as(configs: Path, slug: str, file: str = "population.csv") -> Path:
    source = ROOT / "tests" / "fixtures" / "tiny-council"
    text = (source / "council.yaml").read_text(encoding="utf-8")
    text = text.replace("slug: tiny", f"slug: {slug}").replace("data_dir: data\n", "")
    text = text.replace("geography: geography", f"geography: {source / 'geography'}")
    text = text.replace("file: population.csv", f"file: {file}")
    path = configs / slug / "council.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_data_folder_per_council(tmp_path):
    """`--data-dir ROOT` with ROOT/<slug>/ per council: `build --all` reads each council's
    files from its own folder only, and a path climbing into another's is refused."""
    import shutil

    from generator.errors import ProblemsError
    from generator.site import build as site

    root, configs = tmp_path / "data", tmp_path / "configs"
    for slug, children in (("tiny-a", 150), ("tiny-b", 151)):
        shutil.copytree(ROOT / "tests" / "fixtures" / "tiny-council" / "data", root / slug)
        pop = root / slug / "population.csv"
        pop.write_text(pop.read_text().replace(",820,150", f",820,{children}"))
    paths = [_tiny_as(configs, "tiny-a"), _tiny_as(configs, "tiny-b")]
    out = tmp_path / "site"
    site.build(paths, out, data_dir=root, build_date=BUILD_DATE)
    for slug, children in (("tiny-a", 150), ("tiny-b", 151)):
        rows = _published(out, slug)
        row = rows[(rows["indicator"] == "children_0_15") & (rows["area_code"] == "X01900001")]
        row = row[row["period"] == "2023/24"]
        assert [float(v) for v in row["value"]] == [children]
    spy = _tiny_as(configs, "tiny-c", file="../tiny-a/population.csv")
    (root / "tiny-c").mkdir()
    for name in ("fsm.csv", "cilif.csv"):
        shutil.copy(root / "tiny-a" / name, root / "tiny-c" / name)
    with pytest.raises(ProblemsError) as caught:
        site.build([spy], tmp_path / "spy", data_dir=root, build_date=BUILD_DATE)
    assert "outside-data-folder" in {p.code for p in caught.value.problems}


# --- councils compared ---------------------------------------------------------------------


@needs_data
def test_family_groups_file_is_made_from_the_national_files():
    """shared_indicators/family_groups.yaml is what generator/scotland.py computes from the
    open data: 32 councils, in four families of eight for each grouping."""
    text = scotland.family_groups_yaml(SHARED_DATA)
    assert scotland.FAMILY_GROUPS.read_text(encoding="utf-8") == text
    groups = scotland.family_groups(SHARED_DATA)
    assert len(groups) == scotland.COUNCILS
    for key in ("deprivation", "rurality"):
        sizes = [sum(g[key] == n for g in groups.values()) for n in range(1, 5)]
        assert sizes == [8, 8, 8, 8]
    assert groups["S12000049"]["deprivation"] == 4  # Glasgow City: the most deprived family
    assert groups["S12000023"]["rurality"] == 4  # Orkney: the most rural


@pytest.mark.slow
@needs_data
def test_compare_pages_list_every_council_against_scotland(small_site):
    import re

    page = (small_site / "compare" / "children_share_of_population.html").read_text("utf-8")
    rows = re.findall(r'<tr class="compare-row" data-code="(S12\d{6})">', page)
    lookup = scotland.councils_from_lookup(SHARED_DATA)
    codes = {c.code for s, c in lookup.items() if s in SMALL}
    assert sorted(rows) == sorted(c.code for c in lookup.values())  # all 32, each once
    linked = re.findall(
        r'<tr class="compare-row" data-code="(S12\d{6})">[^\n]*?<th scope="row"><a ', page
    )
    assert sorted(linked) == sorted(codes)  # only the councils built here are linked
    assert "against Scotland (16.8%, 2020/21)" in page
    # Each council against Scotland by its 95% interval: Orkney's children are 15.9% of its
    # people (interval 15.5-16.4, below 16.8%), Clackmannanshire's 17.3% (17.0-17.7, above).
    words = re.findall(r"<td>((?:Higher than|Lower than|Similar to) Scotland)</td>", page)
    assert len(words) == scotland.COUNCILS
    assert re.search(
        r"Orkney Islands Council</a> <span class=\"small\">\(dashboard\)</span></th>"
        r"<td>2020/21</td><td class=\"num\">15.9%</td>"
        r"<td class=\"num\">15.5–16.4</td>"
        r"<td class=\"interval-cell\"><svg [^<]*>(?:<[^>]+>)*</svg></td>"
        r"<td>Lower than Scotland</td>",
        page,
    )
    index = (small_site / "compare" / "index.html").read_text("utf-8")
    listed = re.findall(r"<tr><th scope=\"row\">(?:<a [^>]+>)?([^<]+)<", index)
    assert len(listed) >= scotland.COUNCILS  # the family table names all 32 councils
    overview = (small_site / "orkney-islands" / "index.html").read_text("utf-8")
    assert (
        "Rurality family 4" in overview
        and 'href="../compare/index.html#orkney-islands"' in overview
    )
    assert 'id="orkney-islands"' in index
    assert f"({scotland.COUNCILS} councils)" in index  # each page's count: all 32


@pytest.mark.slow
@needs_data
def test_a_record_level_extract_never_enters_other_councils_rows(orkney):
    """Other councils' and Scotland's rows come from national aggregate files only: the same
    dataset read as a record-level extract adds no national rows, read as it is it does."""
    import dataclasses

    from generator.ingest.catalogue import load_catalogue
    from generator.ingest.checks import check_datasets

    v = orkney[0]
    catalogue = load_catalogue(ROOT / "shared_indicators")
    ds = next(d for d in v.datasets if d.spec.id == "population")
    fresh = [dataclasses.replace(d, table=d.table.copy()) for d in v.datasets]
    as_is = check_datasets(fresh, v.pack, catalogue, "council.yaml").national
    assert (as_is["measure"] == "children_0_15").sum() == 6976  # every data zone of Scotland
    private = dataclasses.replace(ds, spec=ds.spec.model_copy(update={"record_level": True}))
    others = [dataclasses.replace(d, table=d.table.copy()) for d in v.datasets if d is not ds]
    national = check_datasets([*others, private], v.pack, catalogue, "council.yaml").national
    assert not (national["measure"] == "children_0_15").any()
    assert (national["measure"] == "cilif_children").any()


def _wilson(k: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The 95% Wilson score interval, written out here (not the product's intervals.py)."""
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.slow
@needs_data
def test_every_councils_compare_row_is_its_sum_of_the_national_files(small_site):
    """Each of the 32 rows of a compare page: the council's children as a share of its people,
    summed here from the population file, with a Wilson interval computed here; the built
    councils show their own published value, which is the same."""
    import re

    page = (small_site / "compare" / "children_share_of_population.html").read_text("utf-8")
    shown = {
        code: (value, ci)
        for code, value, ci in re.findall(
            r'data-code="(S12\d{6})">.*?<td class="num">([\d.]+)%</td>'
            r'<td class="num">([\d.]+–[\d.]+)</td>',
            page,
        )
    }
    pop = _read(scotland.DATASETS[1], dtype={"dz_code": str})
    sums = pop.groupby("la_code")[["age_0_15", "total_population"]].sum()
    low, high = _wilson(sums["age_0_15"], sums["total_population"])
    expected = {
        code: (
            f"{100 * k / n:.1f}",
            f"{100 * lo:.1f}–{100 * hi:.1f}",
        )
        for code, k, n, lo, hi in zip(
            sums.index, sums["age_0_15"], sums["total_population"], low, high, strict=True
        )
    }
    assert len(expected) == scotland.COUNCILS
    assert shown == expected
    for slug in SMALL:  # a built council's own published value agrees with the national row
        entry = json.loads((small_site / slug / "assets" / "build.json").read_text("utf-8"))
        own = next(i for i in entry["portal"]["compare"] if i["id"] == "cilif_share")
        national = entry["portal"]["scotland"]["cilif_share"]["councils"][entry["portal"]["code"]]
        assert own["value_text"] == national["value_text"]
        assert own["ci_text"] == national["ci_text"]


# --- in Chromium -----------------------------------------------------------------------------


def _values_in_profile_table(page) -> int:
    """Rows of a profile's indicator table whose value is a number (not withheld, not none)."""
    cells = page.locator("section[aria-labelledby=profile-title] tbody tr td:nth-child(4)")
    texts = [cells.nth(i).inner_text().strip() for i in range(cells.count())]
    return sum(1 for t in texts if t and t not in ("[c]", "no data"))


@pytest.mark.slow
@pytest.mark.browser
@needs_data
def test_spine_chart_draws_one_marker_per_indicator_with_a_value(page, small_site):
    """An intermediate zone of Clackmannanshire: one circle per indicator with a value, the
    Scotland line where Scotland has a value, and a trend line for CiLIF's eight years."""
    profiles = sorted(
        (small_site / "clackmannanshire" / "areas" / "intermediate_zone").glob("*.html")
    )
    page.goto(profiles[0].as_uri())
    markers = page.locator("svg.spine circle.spine-marker")
    with_value = _values_in_profile_table(page)
    assert with_value >= 5
    assert markers.count() == with_value
    for i in range(markers.count()):
        box = markers.nth(i).bounding_box()
        assert box is not None and box["width"] > 0
    assert page.locator("svg.spine line.spine-national").count() >= 2  # the two shares
    assert page.locator("svg.trend polyline").count() >= 1
    label = page.locator("svg.trend").first.get_attribute("aria-label") or ""
    assert "2014/15" in label and "2021/22" in label


@pytest.mark.browser
def test_spine_chart_on_the_demo_profiles(page, demo_site):
    """The demo's ward profiles too: a marker for every indicator with a value."""
    profiles = sorted((demo_site / "demo" / "areas" / "ward").glob("*.html"))
    for profile in profiles[:2]:
        page.goto(profile.as_uri())
        assert page.locator("svg.spine circle.spine-marker").count() == _values_in_profile_table(
            page
        )


@pytest.mark.slow
@pytest.mark.browser
@needs_data
def test_compare_page_lists_every_council_in_chromium(page, small_site):
    """The three-council build's compare page lists all 32 councils of Scotland, each with
    one interval marker and one Scotland line, and links exactly the three built here."""
    page.goto((small_site / "compare" / "cilif_share.html").as_uri())
    rows = page.locator("tr.compare-row")
    assert rows.count() == scotland.COUNCILS
    per_row = rows.evaluate_all(
        """rows => rows.map(r => [
            r.querySelectorAll('svg.interval circle.interval-marker').length,
            r.querySelectorAll('svg.interval line.interval-national').length,
            r.querySelector('svg.interval circle.interval-marker').getBoundingClientRect().width,
        ])"""
    )
    assert len(per_row) == scotland.COUNCILS
    assert all(markers == 1 and lines == 1 and width > 0 for markers, lines, width in per_row)
    links = page.locator("tr.compare-row th a")
    names = [links.nth(i).inner_text() for i in range(links.count())]
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert sorted(h.split("/")[1] for h in hrefs) == sorted(SMALL)
    assert sorted(names) == [
        "Clackmannanshire Council",
        "Orkney Islands Council",
        "Shetland Islands Council",
    ]
    page.goto((small_site / "compare" / "index.html").as_uri())
    family = page.locator("section[aria-labelledby=families-title] tbody tr")
    assert family.count() == scotland.COUNCILS


@pytest.mark.browser
@pytest.mark.skipif(
    not os.environ.get("CDASH_SCOTLAND_SITE"),
    reason="set CDASH_SCOTLAND_SITE to a site `cdash scotland` built for all 32 councils",
)
def test_full_scotland_compare_pages_list_32_councils(page):
    """On a full build (too slow for the suite: run `cdash scotland --data-dir ../shared/data
    --out site` and point CDASH_SCOTLAND_SITE at it): every compare page lists 32 councils."""
    site = Path(os.environ["CDASH_SCOTLAND_SITE"])
    pages = sorted(p for p in (site / "compare").glob("*.html") if p.name != "index.html")
    assert pages
    for path in pages:
        page.goto(path.as_uri())
        assert page.locator("tr.compare-row").count() == scotland.COUNCILS, path.name


# --- the README's commands work as written from the repository root -----------------------


@needs_data
def test_readme_geography_import_works_from_the_repository_root(tmp_path):
    """The README's `cdash geography import` example, run from the repository root as
    written (only --out redirected to a temporary folder), makes a pack with the OS notice."""
    import re
    import shlex
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```sh\n(.*?)```", readme, re.S) if "geography import" in b)
    command = block.split("\ncdash build")[0].replace("\\\n", " ")
    args = shlex.split(command)
    assert args[:3] == ["cdash", "geography", "import"]
    if ROOT.parent / "shared" / "data" != SHARED_DATA:
        args = [a.replace("../shared/data", str(SHARED_DATA)) for a in args]
    out = args.index("--out") + 1
    args[out] = str(tmp_path / args[out])
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    pack = (tmp_path / "packs" / "west-lothian-dz2011" / "pack.yaml").read_text(encoding="utf-8")
    assert "Contains OS data © Crown copyright and database right." in pack


@pytest.mark.slow
@needs_data
def test_overview_places_the_council_in_its_family_from_the_national_files(orkney, small_site):
    """Every council's CiLIF share, computed from the national files for the family ranking,
    is what its own build publishes (the three built here); and Orkney's place among its
    deprivation family is the place an independent sum of the CSVs gives."""
    import re

    _, _, analysis = orkney
    values = analysis.council_values
    sums = _expected_sums(by="la_code")
    share = 100 * sums[("cilif_children", "2020/21")] / sums[("children_0_15", "2020/21")]
    mine = values[(values["indicator"] == "cilif_share") & (values["period"] == "2020/21")]
    assert len(mine) == scotland.COUNCILS
    for r in mine.itertuples():
        assert r.value == pytest.approx(share[r.council], rel=1e-12)
    for slug in SMALL:
        rows = _published(small_site, slug)
        council = rows[(rows["level"] == "council") & (rows["indicator"] == "cilif_share")]
        council = council[council["period"] == "2020/21"]
        code = scotland.councils_from_lookup(SHARED_DATA)[slug].code
        assert float(council["value"].iloc[0]) == pytest.approx(share[code], abs=0.0005)
    groups = scotland.family_groups(SHARED_DATA)
    family = [
        c for c, g in groups.items() if g["deprivation"] == groups["S12000023"]["deprivation"]
    ]
    order = sorted(family, key=lambda c: (-share[c], c))
    place = order.index("S12000023") + 1
    overview = (small_site / "orkney-islands" / "index.html").read_text("utf-8")
    section = overview[overview.index('id="family"') : overview.index("Rurality family")]
    assert re.search(
        rf"Children in low income families</a>, 2020/21: [\d.]+%, "
        rf"{place}\w\w highest of {len(family)}",
        section,
    )


def test_scotland_command_says_what_is_missing(tmp_path):
    """Without the national files: exit 1, naming each missing file and where to read more;
    nothing written."""
    result = CliRunner().invoke(
        app, ["scotland", "--data-dir", str(tmp_path), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 1
    assert scotland.BOUNDARIES in result.output and "docs/onboarding.md" in result.output
    assert not (tmp_path / "site").exists()


@needs_data
def test_scotland_command_refuses_an_unknown_council(tmp_path):
    args = ["scotland", "--data-dir", str(SHARED_DATA), "--out", str(tmp_path / "site")]
    result = CliRunner().invoke(app, [*args, "--councils", "atlantis", "--work", str(tmp_path)])
    assert result.exit_code == 2
    assert "'atlantis' is no council" in result.output and "orkney-islands" in result.output


@pytest.mark.slow
@needs_data
def test_typed_national_totals_add_measures_the_national_files_lack(orkney):
    """`national: {computed: true, measures: ...}`: a council's own extract (FSM here) still
    compares with Scotland through a typed total; the computed totals stay as summed."""
    import dataclasses

    from generator.analysis.prepare import national_totals
    from generator.ingest.catalogue import load_catalogue

    v, computed, _ = orkney
    cfg = v.read.config
    typed = {"fsm_registered_p6_p7": {"2024/25": 24900.0}}
    national = cfg.national.model_copy(update={"measures": typed})
    read = dataclasses.replace(v.read, config=cfg.model_copy(update={"national": national}))
    totals = national_totals(
        dataclasses.replace(v, read=read), load_catalogue(ROOT / "shared_indicators")
    )
    assert totals["fsm_registered_p6_p7"] == {"2024/25": 24900.0}
    assert {m: p for m, p in totals.items() if m != "fsm_registered_p6_p7"} == computed
