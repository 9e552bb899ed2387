"""Fixture council B (tests/fixtures/sl-real-extracts): seven extracts as South Lanarkshire
would hand them over build from council.yaml alone, and their totals are answers.json's.

The extracts are made by the fixture's seeded make.py into a temporary folder, once per
session; the pack is imported from the council's own rows of the official lookup. Skipped
when the open data folder is absent."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest

from tests.conftest import BUILD_DATE, ROOT, SHARED_DATA, make_fixture_council

pytest.importorskip("shapely")
pytest.importorskip("pyogrio")

from generator.ingest.catalogue import load_catalogue  # noqa: E402
from generator.ingest.validate import Validation, validate  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "sl-real-extracts"
ANSWERS = json.loads((FIXTURE / "answers.json").read_text(encoding="utf-8"))
PACK = "south-lanarkshire-dz2011"
#: answers.json's dataset keys that differ from the config's dataset ids.
IDS = {"scp": "scottish_child_payment", "cilif_national": "cilif"}


@pytest.fixture(scope="session")
def extracts(tmp_path_factory) -> tuple[Path, Path]:
    """(data folder, packs folder): make.py's extracts beside the linked open data, and the
    pack imported from the council-only lookup."""
    return make_fixture_council(
        tmp_path_factory,
        "sl-real-extracts",
        SHARED_DATA / "boundaries" / "dz2011_south_lanarkshire.geojson",
        "pack-inputs/DataZone2011lookup_S12000029.csv",
        PACK,
    )


@pytest.fixture(scope="session")
def validated(extracts) -> Validation:
    data, packs = extracts
    return validate(FIXTURE / "council.yaml", data, load_catalogue(), packs_dir=packs)


@pytest.fixture(scope="session")
def totals(validated) -> dict[tuple[str, str, str, str], tuple[float, float, float]]:
    """(measure, level, code, period) -> (value, low, high) after roll-up, before
    disclosure control."""
    v = validated
    assert v.pack is not None and v.checked is not None
    table = v.checked.table
    additive = {m.id for m in load_catalogue().measures.values() if m.additive}
    rolled = v.pack.rollup(table.drop(columns=["dataset", "row"]), additive)
    out = {}
    for r in rolled.itertuples(index=False):
        value = float(r.value)
        low = value if "low" not in rolled or math.isnan(r.low) else float(r.low)
        high = value if "high" not in rolled or math.isnan(r.high) else float(r.high)
        out[(r.measure, r.level, r.area_code, r.period)] = (value, low, high)
    return out


def _expected(dataset: str) -> list[tuple[str, str, str, str, object]]:
    """(measure, level, code, period, answer) for every total answers.json gives."""
    entry = ANSWERS["datasets"][dataset]
    by_measure = (
        entry["totals"]
        if "measures" in entry
        else {entry["measure"]: entry["totals"].get("last", entry["totals"])}
    )
    return [
        (measure, level, code, period, answer)
        for measure, levels in by_measure.items()
        for level, areas in levels.items()
        for code, periods in areas.items()
        for period, answer in periods.items()
    ]


def test_builds_from_config_alone_with_only_the_expected_warnings(validated):
    """No errors; the warnings are the fixture's planted problems and nothing else: the
    missing November, the nine unmatched postcodes, the four duplicate households."""
    assert validated.errors == []
    found = sorted({(p.code, p.file.split("/")[-1]) for p in validated.problems})
    assert found == [
        ("duplicate-household", "ctr_household_extract.csv"),
        ("incomplete-period", "council.yaml"),
        ("unmatched-postcode", "ctr_household_extract.csv"),
    ]
    incomplete = [p for p in validated.problems if p.code == "incomplete-period"]
    assert len(incomplete) == 1 and "2022/23" in incomplete[0].message
    assert "2022-11" in incomplete[0].message
    unmatched = [p for p in validated.problems if p.code == "unmatched-postcode"]
    expected = ANSWERS["datasets"]["ctr_households"]["postcodes_unmatched"]["rows"]
    assert unmatched[0].message.startswith(f"{expected} row(s)")
    duplicates = [p for p in validated.problems if p.code == "duplicate-household"]
    assert len(duplicates) == ANSWERS["datasets"]["ctr_households"]["duplicate_rows"]["rows"]


@pytest.mark.parametrize("dataset", sorted(ANSWERS["datasets"]))
def test_totals_match_the_answers(totals, dataset):
    """Every total answers.json gives, at every level: exact, or for totals with withheld
    cells, exactly the bounds [known + 1 x censored, known + 4 x censored]."""
    wrong = []
    expected = _expected(dataset)
    assert expected
    for measure, level, code, period, answer in expected:
        got = totals.get((measure, level, code, period))
        if isinstance(answer, list):
            ok = got is not None and (got[1], got[2]) == (answer[0], answer[1])
        else:
            ok = got is not None and got[0] == pytest.approx(answer, abs=1e-9)
        if not ok:
            wrong.append((measure, level, code, period, answer, got))
    assert wrong[:5] == [], f"{len(wrong)} of {len(expected)} totals differ"


@pytest.mark.parametrize("dataset", ["school_meals", "scp"])
def test_true_totals_lie_within_the_bounds(totals, dataset):
    """Starred cells: the council's true total lies within the bounds the build carries."""
    entry = ANSWERS["datasets"][dataset]
    true = entry["true_council_totals"]
    by_measure = true if "measures" in entry else {entry["measure"]: true}
    for measure, areas in by_measure.items():
        for code, periods in areas.items():
            for period, value in periods.items():
                _, low, high = totals[(measure, "council", code, period)]
                assert low <= value <= high


def test_not_known_rows_are_counted_as_unplaced_not_warned(validated):
    """The foodbank's 'Not known' rows (aliased to null) are counted per period on the
    dataset, with no warning, and are not in any area's total."""
    foodbank = next(ds for ds in validated.datasets if ds.spec.id == "foodbank_referrals")
    unplaced = ANSWERS["datasets"]["foodbank_referrals"]["unplaced"]
    assert [u["by_period"] for u in foodbank.unplaced] == [unplaced["rows"]]


def test_national_file_leaves_other_councils_out_quietly(validated):
    """CiLIF for all Scotland against a pack that knows only this council: the other
    councils' 9,576 rows are left out with no problem, and the 656 rows placed."""
    cilif = ANSWERS["datasets"]["cilif_national"]
    kept = validated.checked.table
    assert (kept["dataset"] == "cilif").sum() == cilif["rows_placed"]
    assert not [p for p in validated.problems if "cilif" in p.file]


def test_no_message_prints_a_postcode(validated, extracts):
    """No problem message holds a postcode from the extract, in any of its spellings."""
    data, _ = extracts
    import pandas as pd

    frame = pd.read_csv(
        data / ANSWERS["datasets"]["ctr_households"]["file"], dtype=str, encoding="cp1252"
    )
    squashed = {p.replace(" ", "").upper() for p in frame["Postcode"]}
    for p in validated.problems:
        text = p.message.replace(" ", "").upper()
        assert not any(pc in text for pc in squashed), p.message


@pytest.mark.slow
def test_the_site_builds(extracts, tmp_path):
    """The whole build goes through from the config alone."""
    from generator.site import build as site

    data, packs = extracts
    out = tmp_path / "site"
    site.build(
        [FIXTURE / "council.yaml"], out, data_dir=data, packs_dir=packs, build_date=BUILD_DATE
    )
    assert (out / "sl-real-extracts" / "index.html").is_file()
    # The quality page says what the build did: the unplaced and other councils' rows, and
    # as available only the indicators that have a page.
    quality = (out / "sl-real-extracts" / "quality.html").read_text(encoding="utf-8")
    assert "9 placed in no area on purpose" in quality
    assert "9,576 in other councils" in html.unescape(quality)
    assert "4 repeating a household already counted" in quality
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>[^<]*</td><td>Available</td>", quality)
    assert rows and all(r.startswith("<a href=") for r in rows)
    built = {p.stem for p in (out / "sl-real-extracts" / "indicators").glob("*.html")}
    linked = {re.search(r"indicators/(\w+)\.html", r).group(1) for r in rows}
    assert linked == built
