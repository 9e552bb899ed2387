"""Disclosure control: the only path by which numbers reach figures, tables and downloads.

Suppression is decided on the *measures* (the counts), not per indicator: the same count
(say, children in low-income families in a data zone) feeds several indicators, and hiding it
in one but showing it in another would give it away. An indicator value is then withheld
whenever any count behind it is withheld.

1. Primary: a count of people from 1 to threshold-1 is suppressed. Zero is published: it
   says nobody in the area is counted, which identifies no one.
2. Secondary, within each parent area (data zone -> ward -> council): if a parent is
   published and exactly one of its children is suppressed, the child could be recovered by
   subtraction, so the smallest other child is suppressed too (or, with no other child, the
   parent). If a parent is suppressed but all its children are published, the parent is the
   sum of its children, so the smallest non-zero child is suppressed. Repeat until stable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.catalogue import Catalogue
from generator.geography import GeographyPack

PRIMARY = "primary"
SECONDARY = "secondary"
#: How a withheld number reads in tables and CSV downloads (ONS/GSS convention).
SUPPRESSED_MARK = "[c]"

NUMERIC_COLUMNS = ["numerator", "denominator", "value", "lower", "upper",
                   "gap", "lower_998", "upper_998",  # these three: uptake rows
                   "national"]  # compute.compare_national


def suppress_measures(measures: pd.DataFrame, pack: GeographyPack, catalogue: Catalogue,
                      thresholds: dict[str, int]) -> pd.DataFrame:
    """Mark which measure cells may not be published.

    ``measures`` is the rolled-up table (``level, area_code, period, measure, value``);
    ``thresholds`` gives each people-counting measure its threshold. Returns the table with
    ``suppressed`` (bool) and ``note`` (primary/secondary/"") columns added.
    """
    out = measures.reset_index(drop=True).copy()
    people = {m for m, spec in catalogue.measures.items() if spec.counts_people}
    limit = out["measure"].map(thresholds).fillna(0).to_numpy()
    primary = (out["measure"].isin(people).to_numpy() & (out["value"].to_numpy() > 0)
               & (out["value"].to_numpy() < limit))
    out["suppressed"] = primary
    out["note"] = np.where(primary, PRIMARY, "")

    pairs = _nested_pairs(pack)
    changed = bool(primary.any())
    while changed:
        changed = False
        for child_level, parent_level, mapping in pairs:
            changed |= _secondary_pass(out, child_level, parent_level, mapping)
    return out


def _nested_pairs(pack: GeographyPack) -> list[tuple[str, str, pd.DataFrame]]:
    """(child level, parent level, child->parent codes) for each level and every level above
    it that it nests in exactly. Every such pair, not just neighbours: data zones nest in
    wards even where intermediate zones, between them, do not."""
    pairs = []
    levels = pack.levels
    for child, parent in ((c, p) for c in levels for p in levels if p.rank > c.rank):
        mapping = (pack.lookup[[f"{child.id}_code", f"{parent.id}_code"]].drop_duplicates()
                   .set_axis(["area_code", "parent_code"], axis=1))
        if mapping["area_code"].is_unique:
            pairs.append((child.id, parent.id, mapping))
    return pairs


def _secondary_pass(out: pd.DataFrame, child_level: str, parent_level: str,
                    mapping: pd.DataFrame) -> bool:
    """One round of the secondary rules for one level pair; True if anything changed."""
    children = out[out["level"] == child_level].reset_index().merge(mapping, on="area_code")
    parents = (out[out["level"] == parent_level]
               .reset_index()[["index", "area_code", "period", "measure", "suppressed"]]
               .rename(columns={"index": "parent_index", "area_code": "parent_code",
                                "suppressed": "parent_suppressed"}))
    children = children.merge(parents, on=["parent_code", "period", "measure"], how="inner")
    if children.empty:
        return False
    group = ["parent_code", "period", "measure"]
    stats = children.groupby(group, sort=False).agg(
        n_suppressed=("suppressed", "sum"), n_children=("suppressed", "size"),
        parent_suppressed=("parent_suppressed", "first"), parent_index=("parent_index", "first"))
    lone = stats[(stats["n_suppressed"] == 1) & ~stats["parent_suppressed"]]
    hidden_parent = stats[(stats["n_suppressed"] == 0) & stats["parent_suppressed"]]

    to_hide: list[int] = []
    candidates = children[~children["suppressed"]].sort_values(
        ["value", "area_code"], kind="stable")
    # Prefer a non-zero sibling: hiding a zero protects nothing when zeros are published.
    nonzero = candidates[candidates["value"] > 0]
    for wanted, pool in ((lone, [nonzero, candidates]), (hidden_parent, [nonzero])):
        if wanted.empty:
            continue
        remaining = wanted.index
        for source in pool:
            picks = source.set_index(group).loc[lambda d, r=remaining: d.index.isin(r)]
            firsts = picks.groupby(level=[0, 1, 2], sort=False)["index"].first()
            to_hide += firsts.tolist()
            remaining = remaining.difference(firsts.index)
        if wanted is lone and len(remaining):
            # An only child cannot be hidden among siblings: hide the parent instead.
            to_hide += stats.loc[remaining, "parent_index"].astype(int).tolist()
    to_hide = [i for i in set(to_hide) if not out.at[i, "suppressed"]]
    if not to_hide:
        return False
    out.loc[to_hide, "suppressed"] = True
    out.loc[to_hide, "note"] = SECONDARY
    return True


def publish(values: pd.DataFrame, measures: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Indicator values with every number blanked where a count behind it is suppressed.

    ``values`` is compute's indicator table, ``measures`` the output of suppress_measures.
    After this, a suppressed row carries no number at all: nothing downstream can leak it.
    """
    flags = measures.set_index(["level", "area_code", "period", "measure"])["note"]
    out = values.copy()
    note = pd.Series("", index=out.index, dtype=object)
    for ind_id, rows in out.groupby("indicator", sort=False):
        for measure in catalogue.indicators[ind_id].measures():
            keys = pd.MultiIndex.from_arrays([rows["level"], rows["area_code"], rows["period"],
                                              pd.Series(measure, index=rows.index)])
            found = flags.reindex(keys).fillna("").to_numpy()
            current = note.loc[rows.index].to_numpy()
            # primary outranks secondary when explaining why a value is withheld
            merged = np.where((found == PRIMARY) | (current == PRIMARY), PRIMARY,
                              np.where((found == SECONDARY) | (current == SECONDARY),
                                       SECONDARY, ""))
            note.loc[rows.index] = merged
    out["note"] = note.astype(str)
    out["suppressed"] = out["note"] != ""
    blank = out["suppressed"].to_numpy()
    for col in [*NUMERIC_COLUMNS, "rank"]:
        if col in out.columns:
            out.loc[blank, col] = pd.NA if col == "rank" else np.nan
    # status: below/above expected says too much; so does a comparison with any value
    for col in ("comparison", "status", "national_comparison"):
        if col in out.columns:
            out.loc[blank, col] = ""
    if "rank" in out.columns:
        # Rank among published values only: a gap in the ranks would hint at a hidden value.
        out["rank"] = (out.groupby(["indicator", "level", "period"], sort=False)["value"]
                       .rank(method="min", ascending=False).astype("Int64"))
    return out


# --- Deprivation groups (SIMD quintiles and deciles) ------------------------------------------
# A group total is a new published cell over a public set of zones (anyone can work out
# which zones are in quintile 1), so it can be combined by subtraction with every other
# published total: wards, the council, other groups. Rather than rules for each pattern,
# each candidate set of group totals is audited exactly: a withheld zone cell can be worked
# out iff its unit vector lies in the row space of the published totals, each written as
# the set of withheld zones it contains (the published zones being known, they subtract
# out). Group totals are withheld one at a time until no withheld cell becomes recoverable.


def suppress_groups(cells: pd.DataFrame, groups: pd.DataFrame, measures: pd.DataFrame,
                    pack: GeographyPack, catalogue: Catalogue,
                    thresholds: dict[str, int]) -> pd.DataFrame:
    """Mark which group totals may not be published.

    ``cells`` is ``inequality.group_measures`` (``grouping, group, period, measure, value``),
    ``groups`` the zones of each group (``area_code, grouping, group``), ``measures`` the
    output of suppress_measures. Returns ``cells`` with ``suppressed`` and ``note``:

    1. primary: a people count from 1 to threshold-1;
    2. secondary: while some withheld zone cell, or a primary-withheld group total, could be
       recovered from the published zones, areas and group totals together that could not
       be recovered without the group totals, withhold the smallest published group total
       that contains it. (This covers a group with exactly one withheld zone, and subtler
       differences across wards and groups.)
    """
    out = cells.reset_index(drop=True).copy()
    limit = out["measure"].map(thresholds).fillna(0).to_numpy()
    people = {m for m, spec in catalogue.measures.items() if spec.counts_people}
    primary = (out["measure"].isin(people).to_numpy() & (out["value"].to_numpy() > 0)
               & (out["value"].to_numpy() < limit))
    out["suppressed"] = primary
    out["note"] = np.where(primary, PRIMARY, "")
    base = pack.levels[0].id
    lookup = pack.lookup
    members = {key: set(part["area_code"])
               for key, part in groups.groupby(["grouping", "group"], sort=False)}
    zones_of = {level.id: lookup.groupby(f"{level.id}_code")[f"{base}_code"].apply(list)
                for level in pack.levels[1:]}
    for (period, measure), idx in out.groupby(["period", "measure"], sort=True).groups.items():
        part = measures[(measures["period"] == period) & (measures["measure"] == measure)]
        hidden = part[(part["level"] == base) & part["suppressed"]]["area_code"].tolist()
        if not hidden:
            continue
        col = {code: j for j, code in enumerate(sorted(hidden))}

        def vector(codes: set[str] | list[str], col: dict[str, int] = col) -> np.ndarray:
            v = np.zeros(len(col))
            for code in codes:
                if code in col:
                    v[col[code]] = 1.0
            return v

        # Published area totals above the base level, as sets of withheld zones.
        area_rows = []
        for level_id, zones in zones_of.items():
            shown = part[(part["level"] == level_id) & ~part["suppressed"]]["area_code"]
            area_rows += [vector(zones[c]) for c in shown if c in zones.index]
        rows = list(idx)
        group_vec = {i: vector(members.get((out.at[i, "grouping"], out.at[i, "group"]), set()))
                     for i in rows}
        protected = [np.eye(len(col))[j] for j in range(len(col))]
        protected += [group_vec[i] for i in rows if primary[i] and group_vec[i].any()]
        already = _recoverable(area_rows, protected)
        while True:
            published = [i for i in rows if not out.at[i, "suppressed"]]
            found = _recoverable(area_rows + [group_vec[i] for i in published], protected)
            new = [v for v, was, now in zip(protected, already, found, strict=True)
                   if now and not was]
            if not new:
                break
            support = np.sum(new, axis=0) > 0
            # Prefer a total that holds the exposed cells; but a cell can also be exposed
            # by a total that holds only its neighbours (ward {A, B} minus group {B}).
            culprits = ([i for i in published if (group_vec[i] > 0)[support].any()]
                        or [i for i in published if group_vec[i].any()])
            pick = min(culprits, key=lambda i: (out.at[i, "value"], out.at[i, "grouping"],
                                                out.at[i, "group"]))
            out.at[pick, "suppressed"] = True
            out.at[pick, "note"] = SECONDARY
    return out


def _recoverable(rows: list[np.ndarray], targets: list[np.ndarray]) -> list[bool]:
    """For each target, whether it is a linear combination of ``rows`` (exactly derivable
    by adding and subtracting published totals)."""
    if not rows:
        return [False] * len(targets)
    a = np.vstack(rows)
    projector = np.linalg.pinv(a) @ a  # projects onto the row space of a
    return [bool(np.allclose(projector @ t, t, atol=1e-8)) for t in targets]


def publish_groups(values: pd.DataFrame, cells: pd.DataFrame,
                   catalogue: Catalogue) -> pd.DataFrame:
    """Group values with every number blanked where a group total behind it is withheld.

    ``values`` is ``inequality.group_values``, ``cells`` the output of suppress_groups.
    """
    flags = cells.set_index(["grouping", "group", "period", "measure"])["note"]
    out = values.copy()
    note = np.full(len(out), "", dtype=object)
    for n, r in enumerate(out.itertuples(index=False)):
        for measure in catalogue.indicators[r.indicator].measures():
            found = flags.get((r.grouping, r.group, r.period, measure), "")
            if found == PRIMARY or note[n] == PRIMARY:
                note[n] = PRIMARY
            elif found == SECONDARY:
                note[n] = SECONDARY
    out["note"] = note.astype(str)
    out["suppressed"] = out["note"] != ""
    blank = out["suppressed"].to_numpy()
    for col in ("numerator", "denominator", "value", "lower", "upper"):
        out.loc[blank, col] = np.nan
    return out
