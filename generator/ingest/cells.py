"""Cells of a data file as numbers: parsing what spreadsheets show, cells the source
withheld (censored: no value, bounds instead), and sums that carry those bounds."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# "1,234" or "12,345.6" with an optional leading currency sign: council exports format
# numbers for people, so we accept what a spreadsheet shows.
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def bounds(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (low, high): its bounds where censored, else its value twice."""
    value = table["value"].to_numpy(dtype=float)
    if "low" not in table.columns:
        return value, value
    low = table["low"].to_numpy(dtype=float)
    high = table["high"].to_numpy(dtype=float)
    return np.where(np.isnan(low), value, low), np.where(np.isnan(high), value, high)


def is_censored(table: pd.DataFrame) -> np.ndarray:
    """Rows whose value the source withheld: no value, but bounds."""
    if "low" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return table["value"].isna().to_numpy() & table["low"].notna().to_numpy()


def censored(column: pd.Series, markers: list[str]) -> np.ndarray:
    """Cells holding one of the source's suppression markers (case and spaces ignored)."""
    if not markers:
        return np.zeros(len(column), dtype=bool)
    wanted = {m.strip().lower() for m in markers}
    return column.astype(str).str.strip().str.lower().isin(wanted).to_numpy()


def parse_numbers(column: pd.Series, missing: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats, and a mask of cells that were neither numbers nor missing.

    Accepts thousands separators ("1,234") and a leading £, as spreadsheets show them.
    """
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float)
        return values, np.zeros(len(values), dtype=bool)
    # Most cells are plain numbers: read those at once, and clean only the rest.
    quick = np.array(pd.to_numeric(column, errors="coerce"), dtype=float)
    slow = np.isnan(quick)
    if any(not np.isnan(_number(m)) for m in missing):  # a marker such as "-1" or "999"
        slow |= column.astype(str).str.strip().isin(missing).to_numpy()
    if not slow.any():
        return quick, np.zeros(len(quick), dtype=bool)
    if slow.all():
        return _parse_slowly(column, missing)
    values, bad = _parse_slowly(column[slow], missing)
    quick[slow] = values
    out_bad = np.zeros(len(quick), dtype=bool)
    out_bad[slow] = bad
    return quick, out_bad


def _number(text: str) -> float:
    return float(pd.to_numeric(pd.Series([text.strip()], dtype=str), errors="coerce").iloc[0])


def _parse_slowly(column: pd.Series, missing: list[str]) -> tuple[np.ndarray, np.ndarray]:
    text = column.astype(str).str.strip()
    is_missing = text.isin(missing) | column.isna().to_numpy()
    cleaned = text.str.lstrip("£")
    cleaned = cleaned.where(~cleaned.str.match(_THOUSANDS), cleaned.str.replace(",", ""))
    values = pd.to_numeric(cleaned.where(~is_missing), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & ~is_missing.to_numpy()
    return values, bad


def sum_cells(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of ``table`` summed per ``keys``, keeping the first row number for messages.
    Where a summed cell was withheld at source, the sum has bounds and no value."""
    sums: dict[str, tuple[str, str]] = {"row": ("row", "min"), "value": ("value", "sum")}
    work = table
    if "low" in table.columns:
        low, high = bounds(table)
        work = table.assign(low=low, high=high, _unknown=is_censored(table))
        sums |= {"low": ("low", "sum"), "high": ("high", "sum"), "_unknown": ("_unknown", "any")}
    summed = work.groupby(keys, sort=True, dropna=False).agg(**sums).reset_index()
    if "_unknown" in summed.columns:
        summed.loc[summed.pop("_unknown").to_numpy(), "value"] = float("nan")
    return summed


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """Postcodes as the lookup writes them: upper case, one space before the last three
    characters ("eh54 6ff", "EH546FF" and " EH54  6FF " all become "EH54 6FF")."""
    squashed = postcodes.astype(str).str.upper().str.replace(r"\s+", "", regex=True)
    return squashed.where(squashed.str.len() < 5, squashed.str[:-3] + " " + squashed.str[-3:])
