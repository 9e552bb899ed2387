"""Fixture council A (tests/fixtures/wl-unmet-need): unmet need on West Lothian's real
2011 data zones, with need (CiLIF) published by intermediate zone only and ending before
the receipts, and starred free school meal cells. The answers are in answers.json.

The extracts are made by the fixture's seeded make.py into a temporary folder, once per
module; the pack is imported from the official boundaries and lookup. Skipped when the
open data folder is absent."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import ROOT, SHARED_DATA, make_fixture_council

pytest.importorskip("shapely")
pytest.importorskip("pyogrio")

from generator.analysis.prepare import Analysis, analyse  # noqa: E402
from generator.ingest.catalogue import UptakeIndicator, load_catalogue  # noqa: E402
from generator.ingest.validate import validate  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "wl-unmet-need"
ANSWERS = json.loads((FIXTURE / "answers.json").read_text(encoding="utf-8"))
PACK = "west-lothian-dz2011"
PLANTED = set(ANSWERS["planted"])


@pytest.fixture(scope="module")
def analysis(tmp_path_factory) -> Analysis:
    """The fixture council through stages 1-7 (no rendering)."""
    data, packs = make_fixture_council(
        tmp_path_factory,
        "wl-unmet-need",
        SHARED_DATA / "boundaries" / "dz2011_west_lothian.geojson",
        SHARED_DATA / "lookups" / "DataZone2011lookup_2022-05-05.csv",
        PACK,
    )
    v = validate(FIXTURE / "council.yaml", data, load_catalogue(), packs_dir=packs)
    assert v.errors == [], v.errors[:5]
    a = analyse(v, load_catalogue())
    object.__setattr__(a, "_validation", v)  # for the rendering test below
    return a


def _latest_dz(a: Analysis):
    p = a.published
    up = p[p["indicator"].str.endswith("_uptake") & (p["level"] == "datazone")]
    return up[up["period"] == up.groupby("indicator")["period"].transform("max")]


def test_planted_zones_are_priorities_and_few_others_are_flagged(analysis):
    """Must hold: at least 5 of the 6 planted data zones on the priority list, and no more
    than 8 other data zones flagged below expected on any indicator."""
    listed = {a.code for a in analysis.priority["datazone"]}
    latest = _latest_dz(analysis)
    flagged = set(latest.loc[latest["status"] == "below", "area_code"])
    assert len(PLANTED & listed) >= 5, sorted(PLANTED - listed)
    assert len(flagged - PLANTED) <= 8, sorted(flagged - PLANTED)
    # and the list is judged over the three pooled periods, on the council's own rate
    assert set(latest["pool_from"]) - {""} == {ANSWERS["pooled_periods"][0]}
    assert all(
        "council's own rate" in r.text for a in analysis.priority["datazone"] for r in a.reasons
    )


def test_no_starred_cell_is_published_as_zero_or_flagged(analysis):
    """Every cell the source starred has no published observed count (never 0), carries
    its bounds 1 to 4, and is never flagged."""
    cat = analysis.catalogue
    by_receipt = {
        i.receipt: i.id for i in cat.indicators.values() if isinstance(i, UptakeIndicator)
    }
    p = analysis.published
    dz = p[p["level"] == "datazone"].set_index(["indicator", "area_code", "period"])
    checked = 0
    for measure, cells in ANSWERS["starred"].items():
        ind = by_receipt.get(measure)
        if ind is None:
            continue
        for code, period, _true in cells:
            key = (ind, code, period)
            if key not in dz.index:
                continue
            row = dz.loc[key]
            assert row["numerator"] != 0, key
            assert np.isnan(row["numerator"]), key
            if not row["suppressed"]:
                assert (row["numerator_low"], row["numerator_high"]) == (1.0, 4.0), key
            assert row["status"] not in ("below", "above"), key
            checked += 1
    assert checked > 500  # over half of P6-P7 cells and a third of secondary are starred


def test_need_is_apportioned_exactly_and_carried_forward_with_a_label(analysis):
    """Data-zone need sums to the published CiLIF of each intermediate zone; 2022/23 and
    2023/24 use 2021/22 (the last published) and say so."""
    m = analysis.measures
    need = m[(m["measure"] == "need__scg_uptake") & (m["period"] == "2023/24")]
    cilif = m[(m["measure"] == "cilif_children") & (m["period"] == "2021/22")]
    iz = need[need["level"] == "intermediate_zone"].set_index("area_code")["value"]
    want = cilif[cilif["level"] == "intermediate_zone"].set_index("area_code")["value"]
    assert len(iz) == 37
    assert np.allclose(iz.sort_index(), want.reindex(iz.index).sort_index())
    notes = analysis.need_notes["scg_uptake"]
    assert "2021/22 Children in low income families, the latest published" in notes["2023/24"]
    assert "the latest published" not in notes["2021/22"]


def test_pages_label_carried_forward_need_and_never_show_a_star_as_zero(analysis):
    """The unmet-need page and the CSV: the need note on the page, starred cells as
    "1 to 4" ranges, and no starred cell's observed count written as 0."""
    from generator.site.build import council_site
    from generator.site.downloads import unmet_csv
    from generator.site.render import render_council
    from tests.conftest import BUILD_DATE

    site = council_site(analysis._validation, analysis, BUILD_DATE, {})
    files = render_council(site)
    page = files["wl-unmet-need/unmet-need.html"].decode("utf-8")
    assert "2021/22 Children in low income families, the latest published" in page
    assert "99.8%" in page and 'href="methods.html"' in page
    assert "wl-unmet-need/methods.html" in files
    assert ">1 to 4<" in page
    ids = [i.id for i in site.indicators if i.method == "uptake"]
    rows = unmet_csv(site.values, ids).decode("utf-8").splitlines()
    header = rows[0].split(",")
    col = {c: n for n, c in enumerate(header)}
    receipt = {
        "fsm_p6_p7_uptake": "fsm_registered_p6_p7",
        "fsm_secondary_uptake": "fsm_registered_secondary",
    }
    starred = {
        (ind, code, period)
        for ind, measure in receipt.items()
        for code, period, _ in ANSWERS["starred"][measure]
    }
    seen = 0
    for line in rows[1:]:
        f = line.split(",")
        if f[col["level"]] != "datazone" or not f[col["indicator"]].startswith("fsm_"):
            continue
        key = (f[col["indicator"]], f[col["area_code"]], f[col["period"]])
        if key in starred and f[col["suppressed"]] == "false":
            measure_ok = f[col["observed"]] == "" and f[col["observed_low"]] == "1"
            seen += measure_ok
            assert f[col["observed"]] != "0", line
    assert seen > 100
