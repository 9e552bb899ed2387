"""Suppression: which counts must be withheld, so that no withheld count can be recovered.

``analysis/disclosure.py`` then blanks every published value that depends on them.

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
   The same rules run within every breakdown category (e.g. family type) of a measure.
3. Audit: the rules above are local, so a suppressed cell could still be recovered by
   combining equations across levels and breakdowns (a ward total minus its zones, minus a
   family type's other categories...). Each (period, measure) table is written as the linear
   system an attacker holding every published cell would solve: parent = sum of children at
   every level and category, and total = sum of categories in every area and breakdown. A
   suppressed cell is recoverable exactly when its unit vector lies in the row space of the
   equations restricted to the suppressed cells, i.e. when every null-space vector is zero
   there. While any cell is recoverable, the smallest non-zero published cell sharing an
   equation with it is suppressed too.

Breakdowns ride along in two optional columns of the measures table: ``breakdown`` (e.g.
``family_type``; "" for the total) and ``category`` (e.g. ``lone_parent``; "" for the total).
The categories of a breakdown must be exhaustive (record-level loading adds an ``unknown``
category), so that they sum to the total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse
from threadpoolctl import threadpool_limits

from generator.analysis.audit import Audit, equation_matrix
from generator.analysis.audit import recoverable as recoverable  # the tests' exact check
from generator.analysis.equations import Hierarchy, independent_equations
from generator.analysis.equations import equations as equations  # the tests' equations
from generator.ingest.catalogue import Catalogue
from generator.ingest.geography import GeographyPack
from generator.ingest.loaders import BREAKDOWN_COLUMNS

PRIMARY = "primary"
SECONDARY = "secondary"


def suppress_measures(
    measures: pd.DataFrame, pack: GeographyPack, catalogue: Catalogue, thresholds: dict[str, int]
) -> pd.DataFrame:
    """Mark which measure cells may not be published.

    ``measures`` is the rolled-up table (``level, area_code, period, measure, value``);
    ``thresholds`` gives each people-counting measure its threshold. Returns the table with
    ``suppressed`` (bool) and ``note`` (primary/secondary/"") columns added.
    """
    contributors = {m: s.contributors for m, s in catalogue.measures.items() if s.contributors}
    shares = {
        (ind.numerator, ind.denominator)
        for ind in catalogue.indicators.values()
        if ind.method == "share"
    }
    return suppress_cells(
        measures, _nested_pairs(pack), thresholds, people_measures(catalogue), contributors, shares
    )


def people_measures(catalogue: Catalogue) -> set[str]:
    """The measures that count people, whose small counts are withheld."""
    return {m for m, spec in catalogue.measures.items() if spec.counts_people}


def primary_mask(cells: pd.DataFrame, thresholds: dict[str, int], people: set[str]) -> np.ndarray:
    """Primary suppression: a count of people from 1 to its threshold - 1."""
    limit = cells["measure"].map(thresholds).fillna(0).to_numpy()
    value = cells["value"].to_numpy()
    return cells["measure"].isin(people).to_numpy() & (value > 0) & (value < limit)


def frequency_mask(
    cells: pd.DataFrame, contributors: dict[str, str], thresholds: dict[str, int]
) -> np.ndarray:
    """The frequency rule for amounts: an amount cell (say £ gained from advice) is withheld
    where the count of contributors behind it, in the same area, period and category, is
    from 1 to the threshold - 1, or is missing. One or two families' gain is theirs alone."""
    keys = ["level", "area_code", "period", *BREAKDOWN_COLUMNS]
    mask = np.zeros(len(cells), dtype=bool)
    default = max(thresholds.values(), default=0)
    for amount, count in contributors.items():
        is_amount = (cells["measure"] == amount).to_numpy()
        if not is_amount.any():
            continue
        counts = cells[cells["measure"] == count].drop_duplicates(keys).set_index(keys)["value"]
        where = pd.MultiIndex.from_frame(cells.loc[is_amount, keys])
        n = counts.reindex(where).to_numpy(dtype=float)
        limit = thresholds.get(count, default)
        mask[np.flatnonzero(is_amount)[np.isnan(n) | ((n > 0) & (n < limit))]] = True
    return mask


def suppress_cells(
    cells: pd.DataFrame,
    hierarchy: Hierarchy,
    thresholds: dict[str, int],
    people: set[str],
    contributors: dict[str, str] | None = None,
    shares: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Primary and secondary suppression of a table of counts, audited against an attacker.

    ``cells`` has ``level, area_code, period, measure, value`` and optionally ``breakdown,
    category``; ``hierarchy`` lists each nested level pair smallest first; ``people`` the
    measures that count people; ``contributors`` maps an amount measure to the count behind
    it (``frequency_mask``); ``shares`` pairs (numerator, denominator) of measures where
    the one never exceeds the other (``_share_pass``). Returns the cells with ``suppressed``
    and ``note`` added (and
    the breakdown columns, "" for totals).
    """
    out = cells.reset_index(drop=True).copy()
    for col in BREAKDOWN_COLUMNS:
        if col not in out.columns:
            out[col] = ""
        out[col] = out[col].fillna("").astype(str)
    primary = primary_mask(out, thresholds, people)
    if contributors:
        primary |= frequency_mask(out, contributors, thresholds)
    out["suppressed"] = primary
    out["note"] = np.where(primary, PRIMARY, "")
    if not primary.any():
        return out
    level_rank = {child: n for n, (child, _, _) in enumerate(hierarchy)}
    level_rank.update({parent: n + 1 for n, (_, parent, _) in enumerate(hierarchy)})
    _protect_all(out, hierarchy, level_rank, thresholds, shares or set())
    return out


#: The audits solve many small linear systems. Threaded BLAS on small matrices is hundreds
#: of times slower than one thread on a busy 2-core machine (measured: 0.44 s against 1 ms
#: for one 50 x 150 null space), so disclosure's linear algebra runs single-threaded.
_single_threaded = threadpool_limits.wrap(limits=1, user_api="blas")

_FLAGS = ["suppressed", "note"]


@_single_threaded
def _protect_all(
    out: pd.DataFrame,
    hierarchy: Hierarchy,
    level_rank: dict[str, int],
    thresholds: dict[str, int],
    shares: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Secondary suppression of every table in place: the local rules, then the audit,
    until neither finds anything more to hide; then the relations between tables
    (``_share_pass``), and round again for the tables they changed.

    Each (period, measure) table is its own system of equations, but the local rules are
    pandas group operations that cost the same for one table as for all, so they run over
    every table still changing at once; the audit then runs table by table, each to its own
    fixed point, and only the tables it changed go round again. (The audit catches every
    exactly recoverable cell; the local rules add what it does not judge: hidden cells
    adding up to a small count.)
    """
    groups = out.groupby(["period", "measure"], sort=True).indices
    active = [key for key, rows in groups.items() if out["suppressed"].to_numpy()[rows].any()]
    systems: dict[tuple[str, str], _System] = {}
    audited: set[tuple[str, str]] = set()
    memo: dict[tuple[str, str], bytes] = {}
    while active:
        rows = np.concatenate([groups[key] for key in active])
        part = out.iloc[rows].copy()
        before = part["suppressed"].to_numpy().copy()
        _local_rules(part, hierarchy, thresholds)
        out.loc[part.index, _FLAGS] = part[_FLAGS]
        grew = pd.Series(part["suppressed"].to_numpy() != before, index=part.index)
        changed = []
        for key in active:
            # A table at the audit's fixed point that the local rules left alone is done.
            if key in audited and not grew.loc[groups[key]].any():
                continue
            audited.add(key)
            table = out.iloc[groups[key]].copy()
            system = systems.get(key)
            if system is None:
                system = systems[key] = _System(table, hierarchy, level_rank)
            if system.audit(table):
                out.loc[table.index, _FLAGS] = table[_FLAGS]
                changed.append(key)
        if not changed and shares:
            # Only when every table is at its fixed point: the relations between tables.
            changed = _share_pass(out, hierarchy, shares, thresholds, groups, memo)
            audited.difference_update(changed)
        active = changed


def _share_pass(
    out: pd.DataFrame,
    hierarchy: Hierarchy,
    shares: set[tuple[str, str]],
    thresholds: dict[str, int],
    groups: dict[tuple[str, str], np.ndarray],
    memo: dict[tuple[str, str], bytes],
) -> list[tuple[str, str]]:
    """A share's numerator never exceeds its denominator (in the same area, period and
    category), and an attacker knows it:

    * a withheld numerator lies between 0 and its published denominator: where that is
      under the threshold (0 included), the numerator is as good as known, so the
      denominator is withheld too;
    * a withheld denominator is at least its published numerator: a lower bound that,
      added over the withheld cells of a sum, can pin the others down, so a non-zero
      numerator is withheld with its denominator.

    * and the difference (denominator - numerator: those counted in the one and not the
      other, never negative) is a table of its own, adding up like the others; a cell of
      it is withheld where either is, and the sibling rules run on it (a withheld
      difference alone under a published one, or withheld differences adding up to a
      small count, would give the counts away): what they would hide there, the
      denominator hides.

    Returns the (period, measure) tables it changed."""
    keys = ["level", "area_code", "period", *BREAKDOWN_COLUMNS]
    to_hide: list[int] = []
    for numerator, denominator in sorted(shares):
        if numerator == denominator:
            continue
        nums = out[out["measure"] == numerator].reset_index()
        dens = out[out["measure"] == denominator].reset_index()
        both = nums[[*keys, "index", "value", "suppressed"]].merge(
            dens[[*keys, "index", "value", "suppressed"]], on=keys, suffixes=("_n", "_d")
        )
        if both.empty:
            continue
        flags = (both["suppressed_n"].to_numpy() * 2 + both["suppressed_d"].to_numpy()).tobytes()
        if memo.get((numerator, denominator)) == flags:
            continue  # nothing withheld here since the last pass found nothing to add
        memo[(numerator, denominator)] = flags
        limit = thresholds.get(numerator, thresholds.get(denominator, 0))
        small = both["suppressed_n"] & ~both["suppressed_d"] & (both["value_d"] < limit)
        bound = both["suppressed_d"] & ~both["suppressed_n"] & (both["value_n"] > 0)
        to_hide += both.loc[small, "index_d"].astype(int).tolist()
        to_hide += both.loc[bound, "index_n"].astype(int).tolist()
        gap = f"{denominator} - {numerator}"
        diff = both[keys].assign(
            measure=gap,
            value=(both["value_d"] - both["value_n"]).clip(lower=0),
            suppressed=both["suppressed_n"] | both["suppressed_d"],
            note="",
        )
        before = diff["suppressed"].to_numpy().copy()
        if not before.any():
            continue
        _local_rules(diff, hierarchy, {**thresholds, gap: limit})
        grew = diff["suppressed"].to_numpy() & ~before
        # hide the denominator there (or, already withheld, the numerator)
        pick = np.where(both["suppressed_d"].to_numpy(), both["index_n"], both["index_d"])
        to_hide += pick[grew].astype(int).tolist()
    if not _hide(out, to_hide):
        return []
    hidden = set(to_hide)
    return [key for key, rows in groups.items() if hidden.intersection(rows.tolist())]


def _local_rules(table: pd.DataFrame, hierarchy: Hierarchy, thresholds: dict[str, int]) -> None:
    """The sibling rules for every level pair and breakdown, repeated until stable."""
    changed = True
    while changed:
        changed = False
        for child_level, parent_level, mapping in hierarchy:
            changed |= _secondary_pass(table, child_level, parent_level, mapping, thresholds)
        changed |= _breakdown_pass(table, thresholds)


def _nested_pairs(pack: GeographyPack) -> list[tuple[str, str, pd.DataFrame]]:
    """(child level, parent level, child->parent codes) for each level and every level above
    it that it nests in exactly. Every such pair, not just neighbours: data zones nest in
    wards even where intermediate zones, between them, do not."""
    pairs = []
    levels = pack.levels
    for child, parent in ((c, p) for c in levels for p in levels if p.rank > c.rank):
        mapping = (
            pack.lookup[[f"{child.id}_code", f"{parent.id}_code"]]
            .drop_duplicates()
            .set_axis(["area_code", "parent_code"], axis=1)
        )
        if mapping["area_code"].is_unique:
            pairs.append((child.id, parent.id, mapping))
    return pairs


def _secondary_pass(
    out: pd.DataFrame,
    child_level: str,
    parent_level: str,
    mapping: pd.DataFrame,
    thresholds: dict[str, int],
) -> bool:
    """One round of the secondary rules for one level pair; True if anything changed."""
    children = out[out["level"] == child_level].reset_index().merge(mapping, on="area_code")
    parents = (
        out[out["level"] == parent_level]
        .reset_index()[
            ["index", "area_code", "period", "measure", *BREAKDOWN_COLUMNS, "suppressed"]
        ]
        .rename(
            columns={
                "index": "parent_index",
                "area_code": "parent_code",
                "suppressed": "parent_suppressed",
            }
        )
    )
    group = ["parent_code", "period", "measure", *BREAKDOWN_COLUMNS]
    children = children.merge(parents, on=group, how="inner")
    if children.empty:
        return False
    stats = (
        children.assign(hidden_value=children["value"].where(children["suppressed"], 0))
        .groupby(group, sort=False)
        .agg(
            n_suppressed=("suppressed", "sum"),
            n_children=("suppressed", "size"),
            hidden_sum=("hidden_value", "sum"),
            parent_suppressed=("parent_suppressed", "first"),
            parent_index=("parent_index", "first"),
        )
    )
    lone = stats[(stats["n_suppressed"] == 1) & ~stats["parent_suppressed"]]
    hidden_parent = stats[(stats["n_suppressed"] == 0) & stats["parent_suppressed"]]
    small = _small_hidden_sum(stats, thresholds)

    to_hide: list[int] = []
    candidates = children[~children["suppressed"]].sort_values(
        ["value", "area_code"], kind="stable"
    )
    # Prefer a non-zero sibling: hiding a zero protects nothing when zeros are published.
    nonzero = candidates[candidates["value"] > 0]
    for wanted, pool, or_parent in (
        (lone, [nonzero, candidates], True),
        (hidden_parent, [nonzero], False),
        (small, [nonzero], True),
    ):
        if wanted.empty:
            continue
        remaining = wanted.index
        for source in pool:
            picks = source.set_index(group).loc[lambda d, r=remaining: d.index.isin(r)]
            firsts = picks.groupby(level=list(range(len(group))), sort=False)["index"].first()
            to_hide += firsts.tolist()
            remaining = remaining.difference(firsts.index)
        if or_parent and len(remaining):
            # No sibling left to hide among: hide the parent instead.
            to_hide += stats.loc[remaining, "parent_index"].astype(int).tolist()
    return _hide(out, to_hide)


def _small_hidden_sum(stats: pd.DataFrame, thresholds: dict[str, int]) -> pd.DataFrame:
    """Groups with a published total whose hidden cells add up to a small count.

    The total minus the published cells gives the sum of the hidden ones: two hidden zones
    of 2 and 1 in a published ward reveal that 3 people are counted between them. That sum
    must itself reach the threshold (or be zero) before the total may be published.
    """
    limit = stats.index.get_level_values("measure").map(thresholds).fillna(0).to_numpy()
    mask = (
        (stats["n_suppressed"] >= 2).to_numpy()
        & ~stats["parent_suppressed"].to_numpy()
        & (stats["hidden_sum"].to_numpy() > 0)
        & (stats["hidden_sum"].to_numpy() < limit)
    )
    return stats[mask]


def _hide(out: pd.DataFrame, rows: list[int]) -> bool:
    """Mark ``rows`` as secondary suppressions; True if any was not hidden already."""
    new = sorted(i for i in set(rows) if not out.at[i, "suppressed"])
    if not new:
        return False
    out.loc[new, "suppressed"] = True
    out.loc[new, "note"] = SECONDARY
    return True


def _breakdown_pass(out: pd.DataFrame, thresholds: dict[str, int]) -> bool:
    """The sibling rules across categories: an area's total is the sum of its categories
    of each breakdown, exactly as a parent is the sum of its children."""
    if not (out["breakdown"] != "").any():
        return False
    keys = ["level", "area_code", "period", "measure"]
    totals = (
        out[out["breakdown"] == ""]
        .reset_index()[[*keys, "index", "suppressed"]]
        .rename(columns={"index": "parent_index", "suppressed": "parent_suppressed"})
    )
    cats = out[out["breakdown"] != ""].reset_index().merge(totals, on=keys, how="inner")
    if cats.empty:
        return False
    group = [*keys, "breakdown"]
    stats = (
        cats.assign(hidden_value=cats["value"].where(cats["suppressed"], 0))
        .groupby(group, sort=False)
        .agg(
            n_suppressed=("suppressed", "sum"),
            parent_suppressed=("parent_suppressed", "first"),
            hidden_sum=("hidden_value", "sum"),
            parent_index=("parent_index", "first"),
        )
    )
    small = set(_small_hidden_sum(stats, thresholds).index)
    to_hide: list[int] = []
    pool = cats[~cats["suppressed"]].sort_values(["value", "category"], kind="stable")
    nonzero = pool[pool["value"] > 0].groupby(group, sort=False)["index"].first()
    for key, row in stats.iterrows():
        if (row["n_suppressed"] == 1 and not row["parent_suppressed"]) or key in small:
            to_hide.append(int(nonzero[key]) if key in nonzero.index else int(row["parent_index"]))
        elif row["n_suppressed"] == 0 and row["parent_suppressed"] and key in nonzero.index:
            to_hide.append(int(nonzero[key]))
    return _hide(out, to_hide)


class _System:
    """One (period, measure) table's equations, fixed while cells are hidden, with what the
    audit needs of them: the sparse matrix, each equation's cells and each cell's equations."""

    def __init__(self, table: pd.DataFrame, hierarchy: Hierarchy, level_rank: dict[str, int]):
        eqs = independent_equations(table, hierarchy)
        self.matrix = equation_matrix(len(table), eqs)
        self.check = Audit(self.matrix)
        self.pattern = scipy.sparse.csr_matrix((self.matrix != 0).astype(np.int64))
        self.members = [np.array(sorted({c for c, _ in eq}), dtype=int) for eq in eqs]
        self.cell_eqs: list[list[int]] = [[] for _ in range(len(table))]
        for n, members in enumerate(self.members):
            for c in members:
                self.cell_eqs[c].append(n)
        levels = [level_rank.get(lv, 0) for lv in table["level"]]
        values = table["value"].to_numpy(dtype=float)
        codes, categories = table["area_code"].tolist(), table["category"].tolist()
        # Which published cell to hide first, other things equal: a non-zero one (hiding a
        # zero protects nothing when zeros are published), the smallest, the lowest level.
        self.preference = [
            (bool(values[c] <= 0), float(values[c]), levels[c], codes[c], categories[c])
            for c in range(len(table))
        ]

    def audit(self, table: pd.DataFrame) -> bool:
        """Hide cells until the exact check (``recoverable``) finds no hidden cell an
        attacker could solve for; True if it hid anything.

        Each round hides, beside every exposed cell, the published cell most likely to
        free it: one sharing its smallest equation whose other equations all hold hidden
        cells already (so hiding it closes a loop through the exposed cell rather than
        exposing itself), the smallest such. Rounds repeat until the check passes; every
        round hides at least one cell, so it ends.
        """
        hidden = table["suppressed"].to_numpy().copy()
        changed = False
        while True:
            exposed = np.flatnonzero(self.check.recoverable(hidden))
            n_hidden = self.pattern @ hidden.astype(np.int64)  # hidden cells per equation
            picks = sorted(
                {p for x in exposed if (p := self._pick(int(x), hidden, n_hidden)) is not None}
            )
            if not picks:
                break
            hidden[picks] = True
            changed = True
        if changed:
            new = table.index[hidden & ~table["suppressed"].to_numpy()]
            table.loc[new, "suppressed"] = True
            table.loc[new, "note"] = SECONDARY
        return changed

    def _pick(self, cell: int, hidden: np.ndarray, n_hidden: np.ndarray) -> int | None:
        """The published cell to hide so that ``cell`` is no longer exposed."""
        best: tuple[tuple[object, ...], int] | None = None
        for eq in self.cell_eqs[cell]:
            for c in self.members[eq]:
                if hidden[c]:
                    continue
                # equations of c that would hold c alone among hidden cells
                lonely = sum(1 for e in self.cell_eqs[c] if e != eq and n_hidden[e] == 0)
                key = (lonely, len(self.members[eq]), *self.preference[c])
                if best is None or key < best[0]:
                    best = (key, int(c))
        return None if best is None else best[1]


def totals(measures: pd.DataFrame) -> pd.DataFrame:
    """The area totals of a measures table, without its breakdown categories."""
    if "category" not in measures.columns:
        return measures
    return measures[measures["category"].fillna("") == ""]


def breakdown_cells(measures: pd.DataFrame) -> pd.DataFrame:
    """The breakdown categories of a measures table, without the area totals."""
    if "category" not in measures.columns:
        return measures.iloc[0:0].assign(**dict.fromkeys(BREAKDOWN_COLUMNS, ""))
    return measures[measures["category"].fillna("") != ""]
