"""Postcode-keyed datasets: assign each row to a data zone through a postcode lookup.

Runs between loading and the checks. A postcode in the public lookup is geography, but an
*unmatched* postcode from a council extract may be someone's address, so problems name
only counts and row numbers, never the postcode itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.errors import Problem
from generator.ingest import limits
from generator.ingest.cells import normalise_postcodes, sum_cells
from generator.ingest.datasets import PostcodeLookup
from generator.ingest.loaders import LoadedDataset
from generator.ingest.periods import SUB_COLUMN
from generator.ingest.readers import decode
from generator.ingest.yamlio import YamlDocument, display

#: How many row numbers of unmatched postcodes a problem lists.
ROWS_LISTED = 5


#: Postcodes as the lookup writes them (see ``cells.normalise_postcodes``).
normalise = normalise_postcodes


def load_lookup(
    doc: YamlDocument, spec: PostcodeLookup, data_dir: Path
) -> tuple[dict[str, str] | None, list[Problem]]:
    """The lookup as {normalised postcode: data zone code}, or None and the problems."""
    path = data_dir / spec.file
    if limits.outside(spec.file):  # already reported by the config cross-check
        return None, []
    if not path.is_file():
        return None, [
            doc.problem(
                ("postcode_lookup", "file"),
                "missing-file",
                f"{spec.file} not found in data folder {display(data_dir)}",
            )
        ]
    import io

    try:
        frame = pd.read_csv(
            io.StringIO(decode(path.read_bytes(), "auto")), dtype=str, keep_default_na=False
        )
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one user-facing problem
        return None, [
            doc.problem(
                ("postcode_lookup", "file"), "bad-csv", f"cannot read {spec.file} as CSV: {exc}"
            )
        ]
    problems = [
        doc.problem(
            ("postcode_lookup", key),
            "unknown-column",
            f"column {col!r} not found in {spec.file}; columns are: "
            + ", ".join(repr(c) for c in frame.columns),
        )
        for key, col in (
            ("postcode_column", spec.postcode_column),
            ("area_column", spec.area_column),
        )
        if col not in frame.columns
    ]
    if problems:
        return None, problems
    keys = normalise(frame[spec.postcode_column])
    areas = frame[spec.area_column].str.strip().str.upper()
    return dict(zip(keys, areas, strict=True)), []


def assign(ds: LoadedDataset, lookup: dict[str, str]) -> None:
    """Replace each row's postcode by its data zone and sum rows per data zone, in place;
    drop and report rows whose postcode is not in the lookup.

    The problem gives the number of rows unmatched and the first few row numbers, not the
    postcodes.
    """
    table = ds.table
    zones = normalise(table["area_code"]).map(lookup)
    unmatched = zones.isna()
    # Record-level: every household row, not the sums, is placed (and reported) once.
    record_zones = None if ds.records is None else normalise(ds.records["area_code"]).map(lookup)
    if ds.records is not None and record_zones is not None:
        unmatched_rows = ds.records.loc[record_zones.isna(), "row"]
    else:
        unmatched_rows = table.loc[unmatched, "row"]
    ds.drop("unmatched-postcode", unmatched_rows)
    if len(unmatched_rows):
        rows = sorted(set(unmatched_rows.astype(int)))
        listed = ", ".join(str(r) for r in rows[:ROWS_LISTED])
        more = f" and {len(rows) - ROWS_LISTED} more" if len(rows) > ROWS_LISTED else ""
        ds.problems.append(
            Problem(
                display(ds.path),
                rows[0],
                None,
                ds.spec.area.column,
                "unmatched-postcode",
                f"{len(rows)} row(s) of dataset {ds.spec.id} have a postcode that is not in the "
                f"postcode lookup (rows {listed}{more}); they are left out. Postcodes are not "
                "shown here because they may be addresses",
                severity="warning",
            )
        )
    matched = table[~unmatched].assign(area_code=zones[~unmatched])
    # Many postcodes make one data zone: sum them, keeping the first row for messages.
    keys = ["dataset", "area_code", "period", "measure"]
    if SUB_COLUMN in matched.columns:
        keys.append(SUB_COLUMN)
    ds.table = sum_cells(matched, keys)[list(table.columns)]
    if ds.records is not None and record_zones is not None:
        placed = record_zones.notna()
        ds.records = ds.records[placed].assign(area_code=record_zones[placed])
