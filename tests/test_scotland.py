"""``cdash scotland``: every council from the national open data (issue 16).

The seed configs are checked against the generated ones without the open data. The rest
runs the command as documented for three small councils (Orkney, Shetland,
Clackmannanshire) on ../shared/data, and checks the published figures against independent
sums of the national files; it is skipped when that folder is absent.
"""

from __future__ import annotations

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


@pytest.fixture(scope="module")
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
