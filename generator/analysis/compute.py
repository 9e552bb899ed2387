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
from scipy import stats

from generator.ingest.catalogue import (
    AnyIndicator,
    Catalogue,
    CountIndicator,
    IndexComponent,
    IndexIndicator,
    RateIndicator,
    ShareIndicator,
    UptakeIndicator,
)
from generator.ingest.geography import GeographyPack

#: The columns of the indicator values table, in order (docs/internals.md).
COLUMNS = ["indicator", "level", "area_code", "area_name", "period",
           "numerator", "denominator", "value", "lower", "upper",
           "comparator", "comparison", "rank", "suppressed", "note",
           "gap", "status", "lower_998", "upper_998"]

#: The numeric columns of the values table: disclosure blanks every one on a suppressed row.
NUMERIC_COLUMNS = ["numerator", "denominator", "value", "lower", "upper", "comparator",
                   "gap", "lower_998", "upper_998",  # these three: uptake rows only
                   "national"]  # compare_national

#: The normal quantile of a two-sided 95% interval, as PHE's and ScotPHO's tools use it.
Z_95 = 1.96

#: Uptake status by the 95% interval of observed / expected.
BELOW, AS_EXPECTED, ABOVE = "below", "as_expected", "above"

_KEYS = ["level", "area_code", "period"]
#: Columns every indicator's rows carry from the wide table: keys, name, integer helpers.
_CARRIED = ["level", "area_code", "area_name", "period", "_period", "_group"]

FloatArray = NDArray[np.float64]


# --- Confidence intervals -------------------------------------------------------------------
# All three take numpy arrays (or scalars) and return float arrays of the same shape. Invalid
# inputs (NaN, negative counts, zero or negative denominators, k > n) give NaN, never an
# exception or a warning: a blank interval is the honest answer for a bad cell.

def wilson(k: ArrayLike, n: ArrayLike, z: float = Z_95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for a proportion k/n, as proportions (0 to 1).

    Unlike the simple p +/- z*se interval it stays inside [0, 1] and behaves well for small
    n and for k = 0 or k = n, which small areas produce all the time.
    """
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    valid = (n_arr > 0) & (k_arr >= 0) & (k_arr <= n_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        z2n = z * z / n_arr
        centre = (p + z2n / 2) / (1 + z2n)
        half = z * np.sqrt(p * (1 - p) / n_arr + z2n / (4 * n_arr)) / (1 + z2n)
    # Clip away rounding error: at k = 0 the lower bound is 0 exactly in theory.
    lower = np.where(valid, np.clip(centre - half, 0.0, 1.0), np.nan)
    upper = np.where(valid, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lower, upper


def byars(k: ArrayLike, z: float = Z_95) -> tuple[FloatArray, FloatArray]:
    """Byars' approximation to the 95% interval of a Poisson count k (in counts).

    lower = k (1 - 1/(9k) - z/(3 sqrt k))^3, 0 when k = 0;
    upper = (k+1) (1 - 1/(9(k+1)) + z/(3 sqrt(k+1)))^3.
    Divide both by the denominator to get the interval of a rate.
    """
    k_arr = np.asarray(k, dtype=float)
    valid = k_arr >= 0  # False for NaN too
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = k_arr * (1 - 1 / (9 * k_arr) - z / (3 * np.sqrt(k_arr))) ** 3
        k1 = k_arr + 1
        upper = k1 * (1 - 1 / (9 * k1) + z / (3 * np.sqrt(k1))) ** 3
    lower = np.where(k_arr == 0, 0.0, lower)
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)


def poisson_exact(k: ArrayLike, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood) interval of a Poisson count k, through the chi-squared distribution.

    lower = chi2.ppf(alpha/2, 2k) / 2, 0 when k = 0; upper = chi2.ppf(1 - alpha/2, 2k + 2) / 2.
    """
    k_arr = np.asarray(k, dtype=float)
    alpha = 1 - level
    valid = k_arr >= 0
    safe = np.where(valid, k_arr, 0.0)  # keep scipy away from NaN and negative df
    with np.errstate(invalid="ignore"):
        lower = np.where(safe > 0, stats.chi2.ppf(alpha / 2, 2 * safe) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * safe + 2) / 2
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)


# --- Methods --------------------------------------------------------------------------------
# A method gets the indicator and a frame with the keys plus one column per measure the
# indicator uses (NaN where a measure is missing). It returns numerator, denominator, value,
# lower and upper, aligned to the frame's index.

MethodFn = Callable[[Any, pd.DataFrame], pd.DataFrame]


def _result(frame: pd.DataFrame, numerator: FloatArray, denominator: FloatArray,
            value: FloatArray, lower: FloatArray, upper: FloatArray) -> pd.DataFrame:
    return pd.DataFrame({"numerator": numerator, "denominator": denominator, "value": value,
                         "lower": lower, "upper": upper}, index=frame.index)


def _count(ind: CountIndicator, frame: pd.DataFrame) -> pd.DataFrame:
    """A measure as it is, with an exact Poisson interval when the catalogue asks for one."""
    k = frame[ind.measure].to_numpy(dtype=float)
    if ind.ci == "poisson_exact":
        lower, upper = poisson_exact(k)
    else:
        lower = upper = np.full(len(k), np.nan)
    return _result(frame, k, np.full(len(k), np.nan), k, lower, upper)


def _ratio(ind: ShareIndicator | RateIndicator, frame: pd.DataFrame
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


def _uptake(ind: UptakeIndicator, frame: pd.DataFrame) -> pd.DataFrame:
    """Observed receipt against expected, with exact Poisson 95% and 99.8% intervals.

    Expected = need x rate, the rate being ``expected_rate`` or, per period, the council's
    receipt / need (the ``_council`` column marks the council's row). Expected is treated as
    known, so the interval of observed / expected is the observed count's interval divided
    by expected. The gap is expected - observed, floored at 0; status says whether the 95%
    interval lies wholly below, across or wholly above 100%.
    """
    observed = frame[ind.receipt].to_numpy(dtype=float)
    need = frame[ind.need].to_numpy(dtype=float)
    if ind.expected_rate is not None:
        rate = np.full(len(frame), ind.expected_rate)
    else:
        period = frame["_period"].to_numpy()
        council = frame["_council"].to_numpy(dtype=bool)
        by_period = np.full(int(period.max()) + 1 if len(period) else 1, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = observed[council] / np.where(need[council] > 0, need[council], np.nan)
        by_period[period[council]] = ratio
        rate = by_period[period]
    expected = need * rate
    safe_e = np.where(expected > 0, expected, np.nan)
    scale = ind.multiplier / safe_e
    lower, upper = poisson_exact(observed)
    lower_998, upper_998 = poisson_exact(observed, level=0.998)
    gap = np.where(np.isnan(observed) | np.isnan(safe_e), np.nan,
                   np.maximum(expected - observed, 0.0))
    status = np.select([np.isnan(upper * scale), upper < safe_e, lower > safe_e],
                       ["", BELOW, ABOVE], default=AS_EXPECTED)
    out = _result(frame, observed, expected, observed * scale, lower * scale, upper * scale)
    out["gap"] = gap
    out["status"] = status
    out["lower_998"] = lower_998 * scale
    out["upper_998"] = upper_998 * scale
    return out


def funnel_limits(expected: ArrayLike, level: float, target: float = 1.0
                  ) -> tuple[FloatArray, FloatArray]:
    """Funnel-plot control limits of observed / expected around ``target`` at each expected.

    The limits are where an observed count's exact interval at ``level`` just touches the
    target: the same rule that sets ``status``, so every marker outside the 95% lines is
    flagged and every marker inside is not (up to the count being whole).
    Uses the continuous chi-squared form: lower = chi2(a/2, 2E)/(2E),
    upper = chi2(1-a/2, 2E+2)/(2E), with E = expected x target.
    """
    e = np.asarray(expected, dtype=float) * target
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = stats.chi2.ppf(alpha / 2, 2 * e) / (2 * e) * target
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * e + 2) / (2 * e) * target
    return lower, upper


#: The funnel plot's two sets of control limits.
FUNNEL_LEVELS = (0.998, 0.95)


def funnel_lines(expected: ArrayLike, points: int = 121
                 ) -> tuple[list[float], dict[float, tuple[list[float], list[float]]]]:
    """The funnel limits to draw over the range of ``expected`` (the areas' expected counts,
    a little beyond both ends), at ``FUNNEL_LEVELS``: (grid, {level: (lower, upper)}).
    Empty when there is nothing to draw."""
    e = np.asarray(expected, dtype=float)
    e = e[np.isfinite(e)]
    if e.size == 0:
        return [], {}
    lo_e = max(float(e.min()) * 0.8, 0.5)
    hi_e = float(e.max()) * 1.1
    grid = [lo_e * (hi_e / lo_e) ** (i / (points - 1)) for i in range(points)]
    bounds = {}
    for level in FUNNEL_LEVELS:
        lower, upper = funnel_limits(grid, level)
        bounds[level] = (lower.tolist(), upper.tolist())
    return grid, bounds


#: Indicator method -> function. ``index`` is built after disclosure (compute_index).
METHODS: dict[str, MethodFn] = {"count": _count, "share": _share, "rate": _rate,
                                "uptake": _uptake}

#: Methods whose value can be judged against the council's. A count cannot: an area's count
#: is part of the council's, so it is always "lower" and saying so tells nobody anything.
COMPARED_WITH_COUNCIL = {"share", "rate", "uptake"}


# --- The indicator values table -------------------------------------------------------------

def compute_indicators(tidy: pd.DataFrame, catalogue: Catalogue, indicator_ids: list[str],
                       pack: GeographyPack, council_code: str) -> pd.DataFrame:
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
            frame = frame.assign(_council=(frame["level"] == top)
                                 & (frame["area_code"] == council_code))
        out = frame[_CARRIED].join(METHODS[ind.method](ind, frame))
        out.insert(0, "indicator", ind_id)
        _add_comparisons(out, ind, top, council_code)
        out["rank"] = (out.groupby("_group", sort=False)["value"]
                       .rank(method="min", ascending=False).astype("Int64"))
        frames.append(out)
    if not frames:
        return _empty()
    values = pd.concat(frames, ignore_index=True)
    values["suppressed"] = False
    values["note"] = ""
    for col in ("gap", "lower_998", "upper_998"):
        if col not in values.columns:
            values[col] = np.nan
    values["status"] = values["status"].fillna("") if "status" in values.columns else ""
    for col in ("indicator", "comparison", "note", "status"):
        values[col] = values[col].astype("str")
    # Already in order: ``wide`` is sorted by level, period and code, and indicators are
    # concatenated in the order asked for.
    return values[COLUMNS]


def compute_index(values: pd.DataFrame, ind: IndexIndicator, polarity: dict[str, str],
                  top: str, council_code: str) -> pd.DataFrame:
    """Rows of the composite index ``ind``, built from *published* component values.

    ``values`` is the published indicator values table (after ``disclosure.publish``), so a
    withheld component is simply missing and nothing hidden can be recovered from the index.
    For each level and period, each component is normalised across that level's areas:

    * ``bounds``: ``(x - worst) / (best - worst) x 100``, clipped to 0..100 (100 = best);
    * ``zscore``: ``(x - mean) / sd`` (population sd, ddof=0) over the areas with a value,
      signed so that a higher score is better by the component's polarity (``polarity``
      maps indicator id -> polarity; the catalogue refuses neutral z-score components).

    Scores are then turned round when the index's polarity is ``higher_is_worse`` (100 - s
    for bounds, -s for z-scores), averaged by weight within each dimension, and the
    dimensions averaged by weight. An area missing any component gets no value; ``status``
    then reads ``missing: <component ids>``. Periods where a component has no value anywhere
    are left out. Returns rows in the indicator values layout (no interval, no counts).
    """
    ids = list(dict.fromkeys(ind.components()))
    wide = _index_wide(values, ind)
    if wide.empty:
        return _empty()
    dim_scores = []
    for dim in ind.dimensions:
        total = np.zeros(len(wide))
        for comp in dim.components:
            score = _component_score(wide, ind, comp, polarity)
            total = total + comp.weight * score.to_numpy(dtype=float)
        dim_scores.append(total / sum(c.weight for c in dim.components))
    weights = np.array([d.weight for d in ind.dimensions], dtype=float)
    index = np.stack(dim_scores, axis=1) @ weights / weights.sum()
    missing = wide[ids].isna()
    status = ["missing: " + ", ".join(c for c, m in zip(ids, row, strict=True) if m)
              if row.any() else "" for row in missing.to_numpy()]
    out = pd.DataFrame({
        "indicator": ind.id, "level": wide["level"], "area_code": wide["area_code"],
        "area_name": wide["area_name"], "period": wide["period"],
        "numerator": np.nan, "denominator": np.nan, "value": index,
        "lower": np.nan, "upper": np.nan, "comparison": "", "suppressed": False, "note": "",
        "gap": np.nan, "status": status, "lower_998": np.nan, "upper_998": np.nan})
    is_council = ((out["level"] == top) & (out["area_code"] == council_code)).to_numpy()
    council_by_period = dict(zip(out.loc[is_council, "period"], out.loc[is_council, "value"],
                                 strict=True))
    out["comparator"] = np.where(is_council, np.nan,
                                 out["period"].map(council_by_period).astype(float))
    out["rank"] = (out.groupby(["level", "period"], sort=False)["value"]
                   .rank(method="min", ascending=False).astype("Int64"))
    return out[COLUMNS]


def _index_wide(values: pd.DataFrame, ind: IndexIndicator) -> pd.DataFrame:
    """Keys plus one column per component of ``ind``, in periods where every component has
    a value somewhere, sorted by level (table order), period and code."""
    ids = list(dict.fromkeys(ind.components()))
    part = values[values["indicator"].isin(ids)]
    if part.empty:
        return pd.DataFrame()
    level_order = {lv: n for n, lv in enumerate(pd.unique(part["level"]))}
    wide = (part.set_index(["level", "area_code", "area_name", "period", "indicator"])["value"]
            .astype(float).unstack("indicator").reindex(columns=ids))
    wide = wide.reset_index()
    has_all = part.groupby("period")["indicator"].nunique()
    wide = wide[wide["period"].map(has_all).eq(len(ids))]
    return wide.assign(_o=wide["level"].map(level_order)).sort_values(
        ["_o", "period", "area_code"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _component_score(wide: pd.DataFrame, ind: IndexIndicator, comp: IndexComponent,
                     polarity: dict[str, str]) -> pd.Series:
    """One component's normalised score on each row of ``wide``, turned to the index's
    polarity (see compute_index). NaN where the component is missing."""
    group = [wide["level"], wide["period"]]
    flip = ind.polarity == "higher_is_worse"
    x = wide[comp.indicator].astype(float)
    if ind.normalisation == "bounds":
        assert comp.best is not None and comp.worst is not None  # catalogue checks
        score = ((x - comp.worst) / (comp.best - comp.worst) * 100).clip(0, 100)
        return 100 - score if flip else score
    mean = x.groupby(group).transform("mean")
    sd = x.groupby(group).transform(lambda v: v.std(ddof=0))
    z = (x - mean) / sd.where(sd > 0)
    good = -z if polarity.get(comp.indicator) == "higher_is_worse" else z
    return -good if flip else good


def index_components(values: pd.DataFrame, ind: IndexIndicator,
                     polarity: dict[str, str]) -> pd.DataFrame:
    """Each area's component values and normalised scores for the index ``ind``.

    Columns ``level, area_code, period, dimension, component, weight, value, score``; the
    same scores compute_index averages, from the same *published* values. ``value`` and
    ``score`` are NaN for a missing (or withheld) component: reported, never filled in.
    """
    wide = _index_wide(values, ind)
    cols = ["level", "area_code", "period", "dimension", "component", "weight", "value",
            "score"]
    if wide.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    for dim in ind.dimensions:
        for comp in dim.components:
            frames.append(pd.DataFrame({
                "level": wide["level"], "area_code": wide["area_code"],
                "period": wide["period"], "dimension": dim.id, "component": comp.indicator,
                "weight": comp.weight, "value": wide[comp.indicator].astype(float),
                "score": _component_score(wide, ind, comp, polarity)}))
    return pd.concat(frames, ignore_index=True)[cols]


def national_values(totals: dict[str, dict[str, float]], catalogue: Catalogue,
                    indicator_ids: list[str]) -> pd.DataFrame:
    """National value per indicator and period (``indicator, period, value``), computed from
    national measure totals with the indicator's own method.

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
        rows += [(ind_id, p, float(v)) for p, v in zip(periods, result["value"], strict=True)]
    return pd.DataFrame(rows, columns=["indicator", "period", "value"]).astype(
        {"indicator": "str", "period": "str", "value": float})


def compare_national(values: pd.DataFrame, national: pd.DataFrame,
                     polarity: dict[str, str]) -> pd.DataFrame:
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
            rows["lower"].to_numpy(dtype=float), rows["upper"].to_numpy(dtype=float),
            rows["national"].to_numpy(dtype=float), polarity[str(ind_id)])
    out["national_comparison"] = pd.Series(result, index=out.index).astype("str")
    return out


def _widen(tidy: pd.DataFrame, level_rank: dict[str, int],
           names: dict[str, str]) -> pd.DataFrame:
    """One row per level, area and period, one column per measure, sorted for output.

    Also carries ``area_name`` and two integer helpers, so that per-indicator work never
    has to hash strings again (that is most of the cost at 7,000 areas):
    ``_group`` numbers each level and period, ``_period`` each period.
    """
    long = tidy.loc[tidy["level"].isin(level_rank), [*_KEYS, "measure", "value"]]
    series = long.astype({"value": float}).set_index([*_KEYS, "measure"])["value"]
    if not series.index.is_unique:
        dupes = series.index[series.index.duplicated()]
        level, code, period, measure = dupes[0]
        raise ValueError(
            f"{len(dupes)} duplicate measure value(s) in the rolled-up table, e.g. {measure} "
            f"for {code} ({level}) in {period}; the checks stage should have removed them")
    wide = series.unstack("measure")
    wide.columns.name = None
    wide = wide.reset_index()
    order = wide["level"].map(level_rank)
    wide = (wide.assign(_order=order)
            .sort_values(["_order", "period", "area_code"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))
    # Unknown codes should have been stopped by the checks stage; a blank name is safer
    # than guessing one.
    wide.insert(2, "area_name", wide["area_code"].map(names).fillna("").astype("str"))
    wide.insert(4, "_period", pd.factorize(wide["period"])[0])
    wide.insert(5, "_group", pd.factorize(
        pd.MultiIndex.from_arrays([wide["level"], wide["period"]]))[0])
    return wide


def _rows_for(ind: AnyIndicator, wide: pd.DataFrame, catalogue: Catalogue,
              base: str) -> pd.DataFrame:
    """The keys and measure columns of the rows ``ind`` gets (see compute_indicators)."""
    needed = ind.measures()
    primary = needed[0]  # the numerator, or the measure of a count
    if primary not in wide.columns:
        return wide.iloc[0:0]
    present = [m for m in needed if m in wide.columns]
    frame = wide[[*_CARRIED, *present]]
    if not all(catalogue.measures[m].additive for m in needed):
        frame = frame[frame["level"] == base]
    # Only levels where every measure there is exists somewhere: a measure published by
    # intermediate zone gives no data-zone or ward rows, rather than rows of blanks.
    exists = frame[present].notna().groupby(frame["level"], sort=False).any().all(axis=1)
    frame = frame[frame["level"].isin(exists[exists].index)]
    periods = frame.loc[frame[primary].notna(), "_period"].unique()
    frame = frame[frame[present].notna().any(axis=1) & frame["_period"].isin(periods)]
    return frame.assign(**{m: np.nan for m in needed if m not in present})


def _add_comparisons(out: pd.DataFrame, ind: AnyIndicator, top: str,
                     council_code: str) -> None:
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
    out["comparison"] = compare(out["lower"].to_numpy(dtype=float),
                                out["upper"].to_numpy(dtype=float), comparator, ind.polarity)


def compare(lower: ArrayLike, upper: ArrayLike, comparator: ArrayLike,
            polarity: str) -> NDArray[np.str_]:
    """Judge each interval against its comparator.

    ``higher``/``lower`` when the whole interval lies above/below the comparator (strictly),
    ``similar`` when it contains it, ``""`` when either is missing. With polarity
    ``higher_is_worse`` higher reads ``worse`` and lower ``better``; ``higher_is_better`` the
    reverse; ``neutral`` keeps ``higher``/``lower``.
    """
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    c = np.asarray(comparator, dtype=float)
    words = {"higher_is_worse": ("worse", "better"), "higher_is_better": ("better", "worse"),
             "neutral": ("higher", "lower")}[polarity]
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


def compute_breakdowns(totals: pd.DataFrame, cells: pd.DataFrame, catalogue: Catalogue,
                       indicator_ids: list[str], pack: GeographyPack,
                       council_code: str) -> pd.DataFrame:
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
    keys = cells[["breakdown", "category"]].drop_duplicates().sort_values(
        ["breakdown", "category"], kind="mergesort")
    for breakdown, category in zip(keys["breakdown"], keys["category"], strict=True):
        part = cells[(cells["breakdown"] == breakdown) & (cells["category"] == category)]
        split = set(part["measure"])
        ids = [i for i in indicator_ids if i in catalogue.indicators
               and not isinstance(catalogue.indicators[i], IndexIndicator)
               and catalogue.indicators[i].measures()[0] in split]
        if not ids:
            continue
        tidy = pd.concat([totals[~totals["measure"].isin(split)],
                          part.drop(columns=["breakdown", "category"])], ignore_index=True)
        values = compute_indicators(tidy, catalogue, ids, pack, council_code)
        frames.append(values.assign(breakdown=breakdown, category=category))
    if not frames:
        return _empty().assign(breakdown=pd.Series(dtype=str), category=pd.Series(dtype=str))
    return pd.concat(frames, ignore_index=True)
