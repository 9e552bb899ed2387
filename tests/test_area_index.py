"""Find-my-area index and breakdown variants on the demo: public postcodes are geography,
names and keys still trip the wire, and every variant is disclosure-controlled."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from generator.errors import LeakError
from generator.site import tripwire
from tests.conftest import DEMO_CONFIG

DEMO_DATA = DEMO_CONFIG.parent / "../../demo/data"


@pytest.fixture(scope="module")
def demo_prepared(demo_council, demo_files):
    """The demo council up to rendering, with its tripwire guard, and its rendered files."""
    return demo_council.site, demo_council.guard, demo_files


def _index(files: dict[str, bytes]) -> dict:
    text = files["demo/assets/search.js"].decode()
    return json.loads(text[text.index("=") + 1 :].rstrip().rstrip(";"))


def test_household_postcodes_are_in_the_public_index_and_pass_the_tripwire(demo_prepared):
    """Postcodes of the demo's household extract are in the public lookup, so the index
    lists them and the tripwire lets them through; every zone and ward is in the index."""
    council, guard, files = demo_prepared
    ctr = pd.read_csv(DEMO_DATA / "revenues" / "ctr_households.csv", dtype=str)
    index = _index(files)
    household = {p.replace(" ", "") for p in ctr["Postcode"]}
    assert household <= set(index["postcodes"])
    assert {a[1] for a in index["areas"]} >= set(council.pack.areas("datazone")["code"])
    tripwire.check(files, [guard])


@pytest.mark.parametrize("column", ["Name", "Claim ref", "Address"])
def test_tripwire_still_catches_names_keys_and_addresses(demo_prepared, column):
    """A household's name, key or address planted in the search index stops the build."""
    _, guard, files = demo_prepared
    ctr = pd.read_csv(DEMO_DATA / "revenues" / "ctr_households.csv", dtype=str)
    leaky = dict(files)
    leaky["demo/assets/search.js"] += f"// {ctr[column].iloc[3]}\n".encode()
    with pytest.raises(LeakError, match="identifying value"):
        tripwire.check(leaky, [guard])


def test_every_breakdown_variant_is_disclosure_controlled(demo_prepared):
    """Family type and tenure variants exist for the matched and CTR indicators, withheld
    rows carry no number, and no published count is under the threshold."""
    council, _, _ = demo_prepared
    b = council.breakdowns
    assert b is not None
    family = set(b.loc[b["breakdown"] == "family_type", "category"])
    assert {
        "lone_parent",
        "disabled_member",
        "three_or_more_children",
        "minority_ethnic",
        "youngest_under_1",
        "mother_under_25",
    } <= family
    assert set(b.loc[b["breakdown"] == "tenure", "category"]) >= {"council", "private_rented"}
    assert {"ctr_school_age_no_scg", "ctr_no_scg_share"} <= set(b["indicator"])
    withheld = b[b["suppressed"]]
    assert len(withheld) > 0 and withheld[["value", "numerator"]].isna().all().all()
    counts = b.loc[~b["suppressed"], "numerator"].dropna()
    assert not ((counts > 0) & (counts < council.disclosure_threshold)).any()
