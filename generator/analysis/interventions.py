"""What works: each intervention's target indicators before and after, against similar areas.

For one intervention and one indicator, on the smallest areas (data zones), from the
*published* values only (after disclosure control; a withheld value is simply missing):

1. **Periods.** A period before the start is one that ends before the start date; a period
   after is one that begins on or after it (a "2023/24" period runs from April 2023 to
   March 2024, a "2024" period is the calendar year). The period the start falls in is
   left out: it is partly before and partly after. With no whole period after the start the
   verdict is "too early".
2. **Change per area.** Mean value over the periods after, minus the mean over the periods
   before, for each area with a published value in every one of them.
3. **Comparison areas.** Areas the log does not cover with any intervention aimed at this
   indicator. Each covered area is matched to its ``K`` nearest comparison areas on two
   standardised baseline features: the indicator's own mean before the start, and need
   (the share of children in low income families before the start, else the SIMD rank).
   Each feature is divided by its standard deviation over all eligible areas; distance is
   Euclidean; ties go to the smaller area code; comparison areas may be reused.
4. **Difference-in-differences.** The mean change in the covered areas minus the mean
   change of their matched comparison areas (each covered area's matches averaged first).
5. **Interval.** A seeded percentile bootstrap over areas: covered and comparison areas are
   each resampled with replacement, matching is redone, and the estimate recomputed,
   ``REPLICATES`` times. The seed is derived from the intervention and indicator ids, so
   the interval is the same on every build.
6. **Verdict.** "too early"; "cannot judge" (fewer than ``MIN_COVERED`` covered areas with
   values, fewer than ``K`` comparison areas, or no period before the start); "no detectable
   change" when the 95% interval includes 0; otherwise the indicator rose (or fell) by the
   estimate more than in similar areas.

Assumptions and limits are in docs/methods.md ("What works").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from generator.ingest.interventions import Covered

#: Comparison areas matched to each covered area.
K = 5
#: Bootstrap replicates for the 95% interval.
REPLICATES = 2000
#: Covered areas with values needed before a change is judged.
MIN_COVERED = 3
#: Need indicators to match on, in order of preference (the first published one is used).
NEED_INDICATORS = ("cilif_share", "simd_rank")

_FINANCIAL = re.compile(r"^(\d{4})/(\d{2})$")
_CALENDAR = re.compile(r"^(\d{4})$")


def publishable_reached(reached: int | None, threshold: int) -> int | None:
    """The families or households reached, as published: withheld (None) when from 1 to
    ``threshold`` - 1, the primary rule for a count of people (``analysis/suppression.py``).
    The count is the council's own total, not a cell of any published table, so nothing
    else can give it away."""
    if reached is None or 0 < reached < threshold:
        return None
    return reached


def period_bounds(period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a period label: '2023/24' is April 2023 to March 2024, '2024'
    the calendar year; None for a label of another form."""
    found = _FINANCIAL.match(period)
    if found:
        year = int(found.group(1))
        return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    found = _CALENDAR.match(period)
    if found:
        year = int(found.group(1))
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None


def split_periods(periods: Sequence[str], start: dt.date) -> tuple[list[str], list[str]]:
    """(periods wholly before ``start``, periods wholly on or after it), in order."""
    before, after = [], []
    for p in sorted(periods):
        bounds = period_bounds(p)
        if bounds is None:
            continue
        if bounds[1] < start:
            before.append(p)
        elif bounds[0] >= start:
            after.append(p)
    return before, after


@dataclass(frozen=True)
class Effect:
    """The verdict for one intervention and one target indicator."""

    intervention: str
    indicator: str
    verdict: str  # "too_early", "cannot_judge", "no_change", "rose", "fell"
    estimate: float | None = None  # difference-in-differences, in the indicator's units
    lower: float | None = None  # 95% bootstrap interval
    upper: float | None = None
    covered: int = 0  # covered areas with values
    comparison: int = 0  # distinct comparison areas matched
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    need: str = ""  # the need indicator matched on ("" when none)
    reason: str = ""  # why it cannot be judged, for cannot_judge


def match(treated: np.ndarray, pool: np.ndarray, k: int = K) -> np.ndarray:
    """Indices into ``pool`` of each treated row's ``k`` nearest rows (standardised
    features already), nearest first; ties to the lower index (pool sorted by code)."""
    dist = ((treated[:, None, :] - pool[None, :, :]) ** 2).sum(-1)
    return np.argsort(dist, axis=1, kind="stable")[:, :k]


def did(
    change_t: np.ndarray, feat_t: np.ndarray, change_p: np.ndarray, feat_p: np.ndarray, k: int = K
) -> tuple[float, np.ndarray]:
    """The difference-in-differences estimate and the matched pool indices."""
    idx = match(feat_t, feat_p, k)
    return float(np.mean(change_t - change_p[idx].mean(axis=1))), idx


def bootstrap(
    change_t: np.ndarray,
    feat_t: np.ndarray,
    change_p: np.ndarray,
    feat_p: np.ndarray,
    seed: int,
    *,
    k: int = K,
    replicates: int = REPLICATES,
) -> tuple[float, float]:
    """95% percentile interval, resampling covered and comparison areas and matching again."""
    rng = np.random.default_rng(seed)
    nt, npool = len(change_t), len(change_p)
    ti = rng.integers(0, nt, (replicates, nt))
    pi = rng.integers(0, npool, (replicates, npool))
    estimates = np.empty(replicates)
    step = max(1, 2_000_000 // max(1, nt * npool))  # replicates per chunk: bounded memory
    for lo in range(0, replicates, step):
        t, p = ti[lo : lo + step], pi[lo : lo + step]
        ft, fp = feat_t[t], feat_p[p]  # (b, nt, f), (b, np, f)
        dist = np.zeros((len(t), nt, npool))
        for f in range(ft.shape[2]):
            dist += (ft[:, :, None, f] - fp[:, None, :, f]) ** 2
        nearest = np.argpartition(dist, k - 1, axis=2)[:, :, :k]  # the k nearest, any order
        cp = change_p[p]  # (b, np)
        matched = np.take_along_axis(cp[:, None, :], nearest, axis=2).mean(axis=2)
        estimates[lo : lo + step] = (change_t[t] - matched).mean(axis=1)
    low, high = np.quantile(estimates, [0.025, 0.975])
    return float(low), float(high)


def seed_for(intervention: str, indicator: str) -> int:
    """A fixed seed per intervention and indicator (stable across builds and machines)."""
    return int.from_bytes(
        hashlib.sha256(f"{intervention}:{indicator}".encode()).digest()[:8], "big"
    )


def standardise(features: np.ndarray) -> np.ndarray:
    """Each column divided by its standard deviation (a constant column is left as is)."""
    sd = features.std(axis=0)
    return features / np.where(sd > 0, sd, 1.0)


def what_works(
    published: pd.DataFrame,
    log: Sequence[Covered],
    base_level: str,
    shown: set[str],
) -> list[Effect]:
    """An Effect for each intervention and each of its indicators that the site shows."""
    values = published[(published["level"] == base_level) & ~published["suppressed"].astype(bool)]
    values = values[values["value"].notna()]
    periods = sorted(set(published["period"].astype(str)))
    ends = [b[1] for b in map(period_bounds, periods) if b is not None]
    last = max(ends) if ends else dt.date.max
    out = []
    for item in log:
        for ind in item.entry.indicators:
            if ind not in shown:
                continue
            # Comparison areas are reached by no intervention aimed at the indicator that
            # began within the data (one starting after the last period cannot have acted).
            targeted = {
                c
                for other in log
                if ind in other.entry.indicators and other.entry.start <= last
                for c in other.base_codes
            }
            out.append(_effect(values, periods, item, ind, targeted))
    return out


def _means(values: pd.DataFrame, ind: str, periods: list[str]) -> pd.Series:
    """Each area's mean over ``periods``, for areas with a value in every one."""
    part = values[(values["indicator"] == ind) & values["period"].isin(periods)]
    wide = part.pivot_table(index="area_code", columns="period", values="value", aggfunc="first")
    wide = wide.reindex(columns=periods).dropna()
    return wide.mean(axis=1).astype(float)


def _effect(
    values: pd.DataFrame, periods: list[str], item: Covered, ind: str, targeted: set[str]
) -> Effect:
    entry = item.entry
    ind_periods = sorted(set(values.loc[values["indicator"] == ind, "period"].astype(str)))
    before, after = split_periods(ind_periods or periods, entry.start)
    common: dict[str, Any] = {
        "intervention": entry.id,
        "indicator": ind,
        "before": tuple(before),
        "after": tuple(after),
    }
    if not after:
        return Effect(verdict="too_early", **common)
    if not before:
        return Effect(verdict="cannot_judge", reason="no_baseline", **common)
    base = _means(values, ind, before)
    change = (_means(values, ind, after) - base).dropna()
    features = pd.DataFrame({"baseline": base}).loc[change.index]
    need = ""
    for candidate in NEED_INDICATORS:
        need_periods = [
            p for p in before if p in set(values.loc[values["indicator"] == candidate, "period"])
        ]
        if candidate == "simd_rank" or not need_periods:
            need_periods = sorted(set(values.loc[values["indicator"] == candidate, "period"]))[-1:]
        level = _means(values, candidate, need_periods) if need_periods else pd.Series(dtype=float)
        if not level.empty:
            need = candidate
            features = features.join(level.rename("need"), how="inner")
            break
    features = features.sort_index()
    change = change.loc[features.index]
    scaled = standardise(features.to_numpy(dtype=float))
    is_t = features.index.isin(item.base_codes)
    is_p = ~features.index.isin(sorted(targeted))
    n_t, n_p = int(is_t.sum()), int(is_p.sum())
    common.update(need=need, covered=n_t)
    if n_t < MIN_COVERED or n_p < K:
        reason = "few_covered" if n_t < MIN_COVERED else "few_comparison"
        return Effect(verdict="cannot_judge", reason=reason, **common)
    ct, cp = change.to_numpy()[is_t], change.to_numpy()[is_p]
    estimate, idx = did(ct, scaled[is_t], cp, scaled[is_p])
    low, high = bootstrap(ct, scaled[is_t], cp, scaled[is_p], seed_for(entry.id, ind))
    verdict = "no_change" if low <= 0 <= high else "rose" if estimate > 0 else "fell"
    return Effect(
        verdict=verdict,
        estimate=estimate,
        lower=low,
        upper=high,
        comparison=len(set(idx.ravel().tolist())),
        **common,
    )
