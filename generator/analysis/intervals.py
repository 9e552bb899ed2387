"""Confidence intervals and funnel limits: Wilson (proportions), Byars (rates), exact
Poisson (counts and observed / expected). All take numpy arrays or scalars and return float
arrays of the same shape; invalid inputs give NaN, never an exception or a warning, because
a blank interval is the honest answer for a bad cell. See docs/methods.md."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

#: The normal quantile of a two-sided 95% interval, as PHE's and ScotPHO's tools use it.
Z_95 = 1.96

FloatArray = NDArray[np.float64]


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


def funnel_limits(
    expected: ArrayLike, level: float, target: float = 1.0
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


def funnel_lines(
    expected: ArrayLike, points: int = 121
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
