"""Loaders read council exports as they really come: BOMs, cp1252, title rows, separators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from generator.ingest.datasets import Dataset
from generator.ingest.loaders import decode, load_dataset, parse_numbers
from generator.ingest.yamlio import YamlDocument

HEADER = "Data Zone,Year,Children – relative low income (£ context)\n"
ROWS = 'X01900001,2024/25,"1,234"\nX01900002,2024/25,56\n'


def _spec(**overrides) -> Dataset:
    base = {
        "id": "cilif",
        "title": "t",
        "file": "data.csv",
        "area": {"column": "Data Zone"},
        "period": {"column": "Year"},
        "measures": {"cilif_children": "Children – relative low income (£ context)"},
    }
    return Dataset.model_validate({**base, **overrides})


def _load(folder: Path, spec: Dataset):
    doc = YamlDocument(folder / "council.yaml", "council.yaml", {})
    return load_dataset(doc, 0, spec, folder)


def _values(result) -> list[tuple[str, int, float]]:
    t = result.table
    return list(zip(t["area_code"], t["row"], t["value"], strict=True))


def test_utf8_with_bom(tmp_path):
    """A UTF-8 file with a byte-order mark reads; the BOM does not stick to the first header."""
    (tmp_path / "data.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER + ROWS).encode("utf-8"))
    result = _load(tmp_path, _spec())
    assert result.problems == []
    assert _values(result) == [("X01900001", 2, 1234.0), ("X01900002", 3, 56.0)]


def test_cp1252(tmp_path):
    """A Windows cp1252 file (Excel's default CSV) reads with its en dash and £ intact."""
    (tmp_path / "data.csv").write_bytes((HEADER + ROWS).encode("cp1252"))
    result = _load(tmp_path, _spec())
    assert result.problems == []
    assert _values(result) == [("X01900001", 2, 1234.0), ("X01900002", 3, 56.0)]


def test_decode_never_guesses_latin1():
    """cp1252 bytes decode as cp1252: 0x96 is an en dash, not a control character."""
    assert decode("a – £".encode("cp1252"), "auto") == "a – £"


def test_xlsx_with_title_rows(tmp_path):
    """An xlsx with title rows above the header, numbers and text cells, reads by sheet name."""
    wb = Workbook()
    wb.active.title = "Notes"
    sheet = wb.create_sheet("FSM by data zone")
    sheet.append(["Free school meals by data zone"])
    sheet.append(["Source: synthetic"])
    sheet.append([])
    sheet.append(["Data Zone", "Year", "P6-P7 FSM"])
    sheet.append(["X01900001", 2024, 17])
    sheet.append(["x01900002 ", 2024, "1,020"])
    sheet.append([None, None, None])
    wb.properties.created = dt.datetime(2025, 1, 1)
    wb.save(tmp_path / "fsm.xlsx")
    spec = _spec(
        file="fsm.xlsx",
        sheet="FSM by data zone",
        header_row=4,
        measures={"fsm_registered_p6_p7": "P6-P7 FSM"},
        period={"column": "Year", "map": {"2024": "2024/25"}},
    )
    result = _load(tmp_path, spec)
    assert result.problems == []
    assert result.rows_read == 2
    assert _values(result) == [("X01900001", 5, 17.0), ("X01900002", 6, 1020.0)]
    assert set(result.table["period"]) == {"2024/25"}


def test_unknown_sheet_lists_sheets(tmp_path):
    """A wrong sheet name says which sheets exist."""
    wb = Workbook()
    wb.active.title = "Data"
    wb.save(tmp_path / "fsm.xlsx")
    result = _load(tmp_path, _spec(file="fsm.xlsx", sheet="FSM"))
    assert [(p.code, p.message) for p in result.problems] == [
        ("unknown-sheet", "no sheet 'FSM'; sheets are: 'Data'")
    ]


def test_fixed_period(tmp_path):
    """A dataset without a period column takes its period from the config."""
    (tmp_path / "data.csv").write_text("Data Zone,Count\nX01900001,5\n")
    spec = _spec(period={"value": "2023/24"}, measures={"cilif_children": "Count"})
    assert _load(tmp_path, spec).table["period"].tolist() == ["2023/24"]


def test_parse_numbers_separators_and_missing():
    """Thousands separators and £ are numbers; configured missing markers are not errors."""
    values, bad = parse_numbers(pd.Series(["1,234", "£2,500.50", "*", "", "12a", "7"]), ["", "*"])
    assert bad.tolist() == [False, False, False, False, True, False]
    assert values[0] == 1234 and values[1] == 2500.5 and values[5] == 7


def test_source_suppressed_cells_are_censored_not_zero(tmp_path):
    """Cells the source withheld ("*", " C ", "<5") are kept as censored: no value, bounds
    [1, 4] (or the dataset's own range), no warning; an unlisted marker is still reported."""
    rows = "X01900001,2024/25,12\nX01900002,2024/25,*\nX01900003,2024/25, C \n"
    rows += "X01900004,2024/25,<5\nX01900005,2024/25,..\n"
    (tmp_path / "data.csv").write_text(HEADER + rows, encoding="utf-8")
    result = _load(tmp_path, _spec(suppressed_values=["*", "c", "<5"]))
    t = result.table
    assert list(t["area_code"]) == ["X01900001", "X01900002", "X01900003", "X01900004"]
    assert t["value"].isna().tolist() == [False, True, True, True]
    assert list(t["low"]) == [12, 1, 1, 1] and list(t["high"]) == [12, 4, 4, 4]
    assert [(p.line, p.code) for p in result.problems] == [(6, "non-numeric")]
    assert "suppressed_values" in result.problems[0].message
    ranged = _load(tmp_path, _spec(suppressed_values=["*", "c", "<5"], suppressed_range=[1, 9]))
    assert list(ranged.table["high"]) == [12, 9, 9, 9]


def test_an_infinite_count_is_one_not_finite_problem_and_one_drop_reason(tmp_path):
    """ "inf" or 1e400 is "not-finite" (not also "not a number"), and each dropped row is
    counted once under its own reason."""
    rows = "X01900001,2024/25,inf\nX01900002,2024/25,1e400\nX01900003,2024/25,lots\n"
    rows += "X01900004,2024/25,7\n"
    (tmp_path / "data.csv").write_text(HEADER + rows, encoding="utf-8")
    result = _load(tmp_path, _spec())
    assert [(p.line, p.code) for p in result.problems] == [
        (2, "not-finite"),
        (3, "not-finite"),
        (4, "non-numeric"),
    ]
    assert {k: v for k, v in result.dropped.items() if v} == {
        "non-numeric": {4},
        "not-finite": {2, 3},
    }
    assert list(result.table["area_code"]) == ["X01900004"]


def test_sums_with_censored_parts_carry_bounds_not_values(tmp_path):
    """A ward with a censored zone has no exact total, only bounds (known + 1 .. known + 4);
    a ward of exact zones sums exactly, and its bounds equal its value."""
    from generator.ingest.geography import load_pack
    from tests.conftest import TINY_CONFIG

    pack = load_pack(TINY_CONFIG.parent / "geography")
    tidy = pd.DataFrame(
        {
            "area_code": ["X01900001", "X01900002", "X01900004", "X01900003", "X01900005"],
            "period": "2024/25",
            "measure": "fsm_registered_p6_p7",
            "value": [10.0, float("nan"), 7.0, 20.0, 6.0],
            "low": [float("nan"), 1.0, float("nan"), float("nan"), float("nan")],
            "high": [float("nan"), 4.0, float("nan"), float("nan"), float("nan")],
        }
    )
    out = pack.rollup(tidy, {"fsm_registered_p6_p7"}).set_index(["level", "area_code"])
    west, east = out.loc[("ward", "X13900001")], out.loc[("ward", "X13900002")]
    assert pd.isna(west["value"]) and (west["low"], west["high"]) == (18, 21)
    assert (east["value"], east["low"], east["high"]) == (26, 26, 26)
    council = out.loc[("council", "X12900001")]
    assert pd.isna(council["value"]) and (council["low"], council["high"]) == (44, 47)


def _two_header_xlsx(path: Path, upper: list, lower: list, rows: list[list]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "FSM"
    ws.append(["Free school meals (title)"])
    ws.append([])
    ws.append(upper)
    ws.append(lower)
    for r in rows:
        ws.append(r)
    ws.merge_cells(start_row=3, start_column=2, end_row=3, end_column=3)
    ws.merge_cells(start_row=3, start_column=4, end_row=3, end_column=5)
    wb.save(path)


def test_two_header_rows_join_with_merged_cells_filled_across(tmp_path):
    """header_rows [3, 4]: "P6-P7" merged over "Roll | Registered" reads as "P6-P7 Roll" and
    "P6-P7 Registered"; a repeated leaf is reached by position; rows count from row 5."""
    _two_header_xlsx(
        tmp_path / "fsm.xlsx",
        [None, "P6-P7", None, "Secondary", None],
        ["Data Zone", "Roll", "Registered", "Roll", "Registered"],
        [["X01", 10, "*", 30, 7], ["X02", 12, 5, 31, 9]],
    )
    spec = _spec(
        file="fsm.xlsx",
        header_rows=[3, 4],
        period={"value": "2023/24"},
        suppressed_values=["*"],
        measures={
            "pupils_p6_p7": "P6-P7 Roll",
            "fsm_registered_p6_p7": "P6-P7 Registered",
            "fsm_registered_secondary": {"index": 5},
        },
    )
    result = _load(tmp_path, spec)
    assert result.problems == []
    t = result.table
    cols = [t["measure"], t["area_code"], t["row"], t["value"].fillna(-1), t["high"]]
    got = sorted(zip(*cols, strict=True))
    assert got == [
        ("fsm_registered_p6_p7", "X01", 5, -1.0, 4.0),
        ("fsm_registered_p6_p7", "X02", 6, 5.0, 5.0),
        ("fsm_registered_secondary", "X01", 5, 7.0, 7.0),
        ("fsm_registered_secondary", "X02", 6, 9.0, 9.0),
        ("pupils_p6_p7", "X01", 5, 10.0, 10.0),
        ("pupils_p6_p7", "X02", 6, 12.0, 12.0),
    ]


def test_a_repeated_header_name_is_a_located_error(tmp_path):
    """A single header row with "Roll" twice: naming "Roll" is refused where the config
    names it, saying which columns it could be; never "the first one wins"."""
    (tmp_path / "data.csv").write_text("Data Zone,Roll,Roll\nX01,1,2\n", encoding="utf-8")
    doc = YamlDocument(tmp_path / "council.yaml", "council.yaml", {})
    result = load_dataset(
        doc, 0, _spec(period={"value": "2023/24"}, measures={"pupils_p6_p7": "Roll"}), tmp_path
    )
    assert [(p.field, p.code, p.severity) for p in result.problems] == [
        ("datasets[0].measures.pupils_p6_p7", "duplicate-column", "error")
    ]
    assert "column 2 (B), column 3 (C)" in result.problems[0].message


def test_sum_of_columns_and_where_filter(tmp_path):
    """{sum: ["10", "11"]} adds columns row by row; where: {sex: {values: [All]}} keeps only
    the all-persons rows, and counts the others as filtered."""
    (tmp_path / "data.csv").write_text(
        "dz,sex,10,11\nX01,All,3,4\nX01,Female,1,2\nX01,Male,2,2\nX02,All,5,6\n",
        encoding="utf-8",
    )
    spec = _spec(
        area={"column": "dz"},
        period={"value": "2020/21"},
        where={"sex": {"values": ["All"]}},
        measures={"children_10_11": {"sum": ["10", "11"]}},
    )
    result = _load(tmp_path, spec)
    assert result.problems == []
    assert _values(result) == [("X01", 2, 7.0), ("X02", 5, 11.0)]
    assert (result.rows_read, result.rows_filtered) == (4, 2)


def test_period_formats_normalise_years(tmp_path):
    """financial_year and school_year read '2023/24', '2023-24' and '2023/2024' as
    '2023/24'; a cell that fits no year is a located warning and its row is left out."""
    (tmp_path / "data.csv").write_text(
        "Data Zone,Year,n\nX01,2023/24,1\nX02,2023-24,2\nX03,2023/2024,3\nX04,2023/25,4\n",
        encoding="utf-8",
    )
    for fmt in ("financial_year", "school_year"):
        spec = _spec(period={"column": "Year", "format": fmt}, measures={"scp_children": "n"})
        result = _load(tmp_path, spec)
        assert list(result.table["period"]) == ["2023/24"] * 3
        assert [(p.line, p.code) for p in result.problems] == [(5, "bad-period")]


def test_months_to_financial_years_flag_a_missing_month(tmp_path):
    """'%b-%y' months with to: financial_year: each row's year is April to March, and a
    year without November is warned as incomplete, naming the month."""
    months = pd.date_range("2022-04-01", "2023-03-01", freq="MS")
    body = "".join(f"{m.strftime('%b-%y')},X01,1\n" for m in months if m.month != 11)
    (tmp_path / "data.csv").write_text("Month,Data Zone,n\n" + body, encoding="utf-8")
    spec = _spec(
        period={"column": "Month", "format": "%b-%y", "to": "financial_year", "aggregate": "sum"},
        measures={"foodbank_referrals_families": "n"},
    )
    result = _load(tmp_path, spec)
    assert set(result.table["period"]) == {"2022/23"}
    assert [(p.code, p.severity) for p in result.problems] == [("incomplete-period", "warning")]
    assert "2022-11" in result.problems[0].message


def test_aggregate_sum_last_mean():
    """Months combine into a year by sum (flows), last month (a stock) or mean."""
    from generator.ingest.periods import SUB_COLUMN, aggregate

    table = pd.DataFrame(
        {
            "dataset": "d",
            "row": [2, 3, 4, 5],
            "area_code": ["X01", "X01", "X01", "X02"],
            "period": "2023/24",
            "measure": "m",
            "value": [1.0, 2.0, 6.0, 4.0],
            SUB_COLUMN: ["2023-04", "2023-05", "2024-03", "2023-04"],
        }
    )
    got = {how: list(aggregate(table, how)["value"]) for how in ("sum", "last", "mean")}
    assert got == {"sum": [9.0, 4.0], "last": [6.0], "mean": [3.0, 4 / 3]}


def test_period_to_needs_a_declared_aggregate():
    """'to' without 'aggregate' is refused: a stock summed over twelve months is wrong."""
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="aggregate"):
        _spec(period={"column": "Month", "format": "%b-%y", "to": "financial_year"})


def test_quarters_make_years_and_a_missing_quarter_is_warned(tmp_path):
    """financial_quarter '2023/24 Q1' with to: financial_year: the year is the label's, and
    a year without Q3 is warned as incomplete, naming the quarter."""
    body = "".join(f"2023/24 Q{q},X01,{q}\n" for q in (1, 2, 4)) + "2024/25 Q1,X01,9\n"
    body += "".join(f"2024/25 Q{q},X01,1\n" for q in (2, 3, 4))
    (tmp_path / "data.csv").write_text("Quarter,Data Zone,n\n" + body, encoding="utf-8")
    spec = _spec(
        period={
            "column": "Quarter",
            "format": "financial_quarter",
            "to": "financial_year",
            "aggregate": "sum",
        },
        measures={"advice_contacts_families": "n"},
    )
    result = _load(tmp_path, spec)
    assert sorted(set(result.table["period"])) == ["2023/24", "2024/25"]
    assert [p.code for p in result.problems] == ["incomplete-period"]
    assert "2023/24" in result.problems[0].message and "Q3" in result.problems[0].message
    assert "2024/25" not in result.problems[0].message
