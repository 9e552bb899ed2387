"""Suppression of SIMD group totals (quintiles and deciles): which of those new cells may be
published beside the areas' own (``suppression.suppress_measures``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analysis.audit import in_row_space
from generator.analysis.suppression import (
    PRIMARY,
    SECONDARY,
    _single_threaded,
    people_measures,
    primary_mask,
)
from generator.ingest.catalogue import Catalogue
from generator.ingest.geography import GeographyPack

# --- Deprivation groups (SIMD quintiles and deciles) ------------------------------------------
# A group total is a new published cell over a public set of zones (anyone can work out
# which zones are in quintile 1), so it can be combined by subtraction with every other
# published total: wards, the council, other groups. Rather than rules for each pattern,
# each candidate set of group totals is audited exactly: a withheld zone cell can be worked
# out iff its unit vector lies in the row space of the published totals, each written as
# the set of withheld zones it contains (the published zones being known, they subtract
# out). Group totals are withheld one at a time until no withheld cell becomes recoverable.


@_single_threaded
def suppress_groups(
    cells: pd.DataFrame,
    groups: pd.DataFrame,
    measures: pd.DataFrame,
    pack: GeographyPack,
    catalogue: Catalogue,
    thresholds: dict[str, int],
) -> pd.DataFrame:
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
    primary = primary_mask(out, thresholds, people_measures(catalogue))
    out["suppressed"] = primary
    out["note"] = np.where(primary, PRIMARY, "")
    base = pack.levels[0].id
    lookup = pack.lookup
    members = {
        key: set(part["area_code"])
        for key, part in groups.groupby(["grouping", "group"], sort=False)
    }
    zones_of = {
        level.id: lookup.groupby(f"{level.id}_code")[f"{base}_code"].apply(list)
        for level in pack.levels[1:]
    }
    for (period, measure), idx in out.groupby(["period", "measure"], sort=True).groups.items():
        part = measures[(measures["period"] == period) & (measures["measure"] == measure)]
        withheld = part[(part["level"] == base) & part["suppressed"]]
        hidden = withheld["area_code"].tolist()
        if not hidden:
            continue
        hidden_value = dict(zip(hidden, withheld["value"].astype(float), strict=True))
        limit = thresholds.get(measure, 0)
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
        group_vec = {
            i: vector(members.get((out.at[i, "grouping"], out.at[i, "group"]), set())) for i in rows
        }
        zones_alone = list(np.eye(len(col)))
        # What the areas alone give away, for the zones and for each group total (the
        # areas do not change, so each is worked out once).
        zones_already = _recoverable(area_rows, zones_alone)
        group_already: dict[int, bool] = {}
        while True:
            # Every withheld cell is protected: the zones, and each withheld group total
            # (a secondary one too: quintiles add up to the council, so one withheld
            # quintile is the council minus the others).
            held = [i for i in rows if out.at[i, "suppressed"] and group_vec[i].any()]
            fresh = [i for i in held if i not in group_already]
            group_already.update(
                zip(fresh, _recoverable(area_rows, [group_vec[i] for i in fresh]), strict=True)
            )
            protected = zones_alone + [group_vec[i] for i in held]
            already = zones_already + [group_already[i] for i in held]
            published = [i for i in rows if not out.at[i, "suppressed"]]
            found = _recoverable(area_rows + [group_vec[i] for i in published], protected)
            new = [
                v for v, was, now in zip(protected, already, found, strict=True) if now and not was
            ]
            if not new:
                # A published total minus its published zones is the sum of its withheld
                # zones: that sum must be 0 or reach the threshold, as for an area.
                small = [
                    i for i in published if 0 < _hidden_sum(members, out, i, hidden_value) < limit
                ]
                if not small:
                    break
                for i in small:
                    out.at[i, "suppressed"] = True
                    out.at[i, "note"] = SECONDARY
                continue
            support = np.sum(new, axis=0) > 0
            # Prefer a total that holds the exposed cells; but a cell can also be exposed
            # by a total that holds only its neighbours (ward {A, B} minus group {B}).
            culprits = [i for i in published if (group_vec[i] > 0)[support].any()] or [
                i for i in published if group_vec[i].any()
            ]
            pick = min(
                culprits,
                key=lambda i: (out.at[i, "value"], out.at[i, "grouping"], out.at[i, "group"]),
            )
            out.at[pick, "suppressed"] = True
            out.at[pick, "note"] = SECONDARY
    return out


def _hidden_sum(
    members: dict[tuple[str, str], set[str]],
    out: pd.DataFrame,
    i: int,
    hidden_value: dict[str, float],
) -> float:
    """The sum of the withheld zones in group total ``i``."""
    zones = members.get((out.at[i, "grouping"], out.at[i, "group"]), set())
    return float(sum(hidden_value.get(z, 0.0) for z in zones))


def _recoverable(rows: list[np.ndarray], targets: list[np.ndarray]) -> list[bool]:
    """For each target, whether it is a linear combination of ``rows`` (exactly derivable
    by adding and subtracting published totals)."""
    if not rows or not targets:
        return [False] * len(targets)
    return in_row_space(np.vstack(rows), np.vstack(targets)).tolist()
