"""The previous build's published values, read back for "what changed since the last
refresh" (``analysis/changes.py``): its ``indicator_values.csv`` and the
``priority_areas.csv`` snapshot beside it.

``find`` accepts a previous site folder (``<site>/<slug>/data/``), a council's data folder,
or the CSV itself (a saved snapshot). Nothing found is not an error: the first build of a
site has nothing to compare with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

VALUES_CSV = "indicator_values.csv"
PRIORITY_CSV = "priority_areas.csv"
_NUMBERS = ("numerator", "denominator", "value", "lower", "upper")


@dataclass(frozen=True)
class Previous:
    """What the previous build published."""

    values: pd.DataFrame  # indicator_values.csv, numbers as floats ([c] is NaN)
    priority: pd.DataFrame | None  # level, rank, area_code, area_name; None when not saved


def find(given: Path, slug: str) -> Path | None:
    """The folder holding the previous build's CSVs, or None."""
    if given.is_file():
        return given.parent
    for folder in (given / slug / "data", given / "data", given):
        if (folder / VALUES_CSV).is_file():
            return folder
    return None


def read(folder: Path) -> Previous | None:
    """The previous build's tables from ``folder``; None when they cannot be read (an old
    or damaged site is left out of the comparison, never a reason to fail the build)."""
    try:
        values = pd.read_csv(folder / VALUES_CSV, dtype=str, keep_default_na=False)
        for col in _NUMBERS:
            values[col] = pd.to_numeric(values.get(col), errors="coerce")
        values["suppressed"] = values["suppressed"].str.lower().eq("true")
        path = folder / PRIORITY_CSV
        priority = pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else None
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return None
    return Previous(values, priority)
