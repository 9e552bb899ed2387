"""Extracts as councils hand them over, on the tiny council: areas typed by name, postcodes
written five ways, period maps that would merge rows, the data report's counts, and the leak
check in `cdash validate`."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from generator.cli import app
from generator.ingest import report
from generator.ingest.areanames import normalise
from generator.ingest.catalogue import load_catalogue
from generator.ingest.validate import Validation, validate
from tests.conftest import TINY_CONFIG

runner = CliRunner()


def _council(tmp_path: Path, datasets: str, files: dict[str, str], extra: str = "") -> Path:
    """The tiny council with more datasets (YAML list items) and data files."""
    folder = tmp_path / "council"
    shutil.copytree(TINY_CONFIG.parent, folder)
    for name, text in files.items():
        (folder / "data" / name).write_text(text, encoding="utf-8")
    config = (folder / "council.yaml").read_text(encoding="utf-8")
    config = config.replace("indicators: all", datasets + "indicators: all")
    (folder / "council.yaml").write_text(config + extra, encoding="utf-8")
    return folder / "council.yaml"


def _validate(path: Path) -> Validation:
    return validate(path, None, load_catalogue())


FOODBANK = """\
  - id: foodbank
    title: Foodbank referrals
    file: foodbank.csv
    area:
      column: Ward
      type: ward
      by: name
      aliases: {TW: Tinyton West, Not known: null}
    period: {column: Year}
    measures: {foodbank_referrals_families: Referrals}
"""
FOODBANK_ROWS = (
    "Ward,Year,Referrals\n"
    "  tinyton  WEST ,2024/25,5\n"  # row 2: case and spaces
    "Tinyton-East,2024/25,7\n"  # row 3: a hyphen for a space
    "TW,2023/24,1\n"  # row 4: an alias
    "Tinytn East,2024/25,4\n"  # row 5: misspelt, matches nothing
    "Not known,2024/25,3\n"  # row 6: aliased to null
    "Tinytn East,2024/25,2\n"  # row 7: misspelt again
)


def test_normalise_ignores_case_spacing_punctuation_and_and_saint():
    """Names the same but for case, spaces, punctuation, '&'/'and' and 'St'/'Saint'."""
    assert normalise("UPPER & LOWER  MILLTOWN") == normalise("Upper and Lower Milltown")
    assert normalise("Saint Leonards") == normalise("St. Leonards") == "st leonards"
    assert normalise("Clydesdale-North") == "clydesdale north"
    assert normalise("Saintfield") != normalise("Stfield")


def test_areas_by_name_match_suggest_and_never_guess(tmp_path):
    """Normalised names and aliases are placed; a misspelt name is one located warning with
    'did you mean' and its rows are not placed anywhere; 'Not known' (alias null) is
    counted as unplaced without a warning."""
    v = _validate(_council(tmp_path, FOODBANK, {"foodbank.csv": FOODBANK_ROWS}))
    kept = v.checked.table
    kept = kept[kept["dataset"] == "foodbank"]
    got = zip(kept["area_code"], kept["period"], kept["value"], strict=True)
    assert sorted(got) == [
        ("X13900001", "2023/24", 1.0),
        ("X13900001", "2024/25", 5.0),
        ("X13900002", "2024/25", 7.0),
    ]
    found = [(p.line, p.field, p.code) for p in v.problems if p.code != "low-coverage"]
    assert found == [(5, "Ward", "unknown-area-name")]
    named = next(p for p in v.problems if p.code == "unknown-area-name")
    assert "did you mean 'Tinyton East'" in named.message and "2 row(s)" in named.message
    ds = next(d for d in report.build_report(v, load_catalogue()).datasets if d.id == "foodbank")
    assert (ds.rows_read, ds.rows_used, ds.rows_dropped) == (6, 3, 3)
    assert ds.dropped_by_code == {"unknown-area-name": 2, "unplaced": 1}
    assert [u["rows"] for u in ds.unplaced] == [1]


def test_alias_to_a_name_the_pack_lacks_is_a_config_error(tmp_path):
    """An alias must name an area of the pack; the error points at the alias."""
    datasets = FOODBANK.replace("TW: Tinyton West", "TW: Tinyton Westt")
    v = _validate(_council(tmp_path, datasets, {"foodbank.csv": FOODBANK_ROWS}))
    errors = [(p.field, p.code) for p in v.errors]
    assert errors == [("datasets[3].area.aliases.TW", "unknown-area-name")]
    assert "did you mean 'Tinyton West'" in v.errors[0].message


def test_period_map_merging_two_labels_is_an_error(tmp_path):
    """period.map that turns two labels of a file into one period is refused: the old
    first-row-wins would have published April as the whole year."""
    datasets = """\
  - id: foodbank
    title: Foodbank referrals
    file: foodbank.csv
    area: {column: DZ}
    period: {column: Month, map: {Apr-24: 2024/25, May-24: 2024/25}}
    measures: {foodbank_referrals_families: Referrals}
"""
    rows = "DZ,Month,Referrals\nX01900001,Apr-24,5\nX01900001,May-24,7\n"
    v = _validate(_council(tmp_path, datasets, {"foodbank.csv": rows}))
    assert [(p.field, p.code) for p in v.errors] == [
        ("datasets[3].period.map", "period-map-collision")
    ]


HOUSEHOLDS = """\
  - id: ctr_records
    title: CTR households
    file: ctr.csv
    record_level: true
    key: {column: Claim Ref}
    area: {column: Postcode, type: postcode}
    period: {column: Year}
    count_as: ctr_households_in_extract
    identifiers: [Name]
"""
LOOKUP = "Postcode,DataZone2011\n" + "".join(f"XX{n} {n}AB,X0190000{n}\n" for n in range(1, 7))
CTR_ROWS = (
    "Claim Ref,Name,Postcode,Year\n"
    "CLAIM-0001,Alma Fakename,xx11ab,2024/25\n"
    "CLAIM-0002,Bert Fakename, XX2  2AB ,2024/25\n"
    "CLAIM-0003,Cora Fakename,XX3 3ab,2024/25\n"
)
LOOKUP_CONFIG = (
    "postcode_lookup: {file: postcodes.csv, postcode_column: Postcode, area_column: DataZone2011}\n"
)


def test_household_extract_placed_by_postcode_reaches_all_clear(tmp_path):
    """Postcodes written three ways are all placed; zones with no household count 0; the
    data report counts every row as used; `cdash validate` says All clear."""
    path = _council(
        tmp_path,
        HOUSEHOLDS,
        {"ctr.csv": CTR_ROWS, "postcodes.csv": LOOKUP},
        LOOKUP_CONFIG,
    )
    v = _validate(path)
    assert v.problems == []
    counts = v.checked.table[v.checked.table["measure"] == "ctr_households_in_extract"]
    assert dict(zip(counts["area_code"], counts["value"], strict=True)) == {
        "X01900001": 1.0,
        "X01900002": 1.0,
        "X01900003": 1.0,
        "X01900004": 0.0,
        "X01900005": 0.0,
        "X01900006": 0.0,
    }
    data = report.build_report(v, load_catalogue())
    ds = next(d for d in data.datasets if d.id == "ctr_records")
    assert (ds.rows_read, ds.rows_used, ds.rows_dropped, ds.dropped_by_code) == (3, 3, 0, {})
    assert "ctr_households_in_extract" in data.measures_mapped
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "All clear" in result.stdout


def test_leak_check_in_validate_names_the_column_never_the_value(tmp_path):
    """A postcode only in the household extract, written into a dataset title, is a leak
    located at the title, naming dataset, column and kind; a postcode of the public lookup
    in the same place is public geography and is not."""
    rows = CTR_ROWS + "CLAIM-0004,Dora Fakename,ZZ9 9ZZ,2024/25\n"
    files = {"ctr.csv": rows, "postcodes.csv": LOOKUP}
    leaky = HOUSEHOLDS.replace("title: CTR households", "title: CTR households near zz99zz")
    v = _validate(_council(tmp_path / "a", leaky, files, LOOKUP_CONFIG))
    leaks = [p for p in v.errors if p.code == "leak"]
    assert [(p.field, p.line) for p in leaks] == [("datasets[3].title", 37)]
    message = leaks[0].message
    assert "postcode" in message and "'Postcode'" in message and "ctr_records" in message
    assert "ZZ9" not in message.upper().replace(" ", "")
    public = HOUSEHOLDS.replace("title: CTR households", "title: CTR households near XX1 1AB")
    v = _validate(_council(tmp_path / "b", public, files, LOOKUP_CONFIG))
    assert [p for p in v.errors if p.code == "leak"] == []
    named = HOUSEHOLDS.replace("title: CTR households", "title: CTR for Cora FAKENAME")
    v = _validate(_council(tmp_path / "c", named, files, LOOKUP_CONFIG))
    assert ["identifying value from column 'Name'" in p.message for p in v.errors] == [True]


def test_leak_check_finds_a_name_among_breakdown_categories(tmp_path):
    """A breakdown on a column that holds names would publish them as categories: the leak
    check points at the dataset's breakdowns."""
    datasets = HOUSEHOLDS.replace(
        "    identifiers: [Name]\n",
        "    identifiers: [Name]\n    attributes: {family_type: Name}\n"
        "    breakdowns: [family_type]\n",
    )
    files = {"ctr.csv": CTR_ROWS, "postcodes.csv": LOOKUP}
    v = _validate(_council(tmp_path, datasets, files, LOOKUP_CONFIG))
    leaks = [(p.field, p.code) for p in v.errors]
    assert leaks and set(leaks) == {("datasets[3].breakdowns", "leak")}
    assert all("Fakename" not in p.message for p in v.errors)
