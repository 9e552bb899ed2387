"""Funnel-plot limits and the uptake flag rule, in one place (Spiegelhalter 2005).

Both the flag an area gets (``judge``) and the lines drawn on its funnel plot
(``funnel_lines``) come from ``count_limits`` and ``widen`` here, so the picture is the rule:
an area is flagged "below" exactly when its marker lies under the drawn 99.8% lower line.

Method (D. J. Spiegelhalter, "Funnel plots for comparing institutional performance",
Statistics in Medicine 24, 2005; as used by ScotPHO and PHE/OHID):

- exact Poisson limits for an observed count O given its expected count E, interpolated
  between whole numbers so that they are smooth in E (his appendix A.1.1);
- over-dispersion: phi = the mean of the squared Poisson z-scores z = (O - E) / sqrt(E)
  of the council's areas, after winsorising z at its 10th and 90th percentiles, so that
  the very areas we look for do not widen the limits; when phi > 1 the limits are widened
  multiplicatively, E +/- sqrt(phi) x (exact limit - E) (his section 5, "multiplicative");
- flags at 99.8% (about 3 standard errors), so that across hundreds of areas and several
  indicators few flags are false; the 95% lines are drawn for reference only;
- "too few to judge": when even O = 0 would not lie below the lower limit, no count could
  be flagged low, and saying "as expected" would mislead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from generator.analysis.intervals import FloatArray

#: The level at which an area is flagged above or below expected.
FLAG_LEVEL = 0.998
#: The levels drawn on funnel plots: the flag level and a 95% reference.
DRAWN_LEVELS = (0.998, 0.95)
#: Winsorising of z-scores when estimating over-dispersion (each tail).
WINSOR = 0.10
#: Fewer areas than this give no estimate of over-dispersion (phi = 1).
MIN_AREAS_FOR_PHI = 5

#: Uptake statuses. ``too_few``: expected so small that no count could be flagged low;
#: ``censored``: the observed count is only known between bounds (a starred source cell).
BELOW, AS_EXPECTED, ABOVE = "below", "as_expected", "above"
TOO_FEW, CENSORED = "too_few", "censored"


def count_limits(expected: ArrayLike, level: float) -> tuple[FloatArray, FloatArray]:
    """Exact Poisson control limits (as counts) for an observed count at each ``expected``.

    For the lower limit, p = (1 - level) / 2; for the upper, 1 - p. With r the p-quantile
    of Poisson(E) (the smallest r with P(X <= r) >= p) the limit is r - a, where
    a = (P(X <= r) - p) / (P(X <= r) - P(X <= r - 1)): linear interpolation between whole
    counts (Spiegelhalter 2005, appendix A.1.1). NaN where E is not positive.
    """
    e = np.asarray(expected, dtype=float)
    valid = np.isfinite(e) & (e > 0)
    safe = np.where(valid, e, 1.0)
    p_low = (1 - level) / 2
    out = []
    for p in (p_low, 1 - p_low):
        r = stats.poisson.ppf(p, safe)
        at = stats.poisson.cdf(r, safe)
        before = stats.poisson.cdf(r - 1, safe)
        with np.errstate(invalid="ignore", divide="ignore"):
            a = np.where(at > before, (at - p) / (at - before), 0.0)
        out.append(np.where(valid, np.maximum(r - a, 0.0), np.nan))
    return out[0], out[1]


def widen(
    expected: ArrayLike, lower: ArrayLike, upper: ArrayLike, phi: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Limits widened for over-dispersion: E -/+ sqrt(phi) x the distance of each exact
    limit from E (no change when phi <= 1). The lower limit is floored at 0."""
    e = np.asarray(expected, dtype=float)
    s = np.sqrt(np.maximum(np.asarray(phi, dtype=float), 1.0))
    lo = e - s * (e - np.asarray(lower, dtype=float))
    hi = e + s * (np.asarray(upper, dtype=float) - e)
    return np.maximum(lo, 0.0), hi


def overdispersion(observed: ArrayLike, expected: ArrayLike) -> float:
    """Over-dispersion phi of the areas' counts: mean squared winsorised z-score, at least 1.

    Areas with no expected count or no exact observed count (NaN) are left out. With fewer
    than ``MIN_AREAS_FOR_PHI`` areas there is nothing to estimate from and phi is 1.
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    keep = np.isfinite(o) & np.isfinite(e) & (e > 0)
    if int(keep.sum()) < MIN_AREAS_FOR_PHI:
        return 1.0
    z = (o[keep] - e[keep]) / np.sqrt(e[keep])
    lo, hi = np.quantile(z, [WINSOR, 1 - WINSOR])
    return max(1.0, float(np.mean(np.clip(z, lo, hi) ** 2)))


def limits(
    expected: ArrayLike, phi: ArrayLike, level: float = FLAG_LEVEL
) -> tuple[FloatArray, FloatArray]:
    """The (widened) control limits as counts at ``level``: what flags and what is drawn."""
    lower, upper = count_limits(expected, level)
    return widen(expected, lower, upper, phi)


def judge(
    observed: ArrayLike,
    expected: ArrayLike,
    phi: ArrayLike,
    *,
    low: ArrayLike | None = None,
    high: ArrayLike | None = None,
    level: float = FLAG_LEVEL,
) -> np.ndarray:
    """Each area's status against its funnel limits at ``level``.

    ``below`` when O < the lower limit, ``above`` when O > the upper limit, else
    ``as_expected``; ``too_few`` instead of ``as_expected``/``below`` when the lower limit is
    0, so that not even O = 0 could be flagged low. ``censored`` when the observed count is
    known only between ``low`` and ``high`` (low < high, or the count is NaN with bounds):
    such an area is never flagged. ``""`` when there is no expected count or no observed.
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    lo_b = o if low is None else np.asarray(low, dtype=float)
    hi_b = o if high is None else np.asarray(high, dtype=float)
    censored = (np.isfinite(lo_b) & np.isfinite(hi_b) & (lo_b < hi_b)) | (
        np.isnan(o) & np.isfinite(lo_b)
    )
    lower, upper = limits(e, phi, level)
    known = np.isfinite(e) & (e > 0) & (np.isfinite(o) | censored)
    with np.errstate(invalid="ignore"):
        return np.select(
            [~known, censored, o > upper, lower <= 0, o < lower],
            ["", CENSORED, ABOVE, TOO_FEW, BELOW],
            default=AS_EXPECTED,
        ).astype(str)


def standardised_shortfall(observed: ArrayLike, expected: ArrayLike, phi: ArrayLike) -> FloatArray:
    """(E - O) / sqrt(phi x E): how many (over-dispersed) standard errors below expected.

    Unit-free, so shortfalls in children and in households can be compared (never added)."""
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    s = np.maximum(np.asarray(phi, dtype=float), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(e > 0, (e - o) / np.sqrt(s * e), np.nan)


def funnel_lines(
    expected: ArrayLike, phi: float = 1.0, points: int = 121
) -> tuple[list[float], dict[float, tuple[list[float], list[float]]]]:
    """The limits to draw, as ratios to expected, over the range of ``expected`` (a little
    beyond both ends), at ``DRAWN_LEVELS``, widened by ``phi``: (grid, {level: (lower,
    upper)}). Empty when there is nothing to draw. Same functions as ``judge``."""
    e = np.asarray(expected, dtype=float)
    e = e[np.isfinite(e) & (e > 0)]
    if e.size == 0:
        return [], {}
    lo_e = max(float(e.min()) * 0.8, 0.5)
    hi_e = max(float(e.max()) * 1.1, lo_e * 1.5)
    grid = np.asarray([lo_e * (hi_e / lo_e) ** (i / (points - 1)) for i in range(points)])
    bounds = {}
    for level in DRAWN_LEVELS:
        lower, upper = limits(grid, phi, level)
        bounds[level] = ((lower / grid).tolist(), (upper / grid).tolist())
    return grid.tolist(), bounds


def smallest_judgeable(phi: float = 1.0, level: float = FLAG_LEVEL) -> float:
    """The expected count below which no area can be flagged low (lower limit 0)."""
    lo, hi = 0.01, 1000.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if float(limits(mid, phi, level)[0]) > 0:
            hi = mid
        else:
            lo = mid
    return hi
