"""Household-level datasets: pseudonymised keys, matching, and the leak tripwire."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from generator.errors import LeakError
from generator.ingest import loaders
from generator.ingest.catalogue import load_catalogue
from generator.ingest.validate import Validation, validate
from generator.site import build as site
from generator.site import render
from generator.site.council import CouncilSite
from tests.conftest import BUILD_DATE, TINY_CONFIG, shared_folder

PLANTED_KEY = "HH-PLANTED-0001"
PLANTED_POSTCODE = "XX9 9ZZ"
PLANTED_NAME = "Planty McPlantface"

# 10 CTR households with school-age children (4 with a grant), plus one with none aged
# 5-15 who must not count. Not receiving: 2 in each of zones 01, 02, 03.
CTR = [
    # key, zone, school-age children, family type
    (PLANTED_KEY, "X01900001", 2, "Lone parent"),
    ("HH-0002", "X01900001", 1, "Larger family"),
    ("HH-0003", "X01900001", 1, ""),
    ("HH-0004", "X01900001", 3, "Lone parent"),
    ("HH-0005", "X01900002", 1, "Disabled member"),
    ("HH-0006", "X01900002", 2, "Lone parent"),
    ("HH-0007", "X01900002", 1, "Youngest under 1"),
    ("HH-0008", "X01900003", 1, "Lone parent"),
    ("HH-0009", "X01900003", 2, "Minority ethnic"),
    ("HH-0010", "X01900003", 1, "Mother under 25"),
    ("HH-0011", "X01900003", 0, "Lone parent"),  # no school-age child: filtered out
]
SCG = ["HH-0002", "HH-0004", "HH-0005", "HH-0008", "HH-9999"]  # HH-9999 is not on CTR


def _write_council(
    folder: Path, *, extra: str = "", key_column: str = "Household ref", ctr_extra_rows: int = 0
) -> Path:
    """A copy of the tiny council with household-level CTR and SCG extracts."""
    data = folder / "data"
    data.mkdir(parents=True)
    tiny_data = TINY_CONFIG.parent / "data"
    for f in tiny_data.iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    lines = ["Household ref,Name,Address,Postcode,Data zone,Year,Children 5-15,Family type"]
    for n, (key, zone, kids, family) in enumerate(CTR):
        name = PLANTED_NAME if key == PLANTED_KEY else f"Test Person {chr(65 + n)}"
        postcode = PLANTED_POSTCODE if key == PLANTED_KEY else f"XX1 {n}AB"
        lines.append(
            f'{key},{name},"{n + 1} Nowhere Lane",{postcode},{zone},2024/25,{kids},{family}'
        )
    (data / "ctr_households.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    scg_lines = ["Household ref,Data zone,Year"] + [f"{k},X01900001,2024/25" for k in SCG]
    (data / "scg_households.csv").write_text("\n".join(scg_lines) + "\n", encoding="utf-8")
    config = TINY_CONFIG.read_text(encoding="utf-8")
    config = config.replace(
        "geography: geography", f"geography: {TINY_CONFIG.parent / 'geography'}"
    )
    config = config.replace(
        "indicators: all",
        textwrap.dedent(f"""\
      - id: ctr_records
        title: CTR households
        file: ctr_households.csv
        record_level: true
        key: {{column: {key_column}}}
        area: {{column: Data zone}}
        period: {{column: Year}}
        count_as: ctr_households_in_extract
        attributes: {{school_age_children: Children 5-15, family_type: Family type}}
        breakdowns: [family_type]
        identifiers: [Name, Address, Postcode]
      - id: scg_records
        title: SCG households
        file: scg_households.csv
        record_level: true
        key: {{column: Household ref}}
        area: {{column: Data zone}}
        period: {{column: Year}}
    matches:
      - measure: ctr_households_school_age_children_no_scg
        households_in: ctr_records
        not_in: [scg_records]
        where: {{school_age_children: {{min: 1}}}}
    indicators: all
    {extra}"""),
    )
    path = folder / "council.yaml"
    path.write_text(config, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def household_site(tmp_path_factory) -> Path:
    def make(folder: Path) -> None:
        config = _write_council(folder / "council")
        site.build([config], folder / "site", build_date=BUILD_DATE)

    return shared_folder(tmp_path_factory, "households", make) / "site"


def test_matching_counts_households_not_receiving_by_zone(tmp_path, catalogue):
    """10 CTR households with school-age children, 4 with a grant: 6 not receiving, 2 per
    zone; the household with no school-age child is not counted."""
    v = validate(_write_council(tmp_path / "c"), None, catalogue)
    assert not v.errors, v.errors
    matched = v.checked.table[
        v.checked.table["measure"] == "ctr_households_school_age_children_no_scg"
    ]
    assert dict(zip(matched["area_code"], matched["value"], strict=True)) == {
        "X01900001": 2,
        "X01900002": 2,
        "X01900003": 2,
    }
    ctr = v.checked.table[v.checked.table["measure"] == "ctr_households_in_extract"]
    assert ctr["value"].sum() == 11
    # Breakdown categories add up to each zone's total; a blank family type is "unknown".
    split = next(ds for ds in v.datasets if ds.spec.id == "ctr_records").breakdowns
    by_zone = split.groupby("area_code")["value"].sum()
    # A household extract lists every household: zones with none count 0, not "no data".
    assert by_zone.to_dict() == {
        "X01900001": 4,
        "X01900002": 3,
        "X01900003": 4,
        "X01900004": 0,
        "X01900005": 0,
        "X01900006": 0,
    }
    assert set(ctr.loc[ctr["value"] == 0, "area_code"]) == {"X01900004", "X01900005", "X01900006"}
    assert "unknown" in set(split["category"])
    # Household rows are gone once loading is over.
    assert all(ds.records is None for ds in v.datasets)


def test_matched_totals_after_suppression(household_site):
    """Every zone (2) and ward (4 and 2) is withheld, and so is the council's 6: beside the
    share's denominator (10 households with school-age children) it would publish the 4 who
    do get a grant, a count under the threshold (the complement rule, docs/methods.md 7)."""
    csv = pd.read_csv(
        household_site / "tiny" / "data" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    rows = csv[csv["indicator"] == "ctr_school_age_no_scg"]
    got = {(r.level, r.area_code): (r.value, r.suppressed) for r in rows.itertuples()}
    assert got[("council", "X12900001")] == ("[c]", "true")
    share = csv[(csv["indicator"] == "ctr_no_scg_share") & (csv["level"] == "council")]
    assert share[["numerator", "denominator", "suppressed"]].values.tolist() == [
        ["[c]", "[c]", "true"]
    ]
    for zone in ("X01900001", "X01900002", "X01900003"):
        assert got[("datazone", zone)] == ("[c]", "true")
    assert got[("ward", "X13900001")] == ("[c]", "true")
    assert got[("ward", "X13900002")] == ("[c]", "true")
    page = (household_site / "tiny" / "indicators" / "ctr_school_age_no_scg.html").read_text()
    assert "Likely eligible, not receiving" in page or "likely eligible" in page.lower()


def test_planted_key_postcode_and_name_never_reach_the_output(household_site):
    """No output file holds the planted household key, postcode, name or address."""
    files = [p for p in household_site.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace").lower()
        for secret in (
            PLANTED_KEY,
            PLANTED_POSTCODE,
            PLANTED_NAME,
            "nowhere lane",
            "xx9 9zz".replace(" ", ""),
        ):
            assert secret.lower() not in text, (path, "planted value leaked")


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["name", "count"])
def test_broken_render_hook_fails_the_build_and_keeps_the_old_site(
    tmp_path, monkeypatch, kind, household_site
):
    """A render that leaks a planted name, or a withheld count into the CSV, stops the
    build with LeakError (naming the file, not the value) and the old site survives."""
    config = _write_council(tmp_path / "council")
    out = tmp_path / "site"
    shutil.copytree(household_site, out)  # the same council's site, built once per module
    before = _tree(out)
    original = render.render_council

    def leaky(council: CouncilSite, **kwargs: object) -> dict[str, bytes]:
        files = original(council, **kwargs)
        if kind == "name":
            files["tiny/about.html"] += f"<p>{PLANTED_NAME}</p>".encode()
        else:
            path = "tiny/data/indicator_values.csv"
            lines = files[path].decode().split("\n")
            lines = [
                ln.replace("[c]", "2", 1)
                if ln.startswith("ctr_school_age_no_scg,datazone,X01900001,")
                else ln
                for ln in lines
            ]
            files[path] = "\n".join(lines).encode()
        return files

    monkeypatch.setattr(render, "render_council", leaky)
    with pytest.raises(LeakError) as err:
        site.build([config], out, build_date=BUILD_DATE)
    message = str(err.value)
    if kind == "name":
        assert "tiny/about.html" in message and "identifying value" in message
        assert PLANTED_NAME.lower() not in message.lower()
    else:
        assert "indicator_values.csv" in message and "primary-suppressed" in message
    assert _tree(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.new-")]


def test_pseudonyms_are_hmac_of_the_configured_key(monkeypatch):
    """With key_env set, a key's pseudonym is HMAC-SHA256 under that key; by default each
    build draws a new random key."""
    import hmac

    from generator.ingest.config import Privacy

    monkeypatch.setenv("TEST_HMAC_KEY", "s3cret")
    got = loaders.pseudonymiser(Privacy(key_env="TEST_HMAC_KEY"))(pd.Series(["HH-1"]))
    assert got[0] == hmac.new(b"s3cret", b"HH-1", hashlib.sha256).hexdigest()
    one = loaders.pseudonymiser(Privacy())(pd.Series(["HH-1"]))[0]
    two = loaders.pseudonymiser(Privacy())(pd.Series(["HH-1"]))[0]
    assert one != two and PLANTED_KEY not in one


def _problems(v: Validation) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in v.errors]


def test_clear_errors_for_key_threshold_and_variable(tmp_path, catalogue, monkeypatch):
    """An unset key variable, a key column not in the file and a threshold below the
    catalogue minimum are each reported at their place in the config."""
    monkeypatch.delenv("COUNCIL_HMAC_KEY", raising=False)
    config = _write_council(
        tmp_path / "c",
        key_column="Household reference",
        extra="privacy: {key_env: COUNCIL_HMAC_KEY}\n",
    )
    text = config.read_text().replace("threshold: 5", "threshold: 3")
    config.write_text(text)
    v = validate(config, None, catalogue)
    got = _problems(v)
    assert ("privacy.key_env", "unset-key") in got
    assert ("datasets[3].key.column", "unknown-column") in got
    assert ("disclosure.threshold", "threshold-too-low") in got
    lines = {p.code: p.line for p in v.errors}
    assert all(lines[c] for c in ("unset-key", "unknown-column", "threshold-too-low"))


def test_record_level_without_key_is_an_error(tmp_path, catalogue):
    """A record-level dataset with no key column is refused with a clear message."""
    config = _write_council(tmp_path / "c")
    config.write_text(config.read_text().replace("    key: {column: Household ref}\n", "", 1))
    v = validate(config, None, catalogue)
    bad = [p for p in v.errors if p.field.startswith("datasets[3]")]
    assert bad and "needs 'key: {column: ...}'" in bad[0].message
