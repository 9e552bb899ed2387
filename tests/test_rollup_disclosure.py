"""Roll-up through the lookup, and disclosure control on the rolled-up counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.analysis import suppression
from generator.ingest.catalogue import load_catalogue
from generator.ingest.geography import load_pack
from generator.site.build import validate
from tests.conftest import TINY_CONFIG


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def tiny(catalogue):
    v = validate(TINY_CONFIG, None, catalogue)
    additive = {m for m, spec in catalogue.measures.items() if spec.additive}
    return v, v.pack.rollup(v.checked.table.drop(columns=["row"]), additive)


def test_ward_and_council_totals_are_sums_of_data_zones(tiny):
    """Every ward and council value equals the sum of its data zones, for every measure."""
    v, rolled = tiny
    lookup = v.pack.lookup
    base = rolled[rolled["level"] == "datazone"].merge(
        lookup, left_on="area_code", right_on="datazone_code"
    )
    for level in ("ward", "council"):
        expected = (
            base.groupby([f"{level}_code", "period", "measure"])["value"]
            .sum()
            .rename("expected")
            .reset_index()
        )
        got = rolled[rolled["level"] == level].merge(
            expected,
            left_on=["area_code", "period", "measure"],
            right_on=[f"{level}_code", "period", "measure"],
            validate="one_to_one",
        )
        assert len(got) == len(expected) > 0
        assert np.allclose(got["value"], got["expected"])
    children = rolled[(rolled["measure"] == "children_0_15") & (rolled["period"] == "2024/25")]
    by_level = dict(zip(children["area_code"], children["value"], strict=True))
    assert by_level["X13900001"] == 150 + 140 + 100  # Tinyton 01, 02, 04
    assert by_level["X12900001"] == 150 + 140 + 170 + 100 + 210 + 120


def _cells(pack_lookup: pd.DataFrame, values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for level in ("datazone", "ward", "council"):
        sums = (
            pack_lookup.assign(v=pack_lookup["datazone_code"].map(values))
            .groupby(f"{level}_code")["v"]
            .sum()
        )
        rows += [
            {
                "level": level,
                "area_code": code,
                "period": "2024/25",
                "measure": "fsm_registered_p6_p7",
                "value": float(v),
            }
            for code, v in sums.items()
        ]
    return pd.DataFrame(rows)


def test_small_count_and_a_sibling_are_suppressed(catalogue, tiny):
    """A count of 3 is suppressed, and so is its smallest sibling, so the ward total minus
    the published zones does not give it away."""
    v, _ = tiny
    cells = _cells(
        v.pack.lookup,
        {
            "X01900001": 7,
            "X01900002": 5,
            "X01900003": 3,
            "X01900004": 6,
            "X01900005": 13,
            "X01900006": 8,
        },
    )
    out = suppression.suppress_measures(cells, v.pack, catalogue, {"fsm_registered_p6_p7": 5})
    hidden = dict(zip(out["area_code"], out["note"], strict=True))
    assert hidden["X01900003"] == "primary"
    assert hidden["X01900006"] == "secondary"  # smallest published sibling in Tinyton East
    assert [c for c, n in hidden.items() if n] == ["X01900003", "X01900006"]


def test_hidden_ward_protected_at_council_level(catalogue, tiny):
    """A ward under the threshold is hidden; its sibling ward goes too, so the council total
    does not give it away, and a zone inside it goes so the zones do not add up to it."""
    v, _ = tiny
    cells = _cells(
        v.pack.lookup,
        {
            "X01900001": 1,
            "X01900002": 0,
            "X01900003": 9,
            "X01900004": 2,
            "X01900005": 13,
            "X01900006": 8,
        },
    )
    out = suppression.suppress_measures(cells, v.pack, catalogue, {"fsm_registered_p6_p7": 5})
    hidden = {c for c, n in zip(out["area_code"], out["note"], strict=True) if n}
    assert {"X01900001", "X01900004", "X13900001", "X13900002"} <= hidden
    assert "X12900001" not in hidden
    east = {"X01900003", "X01900005", "X01900006"}
    assert len(east & hidden) >= 1  # the east ward is hidden, so its zones cannot sum to it


def test_published_values_carry_no_numbers_when_suppressed(tiny_site):
    """In the CSV download, every suppressed row reads [c] and carries no number."""
    csv = pd.read_csv(
        tiny_site / "tiny" / "data" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    hidden = csv[csv["suppressed"].str.lower() == "true"]
    assert len(hidden) > 0
    for col in ("numerator", "value", "lower", "upper"):
        assert set(hidden[col]) <= {"[c]", ""}
    fsm = csv[
        (csv["area_code"] == "X01900003")
        & (csv["period"] == "2024/25")
        & (csv["indicator"].str.startswith("fsm"))
    ]
    assert len(fsm) > 0 and set(fsm["suppressed"].str.lower()) == {"true"}


def test_pack_lookup_codes_match_boundaries():
    """The fixture pack's shapes and lookup agree."""
    pack = load_pack(TINY_CONFIG.parent / "geography")
    shapes = {f["id"] for f in pack.boundaries("datazone")["features"]}
    assert shapes == set(pack.areas("datazone")["code"])


def test_hidden_cells_must_not_add_up_to_a_small_count(catalogue, tiny):
    """Two hidden zones of 2 and 1 in a published ward would reveal that 3 people are
    counted between them, so a third zone is hidden too."""
    v, _ = tiny
    cells = _cells(
        v.pack.lookup,
        {
            "X01900001": 2,
            "X01900002": 1,
            "X01900003": 9,
            "X01900004": 9,
            "X01900005": 13,
            "X01900006": 8,
        },
    )
    out = suppression.suppress_measures(cells, v.pack, catalogue, {"fsm_registered_p6_p7": 5})
    notes = dict(zip(out["area_code"], out["note"], strict=True))
    assert notes["X01900001"] == notes["X01900002"] == "primary"
    assert notes["X01900004"] == "secondary"  # the west ward's only other zone
    west = out[
        (out["level"] == "datazone")
        & out["area_code"].isin(["X01900001", "X01900002", "X01900004"])
    ]
    assert not notes["X13900001"] and west["value"][west["suppressed"]].sum() >= 5


def test_rounding_to_nearest_five(tmp_path):
    """With `rounding: nearest_5`, every published count in the download is a multiple of 5
    and counts lose their intervals."""
    from generator.site import build as site

    text = TINY_CONFIG.read_text().replace("threshold: 5", "threshold: 5\n  rounding: nearest_5")
    text = text.replace("geography: geography", f"geography: {TINY_CONFIG.parent / 'geography'}")
    text = text.replace("data_dir: data", f"data_dir: {TINY_CONFIG.parent / 'data'}")
    config = tmp_path / "council.yaml"
    config.write_text(text)
    out = tmp_path / "site"
    site.build([config], out, build_date="2025-06-30")
    csv = pd.read_csv(
        out / "tiny" / "data" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    shown = csv[csv["suppressed"].str.lower() == "false"]
    people = shown[~shown["indicator"].str.contains("uptake")]
    for col in ("numerator",):
        numbers = people[col][people[col] != ""].astype(float)
        assert len(numbers) > 0 and (numbers % 5 == 0).all()
    counts = shown[shown["indicator"] == "children_0_15"]
    assert (counts["value"].astype(float) % 5 == 0).all()
    assert set(counts["lower"]) <= {""}
