"""``cdash scotland``: every council from the national open data (issue 16).

The seed configs are checked against the generated ones without the open data. The rest
runs the command as documented for three small councils (Orkney, Shetland,
Clackmannanshire) on ../shared/data, and checks the published figures against independent
sums of the national files; it is skipped when that folder is absent.
"""

from __future__ import annotations

import json
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
        assert {council_of[f["properties"]["dz_code"]] for f in features} == {
            councils[slug].code
        }


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
