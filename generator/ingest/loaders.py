"""Dataset readers: a council export (CSV or XLSX) in, the tidy long table out.

The tidy table has one row per (source row, measure): ``dataset, row, area_code, period,
measure, value``. ``row`` is the row number as the user sees it in a spreadsheet, so every
later message can point at it.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import io
import itertools
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from generator.errors import Problem, UsageError
from generator.ingest import limits
from generator.ingest.config import Match, Privacy
from generator.ingest.datasets import Dataset
from generator.ingest.yamlio import YamlDocument, display

TIDY_COLUMNS = ["dataset", "row", "area_code", "period", "measure", "value"]
#: Optional columns of a tidy table that bound ``value``: a cell the source withheld
#: (censored) has ``value`` NaN and ``low``/``high`` from the dataset's ``suppressed_range``.
#: Where they are absent or NaN they equal ``value``. Sums carry bounds the same way.
BOUND_COLUMNS = ["low", "high"]
#: A tidy table of breakdown cells has these two more columns.
BREAKDOWN_COLUMNS = ["breakdown", "category"]
#: Category for a record whose breakdown attribute is blank: categories must add up to the
#: total, or disclosure control could not reason about them.
UNKNOWN_CATEGORY = "unknown"

#: Turns raw household keys into pseudonyms.
Pseudonymiser = Callable[[pd.Series], pd.Series]

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
    #: Record-level only: counts by breakdown category (tidy columns plus breakdown, category).
    breakdowns: pd.DataFrame | None = None
    #: Record-level only: one row per household (pseudonymised key, area, period, attributes)
    #: kept for matching, then dropped by drop_records before anything leaves the loaders.
    records: pd.DataFrame | None = field(default=None, repr=False)
    #: Record-level only: every raw key and identifying value read, for the leak tripwire.
    identifying: set[str] = field(default_factory=set, repr=False)

    @property
    def failed(self) -> bool:
        """True when the file could not be read at all (missing, wrong columns...)."""
        return any(p.severity == "error" for p in self.problems)


def pseudonymiser(privacy: Privacy) -> Pseudonymiser:
    """HMAC-SHA256 of each key, with the council's key from ``privacy.key_env`` or, by
    default, a random key made now and held only in this closure (nothing to leak, and
    pseudonyms differ from build to build). Raises UsageError if the named variable is unset.
    """
    if privacy.key_env:
        given = os.environ.get(privacy.key_env)
        if not given:
            raise UsageError(
                f"environment variable {privacy.key_env} (privacy.key_env) is not "
                "set; set it to the pseudonymisation key or remove key_env"
            )
        key = given.encode("utf-8")
    else:
        key = secrets.token_bytes(32)

    def apply(keys: pd.Series) -> pd.Series:
        return keys.map(lambda k: hmac.new(key, str(k).encode("utf-8"), hashlib.sha256).hexdigest())

    return apply


def load_dataset(
    doc: YamlDocument,
    index: int,
    spec: Dataset,
    data_dir: Path,
    pseudonymise: Pseudonymiser | None = None,
    censored_range: tuple[int, int] = (1, 4),
) -> LoadedDataset:
    """Read dataset number ``index`` of the config ``doc`` from ``data_dir``.

    ``censored_range`` is what a ``suppressed_values`` cell stands for when the dataset does
    not say (1 to the disclosure threshold minus 1).

    Never raises for bad input: problems come back on the LoadedDataset, located in the
    config (missing file or column) or in the data file (row and column)."""
    path = data_dir / spec.file
    result = LoadedDataset(spec, index, path, _empty())
    where = ("datasets", index)
    if limits.outside(spec.file):
        result.problems.append(
            doc.problem((*where, "file"), "outside-data-folder", limits.outside_message(spec.file))
        )
        return result
    if not path.is_file():
        result.problems.append(
            doc.problem(
                (*where, "file"),
                "missing-file",
                f"{spec.file} not found in data folder {display(data_dir)}",
            )
        )
        return result
    xlsx = spec.file_format == "xlsx"
    refused = limits.too_large(path, spec.file)
    found = (
        ("file-too-large", refused)
        if refused
        else (limits.check_xlsx(path, spec.sheet) if xlsx else None)
    )
    if found is not None:
        result.problems.append(doc.problem((*where, "file"), *found))
        return result
    try:
        raw = _read_xlsx(path, spec) if xlsx else _read_csv(path, spec)
        too_many = limits.too_many_rows(len(raw))
        if too_many:
            raise _ReadError("file", "too-many-rows", f"{spec.file} has {too_many}")
    except _ReadError as exc:
        result.problems.append(doc.problem((*where, exc.field), exc.code, exc.message))
        return result
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in many ways in openpyxl
        if not xlsx:
            raise
        message = f"cannot read {spec.file}: {type(exc).__name__}: {exc}"[:300]
        result.problems.append(doc.problem((*where, "file"), "bad-xlsx", message))
        return result
    if raw.empty:
        result.problems.append(
            doc.problem(
                (*where, "file"),
                "no-rows",
                f"{spec.file} has no data rows below header row {spec.header_row}",
                severity="warning",
            )
        )

    columns = [str(c).strip() for c in raw.columns]
    raw.columns = columns
    wanted: list[tuple[tuple[str | int, ...], str]] = [(("area", "column"), spec.area.column)]
    if spec.period.column is not None:
        wanted.append((("period", "column"), spec.period.column))
    wanted += [(("measures", m), col) for m, col in spec.measures.items()]
    if spec.key is not None:
        wanted.append((("key", "column"), spec.key.column))
    wanted += [(("attributes", a), col) for a, col in spec.attributes.items()]
    wanted += [(("identifiers", n), col) for n, col in enumerate(spec.identifiers)]
    for loc, col in wanted:
        if col not in columns:
            close = difflib.get_close_matches(col, columns, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            result.problems.append(
                doc.problem(
                    (*where, *loc),
                    "unknown-column",
                    f"column {col!r} not found in {spec.file}{hint}; columns are: "
                    + ", ".join(repr(c) for c in columns),
                )
            )
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
    # A postcode -> data zone lookup (area type "postcode") plugs in here, on ``areas``, for
    # record-level and aggregate files alike.
    if spec.record_level:
        _aggregate_records(
            result, raw, rows, areas, periods, pseudonymise or pseudonymiser(Privacy())
        )
        return result

    frames = []
    shown = display(path)
    low, high = spec.suppressed_range or censored_range
    for measure, col in spec.measures.items():
        censored = _censored(raw[col], spec.suppressed_values)
        values, bad = parse_numbers(raw[col], spec.missing_values)
        bad &= ~censored
        infinite = np.isinf(values) & ~bad & ~censored
        for pos in np.flatnonzero(infinite):
            result.problems.append(
                Problem(
                    shown,
                    int(rows[pos]),
                    None,
                    col,
                    "not-finite",
                    f"{_short(raw[col].iloc[pos])} is too large to be a count (dataset "
                    f"{spec.id}, measure {measure}); value dropped",
                    severity="warning",
                )
            )
        bad |= infinite
        for pos in np.flatnonzero(bad):
            result.problems.append(
                Problem(
                    shown,
                    int(rows[pos]),
                    None,
                    col,
                    "non-numeric",
                    f"{_short(raw[col].iloc[pos])} is not a number (dataset {spec.id}, measure "
                    f"{measure}); if the source writes it for a small count it withheld, "
                    "list it under suppressed_values",
                    severity="warning",
                )
            )
        values = np.where(censored, np.nan, values)
        frames.append(
            pd.DataFrame(
                {
                    "dataset": spec.id,
                    "row": rows,
                    "area_code": areas.to_numpy(),
                    "period": periods.to_numpy(),
                    "measure": measure,
                    "value": values,
                    "low": np.where(censored, float(low), values),
                    "high": np.where(censored, float(high), values),
                }
            )[~bad & (~np.isnan(values) | censored)]
        )
    result.table = pd.concat(frames, ignore_index=True)
    return result


def _short(value: object, limit: int = 40) -> str:
    """A cell's value for a message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(value)):,} characters)"


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


def _censored(column: pd.Series, markers: list[str]) -> np.ndarray:
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
    return pd.DataFrame(
        {
            c: pd.Series(dtype=float if c == "value" else ("int64" if c == "row" else str))
            for c in TIDY_COLUMNS
        }
    )


def decode(data: bytes, encoding: str) -> str:
    """Bytes of a council CSV as text.

    'auto' tries UTF-8 (stripping a BOM), then Windows cp1252, which is what Excel on a
    council PC writes. Never latin-1: it accepts any bytes and silently garbles £ and dashes.
    """
    if b"\x00" in data[:65536]:
        raise _ReadError(
            "encoding",
            "bad-encoding",
            "file holds NUL bytes: it is UTF-16 or binary, not CSV text; re-save it as CSV UTF-8",
        )
    candidates = ["utf-8-sig", "cp1252"] if encoding == "auto" else [encoding]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise _ReadError(
        "encoding",
        "bad-encoding",
        "file is neither UTF-8 nor Windows cp1252 text; re-save it as CSV UTF-8"
        if encoding == "auto"
        else f"file is not valid {encoding} text",
    )


def _read_csv(path: Path, spec: Dataset) -> pd.DataFrame:
    text = decode(path.read_bytes(), spec.encoding)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skiprows=spec.header_row - 1,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _ReadError("file", "bad-csv", f"cannot read as CSV: {str(exc).strip()}") from None
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took extra fields as an index
        raise _ReadError(
            "file",
            "bad-csv",
            f"row {spec.header_row + 1} has more fields than the header row "
            f"{spec.header_row}; every row must have one field per column",
        )
    return frame


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
            raise _ReadError(
                "sheet",
                "unknown-sheet",
                f"no sheet {spec.sheet!r}; sheets are: "
                + ", ".join(repr(s) for s in workbook.sheetnames),
            )
        cap = limits.max_rows() + 2  # header and one row over: enough to refuse
        rows = list(
            itertools.islice(sheet.iter_rows(min_row=spec.header_row, values_only=True), cap)
        )
    finally:
        workbook.close()
    if not rows:
        raise _ReadError(
            "header_row", "empty-sheet", f"no rows at or below header row {spec.header_row}"
        )
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


def _aggregate_records(
    result: LoadedDataset,
    raw: pd.DataFrame,
    rows: np.ndarray,
    areas: pd.Series,
    periods: pd.Series,
    pseudonymise: Pseudonymiser,
) -> None:
    """Count one-row-per-household records per area and period (and breakdown category).

    Keys are pseudonymised at once; the raw keys and identifying columns are kept only as a
    set of strings for the leak tripwire. Each household counts once per period."""
    spec = result.spec
    assert spec.key is not None
    keys = raw[spec.key.column].astype(str).str.strip()
    for col in [spec.key.column, *spec.identifiers]:
        result.identifying.update(v for v in raw[col].astype(str).str.strip() if v)
    shown = display(result.path)
    blank = (keys == "").to_numpy()
    for pos in np.flatnonzero(blank):
        result.problems.append(
            Problem(
                shown,
                int(rows[pos]),
                None,
                spec.key.column,
                "missing-key",
                "no household key; row dropped",
                severity="warning",
            )
        )
    frame = pd.DataFrame(
        {
            "row": rows,
            "area_code": areas.to_numpy(),
            "period": periods.to_numpy(),
            "key": pseudonymise(keys).to_numpy(),
        }
    )
    for attr, col in spec.attributes.items():
        frame[attr] = raw[col].astype(str).str.strip().to_numpy()
    frame = frame[~blank]
    twice = frame.duplicated(["period", "key"], keep="first")
    for row in frame.loc[twice, "row"]:
        result.problems.append(
            Problem(
                shown,
                int(row),
                None,
                spec.key.column,
                "duplicate-household",
                "this household already appears in the same period; counted once",
                severity="warning",
            )
        )
    frame = frame[~twice].reset_index(drop=True)
    result.records = frame
    if spec.count_as is not None:  # else the dataset is only matched against
        result.table, result.breakdowns = count_households(
            frame, spec.id, spec.count_as, spec.breakdowns
        )


def count_households(
    frame: pd.DataFrame,
    dataset: str,
    measure: str,
    breakdowns: list[str],
    areas: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Household rows -> (tidy totals, tidy breakdown cells) per area and period.

    ``areas`` (area_code, period) lists cells to report as 0 when no row falls in them.
    Every category seen in a period is given for every area, 0 where none, so that the
    categories of an area add up to its total."""
    cells = frame[["area_code", "period"]].drop_duplicates()
    if areas is not None:
        cells = pd.concat([cells, areas]).drop_duplicates()
    counts = (
        frame.groupby(["area_code", "period"], sort=True)
        .agg(row=("row", "min"), value=("key", "size"))
        .reset_index()
    )
    totals = cells.merge(counts, on=["area_code", "period"], how="left")
    totals = totals.assign(
        dataset=dataset,
        measure=measure,
        row=totals["row"].fillna(0).astype("int64"),
        value=totals["value"].fillna(0).astype(float),
    )
    totals = totals.sort_values(["period", "area_code"]).reset_index(drop=True)[TIDY_COLUMNS]
    parts = []
    for attr in breakdowns:
        cat = (
            frame[attr]
            .replace("", UNKNOWN_CATEGORY)
            .str.lower()
            .str.replace(r"[^a-z0-9]+", "_", regex=True)
            .str.strip("_")
        )
        counted = (
            frame.assign(category=cat)
            .groupby(["area_code", "period", "category"], sort=True)
            .size()
            .rename("value")
            .reset_index()
        )
        grid = cells.merge(counted[["period", "category"]].drop_duplicates(), on="period")
        grid = grid.merge(counted, on=["area_code", "period", "category"], how="left")
        parts.append(
            grid.assign(
                dataset=dataset,
                row=0,
                measure=measure,
                breakdown=attr,
                value=grid["value"].fillna(0).astype(float),
            )
        )
    columns = [*TIDY_COLUMNS, *BREAKDOWN_COLUMNS]
    split = (
        pd.concat(parts, ignore_index=True)[columns]
        .sort_values(["period", "area_code", "breakdown", "category"])
        .reset_index(drop=True)
        if parts
        else pd.DataFrame(columns=columns)
    )
    return totals, split


def match_households(
    doc: YamlDocument, matches: list[Match], datasets: list[LoadedDataset]
) -> list[LoadedDataset]:
    """For each match, households in one record-level dataset and in none of the others
    (same period, matched on the pseudonymised key), counted by area: a dataset of its own.

    Only periods that every ``not_in`` dataset covers are counted: a household cannot be
    said to be missing from a list we do not have for that year."""
    by_id = {ds.spec.id: ds for ds in datasets}
    out = []
    for n, match in enumerate(matches):
        source = by_id.get(match.households_in)
        others = [by_id.get(d) for d in match.not_in]
        if (
            source is None
            or source.records is None
            or any(o is None or o.records is None for o in others)
        ):
            continue  # the dataset itself is already reported as missing or broken
        records = source.records
        keep = pd.Series(True, index=records.index)
        for attr, rule in match.where.items():
            number = pd.to_numeric(records[attr], errors="coerce")
            if rule.min is not None:
                keep &= number >= rule.min
            if rule.max is not None:
                keep &= number <= rule.max
            if rule.values is not None:
                keep &= records[attr].isin(rule.values)
        periods = set(records["period"])
        receiving: set[tuple[str, str]] = set()
        for other in others:
            assert other is not None and other.records is not None
            periods &= set(other.records["period"])
            receiving |= set(zip(other.records["period"], other.records["key"], strict=True))
        dropped = sorted(set(records["period"]) - periods)
        if dropped:
            out_problem = doc.problem(
                ("matches", n, "not_in"),
                "match-periods",
                f"{match.measure}: no {', '.join(match.not_in)} data for "
                f"{', '.join(dropped)}, so those periods are not counted",
                severity="warning",
            )
        in_periods = records["period"].isin(periods)
        pairs = pd.Series(
            list(zip(records["period"], records["key"], strict=True)), index=records.index
        )
        wanted = records[keep & in_periods & ~pairs.isin(receiving)]
        areas = records.loc[in_periods, ["area_code", "period"]].drop_duplicates()
        spec = source.spec.model_copy(
            update={
                "id": f"match_{n + 1}",
                "record_level": False,
                "key": None,
                "count_as": None,
                "attributes": {},
                "identifiers": [],
                "title": f"{match.measure}: households in {match.households_in}, not in "
                + ", ".join(match.not_in),
                "measures": {match.measure: f"matched from {match.households_in}"},
            }
        )
        table, split = count_households(
            wanted, spec.id, match.measure, [b for b in source.spec.breakdowns], areas
        )
        result = LoadedDataset(
            spec, source.index, source.path, table, rows_read=len(wanted), breakdowns=split
        )
        if dropped:
            result.problems.append(out_problem)
        out.append(result)
    return out


def drop_records(datasets: list[LoadedDataset]) -> None:
    """Forget every household row: after matching, only counts go on."""
    for ds in datasets:
        ds.records = None
