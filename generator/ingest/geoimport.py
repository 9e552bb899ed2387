"""``cdash geography import``: official boundaries and a lookup in, a geography pack out.

Boundaries of the smallest unit (data zones) come as GeoJSON, a zipped shapefile or a
GeoPackage, in any CRS (GDAL reads them, through pyogrio). The lookup is a CSV with one row
per smallest unit and a code (and name) column for every higher level; the official
statistics.gov.scot data zone lookup works as published. Higher levels' shapes are the union
of their data zones' shapes *through the lookup*, so they tile exactly with the data zones.

Shapes are reprojected to WGS84, snapped to a 1e-5 degree grid (about 1 m: the 5 decimals
the pack format stores) and simplified as a coverage, so neighbours keep sharing their
borders exactly: no gaps, no overlaps.

Besides the pack of the councils imported, ``national.csv`` lists every code of every level
in the whole lookup, so a national dataset (SIMD, CiLIF) can be filtered to the council
without reporting the rest of the country as unknown areas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator.atomic import write_atomically
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
DEFAULT_TOLERANCE_M = 10.0
GRID_DEGREES = 1e-5  # 5 decimal places, about 1 m
METRES_PER_DEGREE = 111_320.0


@dataclass
class LevelReport:
    """One level of an imported pack."""

    id: str
    areas: int
    bytes: int


@dataclass
class ImportReport:
    """What ``import_pack`` wrote."""

    out: Path
    levels: list[LevelReport]
    councils: list[str]
    vertices_in: int
    vertices_out: int
    files: dict[str, int] = field(default_factory=dict)  # file name -> bytes

    @property
    def ratio(self) -> float:
        """Base-level vertices kept, as a share of those read (smaller is simpler)."""
        return self.vertices_out / self.vertices_in if self.vertices_in else 1.0


@dataclass
class _Shapes:
    codes: list[str]
    names: list[str]
    geoms: Any  # numpy array of shapely geometries, WGS84


def read_boundaries(
    path: Path,
    code_field: str | None,
    name_field: str | None,
    crs: str | None,
    candidates: Sequence[str],
) -> _Shapes:
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
    return _Shapes(codes, names, geoms)


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


def import_pack(
    boundaries: Path,
    lookup: Path,
    out: Path,
    *,
    name: str,
    vintage: str,
    code_field: str | None = None,
    name_field: str | None = None,
    crs: str | None = None,
    councils: Sequence[str] = (),
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    allow_unmatched: bool = False,
    levels: Sequence[LevelColumns] = SCOTLAND_LEVELS,
    attribution: str = "",
    description: str = "",
) -> ImportReport:
    """Build a geography pack in ``out`` from base-level ``boundaries`` and a ``lookup``.

    The pack covers ``councils`` (top-level codes), or by default every top-level area that
    some shape falls in. Every lookup row of those areas must have a shape and every shape a
    lookup row, unless ``allow_unmatched``: then unmatched rows and shapes are left out.
    Raises ProblemsError naming the file and the field; writes atomically.
    """
    import shapely

    frame, found = read_lookup(lookup, levels)
    base, base_col, base_name_col = found[0]
    top_col = found[-1][1]
    shapes = read_boundaries(boundaries, code_field, name_field, crs, (*base.code_columns, "code"))
    shown_lookup, shown_shapes = display(lookup), display(boundaries)
    national = frame
    in_lookup = set(frame[base_col])
    wanted = set(councils) or set(frame.loc[frame[base_col].isin(shapes.codes), top_col])
    frame = frame[frame[top_col].isin(wanted)]
    problems: list[Problem] = []
    shape_index = {c: i for i, c in enumerate(shapes.codes)}
    no_shape = frame[~frame[base_col].isin(shape_index)]
    no_row = [c for c in shapes.codes if c not in in_lookup or c not in set(frame[base_col])]
    if not allow_unmatched:
        for i, code in no_shape[base_col].head(20).items():
            problems.append(
                Problem(
                    shown_lookup,
                    int(i) + 2,
                    None,
                    base_col,
                    "no-shape",
                    f"{code} has no shape in {shown_shapes}",
                )
            )
        if len(no_shape) > 20:
            problems.append(
                Problem(
                    shown_lookup,
                    None,
                    None,
                    base_col,
                    "no-shape",
                    f"... and {len(no_shape) - 20} more codes with no shape",
                )
            )
        lines = feature_lines(boundaries, shapes.codes)
        for code in no_row[:20]:
            problems.append(
                Problem(
                    shown_shapes,
                    lines(shape_index[code] + 1),
                    None,
                    code_field or base_col,
                    "no-lookup-row",
                    f"{code} (feature {shape_index[code] + 1}) has no row in "
                    f"{shown_lookup} for the councils imported",
                )
            )
        if len(no_row) > 20:
            problems.append(
                Problem(
                    shown_shapes,
                    None,
                    None,
                    code_field or base_col,
                    "no-lookup-row",
                    f"... and {len(no_row) - 20} more",
                )
            )
    if frame.empty:
        problems.append(
            Problem(
                shown_lookup,
                1,
                None,
                top_col,
                "no-rows",
                "no lookup rows for the councils asked for: " + ", ".join(sorted(wanted))
                if wanted
                else "no shape's code is in the lookup",
            )
        )
    if problems:
        raise ProblemsError(problems, "cannot import the geography")
    frame = frame[frame[base_col].isin(shape_index)].sort_values(base_col, ignore_index=True)

    # The pack's lookup: <level>_code, <level>_name for every level.
    pack_lookup = pd.DataFrame()
    for level, code_col, name_col in found:
        pack_lookup[f"{level.id}_code"] = frame[code_col].str.strip()
        pack_lookup[f"{level.id}_name"] = (
            frame[name_col].str.strip() if name_col else frame[code_col].str.strip()
        )
    if name_field and not base_name_col:
        names = dict(zip(shapes.codes, shapes.names, strict=True))
        pack_lookup[f"{base.id}_name"] = pack_lookup[f"{base.id}_code"].map(names)

    order = [shape_index[c] for c in pack_lookup[f"{base.id}_code"]]
    raw = shapes.geoms[order]
    vertices_in = int(shapely.get_num_coordinates(raw).sum())
    base_geoms = simplify_coverage(raw, tolerance_m)
    vertices_out = int(shapely.get_num_coordinates(base_geoms).sum())

    files: dict[str, bytes] = {}
    reports: list[LevelReport] = []
    level_lines = []
    for level, _, _ in found:
        codes = pack_lookup[f"{level.id}_code"].to_numpy()
        areas = (
            pack_lookup[[f"{level.id}_code", f"{level.id}_name"]]
            .drop_duplicates(f"{level.id}_code")
            .sort_values(f"{level.id}_code")
        )
        if level is base:
            geoms = list(base_geoms)
        else:
            geoms = [_union(base_geoms[codes == code]) for code in areas.iloc[:, 0]]
        body = feature_collection(list(zip(areas.iloc[:, 0], areas.iloc[:, 1], geoms, strict=True)))
        files[f"{level.id}.geojson"] = body
        reports.append(LevelReport(level.id, len(areas), len(body)))
        level_lines.append(
            f"  - {{id: {level.id}, label: {level.label}, label_plural: "
            f"{level.label_plural}, boundaries: {level.id}.geojson}}"
        )
    files["lookup.csv"] = _csv(pack_lookup)
    codes_national = (
        pd.concat(
            [
                pd.DataFrame({"level": level.id, "code": national[code_col].str.strip()})
                for level, code_col, _ in found
            ]
        )
        .drop_duplicates()
        .sort_values(["level", "code"])
    )
    files["national.csv"] = _csv(codes_national)
    about = description or f"Imported from {boundaries.name} and {lookup.name}."
    files["pack.yaml"] = (
        "# Made by `cdash geography import`; re-run it rather than editing by hand.\n"
        f"name: {_yaml_str(name)}\nvintage: {_yaml_str(vintage)}\n"
        f"description: {_yaml_str(about)}\n"
        f"attribution: {_yaml_str(attribution)}\n"
        "levels:                 # smallest first\n" + "\n".join(level_lines) + "\n"
        "lookup: lookup.csv\nnational_codes: national.csv\n"
    ).encode("utf-8")
    write_atomically(out, files)
    return ImportReport(
        out,
        reports,
        sorted(wanted),
        vertices_in,
        vertices_out,
        {k: len(v) for k, v in sorted(files.items())},
    )


def simplify_coverage(geoms: Any, tolerance_m: float) -> Any:
    """Snap to the 5-decimal grid, then simplify as a coverage: shared borders stay shared.

    ``geoms`` are WGS84 polygons that tile without overlaps. Snapping first makes borders
    that were meant to coincide coincide exactly, which coverage simplification needs.
    """
    import shapely

    snapped = shapely.set_precision(np.asarray(geoms, dtype=object), GRID_DEGREES)
    if tolerance_m <= 0:
        return snapped
    simplified = shapely.coverage_simplify(snapped, tolerance_m / METRES_PER_DEGREE)
    # Simplified vertices are a subset of the snapped ones, so they stay on the grid; the
    # second snap only repairs any ring the simplification left invalid.
    return shapely.set_precision(simplified, GRID_DEGREES)


def _union(geoms: Any) -> Any:
    import shapely

    if shapely.coverage_is_valid(geoms):
        return shapely.coverage_union_all(geoms)
    return shapely.set_precision(shapely.union_all(geoms), GRID_DEGREES)


def _round_coords(obj: Any, places: int = 5) -> Any:
    if isinstance(obj, float):
        return round(obj, places)
    if isinstance(obj, list | tuple):
        return [_round_coords(v, places) for v in obj]
    return obj


def feature_collection(features: Sequence[tuple[str, str, Any]]) -> bytes:
    """GeoJSON text of (code, name, shapely geometry) features, coordinates rounded to 5
    decimals (about 1 m): one feature per line, so diffs of committed packs stay readable."""
    import shapely

    lines = []
    for code, name, geom in features:
        geometry = shapely.geometry.mapping(geom)
        feature = {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name},
            "geometry": {
                "type": geometry["type"],
                "coordinates": _round_coords(geometry["coordinates"]),
            },
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return ('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n").encode(
        "utf-8"
    )


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue().encode("utf-8")


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
