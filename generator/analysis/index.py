"""Composite indices, built from *published* indicator values only (after disclosure), so
that nothing withheld can be recovered from them; and each area's component scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analysis.compute import COLUMNS, _empty
from generator.ingest.catalogue import IndexComponent, IndexIndicator


def compute_index(
    values: pd.DataFrame, ind: IndexIndicator, polarity: dict[str, str], top: str, council_code: str
) -> pd.DataFrame:
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
    status = [
        "missing: " + ", ".join(c for c, m in zip(ids, row, strict=True) if m) if row.any() else ""
        for row in missing.to_numpy()
    ]
    out = pd.DataFrame(
        {
            "indicator": ind.id,
            "level": wide["level"],
            "area_code": wide["area_code"],
            "area_name": wide["area_name"],
            "period": wide["period"],
            "numerator": np.nan,
            "denominator": np.nan,
            "value": index,
            "lower": np.nan,
            "upper": np.nan,
            "comparison": "",
            "suppressed": False,
            "note": "",
            "gap": np.nan,
            "status": status,
            "lower_998": np.nan,
            "upper_998": np.nan,
        }
    )
    is_council = ((out["level"] == top) & (out["area_code"] == council_code)).to_numpy()
    council_by_period = dict(
        zip(out.loc[is_council, "period"], out.loc[is_council, "value"], strict=True)
    )
    out["comparator"] = np.where(
        is_council, np.nan, out["period"].map(council_by_period).astype(float)
    )
    out["rank"] = (
        out.groupby(["level", "period"], sort=False)["value"]
        .rank(method="min", ascending=False)
        .astype("Int64")
    )
    for col in COLUMNS:
        if col not in out.columns:  # uptake-only columns
            out[col] = "" if col == "pool_from" else np.nan
    return out[COLUMNS]


def _index_wide(values: pd.DataFrame, ind: IndexIndicator) -> pd.DataFrame:
    """Keys plus one column per component of ``ind``, in periods where every component has
    a value somewhere, sorted by level (table order), period and code."""
    ids = list(dict.fromkeys(ind.components()))
    part = values[values["indicator"].isin(ids)]
    if part.empty:
        return pd.DataFrame()
    level_order = {lv: n for n, lv in enumerate(pd.unique(part["level"]))}
    wide = (
        part.set_index(["level", "area_code", "area_name", "period", "indicator"])["value"]
        .astype(float)
        .unstack("indicator")
        .reindex(columns=ids)
    )
    wide = wide.reset_index()
    has_all = part.groupby("period")["indicator"].nunique()
    wide = wide[wide["period"].map(has_all).eq(len(ids))]
    return (
        wide.assign(_o=wide["level"].map(level_order))
        .sort_values(["_o", "period", "area_code"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _component_score(
    wide: pd.DataFrame, ind: IndexIndicator, comp: IndexComponent, polarity: dict[str, str]
) -> pd.Series:
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


def index_components(
    values: pd.DataFrame, ind: IndexIndicator, polarity: dict[str, str]
) -> pd.DataFrame:
    """Each area's component values and normalised scores for the index ``ind``.

    Columns ``level, area_code, period, dimension, component, weight, value, score``; the
    same scores compute_index averages, from the same *published* values. ``value`` and
    ``score`` are NaN for a missing (or withheld) component: reported, never filled in.
    """
    wide = _index_wide(values, ind)
    cols = ["level", "area_code", "period", "dimension", "component", "weight", "value", "score"]
    if wide.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    for dim in ind.dimensions:
        for comp in dim.components:
            frames.append(
                pd.DataFrame(
                    {
                        "level": wide["level"],
                        "area_code": wide["area_code"],
                        "period": wide["period"],
                        "dimension": dim.id,
                        "component": comp.indicator,
                        "weight": comp.weight,
                        "value": wide[comp.indicator].astype(float),
                        "score": _component_score(wide, ind, comp, polarity),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)[cols]
