"""Whether each target is on track, from the published trend and its uncertainty.

For a target on an indicator in an area: the published values from the baseline period to
the latest (withheld values are missing) are fitted with a straight line over the periods'
start years (ordinary least squares), and the line is projected to the target period. The
95% interval of the projection is the fitted line's (t distribution, n - 2 degrees of
freedom). Polarity decides which side of the target is "reached".

- **met**: the latest value's 95% interval is wholly on the target's side;
- **on track**: the projection's interval is wholly on the target's side;
- **off track**: wholly on the wrong side;
- **too close to call**: the interval holds the target;
- **not enough data**: fewer than 3 published values from the baseline on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from generator.ingest.targets import PlacedTarget

MIN_POINTS = 3


@dataclass(frozen=True)
class TargetStatus:
    """One target's status."""

    placed: PlacedTarget
    status: str  # met, on_track, off_track, too_close, not_enough_data
    baseline_value: float | None
    latest_period: str
    latest_value: float | None
    projected: float | None
    lower: float | None
    upper: float | None


def start_year(period: str) -> int:
    """2023 for '2023/24' or '2023'."""
    return int(period[:4])


def _reached(value: float, target: float, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


def assess_all(
    placed: list[PlacedTarget], values: pd.DataFrame, polarity: dict[str, str]
) -> list[TargetStatus]:
    """Every target's status; ``polarity`` maps indicator ids to their polarity (a neutral
    indicator's target is reached going the way it lies from the baseline)."""
    out = []
    for p in placed:
        if p.target.indicator not in polarity:
            continue  # an indicator the site does not show
        pol = polarity[p.target.indicator]
        first = assess(p, values, True)
        better = pol == "higher_is_better" or (
            pol == "neutral"
            and (first.baseline_value is None or p.target.value >= first.baseline_value)
        )
        out.append(first if better else assess(p, values, False))
    return out


def assess(placed: PlacedTarget, values: pd.DataFrame, higher_is_better: bool) -> TargetStatus:
    """The status of one target from the published ``values``."""
    t = placed.target
    rows = values[
        (values["indicator"] == t.indicator)
        & (values["level"] == placed.level)
        & (values["area_code"] == placed.code)
        & ~values["suppressed"].astype(bool)
        & values["value"].notna()
        & (values["period"] >= t.baseline)
    ].sort_values("period", kind="mergesort")
    base = rows[rows["period"] == t.baseline]
    baseline = float(base["value"].iloc[0]) if not base.empty else None
    if len(rows) < MIN_POINTS:
        latest = rows.iloc[-1] if not rows.empty else None
        return TargetStatus(
            placed,
            "not_enough_data",
            baseline,
            "" if latest is None else str(latest["period"]),
            None if latest is None else float(latest["value"]),
            None,
            None,
            None,
        )
    x = rows["period"].map(start_year).to_numpy(float)
    y = rows["value"].to_numpy(float)
    fit = stats.linregress(x, y)
    x0 = start_year(t.by)
    projected = fit.intercept + fit.slope * x0
    n = len(x)
    resid = y - (fit.intercept + fit.slope * x)
    s = math.sqrt(float((resid**2).sum()) / (n - 2)) if n > 2 else math.nan
    se = s * math.sqrt(1 / n + (x0 - x.mean()) ** 2 / float(((x - x.mean()) ** 2).sum()))
    q = float(stats.t.ppf(0.975, n - 2))
    low, high = projected - q * se, projected + q * se
    latest = rows.iloc[-1]

    def good_side(v: float) -> bool:
        return _reached(v, t.value, higher_is_better)

    lat_low, lat_high = latest.get("lower"), latest.get("upper")
    if (
        not pd.isna(lat_low)
        and not pd.isna(lat_high)
        and good_side(lat_low)
        and good_side(lat_high)
    ):
        status = "met"
    elif good_side(low) and good_side(high):
        status = "on_track"
    elif not good_side(low) and not good_side(high):
        status = "off_track"
    else:
        status = "too_close"
    return TargetStatus(
        placed,
        status,
        baseline,
        str(latest["period"]),
        float(latest["value"]),
        float(projected),
        float(low),
        float(high),
    )
