"""Nothing computed from a withheld count is published: comparators, comparisons, rounded
values and the tripwire that checks them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from generator.analysis import disclosure
from generator.errors import LeakError
from generator.site import tripwire
from tests.conftest import BUILD_DATE, TINY_CONFIG


def tiny_copy(folder: Path, *, cilif: dict[str, int] | None = None, rounding: bool = False) -> Path:
    """The tiny council copied to ``folder``, optionally with new CILIF counts by zone and
    rounding to 5."""
    shutil.copytree(TINY_CONFIG.parent, folder)
    if cilif is not None:
        lines = (folder / "data" / "cilif.csv").read_bytes().split(b"\n")
        body = [f"{code},{n}".encode() for code, n in cilif.items()]
        (folder / "data" / "cilif.csv").write_bytes(b"\n".join([lines[0], *body]) + b"\n")
    if rounding:
        config = folder / "council.yaml"
        text = config.read_text().replace("threshold: 5", "threshold: 5\n  rounding: nearest_5")
        config.write_text(text)
    return folder / "council.yaml"


def build_csv(config: Path, out: Path) -> pd.DataFrame:
    from generator.site import build as site

    site.build([config], out, build_date=BUILD_DATE)
    return pd.read_csv(
        out / "tiny" / "data" / "indicator_values.csv", dtype=str, keep_default_na=False
    )


#: Three children in one zone and none elsewhere: the council count (3) is withheld.
HOLE_1 = {f"X0190000{n}": (3 if n == 3 else 0) for n in range(1, 7)}


def test_withheld_council_count_is_not_republished_as_comparator(tmp_path):
    """Hole 1: with the council row [c], the other rows used to carry the council rate as
    comparator, and comparator x the published council denominator gave the withheld count
    (3). Now no row of that indicator and period has a comparator or a comparison."""
    csv = build_csv(tiny_copy(tmp_path / "c", cilif=HOLE_1), tmp_path / "site")
    rows = csv[csv["indicator"] == "cilif_share"]
    council = rows[rows["level"] == "council"]
    assert (council["suppressed"] == "true").all()
    published = rows[rows["suppressed"] == "false"]
    assert len(published) > 0  # the zones with 0 are still shown
    assert set(published["comparator"]) == {""}
    assert set(published["comparison"]) == {""}
    # The attack itself: nothing in the CSV multiplies back to the withheld 3.
    children = csv[(csv["indicator"] == "children_0_15") & (csv["level"] == "council")]
    for period in set(published["period"]):
        n = float(children[children["period"] == period]["value"].iloc[0])
        for c in published[published["period"] == period]["comparator"]:
            assert c == "" or round(float(c) * n / 100) != 3


def test_comparators_stay_when_the_council_is_published(tmp_path):
    """The other direction: with a published council row, zone rows carry its value."""
    csv = build_csv(tiny_copy(tmp_path / "c"), tmp_path / "site")
    rows = csv[(csv["indicator"] == "cilif_share") & (csv["suppressed"] == "false")]
    zones = rows[rows["level"] == "datazone"]
    assert (zones["comparator"] != "").all()
    council = float(rows[rows["level"] == "council"]["value"].iloc[0])
    assert {round(float(c), 3) for c in zones["comparator"]} == {round(council, 3)}


def test_tripwire_catches_a_comparator_against_a_withheld_council():
    """The tripwire stops a CSV that compares rows with a withheld council value."""
    guard = tripwire.Guard("tiny", (), (), frozenset({("cilif_share", "2024/25")}))
    header = ",".join(disclosure_columns())
    bad = header + "\ncilif_share,datazone,X01900001,Z,2024/25,0,150,0,0,2,1.2,similar,false\n"
    with pytest.raises(LeakError, match="withheld council"):
        tripwire.check({"tiny/data/indicator_values.csv": bad.encode()}, [guard])
    good = header + "\ncilif_share,datazone,X01900001,Z,2024/25,0,150,0,0,2,,,false\n"
    tripwire.check({"tiny/data/indicator_values.csv": good.encode()}, [guard])


def disclosure_columns() -> list[str]:
    from generator.site.downloads import CSV_COLUMNS

    return CSV_COLUMNS


def test_rounded_values_come_from_rounded_counts(tmp_path):
    """With rounding on, every share's value and interval are those of its rounded counts
    (so they do not give the unrounded counts back), and comparators are the council's
    rounded value."""
    from generator.analysis.intervals import wilson

    csv = build_csv(tiny_copy(tmp_path / "c", rounding=True), tmp_path / "site")
    shares = csv[(csv["indicator"] == "cilif_share") & (csv["suppressed"] == "false")]
    assert len(shares) > 0
    for r in shares.itertuples():
        k, n = float(r.numerator), float(r.denominator)
        assert k % 5 == 0 and n % 5 == 0
        assert float(r.value) == pytest.approx(100 * k / n, abs=1e-3)
        lo, hi = wilson([k], [n])
        assert float(r.lower) == pytest.approx(100 * lo[0], abs=1e-3)
        assert float(r.upper) == pytest.approx(100 * hi[0], abs=1e-3)
    council = shares[shares["level"] == "council"].iloc[0]
    zones = shares[shares["level"] == "datazone"]
    assert {c for c in zones["comparator"]} == {council["value"]}


def test_round_counts_recomputes_uptake_from_rounded_counts():
    """Uptake rows: value, interval, gap and 99.8% limits from the rounded observed and
    expected counts."""
    from generator.ingest.catalogue import load_catalogue

    catalogue = load_catalogue()
    uptake = next(i for i in catalogue.indicators.values() if i.method == "uptake")
    values = pd.DataFrame(
        {
            "indicator": [uptake.id],
            "level": ["datazone"],
            "area_code": ["A"],
            "period": ["2024/25"],
            "numerator": [12.0],
            "denominator": [21.4],
            "value": [100 * 12 / 21.4],
            "lower": [1.0],
            "upper": [2.0],
            "gap": [9.4],
            "status": ["below"],
            "lower_998": [0.5],
            "upper_998": [3.0],
            "suppressed": [False],
        }
    )
    out = disclosure.round_counts(values, 5, catalogue).iloc[0]
    assert (out["numerator"], out["denominator"]) == (10.0, 20.0)
    assert out["value"] == pytest.approx(50.0)
    assert out["gap"] == 10.0
    assert out["lower"] < 50 < out["upper"]
    assert out["lower_998"] < out["lower"] and out["upper_998"] > out["upper"]


def test_frequency_rule_withholds_amounts_behind_few_contributors():
    """A £ amount is withheld where its contributor count is 1-4 or missing, published where
    it is 0 or at least the threshold; and the usual secondary rules then protect it."""
    from generator.analysis import suppression

    rows = []
    contacts = {"Z1": 2, "Z2": 9, "Z3": 0, "Z4": 12}
    gain = {"Z1": 900.0, "Z2": 4000.0, "Z3": 0.0, "Z4": 5200.0, "Z5": 300.0}
    for code, n in contacts.items():
        rows.append(("datazone", code, "advice_contacts_families", float(n)))
    for code, v in gain.items():
        rows.append(("datazone", code, "advice_financial_gain_gbp", v))
    rows.append(("ward", "W1", "advice_contacts_families", float(sum(contacts.values()))))
    rows.append(("ward", "W1", "advice_financial_gain_gbp", sum(gain.values())))
    cells = pd.DataFrame(rows, columns=["level", "area_code", "measure", "value"])
    cells["period"] = "2024/25"
    mapping = pd.DataFrame({"area_code": ["Z1", "Z2", "Z3", "Z4", "Z5"], "parent_code": ["W1"] * 5})
    out = suppression.suppress_cells(
        cells,
        [("datazone", "ward", mapping)],
        {"advice_contacts_families": 5},
        {"advice_contacts_families"},
        {"advice_financial_gain_gbp": "advice_contacts_families"},
    )
    money = out[out["measure"] == "advice_financial_gain_gbp"].set_index("area_code")
    assert money.at["Z1", "note"] == "primary"  # 2 contacts
    assert money.at["Z5", "note"] == "primary"  # no contributor count at all
    assert money.at["Z3", "note"] == ""  # nobody, nothing gained: published
    # Two withheld amounts in a published ward: their sum is known, not each one.
    assert money["suppressed"].sum() >= 2
    assert not suppression.recoverable(
        len(out),
        suppression.equations(out.reset_index(drop=True), [("datazone", "ward", mapping)]),
        out["suppressed"].to_numpy() & (out["measure"] == "advice_financial_gain_gbp").to_numpy(),
    ).any()


def test_tripwire_reads_the_view_data():
    """A withheld count shown in a page's pre-rendered view cells stops the build."""
    cell = tripwire.SuppressedCell("cilif_share", "X01900003", "2024/25", frozenset({3.0}))
    guard = tripwire.Guard("tiny", (), (cell,))

    def page(number: str) -> bytes:
        views = {"views": {"|2024/25": {"cells": {"table-datazone": [["X01900003", number]]}}}}
        body = json.dumps(views)
        return f'<script type="application/json" id="view-data">{body}</script>'.encode()

    with pytest.raises(LeakError, match="primary-suppressed"):
        tripwire.check({"tiny/indicators/cilif_share.html": page("3")}, [guard])
    tripwire.check({"tiny/indicators/cilif_share.html": page("[c]")}, [guard])
