"""The ``uptake`` indicator method: observed receipt against expected, judged by funnel.

For each row (level x area x period): expected = need x rate, the rate being the stated
``expected_rate`` or the council's own receipt per unit of need in that period. The row's
``value`` is observed / expected (x multiplier) for that single period, with the exact
Poisson 95% interval of the observed count.

The *judgement* (``status``) is made on the latest ``pool`` periods pooled (ScotPHO pools
three years for small areas): pooled observed against pooled expected, against the funnel
limits of ``analysis/funnel.py`` at 99.8%, widened by the over-dispersion phi estimated from
the areas of the same level and period. ``lower_998``/``upper_998`` are exactly those
limits, as % of expected, so a flag can be checked against the line drawn beside it.

Censored observed counts (a source's starred cells, value NaN with ``low``/``high``
bounds) are never shown as a count and never flagged: their bounds are carried in
``numerator_low``/``numerator_high`` and ``pool_low``/``pool_high``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analysis import funnel
from generator.analysis.intervals import poisson_exact
from generator.ingest.catalogue import UptakeIndicator

#: Columns only uptake rows fill (NaN or "" elsewhere); numeric ones are blanked by
#: disclosure on a suppressed row.
UPTAKE_NUMERIC = [
    "numerator_low",
    "numerator_high",
    "pool_observed",
    "pool_low",
    "pool_high",
    "pool_expected",
    "phi",
]
UPTAKE_TEXT = ["pool_from"]

#: Suffixes of the bound columns of the receipt measure in the frame compute passes.
LOW, HIGH = "__low", "__high"


def _council_rate(
    frame: pd.DataFrame, mid: np.ndarray, need: np.ndarray
) -> tuple[np.ndarray, dict[str, float]]:
    """Each row's rate: the council's receipt / need in the row's period (the midpoint of a
    censored council total's bounds: its stars count as halfway)."""
    council = frame["_council"].to_numpy(dtype=bool)
    periods = frame["period"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = mid[council] / np.where(need[council] > 0, need[council], np.nan)
    by_period = dict(zip(periods[council].tolist(), ratio.tolist(), strict=True))
    rate = np.array([by_period.get(p, np.nan) for p in periods], dtype=float)
    return rate, by_period


def _pool(
    frame: pd.DataFrame, k: int, cols: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Sums of ``cols`` over each area's latest ``k`` periods up to the row's own (of the
    periods this indicator has), counting only periods with an expected and an observed
    (or bounded) count; and each row's first pooled period."""
    periods = sorted(frame["period"].unique().tolist())
    pos = {p: i for i, p in enumerate(periods)}
    col_of = frame["period"].map(pos).to_numpy()
    area = pd.MultiIndex.from_arrays([frame["level"], frame["area_code"]])
    row_of, areas = pd.factorize(area)
    shape = (len(areas), len(periods))
    valid = np.zeros(shape, dtype=bool)
    v = np.isfinite(cols["expected"]) & np.isfinite(cols["low"])
    valid[row_of, col_of] = v
    sums = {}
    for name, arr in cols.items():
        grid = np.zeros(shape)
        grid[row_of, col_of] = np.where(v, np.nan_to_num(arr, nan=0.0), 0.0)
        # the exact count is unknown (NaN) when any pooled part is censored
        unknown = np.zeros(shape)
        unknown[row_of, col_of] = v & np.isnan(arr)
        cum = np.cumsum(grid, axis=1)
        cum_u = np.cumsum(unknown, axis=1)
        lag = np.zeros_like(cum)
        lag_u = np.zeros_like(cum_u)
        if k < len(periods):
            lag[:, k:] = cum[:, :-k]
            lag_u[:, k:] = cum_u[:, :-k]
        total = cum - lag
        total[(cum_u - lag_u) > 0] = np.nan
        sums[name] = total[row_of, col_of]
    first = np.maximum(col_of - k + 1, 0)
    return sums, np.array([periods[i] for i in first], dtype=object)


def _with_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every key the method uses; a bare frame (unit tests, national totals)
    is one area per row in the periods of ``_period``."""
    add: dict[str, object] = {}
    if "period" not in frame.columns:
        add["period"] = frame["_period"].astype(str) if "_period" in frame.columns else ""
    if "level" not in frame.columns:
        add["level"] = ""
    if "area_code" not in frame.columns:
        add["area_code"] = [str(i) for i in range(len(frame))]
    if "_group" not in frame.columns:
        add["_group"] = frame["_period"] if "_period" in frame.columns else 0
    if "_council" not in frame.columns:
        add["_council"] = False
    return frame.assign(**add) if add else frame


def uptake(ind: UptakeIndicator, frame: pd.DataFrame) -> pd.DataFrame:
    """Observed, expected, single-period value and CI, pooled judgement (module docstring).

    ``frame`` has the keys (``level, area_code, period, _group, _council``), the receipt and
    need columns, and optionally ``<receipt>__low``/``__high`` bounds of the receipt.
    """
    frame = _with_keys(frame)
    observed = frame[ind.receipt].to_numpy(dtype=float)
    need = frame[ind.need].to_numpy(dtype=float)
    low = frame.get(ind.receipt + LOW, frame[ind.receipt]).to_numpy(dtype=float)
    high = frame.get(ind.receipt + HIGH, frame[ind.receipt]).to_numpy(dtype=float)
    low = np.where(np.isnan(low), observed, low)
    high = np.where(np.isnan(high), observed, high)
    mid = np.where(np.isnan(observed), (low + high) / 2, observed)
    if ind.expected_rate is not None:
        rate = np.full(len(frame), ind.expected_rate)
    else:
        rate, _ = _council_rate(frame, mid, need)
    expected = need * rate
    safe_e = np.where(expected > 0, expected, np.nan)
    scale = ind.multiplier / safe_e
    lower, upper = poisson_exact(observed)
    gap = np.where(
        np.isnan(observed) | np.isnan(safe_e), np.nan, np.maximum(expected - observed, 0.0)
    )
    sums, first = _pool(
        frame,
        max(int(getattr(ind, "pool", 1) or 1), 1),
        {"observed": observed, "low": low, "high": high, "expected": safe_e},
    )
    pooled_e = np.where(sums["expected"] > 0, sums["expected"], np.nan)
    # phi per level and period, from the areas' exact pooled counts (not the council's)
    phi = np.ones(len(frame))
    groups = frame["_group"].to_numpy()
    council = frame["_council"].to_numpy(dtype=bool)
    for g in np.unique(groups):
        at = groups == g
        use = at & ~council
        phi[at] = funnel.overdispersion(sums["observed"][use], pooled_e[use])
    status = funnel.judge(sums["observed"], pooled_e, phi, low=sums["low"], high=sums["high"])
    lim_lo, lim_hi = funnel.limits(pooled_e, phi)
    out = pd.DataFrame(
        {
            "numerator": observed,
            "denominator": expected,
            "value": observed * scale,
            "lower": lower * scale,
            "upper": upper * scale,
            "gap": gap,
            "status": status,
            "lower_998": lim_lo / pooled_e * ind.multiplier,
            "upper_998": lim_hi / pooled_e * ind.multiplier,
            "numerator_low": np.where(np.isnan(observed), low, np.nan),
            "numerator_high": np.where(np.isnan(observed), high, np.nan),
            "pool_from": np.where(np.isfinite(pooled_e), first, ""),
            "pool_observed": sums["observed"],
            "pool_low": np.where(np.isnan(sums["observed"]), sums["low"], np.nan),
            "pool_high": np.where(np.isnan(sums["observed"]), sums["high"], np.nan),
            "pool_expected": pooled_e,
            "phi": np.where(np.isfinite(pooled_e), phi, np.nan),
        },
        index=frame.index,
    )
    out["pool_from"] = out["pool_from"].astype(str)
    return out


#: Uptake-only counts that rounding (``disclosure: {rounding: nearest_5}``) applies to.
ROUNDED = [c for c in UPTAKE_NUMERIC if c != "phi"]  # phi is a ratio, not a count


def blank_pooled(
    published: pd.DataFrame, base: int = 1, smallest: str | None = None
) -> pd.DataFrame:
    """Pooled numbers blanked where any pooled period's row is withheld, so a withheld
    count cannot be recovered as pooled minus published single periods; and the pooled
    counts rounded to ``base`` like every other published count (the first period's pool
    is that period's count, so unrounded it would give the count back). The status was
    judged on the unrounded counts.

    Bounds of censored counts are published only at the ``smallest`` level (when given),
    where they are the source's own stars (1 to 4): above it a bound is the exact sum of
    the known parts, which could give back a count withheld by our own suppression."""
    if "pool_from" not in published.columns:
        return published
    out = published.copy()
    if smallest is not None:
        above = (out["level"] != smallest).to_numpy()
        out.loc[above, ["numerator_low", "numerator_high", "pool_low", "pool_high"]] = np.nan
    if base > 1:
        for col in ROUNDED:
            v = out[col].astype(float)
            out[col] = np.sign(v) * np.floor(np.abs(v) / base + 0.5) * base
    up = out[out["pool_from"].astype(str) != ""]
    if up.empty:
        return out
    hidden = out.loc[out["suppressed"].astype(bool), ["indicator", "level", "area_code", "period"]]
    if hidden.empty:
        return out
    merged = (
        up[["indicator", "level", "area_code", "pool_from", "period"]]
        .reset_index()
        .merge(hidden.rename(columns={"period": "_hidden"}), on=["indicator", "level", "area_code"])
    )
    inside = merged[
        (merged["_hidden"] >= merged["pool_from"]) & (merged["_hidden"] <= merged["period"])
    ]
    rows = inside["index"].unique()
    out.loc[rows, ["pool_observed", "pool_low", "pool_high", "pool_expected"]] = np.nan
    out.loc[rows, ["status", "comparison"]] = ""
    return out
