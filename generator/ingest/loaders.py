"""Dataset readers: a council export (CSV or XLSX) in, the tidy long table out.

The tidy table has one row per (source row, measure): ``dataset, row, area_code, period,
measure, value``. ``row`` is the row number as the user sees it in a spreadsheet, so every
later message can point at it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from generator.errors import Problem, UsageError, shorten
from generator.ingest import breakdown_column, columns, limits, periods
from generator.ingest.cells import censored, normalise_postcodes, parse_numbers
from generator.ingest.config import Match, Privacy
from generator.ingest.datasets import ColumnRef, ColumnSum, Dataset, column_label
from generator.ingest.readers import ReadError, read_csv, read_xlsx
from generator.ingest.readers import decode as decode
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
    #: Rows left out by the dataset's ``where`` filters.
    rows_filtered: int = 0
    #: True for a dataset made by matching others (``matches:``): its rows are households
    #: counted, all used.
    derived: bool = False
    #: Source rows left out whole before the checks, by problem code ("bad-period",
    #: "missing-key", "unmatched-postcode", "unplaced"...): the data report counts them.
    dropped: dict[str, set[int]] = field(default_factory=dict)
    #: Rows deliberately placed in no area (an area name aliased to null), by reason:
    #: ``{"reason": ..., "rows": n, "by_period": {period: n}}``. Counted, not warned.
    unplaced: list[dict[str, object]] = field(default_factory=list)
    #: Record-level only: every raw key, identifying value and postcode read -> the column
    #: it came from, for the leak checks (``ingest/leaks.py``, ``site/tripwire.py``).
    identifying: dict[str, str] = field(default_factory=dict, repr=False)

    def drop(self, code: str, rows: object) -> None:
        """Record source rows left out whole, and why."""
        try:
            listed = np.asarray(rows, dtype=np.int64).tolist()  # Python ints, made in C
        except (TypeError, ValueError):  # a set or other iterable of row numbers
            listed = [int(r) for r in rows]  # type: ignore[attr-defined]
        self.dropped.setdefault(code, set()).update(listed)

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
    config (missing file or column) or in the data file (row and column). A build reads
    through ``ingest/national.py``, which reads each national file once."""
    path = data_dir / spec.file
    result = LoadedDataset(spec, index, path, _empty())
    where = ("datasets", index)
    refused = limits.refuse_data_file(spec.file, path, spec.file_format, spec.sheet)
    if refused is not None:  # outside the data folder, too large, or no workbook
        result.problems.append(doc.problem((*where, "file"), *refused))
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
    try:
        header_cells, body = read_xlsx(path, spec) if xlsx else read_csv(path, spec)
        too_many = limits.too_many_rows(len(body))
        if too_many:
            raise ReadError("file", "too-many-rows", f"{spec.file} has {too_many}")
    except ReadError as exc:
        result.problems.append(doc.problem((*where, exc.field), exc.code, exc.message))
        return result
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in many ways in openpyxl
        if not xlsx:
            raise
        message = f"cannot read {spec.file}: {type(exc).__name__}: {exc}"[:300]
        result.problems.append(doc.problem((*where, "file"), "bad-xlsx", message))
        return result
    if body.empty:
        message = f"{spec.file} has no data rows below its header"
        result.problems.append(doc.problem((*where, "file"), "no-rows", message, "warning"))

    header = columns.join_header(header_cells)
    shown = display(path)
    found = columns.resolve(doc, index, spec, header)
    result.problems += found.problems
    if result.failed:
        return result

    # Row numbers as the user sees them in a spreadsheet: just below the header.
    rows = np.arange(len(body)) + spec.first_data_row
    keep = np.ones(len(body), dtype=bool)
    for col in spec.where:
        cells = body[found.one(("where", col))].astype(str).str.strip()
        keep &= cells.isin([v.strip() for v in spec.where[col].values]).to_numpy()
    result.rows_read = len(body)
    result.rows_filtered = int((~keep).sum())
    body, rows = body[keep].reset_index(drop=True), rows[keep]
    raw = pd.DataFrame({name: body[found.one(loc)] for loc, name in _named(spec)}, index=body.index)
    areas = raw[spec.area.column].astype(str).str.strip()
    if spec.area.by == "code":
        areas = areas.str.upper()
    if spec.period.column is not None:
        parsed = periods.parse(raw[spec.period.column], spec.period)
        for pos in np.flatnonzero(parsed.bad):
            result.problems.append(
                Problem(
                    shown,
                    int(rows[pos]),
                    None,
                    spec.period.column,
                    "bad-period",
                    f"{raw[spec.period.column].iloc[pos]!r} is not a period in the format "
                    f"{spec.period.format} (e.g. {parsed.example(spec.period)}); row dropped",
                    severity="warning",
                )
            )
        period_labels, sub = parsed.labels, parsed.sub
        for target, sources in parsed.collisions.items():
            result.problems.append(
                doc.problem(
                    (*where, "period", "map"),
                    "period-map-collision",
                    f"{' and '.join(repr(x) for x in sources)} in {spec.file} all become "
                    f"{target!r}: their rows would be duplicates and all but one dropped. To "
                    "combine months or quarters into a year, use period format, to and "
                    "aggregate instead",
                )
            )
        good = ~parsed.bad
        if sub is not None:
            for year, lacking in periods.missing(
                spec.period, period_labels[good], sub[good]
            ).items():
                whole = len(periods.expected(spec.period, year))
                result.problems.append(
                    doc.problem(
                        (*where, "period", "format"),
                        "incomplete-period",
                        f"{year} is incomplete: no rows for {', '.join(lacking)} in "
                        f"{spec.file}, so its {spec.period.aggregate} is over "
                        f"{whole - len(lacking)} of {whole}",
                        severity="warning",
                    )
                )
        if parsed.bad.any():
            result.drop("bad-period", rows[parsed.bad])
            raw, rows, areas = raw[good], rows[good], areas[good]
            period_labels = period_labels[good]
            sub = None if sub is None else sub[good]
    else:
        period_labels, sub = pd.Series([spec.period.value] * len(raw), dtype=str), None
    # Postcodes (area type "postcode") and names (by: name) become codes after loading, on
    # the area column, for record-level and aggregate files alike.
    if spec.record_level:
        _aggregate_records(
            result, raw, rows, areas, period_labels, pseudonymise or pseudonymiser(Privacy())
        )
        return result

    frames = []
    low, high = spec.suppressed_range or censored_range
    for measure, ref in spec.measures.items():
        parts = found.positions[("measures", measure)]
        value = np.zeros(len(body))
        lows, highs = np.zeros(len(body)), np.zeros(len(body))
        withheld = np.zeros(len(body), dtype=bool)
        dropped = np.zeros(len(body), dtype=bool)
        infinite = np.zeros(len(body), dtype=bool)
        blank = np.zeros(len(body), dtype=bool)
        for pos_col, label in zip(parts, _part_labels(ref), strict=True):
            cells = body[pos_col]
            hidden = censored(cells, spec.suppressed_values)
            values, bad = parse_numbers(cells, spec.missing_values)
            bad &= ~hidden
            huge = np.isinf(values) & ~bad & ~hidden
            for pos in np.flatnonzero(huge):
                result.problems.append(
                    Problem(
                        shown,
                        int(rows[pos]),
                        None,
                        label,
                        "not-finite",
                        f"{shorten(cells.iloc[pos])} is too large to be a count (dataset "
                        f"{spec.id}, measure {measure}); value dropped",
                        severity="warning",
                    )
                )
            for pos in np.flatnonzero(bad):
                result.problems.append(
                    Problem(
                        shown,
                        int(rows[pos]),
                        None,
                        label,
                        "non-numeric",
                        f"{shorten(cells.iloc[pos])} is not a number (dataset {spec.id}, measure "
                        f"{measure}); if the source writes it for a small count it withheld, "
                        "list it under suppressed_values",
                        severity="warning",
                    )
                )
            dropped |= bad | huge
            infinite |= huge
            blank |= np.isnan(values) & ~hidden & ~bad & ~huge
            withheld |= hidden
            value += np.nan_to_num(values)
            lows += np.where(hidden, float(low), np.nan_to_num(values))
            highs += np.where(hidden, float(high), np.nan_to_num(values))
        frame = pd.DataFrame(
            {
                "dataset": spec.id,
                "measure": measure,
                "value": np.where(withheld, np.nan, value),
                "low": lows,
                "high": highs,
                "_keep": ~dropped & ~blank,
                "_bad": dropped,
                "_inf": infinite,
            },
            index=body.index,
        )
        frames.append(frame)
    result.table = _measures_table(frames, raw.index, rows, areas, period_labels, sub)
    kept_any = np.zeros(len(body), dtype=bool)
    bad_any = np.zeros(len(body), dtype=bool)
    inf_any = np.zeros(len(body), dtype=bool)
    for frame in frames:
        kept_any |= frame["_keep"].to_numpy()
        bad_any |= frame["_bad"].to_numpy() & ~frame["_inf"].to_numpy()
        inf_any |= frame["_inf"].to_numpy()
    position = body.index.get_indexer(raw.index)
    lost = ~kept_any[position]
    # Each lost row under one reason: "not a number" before "too large".
    result.drop("non-numeric", rows[lost & bad_any[position]])
    result.drop("not-finite", rows[lost & inf_any[position] & ~bad_any[position]])
    result.drop("no-values", rows[lost & ~bad_any[position] & ~inf_any[position]])
    if spec.breakdown_column is not None:
        # every row is a breakdown cell (its totals come from another dataset)
        result.breakdowns = breakdown_column.cells(
            result.table,
            spec.breakdown_column.id,
            raw[spec.breakdown_column.column],
            rows,
            [*TIDY_COLUMNS, *BREAKDOWN_COLUMNS],
            UNKNOWN_CATEGORY,
        )
        result.table = result.table.iloc[0:0]
    return result


def _measures_table(
    frames: list[pd.DataFrame],
    kept: pd.Index,
    rows: np.ndarray,
    areas: pd.Series,
    period_labels: pd.Series,
    sub: pd.Series | None,
) -> pd.DataFrame:
    """The tidy table of an aggregate dataset from one frame per measure (over every body
    row), keeping the rows whose period was read."""
    order = [*TIDY_COLUMNS, *BOUND_COLUMNS] + ([periods.SUB_COLUMN] if sub is not None else [])
    out = []
    for frame in frames:
        frame = frame.loc[kept].assign(
            row=rows, area_code=areas.to_numpy(), period=period_labels.to_numpy()
        )
        if sub is not None:
            frame[periods.SUB_COLUMN] = sub.to_numpy()
        out.append(frame[frame["_keep"].to_numpy()][order])
    return pd.concat(out, ignore_index=True)


def _named(spec: Dataset) -> list[tuple[tuple[str | int, ...], str]]:
    """The single columns a dataset names (not measures), with their config places."""
    return [
        (loc, ref)
        for loc, ref in columns.wanted(spec)
        if loc[0] != "measures" and isinstance(ref, str)
    ]


def _part_labels(ref: ColumnRef) -> list[str]:
    """The column of each part of a measure's reference, for messages."""
    return [column_label(p) for p in (ref.sum if isinstance(ref, ColumnSum) else [ref])]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype=float if c == "value" else ("int64" if c == "row" else str))
            for c in TIDY_COLUMNS
        }
    )


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
        for value in raw[col].astype(str).str.strip():
            if value:
                result.identifying.setdefault(value, col)
    if spec.area.type == "postcode":  # a household's postcode is personal data too
        for value in normalise_postcodes(areas):
            if value.strip():
                result.identifying.setdefault(value, spec.area.column)
    shown = display(result.path)
    blank = (keys == "").to_numpy()
    result.drop("missing-key", rows[blank])
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
    result.drop("duplicate-household", frame.loc[twice, "row"])
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
            spec,
            source.index,
            source.path,
            table,
            rows_read=len(wanted),
            breakdowns=split,
            derived=True,
        )
        if dropped:
            result.problems.append(out_problem)
        out.append(result)
    return out


def drop_records(datasets: list[LoadedDataset]) -> None:
    """Forget every household row: after matching, only counts go on."""
    for ds in datasets:
        ds.records = None
