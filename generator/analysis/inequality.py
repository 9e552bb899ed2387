"""Inequality by deprivation: values by SIMD quintile and decile, and the slope and relative
indices of inequality (SII, RII).

Part of the compute stage, kept out of ``compute.py`` for size. Pure functions, no I/O.

* ``simd_groups`` puts each of the council's data zones in a national quintile and decile
  from its deprivation rank: group = ceil(rank / zones x n), 1 = most deprived.
* ``group_measures`` sums each measure over the zones of each group; ``disclosure.
  suppress_groups`` decides which of those new cells may be published.
* ``group_values`` sums each indicator's numerator and denominator over the zones of each
  group and computes the value and 95% CI with the indicator's own method.
* ``slope_index`` fits the SII and RII from *published* group values only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.analysis.intervals import Z_95, byars, poisson_exact, wilson
from generator.errors import CdashError
from generator.ingest.catalogue import (
    AnyIndicator,
    Catalogue,
    RateIndicator,
    ShareIndicator,
    UptakeIndicator,
)

#: Groupings by number of groups. Quintiles are the main view; deciles where counts allow.
GROUPINGS = {"quintile": 5, "decile": 10}
#: Methods with a per-head value that can be compared across groups.
GROUPED_METHODS = ("share", "rate", "uptake")
#: Columns of a group values table.
GROUP_COLUMNS = [
    "indicator",
    "period",
    "grouping",
    "group",
    "zones",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "suppressed",
    "note",
]


def simd_groups(measures: pd.DataFrame, base: str, rank_measure: str, zones: int) -> pd.DataFrame:
    """Each base-level zone's quintile and decile: ``area_code, grouping, group``.

    Ranks come from the latest period of ``rank_measure`` (SIMD is published every few
    years, and one edition is applied to every period). Zones without a rank are in no
    group. Raises CdashError for a rank outside 1..zones: the stated number of zones is then
    wrong for this SIMD edition, and every group would be too.
    """
    ranks = measures[
        (measures["level"] == base)
        & (measures["measure"] == rank_measure)
        & measures["value"].notna()
    ]
    if ranks.empty:
        return pd.DataFrame(
            {
                "area_code": pd.Series(dtype="str"),
                "grouping": pd.Series(dtype="str"),
                "group": pd.Series(dtype=int),
            }
        )
    ranks = ranks[ranks["period"] == ranks["period"].max()]
    rank = ranks["value"].to_numpy(dtype=float)
    bad = (rank < 1) | (rank > zones) | (rank != np.round(rank))
    if bad.any():
        code = ranks["area_code"].to_numpy()[bad][0]
        raise CdashError(
            f"{rank_measure} {rank[bad][0]:g} for {code} is not a whole number in 1..{zones}; "
            "set inequality.zones to the number of zones your deprivation edition ranks"
        )
    frames = []
    for name, n in GROUPINGS.items():
        # Integer arithmetic: ceil(r * n / zones) without floating-point edge cases.
        group = (rank.astype(np.int64) * n + zones - 1) // zones
        frames.append(
            pd.DataFrame(
                {
                    "area_code": ranks["area_code"].to_numpy(),
                    "grouping": name,
                    "group": group.astype(int),
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(["grouping", "group", "area_code"], kind="stable")
        .reset_index(drop=True)
    )


def group_measures(
    measures: pd.DataFrame, groups: pd.DataFrame, base: str, measure_ids: list[str]
) -> pd.DataFrame:
    """Sums of each measure over each group's zones: ``grouping, group, period, measure,
    value, zones`` (zones with the measure present)."""
    part = measures[
        (measures["level"] == base)
        & measures["measure"].isin(measure_ids)
        & measures["value"].notna()
    ]
    merged = part.merge(groups, on="area_code")
    out = (
        merged.groupby(["grouping", "group", "period", "measure"], sort=True)["value"]
        .agg(value="sum", zones="size")
        .reset_index()
    )
    return out


def group_values(
    values: pd.DataFrame, groups: pd.DataFrame, indicators: list[AnyIndicator], base: str
) -> pd.DataFrame:
    """Each indicator's value by group and period (see GROUP_COLUMNS), not yet disclosed.

    ``values`` is compute's indicator table. Numerators and denominators (for uptake: the
    observed and expected counts) are summed over the group's base-level zones, then the
    value and 95% interval come from the indicator's own method (Wilson, Byars or exact
    Poisson), exactly as for an area.
    """
    frames = []
    for ind in indicators:
        if ind.method not in GROUPED_METHODS:
            continue
        part = values[(values["indicator"] == ind.id) & (values["level"] == base)]
        if part.empty:
            continue
        merged = part[["area_code", "period", "numerator", "denominator"]].merge(
            groups, on="area_code"
        )
        agg = (
            merged.groupby(["period", "grouping", "group"], sort=True)
            .agg(
                numerator=("numerator", "sum"),
                denominator=("denominator", "sum"),
                zones=("area_code", "size"),
            )
            .reset_index()
        )
        k = agg["numerator"].to_numpy(dtype=float)
        n = agg["denominator"].to_numpy(dtype=float)
        value, lower, upper = counts_interval(ind, k, n)
        agg["value"], agg["lower"], agg["upper"] = value, lower, upper
        agg.insert(0, "indicator", ind.id)
        frames.append(agg)
    if not frames:
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in GROUP_COLUMNS})
        for c in ("indicator", "period", "grouping", "note"):
            out[c] = out[c].astype("str")
        out["suppressed"] = out["suppressed"].astype(bool)
        return out
    out = pd.concat(frames, ignore_index=True)
    out["suppressed"] = False
    out["note"] = ""
    return out[GROUP_COLUMNS]


def national_group_values(
    rows: pd.DataFrame, base: str, rank_measure: str, zones: int, indicators: list[AnyIndicator]
) -> pd.DataFrame:
    """The nation's value of each indicator by group and period, from the national files'
    rows of every base-level zone of the country (``checks.CheckedData.national``): each
    zone is grouped by its national rank exactly as the council's are, numerator and
    denominator are summed over the group, and the value and 95% interval come from the
    indicator's own method. Columns: ``indicator, period, grouping, group, zones, value,
    lower, upper``. Public national statistics of whole quintiles: no disclosure control."""
    columns = ["indicator", "period", "grouping", "group", "zones", "value", "lower", "upper"]
    groups = simd_groups(rows, base, rank_measure, zones)
    frames = []
    for ind in indicators:
        if ind.method not in ("share", "rate"):
            continue
        num, den = ind.measures()[:2]
        cells = group_measures(rows, groups, base, [num, den])
        wide = cells.pivot_table(
            index=["period", "grouping", "group"], columns="measure", values="value"
        )
        if num not in wide.columns or den not in wide.columns:
            continue
        wide = wide.dropna(subset=[num, den]).reset_index()
        counted = cells[cells["measure"] == den].set_index(["period", "grouping", "group"])
        wide["zones"] = (
            counted["zones"]
            .reindex(pd.MultiIndex.from_frame(wide[["period", "grouping", "group"]]))
            .to_numpy()
        )
        k, n = wide[num].to_numpy(dtype=float), wide[den].to_numpy(dtype=float)
        wide["value"], wide["lower"], wide["upper"] = counts_interval(ind, k, n)
        wide.insert(0, "indicator", ind.id)
        frames.append(wide[columns])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


def counts_interval(
    ind: AnyIndicator, k: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value and 95% interval of summed counts, by the indicator's method."""
    safe_n = np.where(n > 0, n, np.nan)
    assert isinstance(ind, ShareIndicator | RateIndicator | UptakeIndicator)
    scale = ind.multiplier / safe_n
    if isinstance(ind, ShareIndicator):
        lo, hi = wilson(k, n)
        return k * scale, lo * ind.multiplier, hi * ind.multiplier
    lo, hi = byars(k) if isinstance(ind, RateIndicator) else poisson_exact(k)
    return k * scale, lo * scale, hi * scale


@dataclass(frozen=True)
class SlopeIndex:
    """The slope and relative index of inequality for one indicator, period and grouping.

    Rank 0 is the most deprived end and 1 the least deprived, so a positive SII means the
    value is higher in more deprived areas. ``reason`` says why there is no SII ("" when
    there is one).
    """

    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float
    mean: float
    groups: int
    reason: str = ""


def slope_index(
    value: np.ndarray,
    population: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    min_groups: int = 3,
) -> SlopeIndex:
    """SII and RII from group values ordered most deprived first.

    Each group sits at the midpoint of its cumulative share of ``population`` (0 = most
    deprived); a line is fitted to the values by least squares weighted by population, and
    SII = fitted(0) - fitted(1), the gap between the two ends of the distribution. The
    mean is the population-weighted mean of the group values (the overall value), and
    RII = SII / mean. The SII is a linear combination sum(c_g y_g) of the group values, so
    with each group's standard error taken from its 95% interval, (upper - lower) / 3.92,
    its 95% interval is SII +/- 1.96 sqrt(sum(c_g^2 se_g^2)); the RII's interval divides
    that by the mean, ignoring the mean's own (much smaller) uncertainty.
    """
    y = np.asarray(value, dtype=float)
    w = np.asarray(population, dtype=float)
    nan = float("nan")
    if len(y) < min_groups:
        return SlopeIndex(
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            len(y),
            f"fewer than {min_groups} deprivation groups have zones",
        )
    if np.isnan(y).any() or np.isnan(w).any() or (w <= 0).any():
        return SlopeIndex(
            nan, nan, nan, nan, nan, nan, nan, len(y), "a group's value is withheld or missing"
        )
    share = w / w.sum()
    x = np.cumsum(share) - share / 2
    x_bar = float(np.sum(share * x))
    sxx = float(np.sum(share * (x - x_bar) ** 2))
    c = share * (x - x_bar) / sxx  # slope = sum(c * y)
    slope = float(np.sum(c * y))
    mean = float(np.sum(share * y))
    se_g = (np.asarray(upper, dtype=float) - np.asarray(lower, dtype=float)) / (2 * Z_95)
    half = Z_95 * float(np.sqrt(np.sum(c**2 * se_g**2)))
    sii = -slope
    rii = sii / mean if mean else nan
    rii_half = half / abs(mean) if mean else nan
    return SlopeIndex(
        sii, sii - half, sii + half, rii, rii - rii_half, rii + rii_half, mean, len(y)
    )


def slope_indices(
    published: pd.DataFrame, grouping: str = "quintile"
) -> dict[tuple[str, str], SlopeIndex]:
    """(indicator, period) -> SlopeIndex from the *published* group values of ``grouping``.

    Groups with no zones are simply absent; a withheld group blanks the whole SII, since
    without its population the other groups' ranks are unknown.
    """
    part = published[published["grouping"] == grouping].sort_values(
        ["indicator", "period", "group"], kind="stable"
    )
    out = {}
    for (ind_id, period), rows in part.groupby(["indicator", "period"], sort=True):
        out[(str(ind_id), str(period))] = slope_index(
            rows["value"].to_numpy(dtype=float),
            rows["denominator"].to_numpy(dtype=float),
            rows["lower"].to_numpy(dtype=float),
            rows["upper"].to_numpy(dtype=float),
        )
    return out


def grouped_indicators(catalogue: Catalogue, indicator_ids: list[str]) -> list[AnyIndicator]:
    """The indicators shown by deprivation group: rates, shares and uptake ratios."""
    return [
        catalogue.indicators[i]
        for i in indicator_ids
        if catalogue.indicators[i].method in GROUPED_METHODS
    ]
