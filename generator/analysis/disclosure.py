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

from generator.analysis.compute import COMPARED_WITH_COUNCIL, NUMERIC_COLUMNS, compare
from generator.analysis.inequality import counts_interval
from generator.analysis.intervals import poisson_exact
from generator.analysis.suppression import PRIMARY, SECONDARY, totals
from generator.ingest.catalogue import Catalogue
from generator.ingest.loaders import BREAKDOWN_COLUMNS

#: How a withheld number reads in tables and CSV downloads (ONS/GSS convention).
SUPPRESSED_MARK = "[c]"

#: Rounding rules a council may choose.
ROUNDING_BASE = {"none": 1, "nearest_5": 5}


def _rounded(col: pd.Series, base: int) -> pd.Series:
    """Nearest multiple of ``base``, halves away from zero."""
    return np.sign(col) * np.floor(np.abs(col) / base + 0.5) * base


def round_counts(values: pd.DataFrame, base: int, catalogue: Catalogue) -> pd.DataFrame:
    """Published counts rounded to the nearest ``base``, and everything else recomputed
    from the rounded counts.

    A value or interval computed from the unrounded counts would give them back (printed to
    three decimals, 6,643 of 6,656 shares and rates did), so numerators and denominators
    (for uptake the observed and expected counts) are rounded and then each value, 95%
    (and 99.8%) interval, uptake gap and status, the council comparator and the
    comparisons are computed again from them by the indicator's own method. A count's
    interval is dropped: the page says counts are rounded, and an interval around a
    rounded count would hint at the unrounded one. Works on area rows (``values`` from
    ``publish``) and group rows (``publish_groups``) alike.
    """
    if base <= 1:
        return values
    out = values.copy()
    for col in ("numerator", "denominator"):
        if col in out.columns:
            out[col] = _rounded(out[col].astype(float), base)
    for ind_id, idx in out.groupby("indicator", sort=False).groups.items():
        ind = catalogue.indicators.get(str(ind_id))
        if ind is None or ind.method == "index":
            continue
        rows = out.loc[idx]
        k = rows["numerator"].to_numpy(dtype=float)
        n = rows["denominator"].to_numpy(dtype=float)
        if ind.method == "count":
            out.loc[idx, "value"] = k
            for col in ("lower", "upper"):
                out.loc[idx, col] = np.nan
        else:
            value, lower, upper = counts_interval(ind, k, n)
            out.loc[idx, "value"], out.loc[idx, "lower"], out.loc[idx, "upper"] = (
                value,
                lower,
                upper,
            )
        if ind.method == "uptake":
            _recompute_uptake(out, idx, ind, k, n)
    if "comparator" in out.columns and "area_code" in out.columns:
        _recompare(out, catalogue)
    if "rank" in out.columns:
        out["rank"] = (
            out.groupby(["indicator", "level", "period"], sort=False)["value"]
            .rank(method="min", ascending=False)
            .astype("Int64")
        )
    return out


def _recompute_uptake(
    out: pd.DataFrame, idx: pd.Index, ind: object, k: np.ndarray, n: np.ndarray
) -> None:
    """Gap, status and 99.8% limits of uptake rows from rounded observed and expected."""
    safe_n = np.where(n > 0, n, np.nan)
    scale = float(getattr(ind, "multiplier", 100)) / safe_n
    lower, upper = poisson_exact(k)
    if "gap" in out.columns:
        out.loc[idx, "gap"] = np.where(
            np.isnan(k) | np.isnan(safe_n), np.nan, np.maximum(n - k, 0.0)
        )
    if "status" in out.columns:
        status = np.select(
            [np.isnan(upper * scale), upper < safe_n, lower > safe_n],
            ["", "below", "above"],
            default="as_expected",
        )
        keep = out.loc[idx, "status"].to_numpy() != ""  # a withheld row stays blank
        out.loc[idx, "status"] = np.where(keep, status, "")
    if "lower_998" in out.columns:
        lo, hi = poisson_exact(k, level=0.998)
        out.loc[idx, "lower_998"], out.loc[idx, "upper_998"] = lo * scale, hi * scale


def _recompare(out: pd.DataFrame, catalogue: Catalogue) -> None:
    """Comparator (the council's recomputed value) and comparisons, after rounding.

    Only where a comparator was published before: ``publish`` has already blanked those
    that would compare against a withheld council value."""
    for ind_id, idx in out.groupby("indicator", sort=False).groups.items():
        ind = catalogue.indicators.get(str(ind_id))
        if ind is None:
            continue
        rows = out.loc[idx]
        top, code = _council_of(rows)
        if not code:
            continue
        council = rows[(rows["level"] == top) & (rows["area_code"] == code)]
        by_period = dict(zip(council["period"], council["value"], strict=True))
        had = rows["comparator"].notna().to_numpy()
        comparator = np.where(had, rows["period"].map(by_period).to_numpy(dtype=float), np.nan)
        out.loc[idx, "comparator"] = comparator
        lower = rows["lower"].to_numpy(dtype=float)
        upper = rows["upper"].to_numpy(dtype=float)
        if ind.method in COMPARED_WITH_COUNCIL:
            words = compare(lower, upper, comparator, ind.polarity)
            out.loc[idx, "comparison"] = np.where(had, words, "")
        if "national" in out.columns and "national_comparison" in out.columns:
            hidden = out.loc[idx, "suppressed"].to_numpy(dtype=bool)
            words = compare(lower, upper, rows["national"].to_numpy(dtype=float), ind.polarity)
            out.loc[idx, "national_comparison"] = np.where(hidden, "", words)


def withheld(
    values: pd.DataFrame,
    measures: pd.DataFrame,
    catalogue: Catalogue,
    council: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """What may be published of each indicator row: the one decision every writer reads.

    Returns, on ``values``' index, ``note`` ("" when the row's own counts are all published,
    else ``primary``/``secondary``) and ``comparator_withheld``: the council row the row is
    compared with is withheld, so its ``comparator`` and ``comparison`` (and anything else
    computed from the council's counts) would give the withheld council counts back: 0.124
    per 1,000 x 24,254 published children is 3 withheld children. An uptake row whose
    expected count comes from the council's own receipt/need ratio is then withheld whole
    (note ``secondary``): its expected count carries that ratio.

    ``council`` is (top level, council code); by default the one area at each indicator's
    largest level.
    """
    measures = totals(measures)
    flags = measures.set_index(["level", "area_code", "period", "measure"])["note"]
    note = pd.Series("", index=values.index, dtype=object)
    for ind_id, rows in values.groupby("indicator", sort=False):
        if ind_id not in catalogue.indicators:
            continue
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
            note.loc[rows.index] = np.where(
                (found == PRIMARY) | (current == PRIMARY),
                PRIMARY,
                np.where((found == SECONDARY) | (current == SECONDARY), SECONDARY, ""),
            )
    hidden_council = np.zeros(len(values), dtype=bool)
    for ind_id, rows in values.groupby("indicator", sort=False):
        top, code = council if council is not None else _council_of(rows)
        if not code:
            continue
        is_council = (rows["level"] == top) & (rows["area_code"] == code)
        hidden_periods = set(rows.loc[is_council & (note.loc[rows.index] != ""), "period"])
        if not hidden_periods:
            continue
        mask = rows["period"].isin(hidden_periods).to_numpy()
        hidden_council[values.index.get_indexer(rows.index[mask])] = True
        ind = catalogue.indicators.get(ind_id)
        if ind is not None and ind.method == "uptake" and _rate_from_council(ind):
            dependent = rows.index[mask & (note.loc[rows.index] == "").to_numpy()]
            note.loc[dependent] = SECONDARY
    return pd.DataFrame(
        {"note": note.astype(str), "comparator_withheld": hidden_council}, index=values.index
    )


def _rate_from_council(ind: object) -> bool:
    """Whether an uptake indicator's expected counts use the council's own ratio (anything
    but a stated ``expected_rate``), so that they carry the council's counts."""
    return getattr(ind, "expected_rate", None) is None


def _council_of(rows: pd.DataFrame) -> tuple[str, str]:
    """(level, code) of the council an indicator's rows are compared with: the one area of
    their largest level (rows come smallest level first); ("", "") if that is not one area."""
    if rows.empty:
        return "", ""
    top = rows["level"].iloc[-1]
    codes = rows.loc[rows["level"] == top, "area_code"].unique()
    return (top, str(codes[0])) if len(codes) == 1 else ("", "")


def publish(
    values: pd.DataFrame,
    measures: pd.DataFrame,
    catalogue: Catalogue,
    rounding: str = "none",
    council: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Indicator values with every number blanked where a count behind it is suppressed.

    ``values`` is compute's indicator table, ``measures`` the output of suppress_measures
    (breakdown cells there only constrain what is suppressed; totals are what values
    hold). ``rounding`` is a key of ROUNDING_BASE. What is blanked is decided by
    ``withheld``: a suppressed row carries no number at all, and no row carries a
    comparator or comparison against a withheld council value. Nothing downstream can
    leak them.
    """
    decision = withheld(values, measures, catalogue, council)
    out = values.copy()
    out["note"] = decision["note"]
    out["suppressed"] = out["note"] != ""
    blank = out["suppressed"].to_numpy()
    for col in [*NUMERIC_COLUMNS, "rank"]:
        if col in out.columns:
            out.loc[blank, col] = pd.NA if col == "rank" else np.nan
    # status: below/above expected says too much; so does a comparison with any value
    for col in ("comparison", "status", "national_comparison"):
        if col in out.columns:
            out.loc[blank, col] = ""
    against_hidden = decision["comparator_withheld"].to_numpy()
    if "comparator" in out.columns:
        out.loc[against_hidden, "comparator"] = np.nan
    if "comparison" in out.columns:
        out.loc[against_hidden, "comparison"] = ""
    if "rank" in out.columns:
        # Rank among published values only: a gap in the ranks would hint at a hidden value.
        out["rank"] = (
            out.groupby(["indicator", "level", "period"], sort=False)["value"]
            .rank(method="min", ascending=False)
            .astype("Int64")
        )
    return round_counts(out, ROUNDING_BASE[rounding], catalogue)


def withheld_councils(published: pd.DataFrame) -> set[tuple[str, str]]:
    """(indicator, period) pairs whose council row is withheld, from a published table:
    group values computed with the council's ratio (uptake expected counts) must not be
    shown for them either."""
    out: set[tuple[str, str]] = set()
    for ind_id, rows in published.groupby("indicator", sort=False):
        top, code = _council_of(rows)
        if code:
            hit = rows[(rows["level"] == top) & (rows["area_code"] == code) & rows["suppressed"]]
            out |= {(ind_id, p) for p in hit["period"]}
    return out


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


def publish_groups(
    values: pd.DataFrame,
    cells: pd.DataFrame,
    catalogue: Catalogue,
    rounding: str = "none",
    hidden_councils: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Group values with every number blanked where a group total behind it is withheld.

    ``values`` is ``inequality.group_values``, ``cells`` the output of suppress_groups.
    ``hidden_councils`` (``withheld_councils`` of the published table) blanks uptake groups
    whose expected counts use a withheld council ratio. With rounding, counts are rounded
    and values and intervals recomputed from them, as for areas (``round_counts``).
    """
    flags = cells.set_index(["grouping", "group", "period", "measure"])["note"]
    out = values.copy()
    hidden_councils = hidden_councils or set()
    note = np.full(len(out), "", dtype=object)
    for n, r in enumerate(out.itertuples(index=False)):
        ind = catalogue.indicators[r.indicator]
        for measure in ind.measures():
            found = flags.get((r.grouping, r.group, r.period, measure), "")
            if found == PRIMARY or note[n] == PRIMARY:
                note[n] = PRIMARY
            elif found == SECONDARY:
                note[n] = SECONDARY
        if (
            not note[n]
            and ind.method == "uptake"
            and _rate_from_council(ind)
            and (r.indicator, r.period) in hidden_councils
        ):
            note[n] = SECONDARY
    out["note"] = note.astype(str)
    out["suppressed"] = out["note"] != ""
    blank = out["suppressed"].to_numpy()
    for col in ("numerator", "denominator", "value", "lower", "upper"):
        out.loc[blank, col] = np.nan
    return round_counts(out, ROUNDING_BASE[rounding], catalogue)
