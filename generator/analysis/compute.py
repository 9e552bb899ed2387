"""Compute: measures in, indicator values with confidence intervals out.

Pure functions, no I/O. ``compute_indicators`` takes the rolled-up tidy table
(``level, area_code, period, measure, value``) and returns the "Indicator values" table of
docs/internals.md: one row per indicator x level x area x period, with a 95% confidence
interval, the council's value as comparator, a comparison and a rank.

Each indicator method (``count``, ``share``, ``rate``) is one function in ``METHODS``. A new
method, such as ``uptake`` or ``index``, is a new catalogue model plus one more function
there; everything around it (comparator, comparison, rank, names, sorting) is shared.

Disclosure control is *not* done here: every row leaves with ``suppressed=False`` and
``note=""``, and ``disclosure.publish`` blanks what must not be published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from generator.analysis import uptake as _uptake_method
from generator.analysis.funnel import ABOVE, AS_EXPECTED, BELOW, CENSORED, TOO_FEW
from generator.analysis.intervals import FloatArray, byars, poisson_exact, wilson
from generator.ingest.catalogue import (
    AnyIndicator,
    Catalogue,
    CountIndicator,
    IndexIndicator,
    RateIndicator,
    ShareIndicator,
    UptakeIndicator,
)
from generator.ingest.geography import GeographyPack

#: The columns of the indicator values table, in order (docs/internals.md).
COLUMNS = [
    "indicator",
    "level",
    "area_code",
    "area_name",
    "period",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "comparator",
    "comparison",
    "rank",
    "suppressed",
    "note",
    "gap",
    "status",
    "lower_998",
    "upper_998",
    *_uptake_method.UPTAKE_NUMERIC,
    *_uptake_method.UPTAKE_TEXT,
]

#: The numeric columns of the values table: disclosure blanks every one on a suppressed row.
NUMERIC_COLUMNS = [
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "comparator",
    "gap",
    "lower_998",
    "upper_998",  # these three and the next: uptake rows only
    *_uptake_method.UPTAKE_NUMERIC,
    "national",
]  # compare_national

#: Uptake statuses (analysis/funnel.py): by the pooled count against the 99.8% funnel.
UPTAKE_STATUSES = (BELOW, AS_EXPECTED, ABOVE, TOO_FEW, CENSORED)

_KEYS = ["level", "area_code", "period"]
#: Columns every indicator's rows carry from the wide table: keys, name, integer helpers.
_CARRIED = ["level", "area_code", "area_name", "period", "_period", "_group"]


# --- Methods --------------------------------------------------------------------------------
# A method gets the indicator and a frame with the keys plus one column per measure the
# indicator uses (NaN where a measure is missing). It returns numerator, denominator, value,
# lower and upper, aligned to the frame's index.

MethodFn = Callable[[Any, pd.DataFrame], pd.DataFrame]


def _result(
    frame: pd.DataFrame,
    numerator: FloatArray,
    denominator: FloatArray,
    value: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "lower": lower,
            "upper": upper,
        },
        index=frame.index,
    )


def _count(ind: CountIndicator, frame: pd.DataFrame) -> pd.DataFrame:
    """A measure as it is, with an exact Poisson interval when the catalogue asks for one."""
    k = frame[ind.measure].to_numpy(dtype=float)
    if ind.ci == "poisson_exact":
        lower, upper = poisson_exact(k)
    else:
        lower = upper = np.full(len(k), np.nan)
    return _result(frame, k, np.full(len(k), np.nan), k, lower, upper)


def _ratio(
    ind: ShareIndicator | RateIndicator, frame: pd.DataFrame
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    k = frame[ind.numerator].to_numpy(dtype=float)
    n = frame[ind.denominator].to_numpy(dtype=float)
    # A zero or missing denominator has no rate; NaN, not inf, so it is simply blank.
    safe_n = np.where(n > 0, n, np.nan)
    return k, n, safe_n, k / safe_n * ind.multiplier


def _share(ind: ShareIndicator, frame: pd.DataFrame) -> pd.DataFrame:
    """Numerator as a share of the denominator, with a Wilson interval."""
    k, n, _, value = _ratio(ind, frame)
    lower, upper = wilson(k, n)
    return _result(frame, k, n, value, lower * ind.multiplier, upper * ind.multiplier)


def _rate(ind: RateIndicator, frame: pd.DataFrame) -> pd.DataFrame:
    """Numerator per head of the denominator, with a Byars interval on the numerator."""
    k, n, safe_n, value = _ratio(ind, frame)
    lower, upper = byars(k)
    scale = ind.multiplier / safe_n
    return _result(frame, k, n, value, lower * scale, upper * scale)


#: Indicator method -> function. ``index`` is built after disclosure (compute_index).
METHODS: dict[str, MethodFn] = {
    "count": _count,
    "share": _share,
    "rate": _rate,
    "uptake": _uptake_method.uptake,
}

#: Methods whose value can be judged against the council's. A count cannot: an area's count
#: is part of the council's, so it is always "lower" and saying so tells nobody anything.
COMPARED_WITH_COUNCIL = {"share", "rate", "uptake"}


# --- The indicator values table -------------------------------------------------------------


def compute_indicators(
    tidy: pd.DataFrame,
    catalogue: Catalogue,
    indicator_ids: list[str],
    pack: GeographyPack,
    council_code: str,
) -> pd.DataFrame:
    """The indicator values table for ``indicator_ids`` (see docs/internals.md).

    ``tidy`` is the rolled-up table with columns ``level, area_code, period, measure,
    value``; other columns (``dataset``, ...) are ignored. Each measure must appear at most
    once per level, area and period.

    Rows: an indicator gets a row for each level, area and period where any of its measures
    has a value, in the periods where its numerator (or its measure, for a count) has a
    value somewhere, at the levels where every one of its measures has a value somewhere
    (a measure that comes by intermediate zone has no data-zone rows). So a denominator
    missing for some areas shows as a blank value rather than a missing row, while a
    population that runs for more years than the data does not add empty
    years. Indicators that use a non-additive measure (a SIMD rank) exist only at the base
    level. Levels not in ``pack`` are ignored.

    The comparator is the indicator's value for ``council_code`` at the pack's top level in
    the same period (NaN on the council's own row). The comparison says whether the 95% CI
    excludes it, worded by polarity. Ranks run from 1 for the highest value within each
    indicator, level and period; ties share the lowest rank; blank values have no rank.

    Raises KeyError for an indicator id that is not in the catalogue, and ValueError when
    ``tidy`` holds a measure twice for one level, area and period.
    """
    level_rank = {lv.id: lv.rank for lv in pack.levels}
    wide = _widen(tidy, level_rank, pack.names)
    base, top = pack.levels[0].id, pack.levels[-1].id
    frames = []
    unknown = [i for i in indicator_ids if i not in catalogue.indicators]
    if unknown:
        raise KeyError(f"not catalogue indicators: {', '.join(unknown)}")
    for ind_id in dict.fromkeys(indicator_ids):  # each once, first position wins
        ind = catalogue.indicators[ind_id]
        if isinstance(ind, IndexIndicator):
            continue  # built from published values by compute_index, after disclosure
        frame = _rows_for(ind, wide, catalogue, base)
        if frame.empty:
            continue
        if isinstance(ind, UptakeIndicator):
            frame = frame.assign(
                _council=(frame["level"] == top) & (frame["area_code"] == council_code)
            )
        out = frame[_CARRIED].join(METHODS[ind.method](ind, frame))
        out.insert(0, "indicator", ind_id)
        _add_comparisons(out, ind, top, council_code)
        out["rank"] = (
            out.groupby("_group", sort=False)["value"]
            .rank(method="min", ascending=False)
            .astype("Int64")
        )
        frames.append(out)
    if not frames:
        return _empty()
    values = pd.concat(frames, ignore_index=True)
    values["suppressed"] = False
    values["note"] = ""
    for col in ("gap", "lower_998", "upper_998", *_uptake_method.UPTAKE_NUMERIC):
        if col not in values.columns:
            values[col] = np.nan
    for col in ("status", *_uptake_method.UPTAKE_TEXT):
        values[col] = values[col].fillna("") if col in values.columns else ""
    for col in ("indicator", "comparison", "note", "status", *_uptake_method.UPTAKE_TEXT):
        values[col] = values[col].astype("str")
    # Already in order: ``wide`` is sorted by level, period and code, and indicators are
    # concatenated in the order asked for.
    return values[COLUMNS]


def national_values(
    totals: dict[str, dict[str, float]], catalogue: Catalogue, indicator_ids: list[str]
) -> pd.DataFrame:
    """National value per indicator and period (``indicator, period, value, numerator,
    lower, upper``: the 95% interval by the same method), computed from national measure
    totals with the indicator's own method.

    ``totals`` maps measure id -> period -> national total. An indicator gets a value in a
    period where every measure it needs has a total. Counts and indices have none (a
    council's count is not comparable with the nation's), nor has an uptake indicator whose
    expected rate is the *council's* own ratio: there, 100% means "as the council", and a
    national ratio would measure something else.
    """
    rows = []
    for ind_id in dict.fromkeys(indicator_ids):
        ind = catalogue.indicators[ind_id]
        if ind.method not in ("share", "rate", "uptake"):
            continue
        if isinstance(ind, UptakeIndicator) and ind.expected_rate is None:
            continue
        needed = ind.measures()
        periods = sorted(set.intersection(*(set(totals.get(m, {})) for m in needed)))
        if not periods:
            continue
        frame = pd.DataFrame({m: [totals[m][p] for p in periods] for m in needed})
        frame["_period"] = 0
        frame["_council"] = False  # expected_rate is set, so no council ratio is needed
        result = METHODS[ind.method](ind, frame)
        cols = [result[c].to_numpy(dtype=float) for c in ("value", "numerator", "lower", "upper")]
        rows += [(ind_id, p, *map(float, v)) for p, *v in zip(periods, *cols, strict=True)]
    columns = ["indicator", "period", "value", "numerator", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"indicator": "str", "period": "str", **dict.fromkeys(columns[2:], float)}
    )


def compare_national(
    values: pd.DataFrame, national: pd.DataFrame, polarity: dict[str, str]
) -> pd.DataFrame:
    """``values`` with ``national`` (the national value in the same period, NaN where there
    is none) and ``national_comparison`` (better/similar/worse by the row's 95% CI against
    it, as ``compare``), for every row including the council's own."""
    keyed = national.set_index(["indicator", "period"])["value"]
    out = values.copy()
    keys = pd.MultiIndex.from_arrays([out["indicator"], out["period"]])
    out["national"] = keyed.reindex(keys).to_numpy(dtype=float)
    result = np.full(len(out), "", dtype=object)
    for ind_id, idx in out.groupby("indicator", sort=False).groups.items():
        rows = out.loc[idx]
        result[out.index.get_indexer(idx)] = compare(
            rows["lower"].to_numpy(dtype=float),
            rows["upper"].to_numpy(dtype=float),
            rows["national"].to_numpy(dtype=float),
            polarity[str(ind_id)],
        )
    out["national_comparison"] = pd.Series(result, index=out.index).astype("str")
    return out


def _widen(tidy: pd.DataFrame, level_rank: dict[str, int], names: dict[str, str]) -> pd.DataFrame:
    """One row per level, area and period, one column per measure, sorted for output.

    Also carries ``area_name`` and two integer helpers, so that per-indicator work never
    has to hash strings again (that is most of the cost at 7,000 areas):
    ``_group`` numbers each level and period, ``_period`` each period.
    """
    bounded = "low" in tidy.columns
    cols = [*_KEYS, "measure", "value", *(["low", "high"] if bounded else [])]
    long = tidy.loc[tidy["level"].isin(level_rank), cols]
    series = long.astype({"value": float}).set_index([*_KEYS, "measure"])["value"]
    if not series.index.is_unique:
        dupes = series.index[series.index.duplicated()]
        level, code, period, measure = dupes[0]
        raise ValueError(
            f"{len(dupes)} duplicate measure value(s) in the rolled-up table, e.g. {measure} "
            f"for {code} ({level}) in {period}; the checks stage should have removed them"
        )
    wide = series.unstack("measure")
    wide.columns.name = None
    if bounded:
        # Bounds of censored measures (a source's starred cells), as <measure>__low/__high,
        # only for measures with at least one censored value.
        indexed = long.set_index([*_KEYS, "measure"])
        censored = indexed["value"].isna() & indexed["low"].notna()
        for measure in sorted(set(indexed.index.get_level_values("measure")[censored])):
            part = indexed.xs(measure, level="measure")
            for bound, suffix in (("low", _uptake_method.LOW), ("high", _uptake_method.HIGH)):
                b = part[bound].astype(float).fillna(part["value"].astype(float))
                wide[measure + suffix] = b.reindex(wide.index)
    wide = wide.reset_index()
    order = wide["level"].map(level_rank)
    wide = (
        wide.assign(_order=order)
        .sort_values(["_order", "period", "area_code"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    # Unknown codes should have been stopped by the checks stage; a blank name is safer
    # than guessing one.
    wide.insert(2, "area_name", wide["area_code"].map(names).fillna("").astype("str"))
    wide.insert(4, "_period", pd.factorize(wide["period"])[0])
    wide.insert(
        5, "_group", pd.factorize(pd.MultiIndex.from_arrays([wide["level"], wide["period"]]))[0]
    )
    return wide


def _rows_for(
    ind: AnyIndicator, wide: pd.DataFrame, catalogue: Catalogue, base: str
) -> pd.DataFrame:
    """The keys and measure columns of the rows ``ind`` gets (see compute_indicators)."""
    needed = ind.measures()
    primary = needed[0]  # the numerator, or the measure of a count
    if primary not in wide.columns:
        return wide.iloc[0:0]
    present = [m for m in needed if m in wide.columns]
    bounds = [
        m + sfx
        for m in present
        for sfx in (_uptake_method.LOW, _uptake_method.HIGH)
        if m + sfx in wide.columns
    ]
    frame = wide[[*_CARRIED, *present, *bounds]]
    if not all(catalogue.measures[m].additive for m in needed):
        frame = frame[frame["level"] == base]
    # Only levels where every measure there is exists somewhere: a measure published by
    # intermediate zone gives no data-zone or ward rows, rather than rows of blanks.
    known = frame[present].notna()
    for m in present:  # a censored value (bounds only) is there too
        if m + _uptake_method.LOW in frame.columns:
            known[m] = known[m] | frame[m + _uptake_method.LOW].notna()
    exists = known.groupby(frame["level"], sort=False).any().all(axis=1)
    frame = frame[frame["level"].isin(exists[exists].index)]
    has = frame[[*present, *bounds]].notna()
    has_primary = frame[primary].notna()
    if primary + _uptake_method.LOW in frame.columns:
        has_primary |= frame[primary + _uptake_method.LOW].notna()
    periods = frame.loc[has_primary, "_period"].unique()
    frame = frame[has.any(axis=1) & frame["_period"].isin(periods)]
    return frame.assign(**{m: np.nan for m in needed if m not in present})


def _add_comparisons(out: pd.DataFrame, ind: AnyIndicator, top: str, council_code: str) -> None:
    """Fill ``comparator`` and ``comparison`` in place for one indicator's rows."""
    is_council = ((out["level"] == top) & (out["area_code"] == council_code)).to_numpy()
    period = out["_period"].to_numpy()
    # Council value by period code, looked up by integer position: no string hashing.
    by_period = np.full(int(period.max()) + 1, np.nan)
    by_period[period[is_council]] = out["value"].to_numpy(dtype=float)[is_council]
    comparator = np.where(is_council, np.nan, by_period[period])
    out["comparator"] = comparator
    if ind.method not in COMPARED_WITH_COUNCIL:
        out["comparison"] = ""
        return
    if ind.method == "uptake":
        # One judgement per uptake row: the funnel flag (analysis/funnel.py), worded by
        # polarity, so no page shows a second, 95% verdict that disagrees with the funnel.
        high, low = {
            "higher_is_better": ("better", "worse"),
            "higher_is_worse": ("worse", "better"),
        }.get(ind.polarity, ("higher", "lower"))
        words = {ABOVE: high, BELOW: low, AS_EXPECTED: "similar"}
        out["comparison"] = [
            "" if council else words.get(str(st), "")
            for st, council in zip(out["status"], is_council, strict=True)
        ]
        return
    out["comparison"] = compare(
        out["lower"].to_numpy(dtype=float),
        out["upper"].to_numpy(dtype=float),
        comparator,
        ind.polarity,
    )


def compare(
    lower: ArrayLike, upper: ArrayLike, comparator: ArrayLike, polarity: str
) -> NDArray[np.str_]:
    """Judge each interval against its comparator.

    ``higher``/``lower`` when the whole interval lies above/below the comparator (strictly),
    ``similar`` when it contains it, ``""`` when either is missing. With polarity
    ``higher_is_worse`` higher reads ``worse`` and lower ``better``; ``higher_is_better`` the
    reverse; ``neutral`` keeps ``higher``/``lower``.
    """
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    c = np.asarray(comparator, dtype=float)
    words = {
        "higher_is_worse": ("worse", "better"),
        "higher_is_better": ("better", "worse"),
        "neutral": ("higher", "lower"),
    }[polarity]
    known = ~(np.isnan(lo) | np.isnan(hi) | np.isnan(c))
    return np.select([~known, lo > c, hi < c], ["", words[0], words[1]], default="similar")


def _empty() -> pd.DataFrame:
    """An indicator values table with no rows and the right dtypes."""
    out = pd.DataFrame({col: pd.Series(dtype="str") for col in COLUMNS})
    numeric = [c for c in NUMERIC_COLUMNS if c in COLUMNS]
    out[numeric] = out[numeric].astype(float)
    out["rank"] = out["rank"].astype("Int64")
    out["suppressed"] = out["suppressed"].astype(bool)
    return out


def carries_breakdown(ind: Any, split: set[str]) -> bool:
    """Whether an indicator can be computed for a breakdown category whose cells hold the
    measures ``split``: its numerator (or counted measure) must be split; an uptake
    indicator needs its receipt AND its need split, since receipt by family type against
    need for everyone would not be the category's uptake."""
    if isinstance(ind, UptakeIndicator):
        return ind.receipt in split and ind.need in split
    return bool(ind.measures()[0] in split)


def one_sided_uptake(
    cells: pd.DataFrame, catalogue: Catalogue, indicator_ids: list[str]
) -> dict[str, list[str]]:
    """Breakdown -> the uptake indicators with only one of receipt and need split by it
    (so no filter for them: the page says so beside the filter)."""
    out: dict[str, list[str]] = {}
    if cells.empty or "breakdown" not in cells.columns:
        return out
    for breakdown, part in cells[cells["breakdown"].fillna("") != ""].groupby(
        "breakdown", sort=True
    ):
        split = set(part["measure"])
        for i in indicator_ids:
            ind = catalogue.indicators.get(i)
            if isinstance(ind, UptakeIndicator) and (ind.receipt in split) != (ind.need in split):
                out.setdefault(str(breakdown), []).append(i)
    return out


def compute_breakdowns(
    totals: pd.DataFrame,
    cells: pd.DataFrame,
    catalogue: Catalogue,
    indicator_ids: list[str],
    pack: GeographyPack,
    council_code: str,
) -> pd.DataFrame:
    """Indicator values per breakdown category (e.g. lone-parent households), computed the
    same way as the totals.

    ``totals`` is the rolled-up measures table; ``cells`` the rolled-up breakdown cells
    (``breakdown`` and ``category`` columns, neither blank). For each category, the measures
    that carry the breakdown take the category's counts and every other measure keeps its
    total (a denominator such as children aged 0-15 has no family type). Only indicators
    whose numerator (or counted measure) carries the breakdown get rows. Returns the
    values table (see compute_indicators) with ``breakdown`` and ``category`` added.
    """
    if cells.empty:
        return _empty().assign(breakdown=pd.Series(dtype=str), category=pd.Series(dtype=str))
    frames = []
    keys = (
        cells[["breakdown", "category"]]
        .drop_duplicates()
        .sort_values(["breakdown", "category"], kind="mergesort")
    )
    for breakdown, category in zip(keys["breakdown"], keys["category"], strict=True):
        part = cells[(cells["breakdown"] == breakdown) & (cells["category"] == category)]
        split = set(part["measure"])
        ids = [
            i
            for i in indicator_ids
            if i in catalogue.indicators
            and not isinstance(catalogue.indicators[i], IndexIndicator)
            and carries_breakdown(catalogue.indicators[i], split)
        ]
        if not ids:
            continue
        tidy = pd.concat(
            [totals[~totals["measure"].isin(split)], part.drop(columns=["breakdown", "category"])],
            ignore_index=True,
        )
        values = compute_indicators(tidy, catalogue, ids, pack, council_code)
        frames.append(values.assign(breakdown=breakdown, category=category))
    if not frames:
        return _empty().assign(breakdown=pd.Series(dtype=str), category=pd.Series(dtype=str))
    return pd.concat(frames, ignore_index=True)
