"""Dataset readers: a council export (CSV or XLSX) in, the tidy long table out.

The tidy table has one row per (source row, measure): ``dataset, row, area_code, period,
measure, value``. ``row`` is the row number as the user sees it in a spreadsheet, so every
later message can point at it.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from generator.config import Dataset
from generator.errors import Problem
from generator.yamlio import YamlDocument, display

TIDY_COLUMNS = ["dataset", "row", "area_code", "period", "measure", "value"]

# "1,234" or "12,345.6" with an optional leading currency sign: council exports format
# numbers for people, so we accept what a spreadsheet shows.
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass
class LoadedDataset:
    """One dataset read: its tidy rows and whatever went wrong reading it."""

    spec: Dataset
    index: int  # position in the config's datasets list
    path: Path
    table: pd.DataFrame
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when the file could not be read at all (missing, wrong columns...)."""
        return any(p.severity == "error" for p in self.problems)


def load_dataset(doc: YamlDocument, index: int, spec: Dataset, data_dir: Path
                 ) -> LoadedDataset:
    """Read dataset number ``index`` of the config ``doc`` from ``data_dir``.

    Never raises for bad input: problems come back on the LoadedDataset, located in the
    config (missing file or column) or in the data file (row and column)."""
    path = data_dir / spec.file
    result = LoadedDataset(spec, index, path, _empty())
    where = ("datasets", index)
    if not path.is_file():
        result.problems.append(doc.problem(
            (*where, "file"), "missing-file", f"{spec.file} not found in data folder "
            f"{display(data_dir)}"))
        return result
    try:
        raw = _read_xlsx(path, spec) if spec.file_format == "xlsx" else _read_csv(path, spec)
    except _ReadError as exc:
        result.problems.append(doc.problem((*where, exc.field), exc.code, exc.message))
        return result

    columns = [str(c).strip() for c in raw.columns]
    raw.columns = columns
    wanted = [(("area", "column"), spec.area.column)]
    if spec.period.column is not None:
        wanted.append((("period", "column"), spec.period.column))
    wanted += [(("measures", m), col) for m, col in spec.measures.items()]
    for loc, col in wanted:
        if col not in columns:
            close = difflib.get_close_matches(col, columns, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            result.problems.append(doc.problem(
                (*where, *loc), "unknown-column",
                f"column {col!r} not found in {spec.file}{hint}; columns are: "
                + ", ".join(repr(c) for c in columns)))
    if result.failed:
        return result

    result.rows_read = len(raw)
    # The first data row sits just below the header row in the user's spreadsheet.
    rows = np.arange(len(raw)) + spec.header_row + 1
    areas = raw[spec.area.column].astype(str).str.strip().str.upper()
    if spec.period.column is not None:
        periods = raw[spec.period.column].astype(str).str.strip()
        periods = periods.str.replace(r"\.0$", "", regex=True)  # 2024 read from xlsx as 2024.0
    else:
        periods = pd.Series([spec.period.value] * len(raw), dtype=str)
    if spec.period.map:
        periods = periods.replace(spec.period.map)

    frames = []
    shown = display(path)
    for measure, col in spec.measures.items():
        values, bad = parse_numbers(raw[col], spec.missing_values)
        for pos in np.flatnonzero(bad):
            result.problems.append(Problem(
                shown, int(rows[pos]), None, col, "non-numeric",
                f"{raw[col].iloc[pos]!r} is not a number (dataset {spec.id}, measure "
                f"{measure})", severity="warning"))
        frames.append(pd.DataFrame({
            "dataset": spec.id, "row": rows, "area_code": areas.to_numpy(),
            "period": periods.to_numpy(), "measure": measure, "value": values,
        })[~bad])
    table = pd.concat(frames, ignore_index=True)
    result.table = table[table["value"].notna()].reset_index(drop=True)
    return result


def parse_numbers(column: pd.Series, missing: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats, and a mask of cells that were neither numbers nor missing.

    Accepts thousands separators ("1,234") and a leading £, as spreadsheets show them.
    """
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float)
        return values, np.zeros(len(values), dtype=bool)
    text = column.astype(str).str.strip()
    is_missing = text.isin(missing) | column.isna().to_numpy()
    cleaned = text.str.lstrip("£")
    cleaned = cleaned.where(~cleaned.str.match(_THOUSANDS), cleaned.str.replace(",", ""))
    values = pd.to_numeric(cleaned.where(~is_missing), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & ~is_missing.to_numpy()
    return values, bad


class _ReadError(Exception):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else (
        "int64" if c == "row" else str)) for c in TIDY_COLUMNS})


def decode(data: bytes, encoding: str) -> str:
    """Bytes of a council CSV as text.

    'auto' tries UTF-8 (stripping a BOM), then Windows cp1252, which is what Excel on a
    council PC writes. Never latin-1: it accepts any bytes and silently garbles £ and dashes.
    """
    candidates = ["utf-8-sig", "cp1252"] if encoding == "auto" else [encoding]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise _ReadError("encoding", "bad-encoding",
                     "file is neither UTF-8 nor Windows cp1252 text; re-save it as CSV UTF-8"
                     if encoding == "auto" else f"file is not valid {encoding} text")


def _read_csv(path: Path, spec: Dataset) -> pd.DataFrame:
    text = decode(path.read_bytes(), spec.encoding)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                           skiprows=spec.header_row - 1, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _ReadError("file", "bad-csv", f"cannot read as CSV: {exc}") from None


def _read_xlsx(path: Path, spec: Dataset) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise _ReadError("file", "bad-xlsx", f"cannot open as an xlsx workbook: {exc}") from None
    try:
        if spec.sheet is None:
            sheet = workbook.worksheets[0]
        elif spec.sheet in workbook.sheetnames:
            sheet = workbook[spec.sheet]
        else:
            raise _ReadError("sheet", "unknown-sheet", f"no sheet {spec.sheet!r}; sheets are: "
                             + ", ".join(repr(s) for s in workbook.sheetnames))
        rows = list(sheet.iter_rows(min_row=spec.header_row, values_only=True))
    finally:
        workbook.close()
    if not rows:
        raise _ReadError("header_row", "empty-sheet",
                         f"no rows at or below header row {spec.header_row}")
    header = ["" if c is None else str(c) for c in rows[0]]
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    # Trailing blank rows are common below a spreadsheet table; they are not data.
    while body and all(c is None or str(c).strip() == "" for c in body[-1]):
        body.pop()
    frame = pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=object)
    return frame.map(_cell_text)


def _cell_text(value: object) -> str:
    """A cell as the text a user sees: 2024.0 stored by Excel reads as "2024"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
