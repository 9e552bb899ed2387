"""Disclosure: the only path by which numbers reach figures, tables and downloads.

``analysis/suppression.py`` decides which counts are withheld. Here every indicator value,
breakdown variant and deprivation-group value that depends on a withheld count is blanked,
with a note saying why, and published counts are rounded when the council asks for it
(``rounding: nearest_5``, the ONS 10-5 rule). After this stage only publishable numbers
exist.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analysis.compute import NUMERIC_COLUMNS
from generator.analysis.suppression import PRIMARY, SECONDARY, totals
from generator.ingest.catalogue import Catalogue
from generator.ingest.loaders import BREAKDOWN_COLUMNS

#: How a withheld number reads in tables and CSV downloads (ONS/GSS convention).
SUPPRESSED_MARK = "[c]"

#: Rounding rules a council may choose.
ROUNDING_BASE = {"none": 1, "nearest_5": 5}


def round_counts(values: pd.DataFrame, base: int) -> pd.DataFrame:
    """Published counts rounded to the nearest ``base`` (halves away from zero).

    Numerators, denominators and uptake gaps are rounded, and so is the value of a count
    indicator (whose value is its numerator); a rate or share keeps the value and interval
    computed from the unrounded counts, as ONS does, since rounding both sides would distort
    it.
    """
    if base <= 1:
        return values
    out = values.copy()

    def rounded(col: pd.Series) -> pd.Series:
        return np.sign(col) * np.floor(np.abs(col) / base + 0.5) * base

    counts = out["denominator"].isna() if "denominator" in out.columns else None
    # An uptake gap is expected minus observed: unrounded, it would give the count back.
    for col in ("numerator", "denominator", "gap"):
        if col in out.columns:
            out[col] = rounded(out[col].astype(float))
    if counts is not None:
        for col in ("value", "comparator"):
            if col in out.columns:
                out.loc[counts, col] = rounded(out.loc[counts, col].astype(float))
        for col in ("lower", "upper"):
            if col in out.columns:
                # An interval around a rounded count would give the unrounded count away.
                out.loc[counts, col] = np.nan
    return out


def publish(
    values: pd.DataFrame, measures: pd.DataFrame, catalogue: Catalogue, rounding: str = "none"
) -> pd.DataFrame:
    """Indicator values with every number blanked where a count behind it is suppressed.

    ``values`` is compute's indicator table, ``measures`` the output of suppress_measures
    (breakdown cells there only constrain what is suppressed; totals are what values
    hold). ``rounding`` is a key of ROUNDING_BASE. After this, a suppressed row carries no
    number at all: nothing downstream can leak it.
    """
    measures = totals(measures)
    flags = measures.set_index(["level", "area_code", "period", "measure"])["note"]
    out = values.copy()
    note = pd.Series("", index=out.index, dtype=object)
    for ind_id, rows in out.groupby("indicator", sort=False):
        for measure in catalogue.indicators[ind_id].measures():
            keys = pd.MultiIndex.from_arrays(
                [
                    rows["level"],
                    rows["area_code"],
                    rows["period"],
                    pd.Series(measure, index=rows.index),
                ]
            )
            found = flags.reindex(keys).fillna("").to_numpy()
            current = note.loc[rows.index].to_numpy()
            # primary outranks secondary when explaining why a value is withheld
            merged = np.where(
                (found == PRIMARY) | (current == PRIMARY),
                PRIMARY,
                np.where((found == SECONDARY) | (current == SECONDARY), SECONDARY, ""),
            )
            note.loc[rows.index] = merged
    out["note"] = note.astype(str)
    out["suppressed"] = out["note"] != ""
    blank = out["suppressed"].to_numpy()
    for col in [*NUMERIC_COLUMNS, "rank"]:
        if col in out.columns:
            out.loc[blank, col] = pd.NA if col == "rank" else np.nan
    # status: below/above expected says too much; so does a comparison with any value
    for col in ("comparison", "status", "national_comparison"):
        if col in out.columns:
            out.loc[blank, col] = ""
    if "rank" in out.columns:
        # Rank among published values only: a gap in the ranks would hint at a hidden value.
        out["rank"] = (
            out.groupby(["indicator", "level", "period"], sort=False)["value"]
            .rank(method="min", ascending=False)
            .astype("Int64")
        )
    return round_counts(out, ROUNDING_BASE[rounding])


def publish_breakdowns(
    values: pd.DataFrame, measures: pd.DataFrame, catalogue: Catalogue, rounding: str = "none"
) -> pd.DataFrame:
    """``publish`` for each breakdown category's values (compute.compute_breakdowns).

    Each category is blanked by its own suppression flags: a measure that carries the
    breakdown by the category's cells (already suppressed jointly with the totals and the
    other categories by ``suppress_measures``), any other measure by its totals. So the
    same rules hold for every variant a page can show.
    """
    if values.empty:
        return values
    cells = (
        measures if "category" in measures.columns else measures.assign(breakdown="", category="")
    )
    cells = cells.assign(
        breakdown=cells["breakdown"].fillna(""), category=cells["category"].fillna("")
    )
    total = cells[cells["category"] == ""]
    parts = []
    for (breakdown, category), rows in values.groupby(["breakdown", "category"], sort=False):
        mine = cells[(cells["breakdown"] == breakdown) & (cells["category"] == category)]
        flags = pd.concat(
            [total[~total["measure"].isin(set(mine["measure"]))], mine], ignore_index=True
        ).drop(columns=BREAKDOWN_COLUMNS)
        done = publish(rows.drop(columns=BREAKDOWN_COLUMNS), flags, catalogue, rounding)
        parts.append(done.assign(breakdown=breakdown, category=category))
    return pd.concat(parts, ignore_index=True)


def publish_groups(values: pd.DataFrame, cells: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Group values with every number blanked where a group total behind it is withheld.

    ``values`` is ``inequality.group_values``, ``cells`` the output of suppress_groups.
    """
    flags = cells.set_index(["grouping", "group", "period", "measure"])["note"]
    out = values.copy()
    note = np.full(len(out), "", dtype=object)
    for n, r in enumerate(out.itertuples(index=False)):
        for measure in catalogue.indicators[r.indicator].measures():
            found = flags.get((r.grouping, r.group, r.period, measure), "")
            if found == PRIMARY or note[n] == PRIMARY:
                note[n] = PRIMARY
            elif found == SECONDARY:
                note[n] = SECONDARY
    out["note"] = note.astype(str)
    out["suppressed"] = out["note"] != ""
    blank = out["suppressed"].to_numpy()
    for col in ("numerator", "denominator", "value", "lower", "upper"):
        out.loc[blank, col] = np.nan
    return out
