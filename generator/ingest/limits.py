"""Limits on what a council's input may cost to read, and paths it may name.

Every input is checked against these before it is read in full, so that a huge or hostile
file is refused with a message stating the limit instead of exhausting memory. The limits
are generous for real council extracts (a national postcode lookup is about 40 MB and
230,000 rows) and keep a run under 1 GB even when every row is bad (measured: 500,000 rows,
each a duplicate in two measures, peak 780 MB). Two can be changed for one run:

=======================  =============================================  ==================
variable                 what                                           default
=======================  =============================================  ==================
``CDASH_MAX_FILE_MB``    size of a data file, lookup or GeoJSON (for an  100 MB
                         xlsx: its unpacked size)
``CDASH_MAX_ROWS``       rows of one data file or lookup                 500,000
=======================  =============================================  ==================

A YAML file (council.yaml, pack.yaml) may be at most 1 MB, nest at most 50 levels, and
expand to at most 100,000 nodes through its aliases (a "billion laughs" file is refused).
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from xml.etree import ElementTree

#: Largest council.yaml or pack.yaml read.
MAX_YAML_BYTES = 1_000_000
#: Deepest nesting of YAML collections.
MAX_YAML_DEPTH = 50
#: Most YAML nodes after aliases are expanded.
MAX_YAML_NODES = 100_000

FILE_MB_ENV = "CDASH_MAX_FILE_MB"
ROWS_ENV = "CDASH_MAX_ROWS"
DEFAULT_FILE_MB = 100
DEFAULT_ROWS = 500_000


def _env_number(name: str, default: float) -> float:
    """A positive number from the environment; the default when unset or not a number."""
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


def max_file_bytes() -> int:
    """Largest data file, lookup or GeoJSON read (an xlsx: unpacked), in bytes."""
    return int(_env_number(FILE_MB_ENV, DEFAULT_FILE_MB) * 1_000_000)


def max_rows() -> int:
    """Most rows read from one data file or lookup."""
    return int(_env_number(ROWS_ENV, DEFAULT_ROWS))


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


def too_large(path: Path, what: str = "file") -> str | None:
    """A message if ``path`` is over the size limit, else None."""
    size = path.stat().st_size
    limit = max_file_bytes()
    if size <= limit:
        return None
    return (
        f"{what} is {megabytes(size)}, over the limit of {megabytes(limit)} "
        f"(set {FILE_MB_ENV} to raise it)"
    )


def too_many_rows(rows: int) -> str | None:
    limit = max_rows()
    if rows <= limit:
        return None
    return f"more than {limit:,} rows (the limit; set {ROWS_ENV} to raise it)"


def outside(relative: str) -> bool:
    """True when a path that must stay inside a folder is absolute or climbs out with ..

    Checked on the text, not on the resolved path, so that a file linked into the folder
    is still allowed."""
    posix, windows = PurePosixPath(relative), PureWindowsPath(relative)
    return (
        posix.is_absolute()
        or bool(windows.drive or windows.root)
        or ".." in posix.parts
        or ".." in windows.parts
    )


def outside_message(file: str) -> str:
    """Why a data file named by an absolute path, or one climbing out with '..', is refused."""
    return (
        f"{file!r} is outside the data folder: name files relative to it, without '..' "
        "(the data folder is given by --data-dir or CDASH_DATA_DIR)"
    )


def refuse_data_file(
    file: str, path: Path, file_format: str, sheet: str | None
) -> tuple[str, str] | None:
    """(code, message) when a dataset's file must not be read: named outside the data
    folder, over the size limit, or (xlsx) no workbook or one declaring too many rows.
    None when it may be read (or is missing: the caller reports that)."""
    if outside(file):
        return "outside-data-folder", outside_message(file)
    if not path.is_file():
        return None
    message = too_large(path, file)
    if message:
        return "file-too-large", message
    return check_xlsx(path, sheet) if file_format == "xlsx" else None


def check_xlsx(path: Path, sheet: str | None) -> tuple[str, str] | None:
    """(code, message) when ``path`` is no workbook, or one too large to read; else None.

    Looks only at the zip directory and the sheet's declared dimension, so a workbook of a
    million rows is refused without being unpacked."""
    if not zipfile.is_zipfile(path):
        return "bad-xlsx", "not an xlsx workbook (it is not a zip file; a CSV renamed .xlsx?)"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > max_file_bytes():
                return "file-too-large", (
                    f"the workbook unpacks to {megabytes(unpacked)}, over the limit of "
                    f"{megabytes(max_file_bytes())} (set {FILE_MB_ENV} to raise it)"
                )
            if "xl/workbook.xml" not in names:
                return "bad-xlsx", "not an xlsx workbook (no xl/workbook.xml inside)"
            sheets = _sheet_files(archive)
            if not any(f in names for f in sheets.values()):
                return "bad-xlsx", "the workbook has no worksheets"
            target = sheets.get(sheet) if sheet is not None else next(iter(sheets.values()))
            if target is None or target not in names:
                return None  # an unknown sheet is reported by the reader, with the names
            with archive.open(target) as fh:
                head = fh.read(4096)
    except (zipfile.BadZipFile, OSError, ElementTree.ParseError, KeyError, EOFError) as exc:
        return "bad-xlsx", f"damaged xlsx workbook ({exc})"
    found = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    if found:
        message = too_many_rows(int(found.group(1)))
        if message:
            return "too-many-rows", f"the sheet says it has {message}"
    return None


def _sheet_files(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML file in the archive, in workbook order."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels:
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = target
    out = {}
    for n, node in enumerate(book.iterfind("m:sheets/m:sheet", ns), start=1):
        rid = node.get(f"{{{ns['r']}}}id", "")
        out[node.get("name", "")] = targets.get(rid, f"xl/worksheets/sheet{n}.xml")
    return out


def text_line(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``data``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1  # type: ignore[arg-type]
    start = data.rfind(newline, 0, offset) + 1  # type: ignore[arg-type]
    return line, offset - start + 1
