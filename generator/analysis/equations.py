"""The linear equations an attacker knows about one (period, measure) table of counts: a
parent area is the sum of its children (every nested pair of levels, every breakdown
category), an area's total is the sum of each breakdown's categories. ``suppression``
audits withheld cells against them."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: (child level, parent level, child code -> parent code) for each nested pair of levels.
Hierarchy = Sequence[tuple[str, str, pd.DataFrame]]


def equations(table: pd.DataFrame, hierarchy: Hierarchy) -> list[list[tuple[int, int]]]:
    """The linear equations an attacker knows about one (period, measure) table.

    Each equation is a list of (row index in ``table``, coefficient) summing to zero: a
    parent minus its children, for every nested level pair and breakdown category; an
    area's total minus its categories, for every breakdown.
    """
    return list(keyed_equations(table, hierarchy).values())


#: An equation's key: ("nest", child level, parent level, parent code, breakdown, category)
#: or ("split", level, area code, breakdown).
EquationKey = tuple[str, ...]


def keyed_equations(
    table: pd.DataFrame, hierarchy: Hierarchy
) -> dict[EquationKey, list[tuple[int, int]]]:
    """``equations``, each under a key saying which relation it is."""
    index = {
        key: n
        for n, key in enumerate(
            zip(
                table["level"],
                table["area_code"],
                table["breakdown"],
                table["category"],
                strict=True,
            )
        )
    }
    out: dict[EquationKey, list[tuple[int, int]]] = {}
    cells = list(zip(table["breakdown"], table["category"], strict=True))
    for child_level, parent_level, mapping in hierarchy:
        parent_of = dict(zip(mapping["area_code"], mapping["parent_code"], strict=True))
        members: dict[tuple[str, str, str], list[int]] = {}
        for n, (level, code) in enumerate(zip(table["level"], table["area_code"], strict=True)):
            if level == child_level and code in parent_of:
                members.setdefault((parent_of[code], *cells[n]), []).append(n)
        for (parent, breakdown, category), kids in members.items():
            top = index.get((parent_level, parent, breakdown, category))
            if top is not None:
                key = ("nest", child_level, parent_level, parent, breakdown, category)
                out[key] = [(top, 1), *((k, -1) for k in kids)]
    by_area: dict[tuple[str, str, str], list[int]] = {}
    for n, (level, code, breakdown) in enumerate(
        zip(table["level"], table["area_code"], table["breakdown"], strict=True)
    ):
        if breakdown:
            by_area.setdefault((level, code, breakdown), []).append(n)
    for (level, code, breakdown), parts in by_area.items():
        total = index.get((level, code, "", ""))
        if total is not None:
            out[("split", level, code, breakdown)] = [(total, 1), *((k, -1) for k in parts)]
    return out


def independent_equations(table: pd.DataFrame, hierarchy: Hierarchy) -> list[list[tuple[int, int]]]:
    """``equations`` without those that are exact sums of others (same row space, so the
    same cells determined), which would otherwise tie every withheld cell of a council into
    one block: data zones -> council is data zones -> wards plus wards -> council, and
    intermediate zones -> council is data zones -> council minus data zones -> intermediate
    zones. Each candidate is checked coefficient by coefficient against the sum before it
    is dropped, and an equation used in such a sum is never dropped after, so the kept
    equations span every dropped one."""
    eqs = keyed_equations(table, hierarchy)
    pairs = {(child, parent) for child, parent, _ in hierarchy}
    levels = {lv for pair in pairs for lv in pair}
    code_of = table["area_code"].tolist()
    dropped: set[EquationKey] = set()
    used: set[EquationKey] = set()

    def combine(terms: list[tuple[int, EquationKey]]) -> dict[int, int] | None:
        total: dict[int, int] = {}
        for sign, key in terms:
            if key not in eqs:
                return None
            for c, k in eqs[key]:
                total[c] = total.get(c, 0) + sign * k
        return {c: k for c, k in total.items() if k}

    for key, eq in eqs.items():
        if key[0] != "nest" or key in used:
            continue
        _, child, parent, code, breakdown, category = key
        own = dict(eq)
        kids = [code_of[c] for c, k in eq if k == -1]
        for mid in sorted(levels):
            if (child, mid) in pairs and (mid, parent) in pairs:
                # via the level between: mid -> parent, plus child -> each mid area
                up = ("nest", mid, parent, code, breakdown, category)
                mids = [code_of[c] for c, k in eqs.get(up, []) if k == -1]
                terms = [(1, up)] + [
                    (1, ("nest", child, mid, m, breakdown, category)) for m in mids
                ]
            elif (mid, child) in pairs and (mid, parent) in pairs:
                # via the level below: below -> parent, minus below -> each child area
                terms = [(1, ("nest", mid, parent, code, breakdown, category))] + [
                    (-1, ("nest", mid, child, m, breakdown, category)) for m in kids
                ]
            else:
                continue
            if any(t == key for _, t in terms) or combine(terms) != own:
                continue
            dropped.add(key)
            used.update(t for _, t in terms)
            break
    return [eq for key, eq in eqs.items() if key not in dropped]
