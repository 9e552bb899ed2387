"""Need models for uptake indicators: what receipt is compared with, area by area.

A council chooses a model per uptake indicator in its config (``uptake: {ind: {need:
{model, measure, proxy}}}``, see docs/methods.md):

- ``direct``: a need measure as published, at the levels it is published;
- ``apportioned``: a coarse need count N_c (CiLIF by intermediate zone) shared out to the
  smallest areas in proportion to a fine proxy w_i = the product of the proxy measures:
  need_i = N_c x w_i / sum_{j in c} w_j, so the smallest areas' need adds up exactly to
  the published coarse figure (an area group with no proxy at all is shared equally);
- ``proxy``: need_i = w_i itself (e.g. pupils x SIMD income rate).

A measure in percent (unit "%") counts as a fraction in the product. Every model is
evaluated per receipt period; a measure with no value in that period is taken from its
latest earlier period (carried forward; a proxy with no earlier period takes its earliest),
and each carried-forward period is described in ``NeedModelled.notes``, so pages can say
"need: 2021/22 Children in low income families, the latest published".

The result is a derived measure ``need__<indicator>`` added to the tidy table at the
smallest level and rolled up to every level that nests, and a catalogue whose indicator
uses it. Direct need published for every receipt period is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from generator.ingest.catalogue import Catalogue, Measure, UptakeIndicator
from generator.ingest.config import CouncilConfig, NeedModel
from generator.ingest.geography import GeographyPack

#: Prefix of the derived need measures.
PREFIX = "need__"


@dataclass(frozen=True)
class NeedModelled:
    """The tidy table with derived need measures, the catalogue that uses them, and for
    each uptake indicator and period the words describing its need when not plain."""

    measures: pd.DataFrame
    catalogue: Catalogue
    notes: dict[str, dict[str, str]] = field(default_factory=dict)


def _latest_at_or_before(available: list[str], period: str, fallback_first: bool) -> str | None:
    earlier = [p for p in available if p <= period]
    if earlier:
        return earlier[-1]
    return available[0] if fallback_first and available else None


def _series(measures: pd.DataFrame, measure: str, level: str, period: str) -> pd.Series:
    rows = measures[
        (measures["measure"] == measure)
        & (measures["level"] == level)
        & (measures["period"] == period)
    ]
    return rows.set_index("area_code")["value"].astype(float)


def _finest_level(measures: pd.DataFrame, measure: str, pack: GeographyPack) -> str | None:
    levels = set(measures.loc[measures["measure"] == measure, "level"])
    for lv in pack.levels:
        if lv.id in levels:
            return lv.id
    return None


def _proxy(
    measures: pd.DataFrame,
    catalogue: Catalogue,
    proxy: list[str],
    base: str,
    period: str,
    codes: pd.Index,
    used: list[str],
) -> pd.Series | None:
    """The product of the proxy measures at the base level for ``period`` (carried)."""
    w = pd.Series(1.0, index=codes)
    for m in proxy:
        available = sorted(
            set(measures.loc[(measures["measure"] == m) & (measures["level"] == base), "period"])
        )
        src = _latest_at_or_before(available, period, fallback_first=True)
        if src is None:
            return None
        values = _series(measures, m, base, src).reindex(codes)
        if catalogue.measures[m].unit.strip() == "%":
            values = values / 100
        w = w * values
        used.append(f"{catalogue.measures[m].label} ({src})")
    return w


def model_need(
    measures: pd.DataFrame,
    catalogue: Catalogue,
    ids: list[str],
    pack: GeographyPack,
    cfg: CouncilConfig,
) -> NeedModelled:
    """Derived need measures for the uptake indicators in ``ids`` (module docstring)."""
    base = pack.levels[0].id
    codes = pd.Index(pack.lookup[f"{base}_code"].drop_duplicates())
    indicators = dict(catalogue.indicators)
    new_measures = dict(catalogue.measures)
    frames = []
    notes: dict[str, dict[str, str]] = {}
    for ind_id in ids:
        ind = catalogue.indicators[ind_id]
        if not isinstance(ind, UptakeIndicator):
            continue
        rule = cfg.uptake.get(ind_id)
        model = rule.need_model() if rule is not None else None
        if model is None:
            model = NeedModel(model="direct", measure=ind.need)
        periods = sorted(set(measures.loc[measures["measure"] == ind.receipt, "period"]))
        if not periods:
            continue
        derived = PREFIX + ind_id
        rows, ind_notes = _derive(measures, catalogue, model, pack, base, codes, periods)
        if rows is None:
            continue  # direct need published for every receipt period: nothing to do
        frames.append(rows.assign(measure=derived))
        notes[ind_id] = ind_notes
        source = catalogue.measures[model.measure or model.proxy[0]]
        named = {
            "direct": source.label,
            "apportioned": f"{source.label}, shared out to {_level_label(pack, base)}s",
            "proxy": " × ".join(catalogue.measures[m].label for m in model.proxy),
        }[model.model]
        new_measures[derived] = Measure(
            id=derived,
            label=named,
            description=f"Need for {ind.title}: {model.model} model (docs/methods.md).",
            unit=source.unit,
            additive=True,
            counts_people=False,  # modelled from published figures, not a count of people
            breakdowns=[],
        )
        indicators[ind_id] = ind.model_copy(update={"need": derived})
    if not frames:
        return NeedModelled(measures, catalogue, notes)
    derived_ids = sorted({str(f["measure"].iloc[0]) for f in frames})
    tidy = pd.concat(frames, ignore_index=True)
    rolled = pack.rollup(tidy, set(derived_ids))
    out = pd.concat([measures, rolled], ignore_index=True)
    return NeedModelled(
        out, replace(catalogue, measures=new_measures, indicators=indicators), notes
    )


def _derive(
    measures: pd.DataFrame,
    catalogue: Catalogue,
    model: NeedModel,
    pack: GeographyPack,
    base: str,
    codes: pd.Index,
    periods: list[str],
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Rows (area_code, period, value, level) of the modelled need at its own level(s), and
    a note per receipt period; None for rows when the need can be used as it is."""
    notes: dict[str, str] = {}
    parts = []
    if model.model == "direct":
        assert model.measure is not None
        have = sorted(set(measures.loc[measures["measure"] == model.measure, "period"]))
        label = catalogue.measures[model.measure].label
        if all(p in have for p in periods):
            return None, {}
        # the finest level it is published at; the roll-up makes the others again
        finest = _finest_level(measures, model.measure, pack)
        for p in periods:
            src = _latest_at_or_before(have, p, fallback_first=False)
            if src is None:
                continue
            rows = measures[
                (measures["measure"] == model.measure)
                & (measures["period"] == src)
                & (measures["level"] == finest)
            ]
            parts.append(rows[["level", "area_code", "value"]].assign(period=p))
            if src != p:
                notes[p] = f"need: {src} {label}, the latest published"
        return _finish(parts, base), notes
    for p in periods:
        used: list[str] = []
        w = _proxy(measures, catalogue, model.proxy, base, p, codes, used)
        if w is None:
            continue
        if model.model == "proxy":
            value = w
            notes[p] = "need: " + " × ".join(used)
        else:
            assert model.measure is not None
            coarse = _finest_level(measures, model.measure, pack)
            if coarse is None:
                continue
            have = sorted(
                set(
                    measures.loc[
                        (measures["measure"] == model.measure) & (measures["level"] == coarse),
                        "period",
                    ]
                )
            )
            src = _latest_at_or_before(have, p, fallback_first=False)
            if src is None:
                continue
            value = apportion(_series(measures, model.measure, coarse, src), w, pack, base, coarse)
            label = catalogue.measures[model.measure].label
            latest = ", the latest published" if src != p else ""
            notes[p] = (
                f"need: {src} {label}{latest}, by {_level_label(pack, coarse)}, shared to "
                f"{_level_label(pack, base)}s by " + " × ".join(used)
            )
        parts.append(
            pd.DataFrame({"area_code": value.index, "value": value.to_numpy(float), "period": p})
            .dropna(subset=["value"])
            .assign(level=base)
        )
    return _finish(parts, base), notes


def _finish(parts: list[pd.DataFrame], base: str) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=["level", "area_code", "period", "value"])
    return pd.concat(parts, ignore_index=True)[["level", "area_code", "period", "value"]]


def _level_label(pack: GeographyPack, level: str) -> str:
    return next((lv.label.lower() for lv in pack.levels if lv.id == level), level)


def apportion(
    coarse: pd.Series, weights: pd.Series, pack: GeographyPack, base: str, level: str
) -> pd.Series:
    """Share each coarse area's count to its smallest areas in proportion to ``weights``.

    need_i = N_c x w_i / sum_{j in c} w_j; where a coarse area's weights sum to 0 or are
    all missing, its count is shared equally. Missing weights count as 0 otherwise. The
    shares of each coarse area add up to its count exactly (up to rounding of floats).
    """
    if level == base:  # already fine: nothing to share out
        return coarse.reindex(weights.index).astype(float)
    pairs = pack.lookup[[f"{base}_code", f"{level}_code"]].drop_duplicates()
    parent = pairs.set_index(f"{base}_code")[f"{level}_code"]
    w = weights.reindex(parent.index).fillna(0.0).clip(lower=0.0)
    total = w.groupby(parent).transform("sum")
    size = w.groupby(parent).transform("size")
    share = np.where(total > 0, w / total.where(total > 0, 1.0), 1.0 / size)
    counts = parent.map(coarse).astype(float)
    return pd.Series(counts.to_numpy() * share, index=parent.index)
