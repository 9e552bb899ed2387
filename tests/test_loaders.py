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
