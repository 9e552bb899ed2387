"""Header rows and column references: which column of a file each part of a dataset's
config means.

A file is read as a header (one name per column, joined over ``header_rows``) and a body
whose columns are positions. ``resolve`` turns each reference the config makes (a name,
``{index: n}``, ``{sum: [...]}``) into positions, or into located problems: a name not
found, a name that repeats, a position past the last column.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from generator.errors import Problem
from generator.ingest.datasets import ColumnIndex, ColumnRef, ColumnSum, Dataset
from generator.ingest.yamlio import YamlDocument


def join_header(rows: Sequence[Sequence[str]]) -> list[str]:
    """One name per column from one or more header rows, top first.

    In every row but the last, a blank cell takes the name on its left (a merged cell, as
    spreadsheets and their CSV exports leave it: the name in the first cell, the rest
    blank). Names are the non-blank cells joined with a space: "P6-P7" over "Roll" makes
    "P6-P7 Roll"; "Data Zone" under a blank stays "Data Zone"."""
    width = max((len(r) for r in rows), default=0)
    grid = [[str(c).strip() for c in r] + [""] * (width - len(r)) for r in rows]
    for upper in grid[:-1]:
        for n in range(1, width):
            if not upper[n] and upper[n - 1]:
                upper[n] = upper[n - 1]
    names = []
    for col in zip(*grid, strict=True):
        names.append(" ".join(" ".join(part.split()) for part in col if part))
    return names


@dataclass
class Resolved:
    """Positions of the columns a dataset uses, and the problems finding them."""

    positions: dict[tuple[str | int, ...], list[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def one(self, loc: tuple[str | int, ...]) -> int:
        """The single position of a plain column reference."""
        return self.positions[loc][0]


def wanted(spec: Dataset) -> list[tuple[tuple[str | int, ...], ColumnRef]]:
    """Every column reference of a dataset with its place in the config."""
    out: list[tuple[tuple[str | int, ...], ColumnRef]] = [(("area", "column"), spec.area.column)]
    if spec.period.column is not None:
        out.append((("period", "column"), spec.period.column))
    out += [(("where", col), col) for col in spec.where]
    out += [(("measures", m), ref) for m, ref in spec.measures.items()]
    if spec.key is not None:
        out.append((("key", "column"), spec.key.column))
    out += [(("attributes", a), col) for a, col in spec.attributes.items()]
    out += [(("identifiers", n), col) for n, col in enumerate(spec.identifiers)]
    if spec.breakdown_column is not None:
        out.append((("breakdown_column", "column"), spec.breakdown_column.column))
    return out


def resolve(doc: YamlDocument, index: int, spec: Dataset, header: list[str]) -> Resolved:
    """Positions of every column ``spec`` uses in a file with this ``header``."""
    out = Resolved()
    for loc, ref in wanted(spec):
        parts = ref.sum if isinstance(ref, ColumnSum) else [ref]
        found: list[int] = []
        for n, part in enumerate(parts):
            where = (
                ("datasets", index, *loc, "sum", n)
                if isinstance(ref, ColumnSum)
                else ("datasets", index, *loc)
            )
            problem, position = _find(doc, where, spec, part, header)
            if problem is not None:
                out.problems.append(problem)
            elif position is not None:
                found.append(position)
        if len(found) == len(parts):
            out.positions[loc] = found
    return out


def _find(
    doc: YamlDocument,
    where: tuple[str | int, ...],
    spec: Dataset,
    part: str | ColumnIndex,
    header: list[str],
) -> tuple[Problem | None, int | None]:
    if isinstance(part, ColumnIndex):
        if part.index > len(header):
            return (
                doc.problem(
                    where,
                    "unknown-column",
                    f"{spec.file} has {len(header)} columns, so there is no column {part.index}",
                ),
                None,
            )
        return None, part.index - 1
    hits = [n for n, name in enumerate(header) if name == " ".join(part.split())]
    if len(hits) == 1:
        return None, hits[0]
    if hits:
        places = ", ".join(f"column {n + 1} ({_letters(n)})" for n in hits)
        return (
            doc.problem(
                where,
                "duplicate-column",
                f"{part!r} names {len(hits)} columns of {spec.file} (header row "
                f"{spec.header[-1]}: {places}); say which with {{index: n}}",
            ),
            None,
        )
    close = difflib.get_close_matches(part, header, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        doc.problem(
            where,
            "unknown-column",
            f"column {part!r} not found in {spec.file}{hint}; columns are: "
            + ", ".join(repr(c) for c in header),
        ),
        None,
    )


def _letters(n: int) -> str:
    """Spreadsheet letters of the 0-based column ``n``: 0 -> A, 26 -> AA."""
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name
