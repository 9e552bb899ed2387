"""Reading the inputs of ``cdash geography import``: boundaries (any format GDAL reads, in
any CRS, reprojected to WGS84) and the lookup CSV, each checked as it is read so that every
problem is located in its file: size, encoding, empty files, codes, invalid shapes, and
coordinates that cannot be longitude/latitude."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator.errors import Problem, ProblemsError
from generator.ingest import limits
from generator.ingest.yamlio import display


@dataclass(frozen=True)
class LevelColumns:
    """A level of the pack and the lookup columns that may hold its codes and names."""

    id: str
    label: str
    label_plural: str
    code_columns: tuple[str, ...]
    name_columns: tuple[str, ...]


#: Scottish levels, smallest first. Column names cover the official statistics.gov.scot
#: lookups (2011 and 2022 data zones) and the tidy lookup in ../shared/data.
SCOTLAND_LEVELS: tuple[LevelColumns, ...] = (
    LevelColumns(
        "datazone",
        "Data zone",
        "Data zones",
        ("DZ2011_Code", "DZ2022_Code", "DataZone", "dz_code", "datazone_code"),
        ("DZ2011_Name", "DZ2022_Name", "dz_name", "datazone_name"),
    ),
    LevelColumns(
        "intermediate_zone",
        "Intermediate zone",
        "Intermediate zones",
        ("IZ2011_Code", "IZ2022_Code", "InterZone", "iz_code", "intermediate_zone_code"),
        ("IZ2011_Name", "IZ2022_Name", "iz_name", "intermediate_zone_name"),
    ),
    LevelColumns(
        "ward", "Ward", "Wards", ("MMWard_Code", "ward_code"), ("MMWard_Name", "ward_name")
    ),
    LevelColumns(
        "council",
        "Council",
        "Councils",
        ("LA_Code", "CA", "la_code", "council_code"),
        ("LA_Name", "la_name", "council_name"),
    ),
)

#: Default simplification tolerance in metres (roughly the side of the smallest triangle
#: kept). 10 m keeps data zones recognisable at street scale.


@dataclass
class Shapes:
    codes: list[str]
    names: list[str]
    geoms: Any  # numpy array of shapely geometries, WGS84


def read_boundaries(
    path: Path,
    code_field: str | None,
    name_field: str | None,
    crs: str | None,
    candidates: Sequence[str],
) -> Shapes:
    """Read ``path`` (GeoJSON, zipped shapefile, GeoPackage), reprojected to WGS84.

    Raises ProblemsError naming the file and field for a missing field, duplicate or blank
    codes, or a CRS that is missing or unknown.
    """
    import pyogrio
    import shapely
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    shown = display(path)
    if not path.is_file():
        raise ProblemsError(
            [Problem(shown, None, None, "", "missing-file", "boundary file not found")]
        )
    too_large = limits.too_large(path, "the boundary file")
    if too_large:
        raise ProblemsError([Problem(shown, 1, None, "", "file-too-large", too_large)])
    try:
        meta, _, wkb, values = pyogrio.raw.read(str(path))
    except Exception as exc:  # GDAL's errors vary by driver; all mean "cannot read it"
        raise ProblemsError(
            [
                Problem(
                    shown,
                    1,
                    None,
                    "",
                    "bad-boundaries",
                    "cannot read as GeoJSON, shapefile or GeoPackage: "
                    + str(exc).replace(str(path), shown)[:300],
                )
            ]
        ) from None
    if len(wkb) == 0:
        raise ProblemsError(
            [Problem(shown, 1, None, "", "empty-boundaries", "the file holds no shapes")]
        )
    fields = [str(f) for f in meta["fields"]]
    problems: list[Problem] = []
    if code_field is None:
        code_field = next((c for c in candidates if c in fields), None)
        if code_field is None:
            problems.append(
                Problem(
                    shown,
                    1,
                    None,
                    "code_field",
                    "missing-field",
                    "no code field found: pass --code-field; fields are: " + ", ".join(fields),
                )
            )
    for role, name in (("code", code_field), ("name", name_field)):
        if name is not None and name not in fields:
            problems.append(
                Problem(
                    shown,
                    1,
                    None,
                    name,
                    "missing-field",
                    f"no {role} field {name!r}; fields are: " + ", ".join(fields),
                )
            )
    source_crs = crs or meta.get("crs")
    transformer = None
    if not source_crs:
        problems.append(
            Problem(
                shown,
                1,
                None,
                "crs",
                "unknown-crs",
                "the file does not say its coordinate reference system; "
                "pass --crs (EPSG:27700 for British National Grid)",
            )
        )
    else:
        try:
            parsed = CRS.from_user_input(source_crs)
            if not parsed.equals(CRS.from_epsg(4326)):
                transformer = Transformer.from_crs(parsed, 4326, always_xy=True)
        except (CRSError, ValueError):
            problems.append(
                Problem(
                    shown,
                    1,
                    None,
                    "crs",
                    "unknown-crs",
                    f"unknown coordinate reference system {source_crs!r}",
                )
            )
    if problems:
        raise ProblemsError(problems, "the boundary file has problems")
    assert code_field is not None
    codes = [str(v).strip() if v is not None else "" for v in values[fields.index(code_field)]]
    names = (
        [str(v).strip() for v in values[fields.index(name_field)]]
        if name_field
        else [""] * len(codes)
    )
    seen: dict[str, int] = {}
    lines = feature_lines(path, codes)
    for n, code in enumerate(codes, start=1):
        if not code:
            problems.append(
                Problem(shown, lines(n), None, code_field, "blank-code", f"feature {n} has no code")
            )
        elif code in seen:
            problems.append(
                Problem(
                    shown,
                    lines(n),
                    None,
                    code_field,
                    "duplicate-code",
                    f"{code} is on features {seen[code]} and {n}",
                )
            )
        else:
            seen[code] = n
    if problems:
        raise ProblemsError(problems, "the boundary file has problems")
    try:
        geoms = shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as exc:
        raise ProblemsError(
            [Problem(shown, 1, None, "", "bad-boundaries", f"a shape cannot be read: {exc}")]
        ) from None
    if transformer is None:  # already longitude/latitude: it must look like it
        _check_lon_lat(shown, geoms)
    else:
        geoms = shapely.transform(geoms, _projector(transformer))
    for n in np.flatnonzero(~shapely.is_valid(geoms))[:20]:
        problems.append(
            Problem(
                shown,
                lines(int(n) + 1),
                None,
                code_field,
                "invalid-shape",
                f"the shape of {codes[n]} (feature {n + 1}) is invalid: "
                f"{shapely.is_valid_reason(geoms[n])}; repair it first (e.g. QGIS "
                "'Fix geometries')",
            )
        )
    if problems:
        raise ProblemsError(problems, "the boundary file has problems")
    return Shapes(codes, names, geoms)


def _check_lon_lat(shown: str, geoms: Any) -> None:
    """Refuse coordinates that cannot be longitude/latitude (British National Grid metres
    in a file that does not say so, for instance)."""
    import shapely

    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    if x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90:
        return
    raise ProblemsError(
        [
            Problem(
                shown,
                1,
                None,
                "crs",
                "not-wgs84",
                f"coordinates run from ({x0:g}, {y0:g}) to ({x1:g}, {y1:g}), outside "
                "longitude/latitude, though the file says (or GeoJSON assumes) WGS84: pass "
                "--crs with the real system (EPSG:27700 for British National Grid)",
            )
        ]
    )


def feature_lines(path: Path, codes: Sequence[str]) -> Callable[[int], int | None]:
    """Feature number (1-based) -> the line of a GeoJSON file where its code first appears;
    None for binary formats (shapefile, GeoPackage), where features have no line."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return lambda n: None
    text = path.read_text(encoding="utf-8", errors="replace")

    def line(n: int) -> int | None:
        code = codes[n - 1] if 0 < n <= len(codes) else ""
        pos = text.find(json.dumps(code)) if code else -1
        return text.count("\n", 0, pos) + 1 if pos >= 0 else 1

    return line


def _projector(transformer: Any) -> Callable[[np.ndarray], np.ndarray]:
    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return project


def read_lookup(
    path: Path, levels: Sequence[LevelColumns]
) -> tuple[pd.DataFrame, list[tuple[LevelColumns, str, str | None]]]:
    """The lookup CSV and, for each level found in it, its code and name columns.

    The base level's code column must be there; a higher level with no code column is left
    out of the pack. Raises ProblemsError naming the file and the column otherwise.
    """
    shown = display(path)
    if not path.is_file():
        raise ProblemsError(
            [Problem(shown, None, None, "", "missing-file", "lookup file not found")]
        )
    frame = _read_lookup_csv(path, shown)
    frame.columns = [c.strip() for c in frame.columns]
    found = []
    for level in levels:
        code = next((c for c in level.code_columns if c in frame.columns), None)
        name = next((c for c in level.name_columns if c in frame.columns), None)
        if code is None:
            if level is levels[0]:
                raise ProblemsError(
                    [
                        Problem(
                            shown,
                            1,
                            None,
                            level.code_columns[0],
                            "missing-column",
                            f"no {level.label.lower()} code column (tried "
                            f"{', '.join(level.code_columns)}); columns are: "
                            + ", ".join(frame.columns),
                        )
                    ]
                )
            continue
        found.append((level, code, name))
    base_col = found[0][1]
    dupes = frame[frame[base_col].duplicated()]
    if not dupes.empty:
        raise ProblemsError(
            [
                Problem(
                    shown,
                    int(i) + 2,
                    None,
                    base_col,
                    "duplicate-code",
                    f"{code} appears more than once",
                )
                for i, code in dupes[base_col].items()
            ]
        )
    return frame, found


def _read_lookup_csv(path: Path, shown: str) -> pd.DataFrame:
    """The lookup CSV as text columns; ProblemsError (located at line 1) if unreadable."""

    def refuse(code: str, message: str, line: int = 1) -> ProblemsError:
        return ProblemsError([Problem(shown, line, None, "", code, message)])

    too_large = limits.too_large(path, "the lookup")
    if too_large:
        raise refuse("file-too-large", too_large)
    data = path.read_bytes()
    if not data.strip():
        raise refuse("empty-file", "the lookup is empty: it needs a header row and rows")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(
            "bad-encoding", f"not UTF-8 text ({exc.reason})", limits.text_line(data, exc.start)[0]
        ) from None
    if "\x00" in text:
        raise refuse("bad-encoding", "holds NUL bytes: not a CSV text file")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise refuse("bad-csv", f"cannot read as CSV: {str(exc).strip()}") from None
    if frame.empty:
        raise refuse("no-rows", "the lookup has a header row but no rows")
    too_many = limits.too_many_rows(len(frame))
    if too_many:
        raise refuse("too-many-rows", f"the lookup has {too_many}")
    return frame
