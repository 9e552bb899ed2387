"""Property test: an attacker holding every published cell cannot pin a suppressed one down.

Random hierarchies (data zones in wards in one council) crossed with random breakdown
categories hold small counts. The attacker knows every published value and every equation
(parent = sum of children at every level and category; total = sum of categories in every
area) and solves them, with exact rational arithmetic, and again with the bounds a count
must obey (non-negative) as a linear programme.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st
from scipy.optimize import linprog

from generator.analysis import suppression

MEASURE = "fsm_registered_p6_p7"
THRESHOLD = 5


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[tuple[str, str, pd.DataFrame]]]:
    """A council of 1-4 wards of 1-4 zones; 0-3 categories of one breakdown; small counts."""
    wards = draw(st.integers(1, 4))
    zones = [draw(st.integers(1, 4)) for _ in range(wards)]
    n_cats = draw(st.sampled_from([0, 2, 3]))
    categories = [f"c{k}" for k in range(n_cats)] or [""]
    counts = st.one_of(st.integers(0, 6), st.integers(0, 30))
    leaf: dict[tuple[str, str], int] = {}
    lookup = []
    for w in range(wards):
        for z in range(zones[w]):
            code = f"Z{w}{z}"
            lookup.append((code, f"W{w}"))
            for cat in categories:
                leaf[(code, cat)] = draw(counts)
    rows = []
    parent = dict(lookup)
    for (code, cat), v in leaf.items():
        rows.append(("datazone", code, cat, v))
    for level, key in (("ward", lambda c: parent[c]), ("council", lambda c: "C")):
        sums: dict[tuple[str, str], int] = {}
        for (code, cat), v in leaf.items():
            sums[(key(code), cat)] = sums.get((key(code), cat), 0) + v
        rows += [(level, area, cat, v) for (area, cat), v in sums.items()]
    if n_cats:  # the totals of every area, over categories
        totals: dict[tuple[str, str], int] = {}
        for level, area, _, v in rows:
            totals[(level, area)] = totals.get((level, area), 0) + v
        rows += [(level, area, "", v) for (level, area), v in totals.items()]
    cells = pd.DataFrame(rows, columns=["level", "area_code", "category", "value"])
    cells["breakdown"] = np.where(cells["category"] == "", "", "family_type")
    cells["period"] = "2024/25"
    cells["measure"] = MEASURE
    cells["value"] = cells["value"].astype(float)
    dz_ward = pd.DataFrame(lookup, columns=["area_code", "parent_code"])
    ward_council = pd.DataFrame({"area_code": sorted(set(parent.values()))}).assign(parent_code="C")
    return cells, [("datazone", "ward", dz_ward), ("ward", "council", ward_council)]


def _rref_pins(matrix: list[list[Fraction]], n_unknown: int) -> set[int]:
    """Unknowns whose unit vector lies in the row space (exact Gauss-Jordan elimination):
    column j is pinned when it is a pivot and its reduced row is exactly e_j."""
    rows = [r[:] for r in matrix]
    pivots: list[tuple[int, int]] = []
    r = 0
    for col in range(n_unknown):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][col]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                f = rows[i][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append((r, col))
        r += 1
    return {
        col for row, col in pivots if all(rows[row][j] == 0 for j in range(n_unknown) if j != col)
    }


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_attacker_cannot_recover_any_suppressed_cell(case):
    """Exact algebra and non-negativity bounds leave every suppressed cell undetermined."""
    cells, hierarchy = case
    out = suppression.suppress_cells(cells, hierarchy, {MEASURE: THRESHOLD}, {MEASURE})
    hidden = out["suppressed"].to_numpy()
    values = out["value"].to_numpy()
    # Every small count is hidden, and nothing published is a small non-zero count.
    small = (values > 0) & (values < THRESHOLD)
    assert hidden[small].all()
    n_hidden = int(hidden.sum())
    event(f"suppressed share {round(n_hidden / len(out), 1)}")
    target(float(n_hidden), label="suppressed cells")
    if not n_hidden:
        return

    eqs = suppression.equations(out, hierarchy)
    unknown = list(np.flatnonzero(hidden))
    column = {c: n for n, c in enumerate(unknown)}
    a_rows, b = [], []
    for eq in eqs:
        coeffs = [Fraction(0)] * len(unknown)
        rhs = Fraction(0)
        for cell, k in eq:
            if cell in column:
                coeffs[column[cell]] += k
            else:
                rhs -= k * Fraction(int(values[cell]))
        if any(coeffs):
            a_rows.append(coeffs)
            b.append(rhs)
    pinned = _rref_pins(a_rows, len(unknown)) if a_rows else set()
    assert not pinned, [
        out.iloc[unknown[j]][["level", "area_code", "category"]].tolist() for j in pinned
    ]
    # The production check agrees with the exact one.
    assert not suppression.recoverable(len(out), eqs, hidden).any()

    if not a_rows:
        return
    # With bounds: counts are non-negative. Min == max would pin the cell.
    a_eq = np.array([[float(x) for x in row] for row in a_rows])
    b_eq = np.array([float(x) for x in b])
    for j in range(len(unknown)):
        c = np.zeros(len(unknown))
        c[j] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status in (0, 3)  # 3: unbounded above, so not pinned
        if hi.status == 0:
            assert -hi.fun - lo.fun > 0.5, out.iloc[unknown[j]].tolist()


def test_secondary_suppression_hides_no_more_than_it_must():
    """One small zone in a ward of three: it and exactly one sibling are hidden (the cheapest
    that stops subtraction from the ward), and the ward and council stay published. Hiding
    too little or too much both fail."""
    cells = pd.DataFrame(
        {
            "level": ["datazone"] * 6 + ["ward", "ward", "council"],
            "area_code": ["A1", "A2", "A3", "B1", "B2", "B3", "A", "B", "C"],
            "value": [3.0, 9, 12, 20, 30, 40, 24, 90, 114],
        }
    )
    cells = cells.assign(period="2024/25", measure=MEASURE)
    hierarchy = [
        (
            "datazone",
            "ward",
            pd.DataFrame(
                {
                    "area_code": ["A1", "A2", "A3", "B1", "B2", "B3"],
                    "parent_code": ["A", "A", "A", "B", "B", "B"],
                }
            ),
        ),
        ("ward", "council", pd.DataFrame({"area_code": ["A", "B"], "parent_code": "C"})),
    ]
    out = suppression.suppress_cells(cells, hierarchy, {MEASURE: THRESHOLD}, {MEASURE})
    notes = dict(zip(out["area_code"], out["note"], strict=True))
    assert {c for c, n in notes.items() if n} == {"A1", "A2"}
    assert notes["A1"] == "primary" and notes["A2"] == "secondary"  # the smaller sibling
