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
in the whole lookup, with the council it lies in, so a national dataset (SIMD, CiLIF) can be
filtered to the council without reporting the rest of the country as unknown areas, and
summed for Scotland and for every council.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator.atomic import write_atomically
from generator.errors import Problem, ProblemsError
from generator.ingest.geoinputs import (
    SCOTLAND_LEVELS,
    LevelColumns,
    read_boundaries,
    read_lookup,
)
from generator.ingest.geoinputs import feature_lines as feature_lines
from generator.ingest.yamlio import display

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
                pd.DataFrame(
                    {
                        "level": level.id,
                        "code": national[code_col].str.strip(),
                        "council": national[top_col].str.strip(),
                    }
                )
                for level, code_col, _ in found
            ]
        )
        .drop_duplicates(["level", "code"])
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
