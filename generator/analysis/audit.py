"""The exact audit's linear algebra: which withheld cells an attacker holding every
published cell could solve for, by the equations the published tables imply.

``suppression`` writes each (period, measure) table as a sparse matrix (one row per
equation, one column per cell) and asks, as it hides cells, which hidden cells are still
determined. ``recoverable`` is the exact check, by sparse Gaussian elimination in exact
integer (and, where a pivot is not 1, rational) arithmetic: the equations restricted to the
hidden cells are reduced to echelon form, and a random null-space vector is built from
them by back substitution. A determined cell is zero in *every* null-space vector, so it is
zero in this one, exactly; a cell that is not determined is zero in it only by a chance of
about one in 2^30, and then it is only reported (safely) as determined. The elimination
touches the equations' non-zeros, not a dense matrix, so its cost grows with the withheld
cells and their equations, not the cube of the table.
"""

from __future__ import annotations

import heapq
import random
from fractions import Fraction

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph

#: The random null-space vector's seed: the audit is deterministic, run to run.
_SEED = 13
#: The free values are drawn from 1..2^30: a free cell comes out zero by chance at most
#: once in 2^30 (the value is a non-zero linear form in them).
_RANGE = 1 << 30


def equation_matrix(n_cells: int, eqs: list[list[tuple[int, int]]]) -> scipy.sparse.csc_matrix:
    """The equations as a sparse matrix: one row per equation, one column per cell."""
    rows = [n for n, eq in enumerate(eqs) for _ in eq]
    cols = [c for eq in eqs for c, _ in eq]
    coef = [float(k) for eq in eqs for _, k in eq]
    return scipy.sparse.csc_matrix((coef, (rows, cols)), shape=(len(eqs), n_cells))


def recoverable(
    n_cells: int,
    eqs: list[list[tuple[int, int]]] | scipy.sparse.csc_matrix,
    hidden: np.ndarray,
) -> np.ndarray:
    """Which hidden cells an attacker can solve for exactly from the published ones.

    A hidden cell is determined when its unit vector is in the row space of the equations
    restricted to the hidden cells: equivalently, when every vector of that matrix's null
    space is zero at it. Exact (integer and rational arithmetic), see the module notes.
    """
    unknown = np.flatnonzero(hidden)
    found = np.zeros(n_cells, dtype=bool)
    if not len(unknown):
        return found
    matrix = equation_matrix(n_cells, eqs) if isinstance(eqs, list) else eqs
    sub = scipy.sparse.csr_matrix(matrix[:, unknown])
    indptr, indices = sub.indptr.tolist(), sub.indices.tolist()
    data = np.rint(sub.data).astype(np.int64).tolist()  # the equations' small integers
    rows = [
        dict(zip(indices[start:end], data[start:end], strict=True))
        for start, end in zip(indptr[:-1], indptr[1:], strict=True)
        if end > start
    ]
    value = null_vector(len(unknown), rows)
    found[unknown[[c for c, v in enumerate(value) if v == 0]]] = True
    return found


def null_vector(n: int, rows: list[dict[int, int]]) -> list[int | Fraction]:
    """A random vector of the null space of the integer matrix ``rows`` (n columns), exact.

    Forward elimination picks, each step, the column in fewest remaining rows (Markowitz's
    rule, which keeps the nested tables' equations sparse) and a pivot row with a unit
    coefficient where there is one; rows stay integer (a row is scaled by a non-unit pivot
    rather than divided). Columns that never pivot are free and get seeded random values;
    back substitution gives the pivots' values (rational where a pivot does not divide).
    """
    rows = [dict(r) for r in rows]
    col_rows: list[set[int]] = [set() for _ in range(n)]
    for i, row in enumerate(rows):
        for c in row:
            col_rows[c].add(i)
    heap = [(len(col_rows[c]), c) for c in range(n) if col_rows[c]]
    heapq.heapify(heap)
    pivots: list[tuple[int, dict[int, int]]] = []
    done: set[int] = set()
    while heap:
        count, c = heapq.heappop(heap)
        if c in done or not col_rows[c]:
            continue
        if count != len(col_rows[c]):
            heapq.heappush(heap, (len(col_rows[c]), c))
            continue
        done.add(c)
        p = min(col_rows[c], key=lambda i: (abs(rows[i][c]) != 1, len(rows[i]), i))
        prow = rows[p]
        lead = prow[c]
        for i in sorted(col_rows[c] - {p}):
            row = rows[i]
            a = row[c]
            if abs(lead) == 1:
                factor = a * lead  # row - (a / lead) * prow, and 1 / lead == lead
            else:
                for k in row:
                    row[k] *= lead
                factor = a
            for k, v in prow.items():
                new = row.get(k, 0) - factor * v
                if new:
                    if k not in row:
                        col_rows[k].add(i)
                    row[k] = new
                elif k in row:
                    del row[k]
                    col_rows[k].discard(i)
        for k in prow:
            col_rows[k].discard(p)
            if k != c and col_rows[k]:
                heapq.heappush(heap, (len(col_rows[k]), k))
        pivots.append((c, prow))
    rng = random.Random(_SEED)
    pivot_cols = {c for c, _ in pivots}
    value: list[int | Fraction] = [
        0 if c in pivot_cols else rng.randrange(1, _RANGE) for c in range(n)
    ]
    for c, prow in reversed(pivots):
        lead = prow[c]
        total = sum(v * value[k] for k, v in prow.items() if k != c)
        value[c] = (
            -total // lead
            if isinstance(total, int) and total % lead == 0
            else Fraction(-total, lead)
        )
    return value


class Audit:
    """``recoverable`` for one table whose cells are hidden a few at a time: the withheld
    cells split into independent blocks (cells linked through shared equations, the
    connected components of the equations' graph), each block is eliminated on its own, and
    a block whose cells have not changed since the last call keeps its answer (its
    equations restricted to its cells are the same, so the same cells are determined)."""

    def __init__(self, matrix: scipy.sparse.csc_matrix) -> None:
        self.matrix = scipy.sparse.csc_matrix(matrix)
        self.pattern = scipy.sparse.csc_matrix((self.matrix != 0).astype(np.int8))
        self.known: dict[bytes, np.ndarray] = {}

    def recoverable(self, hidden: np.ndarray) -> np.ndarray:
        """Which hidden cells are determined (as ``recoverable``)."""
        n_cells = self.matrix.shape[1]
        found = np.zeros(n_cells, dtype=bool)
        unknown = np.flatnonzero(hidden)
        if not len(unknown):
            return found
        sub = self.pattern[:, unknown]
        n_blocks, block = scipy.sparse.csgraph.connected_components(
            (sub.T @ sub).astype(bool), directed=False
        )
        order = np.argsort(block, kind="stable")
        bounds = np.searchsorted(block[order], np.arange(n_blocks + 1))
        known: dict[bytes, np.ndarray] = {}
        for b in range(n_blocks):
            cells = unknown[order[bounds[b] : bounds[b + 1]]]
            key = cells.tobytes()
            if key not in self.known:
                mask = np.zeros(n_cells, dtype=bool)
                mask[cells] = True
                self.known[key] = cells[recoverable(n_cells, self.matrix, mask)[cells]]
            known[key] = self.known[key]
            found[known[key]] = True
        self.known = known  # blocks gone (merged into bigger ones) are not needed again
        return found


def in_row_space(matrix: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each row of ``targets``, whether it is a linear combination of the rows of
    ``matrix``: whether an attacker holding those equations can work it out exactly.

    A vector is in the row space exactly when it is orthogonal to the null space. The
    matrices hold small integers, so a floating-point null space with a tolerance is exact
    in practice; the property test checks it with fractions.
    """
    if matrix.size == 0:
        return np.zeros(len(targets), dtype=bool)
    if matrix.shape[1] == 1:  # one unknown: known as soon as any equation holds it
        return np.ones(len(targets), dtype=bool)
    # An orthonormal basis of the row space from a rank-revealing (pivoted) QR of the
    # transpose: a few times cheaper than the SVD behind scipy's null_space, and as exact
    # on these small-integer matrices (same tolerance rule as null_space's).
    q, r, _ = scipy.linalg.qr(matrix.T, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    if not len(diag) or diag[0] == 0:
        return np.zeros(len(targets), dtype=bool)
    rank = int((diag > diag[0] * max(matrix.shape) * np.finfo(float).eps).sum())
    basis = q[:, :rank]
    residual = targets - (targets @ basis) @ basis.T
    return np.asarray(np.abs(residual).max(axis=1) < 1e-9)
