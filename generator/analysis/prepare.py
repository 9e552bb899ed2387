"""Stages 5-7 for one council, as named steps: roll up, compute, disclose, and what is
derived from published values only (indices, deprivation groups, priority areas).

``analyse`` runs the steps in order on a clean ``Validation`` and returns an ``Analysis``:
every table a council's pages may use, already through disclosure control, plus the
unpublished tables the leak tripwire needs (which never reach the pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from generator.analysis import (
    compute,
    disclosure,
    group_suppression,
    index,
    inequality,
    interventions,
    need,
    priority,
    suppression,
    targets,
    uptake,
)
from generator.analysis.priority import PriorityArea
from generator.errors import ProblemsError
from generator.ingest.catalogue import AnyIndicator, Catalogue, IndexIndicator
from generator.ingest.config import CouncilConfig
from generator.ingest.councils import apply_overrides, shown_indicator_ids
from generator.ingest.geography import GeographyPack
from generator.ingest.loaders import BREAKDOWN_COLUMNS
from generator.ingest.validate import Validation


@dataclass(frozen=True)
class Analysis:
    """One council's numbers after stages 5-7."""

    catalogue: Catalogue  # the shared catalogue with the council's own uptake rules
    indicator_ids: list[str]  # selected by the config, in catalogue order
    #: indicators with at least one value, in catalogue order: the ones that get pages
    shown: list[AnyIndicator]
    measures: pd.DataFrame  # rolled-up measure totals (tidy, with ``level``)
    #: unpublished: for the tripwire only
    values: pd.DataFrame  # computed indicator values, before disclosure
    cells: pd.DataFrame  # measure cells (totals and breakdowns) with suppression flags
    #: published: the only tables the pages read
    published: pd.DataFrame  # indicator values after disclosure, with indices appended
    variants: pd.DataFrame  # published values per breakdown category
    components: dict[str, pd.DataFrame]  # index id -> component values and scores
    groups: pd.DataFrame | None  # published values by deprivation group
    slopes: dict[tuple[str, str], Any]  # (indicator, period) -> SlopeIndex
    priority: dict[str, list[PriorityArea]] = field(default_factory=dict)
    #: the priority list of each breakdown category with uptake rows (receipt and need
    #: both split): ``(breakdown, category) -> {level: [PriorityArea]}``
    priority_by: dict[tuple[str, str], dict[str, list[PriorityArea]]] = field(default_factory=dict)
    #: breakdown -> uptake indicators with only one of receipt and need split by it
    one_sided: dict[str, list[str]] = field(default_factory=dict)
    #: uptake indicator -> period -> how its need was modelled or carried forward, in words
    need_notes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the nation's values by deprivation group (inequality.national_group_values), when
    #: the national totals are computed and there is an ``inequality:`` section
    national_groups: pd.DataFrame | None = None
    #: every council's value of each rate and share (``indicator, period, council, value``),
    #: from the national files' rows of its areas, with the indicator's own method: what the
    #: overview ranks the council among its family group by. Empty unless the totals are
    #: computed and the pack's national list names each area's council.
    council_values: pd.DataFrame | None = None
    #: the catalogue as the config states it (uptake rules applied, before need models
    #: add their derived measures): what the data contract report checks mappings against
    config_catalogue: Catalogue | None = None
    #: what works: one Effect per intervention and target indicator shown (from published
    #: values only; ``analysis/interventions.py``)
    effects: list[interventions.Effect] = field(default_factory=list)
    #: each target's status from the published trend (``analysis/targets.py``)
    targets: list[targets.TargetStatus] = field(default_factory=list)


def analyse(v: Validation, catalogue: Catalogue) -> Analysis:
    """Stages 5-7 for one council. Raises ProblemsError when stages 1-4 found errors."""
    if v.errors or v.read.config is None or v.pack is None or v.checked is None:
        raise ProblemsError(v.errors, f"{v.read.doc.display_path}: cannot build")
    cfg, pack = v.read.config, v.pack
    catalogue = apply_overrides(catalogue, cfg)  # the council's own uptake rules
    ids = shown_indicator_ids(cfg, catalogue)
    rolled = roll_up(v, catalogue)
    # Need models (analysis/need.py): derived need measures for uptake indicators, and a
    # catalogue whose uptake indicators use them. Cells for suppression stay the counts read.
    stated = catalogue
    modelled = need.model_need(rolled, catalogue, ids, pack, cfg)
    measures, catalogue = modelled.measures, modelled.catalogue
    values = compute_values(measures, catalogue, ids, pack, cfg, national_totals(v, catalogue))
    cells = with_breakdowns(rolled, v, catalogue)
    hidden = suppression.suppress_measures(
        cells, pack, catalogue, thresholds(catalogue, ids, cfg.disclosure.threshold)
    )
    council = (pack.levels[-1].id, cfg.council.code)
    published = uptake.blank_pooled(
        disclosure.publish(values, hidden, catalogue, cfg.disclosure.rounding, council),
        disclosure.ROUNDING_BASE[cfg.disclosure.rounding],
        pack.levels[0].id,
    )
    variants = breakdown_variants(measures, cells, hidden, catalogue, ids, pack, cfg)
    published, components = add_indices(published, catalogue, ids, pack, cfg)
    groups = deprivation_groups(
        measures, values, hidden, catalogue, ids, pack, cfg, disclosure.withheld_councils(published)
    )
    rule = cfg.priority_areas
    shown = [catalogue.indicators[i] for i in ids if (published["indicator"] == i).any()]
    return Analysis(
        catalogue=catalogue,
        indicator_ids=ids,
        # Only indicators with at least one value are shown: a page of blanks helps nobody.
        shown=shown,
        measures=measures,
        values=values,
        cells=hidden,
        published=published,
        variants=variants,
        components=components,
        groups=groups,
        slopes=inequality.slope_indices(groups) if groups is not None else {},
        priority=priority.priority_areas(
            published, catalogue, ids, dict(rule.top), rule.rank_by, rule.min_below
        ),
        priority_by=priority.priority_by_category(
            variants, catalogue, ids, dict(rule.top), rule.rank_by, rule.min_below
        ),
        one_sided=compute.one_sided_uptake(cells, catalogue, ids),
        need_notes=modelled.notes,
        config_catalogue=stated,
        effects=interventions.what_works(
            published, v.log.interventions, pack.base.id, {i.id for i in shown}
        ),
        targets=targets.assess_all(v.targets, published, {i.id: i.polarity for i in shown}),
        national_groups=national_groups(v, catalogue, ids),
        council_values=council_values(v, catalogue, ids),
    )


def roll_up(v: Validation, catalogue: Catalogue) -> pd.DataFrame:
    """Stage 5: the checked tidy table summed up every level of the pack (additive only)."""
    assert v.pack is not None and v.checked is not None
    return v.pack.rollup(v.checked.table.drop(columns=["row"]), catalogue.additive_measures())


def compute_values(
    measures: pd.DataFrame,
    catalogue: Catalogue,
    ids: list[str],
    pack: GeographyPack,
    cfg: CouncilConfig,
    totals: dict[str, dict[str, float]] | None = None,
) -> pd.DataFrame:
    """Stage 6: indicator values with intervals and comparisons, and the national values
    when the config gives national totals (``totals``: ``national_totals``, default the
    config's own)."""
    values = compute.compute_indicators(measures, catalogue, ids, pack, cfg.council.code)
    if cfg.national is not None:
        values = compute.compare_national(
            values,
            compute.national_values(
                cfg.national.measures if totals is None else totals, catalogue, ids
            ),
            catalogue.polarities(),
        )
    return values


def national_totals(v: Validation, catalogue: Catalogue) -> dict[str, dict[str, float]]:
    """Measure -> period -> national total. With ``national: {computed: true}``: the sums of
    the national datasets' rows over every area of the country (each code once, additive
    measures only), so Scotland is every council's rows added up; the config's own
    ``measures`` add the measures those datasets do not carry."""
    cfg = v.read.config
    assert cfg is not None and v.checked is not None
    if cfg.national is None:
        return {}
    totals = {m: dict(p) for m, p in cfg.national.measures.items()}
    if not cfg.national.computed:
        return totals
    rows = v.checked.national
    rows = rows[rows["measure"].isin(catalogue.additive_measures())]
    sums = rows.groupby(["measure", "period"], sort=True)["value"].sum()
    computed: dict[str, dict[str, float]] = {}
    for (measure, period), total in sums.items():
        computed.setdefault(str(measure), {})[str(period)] = float(total)
    return {**totals, **computed}


def council_values(v: Validation, catalogue: Catalogue, ids: list[str]) -> pd.DataFrame | None:
    """Every council's value of each rate and share, from the national datasets' rows of its
    areas (as its own build would compute its council value); None unless ``national:
    {computed: true}`` and the pack names each area's council."""
    cfg = v.read.config
    assert cfg is not None and v.checked is not None
    if cfg.national is None or not cfg.national.computed:
        return None
    rows = v.checked.national
    rows = rows[rows["measure"].isin(catalogue.additive_measures()) & (rows["council"] != "")]
    if rows.empty:
        return None
    sums = rows.groupby(["council", "measure", "period"], sort=True)["value"].sum()
    frames = []
    for council, part in sums.groupby(level="council", sort=True):
        totals: dict[str, dict[str, float]] = {}
        for (_, measure, period), total in part.items():
            totals.setdefault(str(measure), {})[str(period)] = float(total)
        values = compute.national_values(totals, catalogue, ids)
        frames.append(values.assign(council=str(council)))
    return pd.concat(frames, ignore_index=True)


def national_groups(v: Validation, catalogue: Catalogue, ids: list[str]) -> pd.DataFrame | None:
    """Scotland's values by SIMD quintile and decile, from every data zone of the national
    files; None unless ``national: {computed: true}`` and ``inequality:`` are both set."""
    cfg, pack = v.read.config, v.pack
    assert cfg is not None and pack is not None and v.checked is not None
    if cfg.national is None or not cfg.national.computed or cfg.inequality is None:
        return None
    return inequality.national_group_values(
        v.checked.national,
        pack.levels[0].id,
        cfg.inequality.rank_measure,
        cfg.inequality.zones,
        inequality.grouped_indicators(catalogue, ids),
    )


def with_breakdowns(measures: pd.DataFrame, v: Validation, catalogue: Catalogue) -> pd.DataFrame:
    """The rolled-up totals plus the rolled-up breakdown cells (of record-level datasets and
    area-level extracts with a breakdown column), so
    that suppression accounts for every cell an attacker could combine."""
    assert v.pack is not None and v.checked is not None
    kept = v.checked.table[["dataset", "area_code", "period", "measure"]]
    parts = []
    for ds in v.datasets:
        if ds.breakdowns is None or ds.breakdowns.empty:
            continue
        if ds.spec.breakdown_column is not None:  # totals from another dataset
            on = ["area_code", "period", "measure"]
            cells = ds.breakdowns.drop(columns=["dataset"]).merge(
                kept.drop(columns=["dataset"]).drop_duplicates(), on=on
            )
            parts.append(cells.drop(columns=["row"]))
            continue
        cells = ds.breakdowns.merge(kept, on=["dataset", "area_code", "period", "measure"])
        parts.append(cells.drop(columns=["row", "dataset"]))
    if not parts:
        return measures
    split = v.pack.rollup(pd.concat(parts, ignore_index=True), catalogue.additive_measures())
    return pd.concat([measures.assign(breakdown="", category=""), split], ignore_index=True)


def thresholds(catalogue: Catalogue, ids: list[str], council: int) -> dict[str, int]:
    """Each measure's disclosure threshold: the council's, or higher where an indicator
    using the measure says so."""
    out: dict[str, int] = {}
    for ind_id in ids:
        indicator = catalogue.indicators[ind_id]
        for m in indicator.measures():
            out[m] = max(out.get(m, council), indicator.disclosure_threshold, council)
    return out


def breakdown_variants(
    measures: pd.DataFrame,
    cells: pd.DataFrame,
    hidden: pd.DataFrame,
    catalogue: Catalogue,
    ids: list[str],
    pack: GeographyPack,
    cfg: CouncilConfig,
) -> pd.DataFrame:
    """Each breakdown category as an indicator variant, computed like the total and blanked
    by its own cells' flags (which were suppressed jointly with the totals)."""
    split = (
        suppression.breakdown_cells(cells)
        if "category" in cells.columns
        else cells.iloc[0:0].assign(**dict.fromkeys(BREAKDOWN_COLUMNS, ""))
    )
    published = disclosure.publish_breakdowns(
        compute.compute_breakdowns(measures, split, catalogue, ids, pack, cfg.council.code),
        hidden,
        catalogue,
        cfg.disclosure.rounding,
    )
    if published.empty:
        return published
    # Pooled uptake counts of a category are blanked and rounded like the totals' (a
    # withheld period cannot come back as pooled minus published periods).
    base = disclosure.ROUNDING_BASE[cfg.disclosure.rounding]
    parts = [
        uptake.blank_pooled(rows, base, pack.levels[0].id)
        for _, rows in published.groupby(["breakdown", "category"], sort=False)
    ]
    return pd.concat(parts, ignore_index=True)


def add_indices(
    published: pd.DataFrame,
    catalogue: Catalogue,
    ids: list[str],
    pack: GeographyPack,
    cfg: CouncilConfig,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Composite indices, from published values only, so nothing withheld can be recovered
    from them; and each area's component scores for the profiles."""
    polarity = catalogue.polarities()
    top = pack.levels[-1].id
    index_inds = [ind for i in ids if isinstance(ind := catalogue.indicators[i], IndexIndicator)]
    indices = [
        index.compute_index(published, ind, polarity, top, cfg.council.code) for ind in index_inds
    ]
    components = {ind.id: index.index_components(published, ind, polarity) for ind in index_inds}
    if indices:
        published = pd.concat([published, *indices], ignore_index=True)
        if cfg.national is not None:
            published["national_comparison"] = published["national_comparison"].fillna("")
    return published, components


def deprivation_groups(
    measures: pd.DataFrame,
    values: pd.DataFrame,
    hidden: pd.DataFrame,
    catalogue: Catalogue,
    ids: list[str],
    pack: GeographyPack,
    cfg: CouncilConfig,
    hidden_councils: set[tuple[str, str]] | None = None,
) -> pd.DataFrame | None:
    """Values by SIMD quintile and decile, with group totals audited for disclosure (and
    rounded like areas); None without an ``inequality:`` section. ``hidden_councils``:
    (indicator, period) whose council row is withheld (``disclosure.withheld_councils``)."""
    if cfg.inequality is None:
        return None
    base = pack.levels[0].id
    zones = inequality.simd_groups(
        measures, base, cfg.inequality.rank_measure, cfg.inequality.zones
    )
    grouped = inequality.grouped_indicators(catalogue, ids)
    cells = inequality.group_measures(
        measures, zones, base, sorted({m for i in grouped for m in i.measures()})
    )
    flags = group_suppression.suppress_groups(
        cells,
        zones,
        suppression.totals(hidden),
        pack,
        catalogue,
        thresholds(catalogue, ids, cfg.disclosure.threshold),
    )
    return disclosure.publish_groups(
        inequality.group_values(values, zones, grouped, base),
        flags,
        catalogue,
        cfg.disclosure.rounding,
        hidden_councils,
    )
