"""Council files as text cells: CSV (UTF-8 or cp1252) and XLSX, as header rows and a body.

``read_csv`` and ``read_xlsx`` give the cells of a dataset's header rows and its body (columns
by position, every cell as the text a user sees); ``ingest/columns.py`` names the columns and
``ingest/loaders.py`` makes the tidy table.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from generator.ingest.datasets import Dataset


class ReadError(Exception):
    """A file that cannot be read at all: the config field to blame, a code, a message."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def decode(data: bytes, encoding: str) -> str:
    """Bytes of a council CSV as text.

    'auto' tries UTF-8 (stripping a BOM), then Windows cp1252, which is what Excel on a
    council PC writes. Never latin-1: it accepts any bytes and silently garbles £ and dashes.
    """
    candidates = ["utf-8-sig", "cp1252"] if encoding == "auto" else [encoding]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise ReadError(
        "encoding",
        "bad-encoding",
        "file is neither UTF-8 nor Windows cp1252 text; re-save it as CSV UTF-8"
        if encoding == "auto"
        else f"file is not valid {encoding} text",
    )


def read_csv(path: Path, spec: Dataset) -> tuple[list[list[str]], pd.DataFrame]:
    """The header rows' cells and the body (columns by position, cells as text)."""
    text = decode(path.read_bytes(), spec.encoding)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            header=None,
            keep_default_na=False,
            skiprows=spec.header[0] - 1,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReadError("file", "bad-csv", f"cannot read as CSV: {exc}") from None
    n = len(spec.header)
    header = frame.iloc[:n].fillna("").astype(str).values.tolist()
    body = frame.iloc[n:].fillna("").reset_index(drop=True)
    # A blank line at the very end of a file is not a data row.
    while len(body) and (body.iloc[-1].astype(str).str.strip() == "").all():
        body = body.iloc[:-1]
    body.columns = range(body.shape[1])
    return header, body


def read_xlsx(path: Path, spec: Dataset) -> tuple[list[list[str]], pd.DataFrame]:
    """The header rows' cells and the body (columns by position, cells as text)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ReadError("file", "bad-xlsx", f"cannot open as an xlsx workbook: {exc}") from None
    try:
        if spec.sheet is None:
            sheet = workbook.worksheets[0]
        elif spec.sheet in workbook.sheetnames:
            sheet = workbook[spec.sheet]
        else:
            raise ReadError(
                "sheet",
                "unknown-sheet",
                f"no sheet {spec.sheet!r}; sheets are: "
                + ", ".join(repr(s) for s in workbook.sheetnames),
            )
        rows = list(sheet.iter_rows(min_row=spec.header[0], values_only=True))
    finally:
        workbook.close()
    n = len(spec.header)
    if len(rows) < n:
        field = "header_rows" if spec.header_rows else "header_row"
        raise ReadError(field, "empty-sheet", f"no rows at or below header row {spec.header[-1]}")
    width = max(len(r) for r in rows[:n])
    header = [[cell_text(c) for c in r] for r in rows[:n]]
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[n:]]
    # Trailing blank rows are common below a spreadsheet table; they are not data.
    while body and all(c is None or str(c).strip() == "" for c in body[-1]):
        body.pop()
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    return header, frame.map(cell_text)


def cell_text(value: object) -> str:
    """A cell as the text a user sees: 2024.0 stored by Excel reads as "2024"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
