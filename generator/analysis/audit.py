"""The exact audit's linear algebra: which withheld cells an attacker holding every
published cell could solve for, by the equations the published tables imply.

``suppression`` writes each (period, measure) table as a sparse matrix (one row per
equation, one column per cell) and asks, as it hides cells, which hidden cells are still
determined. ``recoverable`` is the exact check: the equations restricted to the hidden cells
split into independent blocks (connected components), and a cell is determined when its unit
vector lies in its block's row space. ``Pseudoinverse`` steers the rounds between exact
checks cheaply, growing one column per newly hidden cell.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.blas
import scipy.sparse
import scipy.sparse.csgraph


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
    space is zero at it. The restricted system splits into independent blocks (hidden cells
    linked through shared equations: the connected components of its graph), and each block
    is solved on its own, so the cost grows with the blocks, not the cube of the table. The
    matrices hold small integers, so a floating-point null space with a tolerance is exact
    in practice; the property test checks it with fractions.
    """
    unknown = np.flatnonzero(hidden)
    found = np.zeros(n_cells, dtype=bool)
    if not len(unknown):
        return found
    matrix = equation_matrix(n_cells, eqs) if isinstance(eqs, list) else eqs
    sub = scipy.sparse.csr_matrix(matrix[:, unknown])
    sub = sub[np.diff(sub.indptr) > 0]  # equations with no hidden cell say nothing
    if sub.shape[0] == 0:
        return found
    pattern = (sub != 0).astype(np.int8)
    n_blocks, block = scipy.sparse.csgraph.connected_components(pattern.T @ pattern, directed=False)
    row_block = block[sub.indices[sub.indptr[:-1]]]  # every row lies in one block
    order = np.argsort(block, kind="stable")
    bounds = np.searchsorted(block[order], np.arange(n_blocks + 1))
    row_order = np.argsort(row_block, kind="stable")
    row_bounds = np.searchsorted(row_block[row_order], np.arange(n_blocks + 1))
    for b in range(n_blocks):
        cols = order[bounds[b] : bounds[b + 1]]
        rows = row_order[row_bounds[b] : row_bounds[b + 1]]
        if not len(rows):
            continue
        dense = sub[rows][:, cols].toarray()
        found[unknown[cols[in_row_space(dense, np.eye(len(cols)))]]] = True
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


class Pseudoinverse:
    """The Moore-Penrose pseudo-inverse P of the equations restricted to the hidden cells
    (A), grown one hidden cell (column) at a time.

    A hidden cell j is determined exactly when (PA)_jj = 1: PA is the orthogonal projector
    onto the row space, so its diagonal is 1 at a unit vector inside it and less than 1
    elsewhere (at most 1 - 1/L for a cell on a cycle of L cells). Adding a column costs
    O(cells x equations) (Greville), against O(cells^2 x equations) for a new null space.
    Floating point here only steers the rounds: ``_System.audit`` ends on the exact check.
    """

    def __init__(self, matrix: scipy.sparse.csc_matrix, hidden: np.ndarray) -> None:
        self.matrix = matrix
        self.cols = [int(c) for c in np.flatnonzero(hidden)]
        # Room for every cell, so a new column updates rows in place instead of copying.
        self.store = np.zeros((matrix.shape[1], matrix.shape[0]))
        if self.cols:
            self.store[: len(self.cols)] = scipy.linalg.pinv(matrix[:, self.cols].toarray())

    @property
    def inverse(self) -> np.ndarray:
        return self.store[: len(self.cols)]

    def add(self, hidden: np.ndarray) -> None:
        """Extend to every cell of ``hidden`` not yet a column."""
        have = set(self.cols)
        new = [int(c) for c in np.flatnonzero(hidden) if int(c) not in have]
        if not new:
            return
        current = scipy.sparse.csr_matrix(self.matrix[:, self.cols])
        for col in new:
            current = self._add_column(col, current)

    def _add_column(self, col: int, current: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
        column = self.matrix[:, [col]]
        rows, coef = column.indices, column.data
        p = self.inverse
        d = p[:, rows] @ coef  # P a, with a sparse
        residual = -(current @ d)
        residual[rows] += coef  # c = a - A d
        norm = float(residual @ residual)
        # a outside A's column space: b = c+; inside it: b from P itself (Greville)
        b = residual / norm if norm > 1e-8 else (d @ p) / (1.0 + float(d @ d))
        # p -= outer(d, b) in place: a BLAS rank-1 update on the Fortran-ordered transpose
        scipy.linalg.blas.dger(-1.0, b, d, a=p.T, overwrite_a=True)
        self.store[len(self.cols)] = b
        self.cols.append(col)
        return scipy.sparse.hstack([current, column.tocsr()], format="csr")

    def determined(self) -> np.ndarray:
        """Table rows of the hidden cells the published cells determine."""
        if not self.cols:
            return np.zeros(0, dtype=int)
        a = self.matrix[:, self.cols]
        diag = np.asarray(a.multiply(self.inverse.T).sum(axis=0)).ravel()
        return np.asarray(self.cols)[diag > 1 - 1e-6]
