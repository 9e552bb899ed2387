"""Reporting periods as files write them: financial and school years, quarters, months.

``parse`` reads a period column by the dataset's ``period.format`` into year labels
("2023/24") and, for months and quarters combined ``to: financial_year``, the month or
quarter each row is for. ``aggregate`` then makes one value per area and year, as the
config's ``aggregate`` says (sum, last, mean), once the rows' areas are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.ingest.cells import sum_cells
from generator.ingest.datasets import PeriodColumn

#: Column of a tidy table holding each row's month ("2023-04") or quarter ("Q1") while it
#: waits to be combined into its year.
SUB_COLUMN = "subperiod"

_YEAR = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*Q([1-4])$", re.IGNORECASE)
_FINANCIAL_MONTHS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
_EXAMPLES = {
    "financial_year": "'2023/24'",
    "school_year": "'2023/24'",
    "financial_quarter": "'2023/24 Q1'",
    "%b-%y": "'Apr-23'",
    "%Y-%m": "'2023-04'",
}


@dataclass(frozen=True)
class Parsed:
    """Each row's period label, month or quarter (or None), and which cells did not fit."""

    labels: pd.Series
    sub: pd.Series | None
    bad: np.ndarray
    #: period -> the labels in the file that ``period.map`` turned into it, where several
    #: did: their rows would be duplicates of each other, of which only one could be kept.
    collisions: dict[str, list[str]]

    def example(self, spec: PeriodColumn) -> str:
        """How the format writes a period, for messages."""
        return _EXAMPLES.get(spec.format or "", "")


def year_label(start: int) -> str:
    """'2023/24' for the year starting in 2023."""
    return f"{start}/{(start + 1) % 100:02d}"


def _year(text: str, pattern: re.Pattern[str]) -> tuple[str, str] | None:
    found = pattern.match(text)
    if found is None:
        return None
    start, end = int(found.group(1)), found.group(2)
    if int(end) not in ((start + 1) % 100, start + 1):
        return None
    return year_label(start), (f"Q{found.group(3)}" if found.lastindex == 3 else "")


def parse(cells: pd.Series, spec: PeriodColumn) -> Parsed:
    """Period labels for the cells of a period column, read by ``spec.format``."""
    text = cells.astype(str).str.strip()
    fmt = spec.format
    sub: pd.Series | None = None
    if fmt is None:
        labels = text.str.replace(r"\.0$", "", regex=True)  # 2024 read from xlsx as 2024.0
        bad = np.zeros(len(text), dtype=bool)
    elif fmt in ("financial_year", "school_year", "financial_quarter"):
        pattern = _QUARTER if fmt == "financial_quarter" else _YEAR
        found = [_year(t, pattern) for t in text]
        bad = np.array([f is None for f in found], dtype=bool)
        labels = pd.Series([f[0] if f else "" for f in found], index=cells.index, dtype=str)
        if fmt == "financial_quarter":
            quarters = pd.Series([f[1] if f else "" for f in found], index=cells.index, dtype=str)
            if spec.to is None:
                labels = labels + " " + quarters
            else:
                sub = quarters
    else:
        months = pd.to_datetime(text.str.title(), format=fmt, errors="coerce")
        bad = months.isna().to_numpy()
        ym = months.dt.strftime("%Y-%m").fillna("")
        if spec.to is None:
            labels = ym.astype(str)
        else:
            start = months.dt.year - (months.dt.month < 4).astype(int)
            labels = pd.Series(
                ["" if pd.isna(s) else year_label(int(s)) for s in start],
                index=cells.index,
                dtype=str,
            )
            sub = ym.astype(str)
    collisions: dict[str, list[str]] = {}
    if spec.map:
        before = labels
        labels = labels.replace(spec.map)
        pairs = pd.DataFrame({"before": before, "after": labels})[~bad].drop_duplicates()
        for after, part in pairs.groupby("after", sort=True):
            if len(part) > 1:
                collisions[str(after)] = sorted(part["before"].astype(str))
    return Parsed(
        labels.reset_index(drop=True),
        None if sub is None else sub.reset_index(drop=True),
        bad,
        collisions,
    )


def expected(spec: PeriodColumn, year: str) -> list[str]:
    """The months ('2023-04') or quarters ('Q1') a complete year of ``spec`` has."""
    if spec.format == "financial_quarter":
        return ["Q1", "Q2", "Q3", "Q4"]
    start = int(year[:4])
    return [f"{start + (m < 4)}-{m:02d}" for m in _FINANCIAL_MONTHS]


def missing(spec: PeriodColumn, labels: pd.Series, sub: pd.Series) -> dict[str, list[str]]:
    """Year -> the months or quarters it lacks, for years that lack any."""
    out: dict[str, list[str]] = {}
    present = pd.DataFrame({"year": labels, "sub": sub})
    for year, part in present.groupby("year", sort=True):
        if not re.match(r"^\d{4}/\d{2}$", str(year)):
            continue
        lacking = [s for s in expected(spec, str(year)) if s not in set(part["sub"])]
        if lacking:
            out[str(year)] = lacking
    return out


def aggregate(table: pd.DataFrame, how: str) -> pd.DataFrame:
    """Months or quarters (``SUB_COLUMN``) combined into one row per area, year and
    measure: their ``sum``; the ``last`` month or quarter of the year in the file; or the
    ``mean`` over the months or quarters of the year in the file (an area with no row in
    one of them counts 0 there)."""
    columns = [c for c in table.columns if c != SUB_COLUMN]
    keys = ["dataset", "area_code", "period", "measure"]
    if table.empty:
        return table[columns]
    if how == "last":
        latest = table.groupby("period")[SUB_COLUMN].transform("max")
        table = table[table[SUB_COLUMN] == latest]
    summed = sum_cells(table, keys)
    if how == "mean":
        count = table.groupby("period")[SUB_COLUMN].nunique()
        n = summed["period"].map(count).to_numpy(dtype=float)
        for col in ("value", "low", "high"):
            if col in summed.columns:
                summed[col] = summed[col] / n
    return summed[columns].sort_values(["period", "area_code", "measure"]).reset_index(drop=True)
