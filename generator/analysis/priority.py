"""Priority areas: where families are most likely missing support, with reasons in words.

Pure functions over the *published* indicator values (after ``disclosure.publish``), so a
reason can only quote a number that is on the site anyway: a withheld uptake row has no
status and no gap, and cannot put its area on the list.

An area qualifies when at least ``min_below`` uptake indicators are flagged below expected
(under the 99.8% funnel limit, analysis/funnel.py) in their latest period, judged over the
pooled periods. Qualifying areas are ranked by *scale*: their largest single standardised
shortfall (E - O) / sqrt(phi x E), unit-free, so a shortfall in households is never added
to one in children and a child counted under several entitlements is not counted twice;
or by *depth*: their lowest ratio of observed to expected. The other breaks ties, then the
code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.analysis.funnel import BELOW, standardised_shortfall
from generator.ingest.catalogue import Catalogue, ShareIndicator, UptakeIndicator


@dataclass(frozen=True)
class Reason:
    """One uptake indicator's shortfall in one area, with the numbers it quotes."""

    indicator: str
    text: str
    ratio: float
    lower: float
    upper: float
    gap: float


@dataclass(frozen=True)
class PriorityArea:
    """One area on the priority list."""

    level: str
    code: str
    name: str
    scale: float  # largest standardised shortfall among the indicators below expected
    depth: float  # lowest observed / expected ratio among them (x multiplier)
    n_below: int
    reasons: list[Reason]
    need_text: str = ""  # the area's need rate in words, when published
    periods: list[str] = field(default_factory=list)


def _whole(x: float) -> str:
    return f"{round(x):,.0f}"


def reason_text(
    ind: UptakeIndicator,
    receipt_label: str,
    ratio: float,
    observed: float,
    expected: float,
    periods: str,
) -> str:
    """E.g. "P6 to P7 pupils registered for free school meals: 52% of what the council's
    own rate would give (2021/22 to 2023/24 pooled: 40 against 77 expected)".

    With an ``expected_rate`` (an entitlement rate) the comparison is with entitlement;
    without one it is with the council's own average, and the words say so."""
    unit = "%" if ind.multiplier == 100 else f" per {ind.multiplier:,.0f}"
    against = (
        "of expected at the stated entitlement rate"
        if ind.expected_rate is not None
        else "of what the council's own rate would give"
    )
    return (
        f"{receipt_label}: {_whole(ratio)}{unit} {against} ({periods}: {_whole(observed)} "
        f"against {_whole(expected)} expected)"
    )


def _pooled_periods(first: str, last: str) -> str:
    return last if first in ("", last) else f"{first} to {last} pooled"


def latest_uptake(values: pd.DataFrame, indicators: list[UptakeIndicator]) -> pd.DataFrame:
    """Rows of the uptake indicators in each one's latest period (all levels)."""
    ids = [i.id for i in indicators]
    part = values[values["indicator"].isin(ids)]
    if part.empty:
        return part
    latest = part.groupby("indicator")["period"].transform("max")
    return part[part["period"] == latest]


def priority_areas(
    values: pd.DataFrame,
    catalogue: Catalogue,
    indicator_ids: list[str],
    top: dict[str, int],
    rank_by: str = "scale",
    min_below: int = 1,
    need_indicator: str | None = "cilif_share",
) -> dict[str, list[PriorityArea]]:
    """For each level in ``top``, its top-N priority areas (see the module docstring).

    ``values`` is the published table; ``indicator_ids`` the indicators the site shows
    (only uptake ones are used). ``need_indicator``, when shown and published for an area,
    adds the area's need rate in words.
    """
    uptake = [
        catalogue.indicators[i]
        for i in indicator_ids
        if isinstance(catalogue.indicators.get(i), UptakeIndicator)
    ]
    inds: dict[str, UptakeIndicator] = {i.id: i for i in uptake}  # type: ignore[misc]
    rows = latest_uptake(values, list(inds.values()))
    out: dict[str, list[PriorityArea]] = {}
    if rows.empty:
        return {level: [] for level in top}
    below = rows[
        (rows["status"] == BELOW)
        & ~rows["suppressed"].astype(bool)
        & rows["pool_observed"].notna()
        & rows["pool_expected"].notna()
    ]
    need = _need_texts(values, catalogue, need_indicator, indicator_ids)
    order = {i: n for n, i in enumerate(inds)}
    for level, limit in top.items():
        found = []
        for code, part in below[below["level"] == level].groupby("area_code", sort=True):
            if len(part) < min_below:
                continue
            part = part.assign(_o=part["indicator"].map(order)).sort_values("_o")
            reasons = []
            z = standardised_shortfall(
                part["pool_observed"].to_numpy(float),
                part["pool_expected"].to_numpy(float),
                part["phi"].fillna(1.0).to_numpy(float),
            )
            ratios = []
            for r in part.itertuples(index=False):
                ind = inds[r.indicator]
                label = catalogue.measures[ind.receipt].label
                ratio = float(r.pool_observed) / float(r.pool_expected) * ind.multiplier
                ratios.append(ratio)
                reasons.append(
                    Reason(
                        r.indicator,
                        reason_text(
                            ind,
                            label,
                            ratio,
                            float(r.pool_observed),
                            float(r.pool_expected),
                            _pooled_periods(str(r.pool_from), str(r.period)),
                        ),
                        ratio,
                        float(r.lower_998),
                        float(r.upper_998),
                        max(float(r.pool_expected) - float(r.pool_observed), 0.0),
                    )
                )
            found.append(
                PriorityArea(
                    level=level,
                    code=str(code),
                    name=str(part["area_name"].iloc[0]),
                    scale=float(np.nanmax(z)),
                    depth=float(min(ratios)),
                    n_below=len(part),
                    reasons=reasons,
                    need_text=need.get((level, str(code)), ""),
                    periods=sorted(set(part["period"])),
                )
            )
        if rank_by == "depth":
            found.sort(key=lambda a: (a.depth, -a.scale, a.code))
        else:
            found.sort(key=lambda a: (-a.scale, a.depth, a.code))
        out[level] = found[:limit]
    return out


def priority_by_category(
    variants: pd.DataFrame,
    catalogue: Catalogue,
    indicator_ids: list[str],
    top: dict[str, int],
    rank_by: str = "scale",
    min_below: int = 1,
) -> dict[tuple[str, str], dict[str, list[PriorityArea]]]:
    """``priority_areas`` for each breakdown category with uptake rows, from that category's
    published rows alone (the same rule, funnel flags and disclosure as the totals):
    ``(breakdown, category) -> {level: [PriorityArea]}``."""
    out: dict[tuple[str, str], dict[str, list[PriorityArea]]] = {}
    if variants is None or variants.empty or "category" not in variants.columns:
        return out
    ids = [i for i in indicator_ids if isinstance(catalogue.indicators.get(i), UptakeIndicator)]
    part = variants[variants["indicator"].isin(ids)]
    for (breakdown, category), _rows in part.groupby(["breakdown", "category"], sort=True):
        out[(str(breakdown), str(category))] = priority_areas(
            variants[(variants["breakdown"] == breakdown) & (variants["category"] == category)],
            catalogue,
            indicator_ids,
            top,
            rank_by,
            min_below,
        )
    return out


def _need_texts(
    values: pd.DataFrame, catalogue: Catalogue, need_indicator: str | None, indicator_ids: list[str]
) -> dict[tuple[str, str], str]:
    """(level, code) -> "34% of children live in low-income families (2024/25)"."""
    ind = catalogue.indicators.get(need_indicator or "")
    if not isinstance(ind, ShareIndicator) or ind.id not in indicator_ids:
        return {}
    part = values[
        (values["indicator"] == ind.id)
        & ~values["suppressed"].astype(bool)
        & values["value"].notna()
    ]
    if part.empty:
        return {}
    part = part[part["period"] == part["period"].max()]
    label = catalogue.measures[ind.numerator].label.lower()
    return {
        (r.level, r.area_code): f"{r.value:.{ind.decimals}f}% {_of_children(label)} ({r.period})"
        for r in part.itertuples(index=False)
        if np.isfinite(r.value)
    }


def _of_children(label: str) -> str:
    # "children in low income families" -> "of children live in low income families"
    return (
        "of children live in" + label[len("children in") :]
        if label.startswith("children in")
        else f"of the population are {label}"
    )


def rule_text(
    top: dict[str, int], rank_by: str, min_below: int, level_names: dict[str, str]
) -> str:
    """How the priority list was chosen, in a sentence or two."""
    lists = " and ".join(f"the top {n} {level_names.get(lv, lv).lower()}" for lv, n in top.items())
    order = (
        "their largest single shortfall, in standard errors (shortfalls in different "
        "entitlements are never added, so no child is counted twice)"
        if rank_by == "scale"
        else "how far below expected they are (the lowest ratio)"
    )
    need = "entitlement is" if min_below == 1 else f"{min_below} entitlements are"
    return (
        f"An area is listed when at least {min_below} {need} below the 99.8% funnel "
        f"limit in the latest data. Areas are ranked by {order}; this page shows "
        f"{lists}. The council's config sets these rules."
    )
