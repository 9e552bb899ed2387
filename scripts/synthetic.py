"""The synthetic demo council: a fictional geography and council-held datasets.

Everything made here is invented. "Glenvale Council", its towns, wards and data zones do not
exist, and no number describes real people. The demo exists so that the whole pipeline can be
run, shown and tested without any council's data.

The module has three layers, so that parts can be reused (for instance to make synthetic
extracts on a *real* geography pack):

1. Geography (needs shapely, imported lazily): :func:`make_geography` builds data zones as
   Voronoi cells of clustered points clipped to an irregular outline, groups them into
   contiguous wards, and names everything; :func:`write_geography_pack` writes the pack.
2. Data (numpy and pandas only): :func:`deprivation_scores` gives a spatially smooth
   deprivation score per zone; :func:`generate_datasets` turns *any* table of data zones with a
   deprivation score into council-held datasets with planted low-uptake zones.
3. Exports: :func:`write_council_exports` writes those datasets in the shapes councils really
   export (xlsx with title rows, cp1252 CSV, UTF-8 with BOM, thousands separators).

:func:`write_demo` runs all three with :data:`DEMO_SEED`; ``scripts/make_demo.py`` calls it.
Every random draw comes from a ``numpy.random.Generator`` passed in, never global state, and
every file is written byte-for-byte reproducibly (fixed xlsx timestamps, fixed key order).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator.ingest.geoimport import feature_collection

DEMO_SEED = 20250521
DEMO_PERIODS: tuple[str, ...] = ("2020/21", "2021/22", "2022/23", "2023/24", "2024/25")
COUNCIL_NAME = "Glenvale Council"
COUNCIL_CODE = "X12000001"
#: Centre of the fictional council in WGS84 (somewhere in central Scotland, but invented).
CENTRE_LONLAT = (-3.6, 55.9)
#: Measures whose receipt is planted low in the low-uptake zones.
PLANTED_MEASURES: tuple[str, ...] = (
    "fsm_registered_p6_p7",
    "fsm_registered_secondary",
    "scg_awards",
    "scp_children",
    "ctr_households_with_children",
)
#: Number of Scottish data zones (2011), the range of SIMD ranks.
SIMD_ZONES = 6976

_GRID_KM = 0.001  # 1 m snapping grid while building shapes in kilometres
_GRID_DEG = 1e-5  # 5 decimals of a degree, about 1 m, for the published GeoJSON
_FIXED_TIME = datetime(2025, 4, 1, 9, 0, 0)  # stamped into the xlsx so reruns are identical


# --------------------------------------------------------------------------------------------
# Layout of the fictional council
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    """A town or village: where its data zones cluster and what its neighbourhoods are called.

    Positions are kilometres east/north of the council centre.
    """

    name: str
    kind: str  # "town" or "village"
    x: float
    y: float
    zones: int  # data zones seeded around it
    spread: float  # standard deviation of the seed points, km
    neighbourhoods: tuple[str, ...] = ()  # names by compass sector N, NE, E, ..., NW (towns)


SETTLEMENTS: tuple[Settlement, ...] = (
    Settlement(
        "Glenvale",
        "town",
        -2.5,
        0.8,
        52,
        1.1,
        (
            "Hillend",
            "Burnside",
            "Eastfield",
            "Mosspark",
            "Southmuir",
            "Craigpark",
            "Westerlee",
            "Northbank",
        ),
    ),
    Settlement(
        "Kirkbrae",
        "town",
        5.5,
        -2.2,
        30,
        0.85,
        (
            "Kirkhill",
            "Muirhead",
            "Eastmains",
            "Braefoot",
            "Southcroft",
            "Windyknowe",
            "Westmains",
            "Northfield",
        ),
    ),
    Settlement(
        "Auchtermuir",
        "town",
        -8.5,
        -3.2,
        18,
        0.7,
        (
            "Castlehill",
            "Millbrae",
            "Eastend",
            "Whinpark",
            "Southend",
            "Gowanbank",
            "Westend",
            "Northend",
        ),
    ),
    Settlement("Balmerran", "village", 2.0, 5.5, 4, 0.35),
    Settlement("Craigendrum", "village", 9.5, 3.0, 4, 0.35),
    Settlement("Lochennan", "village", -6.0, 4.5, 3, 0.3),
    Settlement("Drumhollie", "village", 0.5, -5.5, 4, 0.35),
    Settlement("Strathkeld", "village", -12.0, 1.5, 3, 0.3),
)
RURAL_ZONES = 28  # scattered farmland zones, much larger in area
N_WARDS = 7

#: Deprived estates: (settlement, bearing in degrees from north, distance km, strength).
#: Strength is the peak added to the deprivation score; the bump is about 0.65 km wide.
ESTATES: tuple[tuple[str, float, float, float], ...] = (
    ("Glenvale", 60.0, 1.2, 0.85),
    ("Glenvale", 235.0, 1.4, 0.8),
    ("Glenvale", 150.0, 1.9, 0.85),
    ("Kirkbrae", 150.0, 0.9, 0.85),
    ("Kirkbrae", 300.0, 1.1, 0.55),
    ("Auchtermuir", 320.0, 0.6, 0.8),
    ("Craigendrum", 0.0, 0.0, 0.8),  # former mining village
)


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------


@dataclass
class SyntheticGeography:
    """A fictional council: data zones, wards and council, with names and shapes.

    ``lookup`` has one row per data zone (``datazone_code, datazone_name, ward_code, ward_name,
    council_code, council_name``), sorted by data zone code; ``datazones`` holds the shapely
    polygons in the same order, in WGS84 lon/lat on a 1e-5 degree grid.
    """

    lookup: pd.DataFrame
    datazones: list[Any]
    wards: dict[str, Any]  # ward code -> polygon
    council: Any
    points_km: np.ndarray  # (n, 2) seed point of each zone, km from the centre
    settlement: list[str] = field(default_factory=list)  # settlement each zone belongs to


def _inside(outline: Any, x: float, y: float) -> bool:
    import shapely

    return bool(shapely.contains_xy(outline, x, y))


def _make_outline(rng: np.random.Generator) -> Any:
    """An irregular, wider-than-tall council outline of a few hundred km²."""
    import shapely

    theta = np.linspace(0.0, 2 * math.pi, 140, endpoint=False)
    radius = np.ones_like(theta)
    # Harmonics with random phases and falling amplitudes give a lumpy, natural-looking
    # boundary: big bulges from the low ones, a ragged edge from the high ones.
    for k in range(2, 15):
        amp = 0.3 / k**1.05 * rng.uniform(0.4, 1.0)
        radius += amp * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    radius *= 1 + rng.normal(0, 0.012, theta.size)
    x = 15.5 * radius * np.sin(theta)
    y = 9.5 * radius * np.cos(theta)
    return shapely.make_valid(shapely.Polygon(np.column_stack([x, y])))


def _seed_points(outline: Any, rng: np.random.Generator) -> tuple[np.ndarray, list[str], list[str]]:
    """Seed points of data zones: tight clusters for towns and villages, sparse rural ones.

    Returns the points, the settlement of each (rural points take the nearest settlement),
    and its kind (``town``, ``village`` or ``rural``).
    """
    points: list[tuple[float, float]] = []
    owner: list[str] = []
    kind: list[str] = []

    def far_enough(x: float, y: float, min_dist: float) -> bool:
        return all((x - px) ** 2 + (y - py) ** 2 >= min_dist**2 for px, py in points)

    for s in SETTLEMENTS:
        min_dist = 0.36 if s.kind == "town" else 0.3
        placed = 0
        while placed < s.zones:
            x, y = rng.normal(s.x, s.spread), rng.normal(s.y, s.spread)
            if _inside(outline, x, y) and far_enough(x, y, min_dist):
                points.append((x, y))
                owner.append(s.name)
                kind.append(s.kind)
                placed += 1
    minx, miny, maxx, maxy = outline.bounds
    placed = 0
    while placed < RURAL_ZONES:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if _inside(outline, x, y) and far_enough(x, y, 2.0):
            points.append((x, y))
            nearest = min(SETTLEMENTS, key=lambda s: (s.x - x) ** 2 + (s.y - y) ** 2)
            owner.append(nearest.name)
            kind.append("rural")
            placed += 1
    return np.array(points), owner, kind


def _voronoi_cells(points: np.ndarray, outline: Any) -> list[Any]:
    """Voronoi cells of ``points`` clipped to ``outline``, one single polygon per point.

    Clipping to a non-convex outline can cut a cell in two; stray pieces join the neighbour
    they share most border with, so every zone stays one contiguous polygon.
    """
    import shapely

    cells = list(
        shapely.voronoi_polygons(
            shapely.MultiPoint(points), extend_to=outline.buffer(5), ordered=True
        ).geoms
    )
    cells = [c.intersection(outline) for c in cells]
    for i, cell in enumerate(cells):
        if cell.geom_type != "Polygon":
            parts = sorted(getattr(cell, "geoms", []), key=lambda p: -p.area)
            parts = [p for p in parts if p.geom_type == "Polygon"]
            cells[i] = parts[0]
            for part in parts[1:]:
                j = max(
                    (j for j in range(len(cells)) if j != i),
                    key=lambda j: cells[j].boundary.intersection(part.boundary).length,
                )
                cells[j] = shapely.union(cells[j], part)
    return list(shapely.set_precision(np.array(cells, dtype=object), _GRID_KM))


def _segments(ring: Sequence[tuple[float, float]]) -> list[tuple[tuple[float, float], ...]]:
    return [tuple(sorted((ring[k], ring[k + 1]))) for k in range(len(ring) - 1)]


def _adjacency(cells: Sequence[Any]) -> tuple[list[set[int]], dict[tuple, list[int]]]:
    """Neighbours of each cell (sharing a border segment) and the cells of each segment."""
    owners: dict[tuple, list[int]] = {}
    for i, cell in enumerate(cells):
        for seg in _segments(list(cell.exterior.coords)):
            owners.setdefault(seg, []).append(i)
    neighbours: list[set[int]] = [set() for _ in cells]
    for cells_of in owners.values():
        if len(cells_of) == 2:
            a, b = cells_of
            neighbours[a].add(b)
            neighbours[b].add(a)
    return neighbours, owners


def _wiggle(
    cells: Sequence[Any], owners: Mapping[tuple, list[int]], rng: np.random.Generator
) -> list[Any]:
    """Bend every shared border a little so zones look less like a textbook Voronoi diagram.

    Each shared segment gets two extra vertices, offset sideways by the same amount for both
    cells (offsets are drawn once per segment, in sorted segment order), so borders stay
    exactly shared. The council outline is left alone.
    """
    import shapely

    offsets: dict[tuple, list[tuple[float, float]]] = {}
    for seg in sorted(s for s, c in owners.items() if len(c) == 2):
        (ax, ay), (bx, by) = seg
        length = math.hypot(bx - ax, by - ay)
        o1, o2 = rng.uniform(-0.09, 0.09, 2)
        if length < 0.25:  # short edges stay straight: bending them risks self-crossing
            continue
        nx, ny = -(by - ay) / length, (bx - ax) / length
        offsets[seg] = [
            (
                round(ax + (bx - ax) * t + nx * o * length, 3),
                round(ay + (by - ay) * t + ny * o * length, 3),
            )
            for t, o in ((1 / 3, o1), (2 / 3, o2))
        ]
    out = []
    for cell in cells:
        ring = list(cell.exterior.coords)
        new_ring = [ring[0]]
        for k in range(len(ring) - 1):
            a, b = ring[k], ring[k + 1]
            extra = offsets.get(tuple(sorted((a, b))), [])
            new_ring.extend(extra if a <= b else extra[::-1])
            new_ring.append(b)
        out.append(shapely.Polygon(new_ring))
    return out


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, iters: int = 100) -> np.ndarray:
    """Plain Lloyd k-means; returns the k centres."""
    centres = points[rng.choice(len(points), size=k, replace=False)]
    for _ in range(iters):
        label = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1).argmin(1)
        new = np.array(
            [points[label == j].mean(0) if (label == j).any() else centres[j] for j in range(k)]
        )
        if np.allclose(new, centres):
            break
        centres = new
    return centres


def _grow_wards(
    centroids: np.ndarray, neighbours: Sequence[set[int]], k: int, rng: np.random.Generator
) -> np.ndarray:
    """Contiguous wards of about equal numbers of zones, grown over the adjacency graph.

    Seeds are the zones nearest to k-means centres. At each step the smallest ward that can
    still grow takes the unassigned neighbouring zone closest to its centre. Every ward is
    contiguous because it only ever takes neighbours of its own zones.
    """
    centres = _kmeans(centroids, k, rng)
    ward = np.full(len(centroids), -1)
    for j, c in enumerate(centres):
        order = ((centroids - c) ** 2).sum(1).argsort()
        seed = next(int(i) for i in order if ward[i] == -1)
        ward[seed] = j
    while (ward == -1).any():
        sizes = np.bincount(ward[ward >= 0], minlength=k)
        for j in sizes.argsort(kind="stable"):
            frontier = sorted(
                {
                    n
                    for i in np.flatnonzero(ward == j).tolist()
                    for n in neighbours[i]
                    if ward[n] == -1
                }
            )
            if frontier:
                best = min(frontier, key=lambda n: ((centroids[n] - centres[j]) ** 2).sum())
                ward[best] = j
                break
    return ward


_COMPASS8 = (
    "North",
    "North East",
    "East",
    "South East",
    "South",
    "South West",
    "West",
    "North West",
)


def _sector(dx: float, dy: float) -> int:
    """Compass sector 0..7 (N, NE, ..., NW) of a displacement."""
    bearing = math.degrees(math.atan2(dx, dy)) % 360
    return int(((bearing + 22.5) % 360) // 45)


def _zone_base_names(points: np.ndarray, owner: Sequence[str], kind: Sequence[str]) -> list[str]:
    """Neighbourhood name of each zone, before the " - 01" number is added."""
    by_name = {s.name: s for s in SETTLEMENTS}
    names = []
    for (x, y), own, knd in zip(points, owner, kind, strict=True):
        s = by_name[own]
        if knd == "rural":
            names.append(f"{own} Rural")
        elif knd == "village":
            names.append(own)
        elif math.hypot(x - s.x, y - s.y) < 0.6:
            names.append(f"{own} Town Centre")
        else:
            names.append(f"{own} {s.neighbourhoods[_sector(x - s.x, y - s.y)]}")
    return names


def _ward_names(
    ward: np.ndarray, points: np.ndarray, owner: Sequence[str], kind: Sequence[str]
) -> dict[int, str]:
    """Ward names from the settlements they contain, in the style of real ones.

    A ward that is mostly one town is named after it ("Kirkbrae"), with a compass point when
    the town is split between wards ("Glenvale North"). A rural ward is named after its
    villages ("Lochennan and Strathkeld").
    """
    by_name = {s.name: s for s in SETTLEMENTS}
    members = {j: np.flatnonzero(ward == j).tolist() for j in sorted(set(ward.tolist()))}
    towns: dict[int, str | None] = {}
    villages: dict[int, list[str]] = {}
    for j, idx in members.items():
        in_towns = Counter(owner[i] for i in idx if kind[i] == "town").most_common()
        towns[j] = in_towns[0][0] if in_towns and in_towns[0][1] >= 0.5 * len(idx) else None
        counts = Counter(owner[i] for i in idx if kind[i] == "village")
        villages[j] = sorted(counts, key=lambda v: (-counts[v], v))
    split = Counter(t for t in towns.values() if t)
    names: dict[int, str] = {}
    for j, idx in members.items():
        town = towns[j]
        if town and split[town] > 1:
            s = by_name[town]
            own = [i for i in idx if owner[i] == town and kind[i] == "town"]
            dx, dy = points[own].mean(0) - (s.x, s.y)
            if math.hypot(dx, dy) < 0.5:
                names[j] = f"{town} Central"
            else:
                # Four-point compass names read best; fall back to eight if two collide.
                names[j] = f"{town} {_COMPASS8[2 * (((_sector(dx, dy) + 1) // 2) % 4)]}"
                if names[j] in [n for k, n in names.items() if k != j]:
                    names[j] = f"{town} {_COMPASS8[_sector(dx, dy)]}"
        elif town:
            names[j] = f"{town} and {villages[j][0]}" if villages[j] else town
        elif len(villages[j]) >= 2:
            names[j] = f"{villages[j][0]} and {villages[j][1]}"
        else:
            nearest = Counter(owner[i] for i in idx).most_common(1)[0][0]
            names[j] = f"{villages[j][0]} and District" if villages[j] else f"{nearest} Rural"
    if len(set(names.values())) != len(names):
        raise ValueError(f"ward names are not unique: {sorted(names.values())}")
    return names


def _to_lonlat(geoms: Sequence[Any]) -> list[Any]:
    """Kilometres from the centre to WGS84 lon/lat (a local equirectangular projection)."""
    import shapely

    lon0, lat0 = CENTRE_LONLAT
    km_per_deg_lon = 111.320 * math.cos(math.radians(lat0))
    km_per_deg_lat = 110.574

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([lon0 + xy[:, 0] / km_per_deg_lon, lat0 + xy[:, 1] / km_per_deg_lat])

    arr = shapely.transform(np.array(geoms, dtype=object), project)
    return list(shapely.set_precision(arr, _GRID_DEG))


def make_geography(rng: np.random.Generator) -> SyntheticGeography:
    """Build the fictional council's data zones, wards and council from ``rng``.

    Raises ValueError if the shapes do not form a valid coverage (a gap, overlap or
    self-crossing), so a bad geography is never written.
    """
    import shapely

    outline = shapely.set_precision(_make_outline(rng), _GRID_KM)
    points, owner, kind = _seed_points(outline, rng)
    cells = _voronoi_cells(points, outline)
    neighbours, owners = _adjacency(cells)
    cells = _wiggle(cells, owners, rng)
    centroids = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    ward = _grow_wards(centroids, neighbours, N_WARDS, rng)
    ward_name = _ward_names(ward, points, owner, kind)

    # Codes run in reading order: wards north to south, zones by ward then name.
    ward_order = sorted(
        set(ward.tolist()),
        key=lambda j: (-centroids[ward == j, 1].mean(), centroids[ward == j, 0].mean()),
    )
    ward_code = {j: f"X13{n:06d}" for n, j in enumerate(ward_order, start=1)}
    base = _zone_base_names(points, owner, kind)
    numbered: dict[int, str] = {}
    for name in sorted(set(base)):
        members = sorted(
            (i for i, b in enumerate(base) if b == name),
            key=lambda i: (-round(points[i, 1], 3), round(points[i, 0], 3)),
        )
        for n, i in enumerate(members, start=1):
            numbered[i] = f"{name} - {n:02d}"
    order = sorted(range(len(cells)), key=lambda i: (ward_code[ward[i]], numbered[i]))

    lonlat = _to_lonlat([cells[i] for i in order])
    # Clockwise outer rings, as in the Scottish Government boundaries we import: d3-geo (and so
    # Plotly's geo maps) reads a ring's winding on the sphere.
    lonlat = list(shapely.orient_polygons(np.array(lonlat, dtype=object), exterior_cw=True))
    if not all(g.geom_type == "Polygon" and g.is_valid for g in lonlat):
        raise ValueError("a data zone is not a single valid polygon")
    if not shapely.coverage_is_valid(np.array(lonlat, dtype=object)):
        raise ValueError("data zones do not form a valid coverage (gap or overlap)")

    lookup = pd.DataFrame(
        {
            "datazone_code": [f"X01{n:06d}" for n in range(1, len(order) + 1)],
            "datazone_name": [numbered[i] for i in order],
            "ward_code": [ward_code[ward[i]] for i in order],
            "ward_name": [ward_name[ward[i]] for i in order],
            "council_code": COUNCIL_CODE,
            "council_name": COUNCIL_NAME,
        }
    )
    wards = {}
    for code in sorted(set(lookup["ward_code"])):
        in_ward = np.array(
            [g for g, w in zip(lonlat, lookup["ward_code"], strict=True) if w == code], dtype=object
        )
        wards[code] = shapely.orient_polygons(shapely.coverage_union_all(in_ward), exterior_cw=True)
    council = shapely.orient_polygons(
        shapely.coverage_union_all(np.array(lonlat, dtype=object)), exterior_cw=True
    )
    return SyntheticGeography(
        lookup=lookup,
        datazones=lonlat,
        wards=wards,
        council=council,
        points_km=points[order],
        settlement=[owner[i] for i in order],
    )


PACK_YAML = """\
# Geography pack for the synthetic demo council. Generated by scripts/make_demo.py: do not edit.
name: demo-glenvale
vintage: demo-dz2025
description: Synthetic geography for the Glenvale demo council. Not real places.
attribution: ""
levels:                 # smallest first
  - {id: datazone, label: Data zone, label_plural: Data zones, boundaries: datazone.geojson}
  - {id: ward, label: Ward, label_plural: Wards, boundaries: ward.geojson}
  - {id: council, label: Council, label_plural: Councils, boundaries: council.geojson}
lookup: lookup.csv
"""


def write_geography_pack(geo: SyntheticGeography, out_dir: Path) -> list[Path]:
    """Write ``pack.yaml``, ``lookup.csv`` and one GeoJSON per level into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lk = geo.lookup
    wards = lk[["ward_code", "ward_name"]].drop_duplicates().sort_values("ward_code")
    files = {
        "pack.yaml": PACK_YAML.encode("utf-8"),
        "lookup.csv": _csv_bytes([list(lk.columns), *lk.itertuples(index=False)], "utf-8", "\n"),
        "datazone.geojson": feature_collection(
            list(zip(lk["datazone_code"], lk["datazone_name"], geo.datazones, strict=True))
        ),
        "ward.geojson": feature_collection(
            [
                (c, n, geo.wards[c])
                for c, n in zip(wards["ward_code"], wards["ward_name"], strict=True)
            ]
        ),
        "council.geojson": feature_collection([(COUNCIL_CODE, COUNCIL_NAME, geo.council)]),
    }
    return _write_files(out_dir, files)


# --------------------------------------------------------------------------------------------
# Deprivation and datasets (no shapely: reusable on any geography)
# --------------------------------------------------------------------------------------------


def deprivation_scores(
    points_km: np.ndarray,
    rng: np.random.Generator,
    settlements: Sequence[Settlement] = SETTLEMENTS,
    estates: Sequence[tuple[str, float, float, float]] = ESTATES,
) -> np.ndarray:
    """A deprivation score in 0..1 for each zone: smooth in space, high in a few estates.

    Towns are mildly deprived near their centres, estates sharply so, farmland barely; a
    little zone-level noise stops neighbours from being identical.
    """
    by_name = {s.name: s for s in settlements}
    x, y = points_km[:, 0], points_km[:, 1]
    score = np.full(len(points_km), 0.08)
    for s in settlements:
        if s.kind == "town":
            score += 0.2 * np.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / (2 * 1.2**2))
    for name, bearing, dist, strength in estates:
        s = by_name[name]
        ex = s.x + dist * math.sin(math.radians(bearing))
        ey = s.y + dist * math.cos(math.radians(bearing))
        score += strength * np.exp(-((x - ex) ** 2 + (y - ey) ** 2) / (2 * 0.65**2))
    score += rng.normal(0, 0.035, len(score))
    return np.clip(score, 0.02, 0.97).round(4)


@dataclass
class SyntheticData:
    """Council-held datasets, each one row per data zone × period (SIMD: per zone).

    ``datasets`` maps a dataset id to a DataFrame with ``datazone_code``, ``period`` and one
    column per measure id (plus ``scg_value_gbp``, which is not a catalogue measure).
    ``low_uptake`` lists the planted zones: ``datazone_code, uptake_factor, periods``.
    """

    datasets: dict[str, pd.DataFrame]
    low_uptake: pd.DataFrame


def simd_ranks(deprivation: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Distinct national SIMD-style ranks (1 = most deprived of 6,976) following deprivation."""
    target = 1 + (SIMD_ZONES - 1) * (1 - deprivation) ** 1.5 + rng.normal(0, 120, deprivation.size)
    ranks = np.empty(deprivation.size, dtype=int)
    last = 0
    for i in np.argsort(target, kind="stable"):
        last = max(int(round(target[i])), last + 1)  # distinct, as real ranks are
        ranks[i] = last
    ranks -= max(0, last - SIMD_ZONES)  # keep the top within 1..6976, still distinct
    if ranks.min() < 1:
        raise ValueError(f"more zones ({deprivation.size}) than SIMD ranks ({SIMD_ZONES})")
    return ranks


def choose_low_uptake_zones(
    need: pd.Series, wards: pd.Series | None, n: int, min_need: float
) -> list[str]:
    """Zones to plant low uptake in: the highest need, at most one per ward at first.

    ``need`` (indexed by zone code) is the expected number of recipients. Only zones with
    ``need >= min_need`` qualify, so that a shortfall is statistically detectable. A second
    zone per ward is taken only when there are too few wards with qualifying zones.
    """
    ranked = need[need >= min_need].sort_values(ascending=False, kind="stable")
    chosen: list[str] = []
    for per_ward in (1, 2):
        used = Counter(wards[c] for c in chosen) if wards is not None else Counter()
        for code in ranked.index:
            if len(chosen) == n:
                return chosen
            ward = wards[code] if wards is not None else code
            if code not in chosen and used[ward] < per_ward:
                chosen.append(code)
                used[ward] += 1
    return chosen


def generate_datasets(
    zones: pd.DataFrame,
    periods: Sequence[str],
    rng: np.random.Generator,
    *,
    n_low_uptake: int = 6,
    min_need: float = 16.0,
    low_uptake_periods: int = 3,
) -> SyntheticData:
    """Council-held datasets for any set of data zones with a deprivation score.

    ``zones`` has ``datazone_code`` and ``deprivation`` (0..1), and optionally ``ward_code``
    (to spread the planted zones over wards). Counts follow deprivation: population and
    children rise a little with it, children in low-income families (CiLIF) go from about 6%
    to 46% of children, and each entitlement's *need* is eligible people (about 1.3 × the
    CiLIF share of its base) times a council-wide uptake. Year-to-year trends are mild and
    every count has Poisson or binomial noise.

    ``n_low_uptake`` zones with the highest expected P6-P7 free school meal registrations
    (at least ``min_need``; expected = the zone's CiLIF children × the council-wide
    registrations per CiLIF child, as the uptake method computes it) get receipt of
    :data:`PLANTED_MEASURES` cut to 45-48% of that expectation in the last
    ``low_uptake_periods`` periods. Noise there only goes down, so a planted shortfall can
    never be hidden by a lucky draw.
    """
    codes = zones["datazone_code"].astype(str).to_numpy()
    dep = zones["deprivation"].to_numpy(dtype=float)
    n, t = len(codes), np.arange(len(periods), dtype=float)
    col = dep[:, None]  # broadcast zone values over periods

    # People. Deprived estates here are dense family housing: more people, more children.
    base_pop = 760 * np.exp(rng.normal(0, 0.15, n)) * (1 + 1.2 * dep**2)
    growth = rng.normal(0.003, 0.004, n)
    pop = np.rint(
        np.clip(base_pop, 420, 2400)[:, None] * (1 + growth[:, None]) ** t
        + rng.normal(0, 4, (n, t.size))
    ).astype(int)
    child_share = np.clip(0.135 + 0.09 * dep + rng.normal(0, 0.012, n), 0.09, 0.26)
    children = rng.binomial(pop, child_share[:, None] * (1 - 0.006 * t))
    pupils_p67 = rng.binomial(children, 0.13)  # 2 of 16 year groups, ~2.2% of everyone
    pupils_sec = rng.binomial(children, 0.35)  # S1-S6, ~6% of everyone
    pupils_all = rng.binomial(children, 0.78)  # P1-S6, base of clothing grants

    # Low income: CiLIF share dipped in 2021/22 and rose with the cost of living.
    cilif_trend = 1 + 0.02 * t - 0.04 * (t == 1)
    low_income = np.clip((0.06 + 0.40 * col**1.2) * cilif_trend, 0, 0.6)
    cilif = rng.binomial(children, low_income)
    eligible = np.minimum(0.9, 1.3 * low_income)  # qualifying-benefit families
    households = np.rint(children / 1.8)  # families with children

    # Expected receipt = base × eligible share × council uptake × zone variation.
    zone_var = {m: np.exp(rng.normal(0, 0.05, n))[:, None] for m in PLANTED_MEASURES}
    means = {
        "fsm_registered_p6_p7": pupils_p67 * eligible * 0.82 * (1 + 0.01 * t),
        "fsm_registered_secondary": pupils_sec * eligible * 0.68 * (1 + 0.01 * t),
        "scg_awards": pupils_all * eligible * 0.78,
        "scp_children": children * eligible * 0.86 * (1 + 0.03 * t),
        "ctr_households_with_children": households * eligible * 0.72,
    }
    receipt = {m: rng.poisson(mean * zone_var[m]) for m, mean in means.items()}

    # Plant low uptake. "Expected" is what the uptake method will compute: the zone's
    # low-income children times the council-wide receipt per low-income child.
    rate = {m: receipt[m].sum(0) / np.maximum(cilif.sum(0), 1) for m in receipt}
    need_fsm = pd.Series(rate["fsm_registered_p6_p7"][-1] * cilif[:, -1], index=codes)
    wards = (
        pd.Series(zones["ward_code"].astype(str).to_numpy(), index=codes)
        if "ward_code" in zones
        else None
    )
    planted = choose_low_uptake_zones(need_fsm, wards, n_low_uptake, min_need)
    factor = pd.Series(rng.uniform(0.45, 0.48, len(planted)).round(2), index=planted)
    first = max(0, len(periods) - low_uptake_periods)
    for measure in PLANTED_MEASURES:
        for code, f in factor.items():
            i = int(np.flatnonzero(codes == code)[0])
            target = f * rate[measure][first:] * cilif[i, first:]
            # Noise only downwards: a lucky draw must never hide the planted shortfall.
            receipt[measure][i, first:] = np.minimum(rng.poisson(target), np.floor(target))

    hb = rng.poisson(households * low_income * 0.55 * np.maximum(0.3, 1 - 0.09 * t))
    uc = rng.poisson(households * np.minimum(0.95, 1.4 * low_income + 0.06) * (1 + 0.05 * t))
    foodbank = rng.poisson(households * low_income * 0.22 * (1 + 0.08 * t - 0.1 * (t == 1)))
    advice = rng.poisson(households * (low_income * 0.3 + 0.01) * (1 + 0.04 * t))
    # Gains per contact vary a lot (a benefit check vs a backdated award): gamma, mean £1,900.
    gain = np.where(advice > 0, rng.gamma(np.maximum(advice, 1) * 0.6, 1900 / 0.6), 0.0)
    scg_primary = rng.binomial(receipt["scg_awards"], 0.6)
    scg_value = 120 * scg_primary + 150 * (receipt["scg_awards"] - scg_primary)

    def frame(**columns: np.ndarray) -> pd.DataFrame:
        out = pd.DataFrame(
            {
                "datazone_code": np.repeat(codes, len(periods)),
                "period": np.tile(np.asarray(periods, dtype=object), n),
            }
        )
        for name, values in columns.items():
            out[name] = np.asarray(values).reshape(-1).astype("int64")
        return out

    datasets = {
        "population": frame(total_population=pop, children_0_15=children),
        "school_meals": frame(
            pupils_p6_p7=pupils_p67,
            fsm_registered_p6_p7=receipt["fsm_registered_p6_p7"],
            pupils_secondary=pupils_sec,
            fsm_registered_secondary=receipt["fsm_registered_secondary"],
        ),
        "clothing_grants": frame(scg_awards=receipt["scg_awards"], scg_value_gbp=scg_value),
        "ctr_hb": frame(
            ctr_households_with_children=receipt["ctr_households_with_children"],
            hb_households_with_children=hb,
        ),
        "uc_scp": frame(uc_households_with_children=uc, scp_children=receipt["scp_children"]),
        "cilif": frame(cilif_children=cilif),
        "foodbank_advice": frame(
            foodbank_referrals_families=foodbank,
            advice_contacts_families=advice,
            advice_financial_gain_gbp=np.rint(gain),
        ),
        "simd": pd.DataFrame({"datazone_code": codes, "simd_rank": simd_ranks(dep, rng)}),
    }
    low_uptake = pd.DataFrame(
        {
            "datazone_code": planted,
            "uptake_factor": factor.to_numpy(),
            "periods": [list(periods[first:])] * len(planted),
        }
    )
    return SyntheticData(datasets=datasets, low_uptake=low_uptake)


# --------------------------------------------------------------------------------------------
# Council export formats
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvExport:
    """How one dataset is written as a council-style CSV.

    ``columns`` pairs each header with its source: ``datazone_code``, ``datazone_name``,
    ``period`` or a column of the dataset. Headers in ``thousands`` get "1,234" separators
    (and so quotes), as spreadsheets save them.
    """

    dataset: str
    path: str
    encoding: str  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    newline: str  # "\r\n" for files that come out of Windows tools
    columns: tuple[tuple[str, str], ...]
    thousands: frozenset[str] = frozenset()


CSV_EXPORTS: tuple[CsvExport, ...] = (
    CsvExport(
        "clothing_grants",
        "benefits/school_clothing_grants.csv",
        "cp1252",
        "\r\n",
        (
            ("Financial Year", "period"),
            ("Datazone", "datazone_code"),
            ("Datazone Name", "datazone_name"),
            ("Awards made – P1 to S6", "scg_awards"),
            ("Grant value (£)", "scg_value_gbp"),
        ),
        frozenset({"Grant value (£)"}),
    ),
    CsvExport(
        "ctr_hb",
        "revenues/ctr_hb_households_with_children.csv",
        "utf-8-sig",
        "\r\n",
        (
            ("DZ", "datazone_code"),
            ("DZ Name", "datazone_name"),
            ("Financial Year", "period"),
            ("CTR households with children", "ctr_households_with_children"),
            ("HB households with children", "hb_households_with_children"),
        ),
    ),
    CsvExport(
        "population",
        "population/population_estimates.csv",
        "utf-8",
        "\n",
        (
            ("Data zone code", "datazone_code"),
            ("Data zone name", "datazone_name"),
            ("Year", "period"),
            ("All ages", "total_population"),
            ("Children aged 0 to 15", "children_0_15"),
        ),
        frozenset({"All ages", "Children aged 0 to 15"}),
    ),
    CsvExport(
        "uc_scp",
        "benefits/uc_scp.csv",
        "utf-8",
        "\n",
        (
            ("Period", "period"),
            ("Data Zone", "datazone_code"),
            ("UC households with children", "uc_households_with_children"),
            ("Children receiving Scottish Child Payment", "scp_children"),
        ),
    ),
    CsvExport(
        "cilif",
        "income/cilif.csv",
        "utf-8",
        "\n",
        (
            ("Year", "period"),
            ("DataZone", "datazone_code"),
            ("Children in low income families (relative)", "cilif_children"),
        ),
    ),
    CsvExport(
        "foodbank_advice",
        "third_sector/foodbank_advice.csv",
        "utf-8",
        "\n",
        (
            ("Data zone", "datazone_code"),
            ("Data zone name", "datazone_name"),
            ("Year", "period"),
            ("Foodbank referrals (families with children)", "foodbank_referrals_families"),
            ("Advice contacts (families with children)", "advice_contacts_families"),
            ("Financial gain for families (£)", "advice_financial_gain_gbp"),
        ),
        frozenset({"Financial gain for families (£)"}),
    ),
    CsvExport(
        "simd",
        "context/simd.csv",
        "utf-8",
        "\n",
        (
            ("Data_Zone", "datazone_code"),
            ("DZname", "datazone_name"),
            ("SIMD2020v2_Rank", "simd_rank"),
            ("SIMD2020v2_Decile", "simd_decile"),
            ("SIMD2020v2_Quintile", "simd_quintile"),
        ),
    ),
)

XLSX_PATH = "education/fsm_registrations.xlsx"
XLSX_SHEET = "FSM by data zone"
XLSX_HEADER_ROW = 4  # two title rows and a blank row come first, as in a real report
XLSX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Data Zone", "datazone_code"),
    ("Data Zone Name", "datazone_name"),
    ("School Year", "period"),
    ("P6-P7 Roll", "pupils_p6_p7"),
    ("P6-P7 FSM Registered", "fsm_registered_p6_p7"),
    ("S1-S6 Roll", "pupils_secondary"),
    ("S1-S6 FSM Registered", "fsm_registered_secondary"),
)


def _csv_bytes(rows: Sequence[Sequence[Any]], encoding: str, newline: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding)


def _export_rows(
    df: pd.DataFrame,
    columns: Sequence[tuple[str, str]],
    names: Mapping[str, str],
    thousands: frozenset[str] = frozenset(),
) -> list[list[Any]]:
    """Data rows in council order (by period, then zone), with names looked up."""
    if "period" in df:
        df = df.sort_values(["period", "datazone_code"], kind="stable")
    sources: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
        "datazone_name": lambda d: d["datazone_code"].map(names)
    }
    rows = []
    cols = []
    for header, source in columns:
        values = sources[source](df) if source in sources else df[source]
        if header in thousands:
            values = values.map(lambda v: f"{int(v):,}")
        cols.append(values.tolist())
    for row in zip(*cols, strict=True):
        rows.append([int(v) if isinstance(v, (np.integer,)) else v for v in row])
    return rows


def _deterministic_xlsx(data: bytes) -> bytes:
    """Rewrite an openpyxl xlsx with fixed zip timestamps and a fixed modified date.

    openpyxl stamps ``docProps/core.xml`` with the current time on save and its zip entries
    with the local clock, so two saves of the same workbook would differ.
    """
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    body,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


def _fsm_workbook(df: pd.DataFrame, names: Mapping[str, str], council_name: str) -> bytes:
    """The free school meals report as an education MIS would export it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.properties.creator = "council-dashboards make_demo (synthetic)"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    ws = wb.active
    ws.title = XLSX_SHEET
    ws.append([f"{council_name} – Free school meal registrations by data zone"])
    ws.append(["Source: SEEMiS extract, synthetic demo data"])
    ws.append([])
    ws.append([h for h, _ in XLSX_COLUMNS])
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[XLSX_HEADER_ROW]:
        cell.font = Font(bold=True)
    for row in _export_rows(df, XLSX_COLUMNS, names):
        ws.append(row)
    for letter, width in zip("ABCDEFG", (12, 34, 12, 12, 20, 12, 20), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{XLSX_HEADER_ROW + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_xlsx(buf.getvalue())


def write_council_exports(
    data: SyntheticData, names: Mapping[str, str], out_dir: Path, council_name: str = COUNCIL_NAME
) -> list[Path]:
    """Write every dataset in ``data`` as the council would export it, under ``out_dir``.

    ``names`` maps data zone codes to names for the files that carry a name column.
    """
    files: dict[str, bytes] = {
        XLSX_PATH: _fsm_workbook(data.datasets["school_meals"], names, council_name)
    }
    simd = (
        data.datasets["simd"]
        .sort_values("datazone_code")
        .assign(
            simd_decile=lambda d: np.ceil(d["simd_rank"] * 10 / SIMD_ZONES).astype(int),
            simd_quintile=lambda d: np.ceil(d["simd_rank"] * 5 / SIMD_ZONES).astype(int),
        )
    )
    for spec in CSV_EXPORTS:
        df = simd if spec.dataset == "simd" else data.datasets[spec.dataset]
        rows = [
            [h for h, _ in spec.columns],
            *_export_rows(df, spec.columns, names, spec.thousands),
        ]
        files[spec.path] = _csv_bytes(rows, spec.encoding, spec.newline)
    return _write_files(out_dir, files)


# --------------------------------------------------------------------------------------------
# The whole demo
# --------------------------------------------------------------------------------------------

README = """\
# The Glenvale demo council: synthetic data

**Everything in this folder is synthetic and fictional.** Glenvale Council, its towns,
wards and data zones do not exist, and no number here describes real people. The shapes sit
in central Scotland only so that maps look at home; they follow no real boundary. Codes
begin with `X` (`X01…` data zones, `X13…` wards, `X12000001` the council) so they can never
be mistaken for real GSS codes. Any likeness of a place name to a real place is chance.

The demo lets anyone run, show and test council-dashboards without a council's data. Its
config, `council_configs/demo/council.yaml`, is the example to copy for a real council.

## What is here
- `geography/`: a geography pack (see `docs/internals.md`): {n_zones} data zones in
  {n_wards} wards and one council. Data zones are Voronoi cells around three towns, five
  villages and farmland, so their sizes vary as real ones do; wards are contiguous groups
  of about equal numbers of zones. Borders are shared exactly.
- `data/`: five years ({first} to {last}) of council-held extracts in the shapes councils
  really export: an xlsx with title rows above the table, a Windows cp1252 CSV, a UTF-8 CSV
  with a byte-order mark, numbers with thousands separators. SIMD ranks are for one year
  (2020). Need follows a deprivation score that is high in a few estates.
- `manifest.json`: the data zones where uptake was *deliberately planted low*. In each, free
  school meals (P6-P7 and secondary), school clothing grants, Scottish Child Payment and
  council tax reduction were set to `uptake_factor` (45-48%) of what the zone's children in
  low-income families imply at the council-wide rate, from {planted_from} on. Tests check
  that the uptake method finds them; other zones may be flagged too, by chance, as in real
  data.

- `interventions.yaml` and `case-studies/`: the demo's interventions log. Scottish Child
  Payment receipt was *planted 30% higher* in the twelve zones of `scp_letters` from
  2023/24 on (the site finds the rise against similar zones); `school_meals_event` changed
  nothing (a control); `link_workers` starts in the last period (too early to judge).
  `manifest.json` lists the zones.
- `notes.yaml`: invented local commentary. One zone (`late_shortfall_zone` in the
  manifest) received nothing in the last period, so it enters the priority list with that
  year's data.

Population estimates are labelled by financial year ("2020/21" for mid-2020) so that every
dataset shares the same periods.

## How it is made
`scripts/synthetic.py` builds it all from one fixed seed ({seed}); nothing is edited by
hand. Regenerate with

    .venv/bin/python scripts/make_demo.py            # rewrites demo/
    .venv/bin/python scripts/make_demo.py --check    # fails if demo/ is out of date

The output is byte-for-byte reproducible (`tests/test_synthetic.py` checks it). Making the
shapes needs shapely (`pip install -e .[geo]`); building the dashboards from these committed
files does not.
"""


def zones_from_simd(lookup: pd.DataFrame, simd: pd.DataFrame) -> pd.DataFrame:
    """Zones for :func:`generate_datasets` on real geography: need follows SIMD income.

    ``lookup`` is a pack's lookup (``datazone_code``, ``ward_code``); ``simd`` has
    ``dz_code`` and ``income_rate_pct`` (the SIMD income deprivation rate). The score is the
    rate scaled to 0..1 by the most deprived zone of the council, so the council's own
    pattern of deprivation drives the synthetic counts.
    """
    rates = simd.set_index(simd["dz_code"].astype(str))["income_rate_pct"].astype(float)
    zones = lookup[["datazone_code", "ward_code"]].drop_duplicates("datazone_code")
    rate = zones["datazone_code"].map(rates).fillna(rates.median()).to_numpy()
    return zones.assign(deprivation=np.clip(rate / max(rate.max(), 1e-9), 0, 1)).reset_index(
        drop=True
    )


def _write_files(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    written = []
    for rel, body in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    return written


#: Obviously fictional names for the household extracts: no real person is named.
_FIRST_NAMES = ("Ada", "Bram", "Cora", "Dex", "Elin", "Finn", "Gwen", "Hal", "Isla", "Jory")
_SURNAMES = ("Testperson", "Fakename", "Madeup", "Notreal", "Sampleton", "Dummyson")
_STREETS = ("Imaginary Road", "Pretend Street", "Fiction Lane", "Makebelieve Court")
#: The six priority family types of Scotland's child poverty delivery plan, and blanks.
_FAMILY_TYPES = (
    "Lone parent",
    "Disabled member",
    "Three or more children",
    "Minority ethnic",
    "Youngest under 1",
    "Mother under 25",
    "",
)
_TENURES = ("Council", "Housing association", "Private rented", "Owner occupied")
#: CTR households with school-age children who also get a clothing grant; far fewer in the
#: planted low-uptake zones, so the matched "not receiving" count is highest there.
_SCG_TAKE_UP, _SCG_TAKE_UP_LOW = 0.72, 0.3


def household_extracts(data: SyntheticData, lookup: pd.DataFrame, seed: int) -> dict[str, bytes]:
    """One-row-per-household CTR and SCG extracts for the latest period, with made-up names,
    addresses and postcodes in an "XX" area that no real postcode uses.

    CTR households per zone follow the aggregate CTR file; a random stream of its own keeps
    every other demo file byte-identical."""
    rng = np.random.default_rng([seed, 5])
    period = DEMO_PERIODS[-1]
    ctr = data.datasets["ctr_hb"]
    ctr = ctr[ctr["period"] == period].sort_values("datazone_code")
    low = set(data.low_uptake["datazone_code"])
    ward_no = {w: n + 1 for n, w in enumerate(sorted(lookup["ward_code"].unique()))}
    ward_of = dict(zip(lookup["datazone_code"], lookup["ward_code"], strict=True))
    ctr_rows = [
        [
            "Claim ref",
            "Name",
            "Address",
            "Postcode",
            "Data zone",
            "Financial Year",
            "Children 5-15",
            "Family type",
            "Tenure",
        ]
    ]
    scg_rows = [["Household ref", "Applicant", "Data zone", "Financial Year"]]
    serial = 0
    for zone, count in zip(ctr["datazone_code"], ctr["ctr_households_with_children"], strict=True):
        for _ in range(int(count)):
            serial += 1
            key = f"GV{serial:06d}"
            name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
            postcode = (
                f"XX{ward_no[ward_of[zone]]} {rng.integers(1, 10)}"
                f"{chr(65 + rng.integers(0, 26))}{chr(65 + rng.integers(0, 26))}"
            )
            kids = int(rng.choice([0, 1, 2, 3], p=[0.3, 0.35, 0.25, 0.1]))
            ctr_rows.append(
                [
                    key,
                    name,
                    f"{rng.integers(1, 200)} {rng.choice(_STREETS)}",
                    postcode,
                    zone,
                    period,
                    str(kids),
                    rng.choice(_FAMILY_TYPES),
                    rng.choice(_TENURES),
                ]
            )
            take_up = _SCG_TAKE_UP_LOW if zone in low else _SCG_TAKE_UP
            if kids and rng.random() < take_up:
                scg_rows.append([key, name, zone, period])
    # The public postcode lookup (find-my-area): every household postcode, placed in the
    # zone it was first seen in, plus one postcode of each zone's own ("XXn 0AB") so that
    # every zone can be found. No random draws here: the extracts above stay as they were.
    placed: dict[str, str] = {}
    for row in ctr_rows[1:]:
        placed.setdefault(row[3], row[4])
    for n, zone in enumerate(sorted(lookup["datazone_code"])):
        placed[f"XX{ward_no[ward_of[zone]]} 0{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}"] = zone
    postcode_rows = [["Postcode", "DataZone"], *sorted([pc, z] for pc, z in placed.items())]
    return {
        "revenues/ctr_households.csv": _csv_bytes(ctr_rows, "utf-8", "\n"),
        "benefits/scg_households.csv": _csv_bytes(scg_rows, "utf-8", "\n"),
        "geography/postcodes.csv": _csv_bytes(postcode_rows, "utf-8", "\n"),
    }


# --------------------------------------------------------------------------------------------
# The interventions log (issue 15)
# --------------------------------------------------------------------------------------------

#: Planted rise in Scottish Child Payment receipt in the letters campaign's zones, from the
#: first period after its start: about 30% more children receiving it than otherwise.
LETTERS_RISE = 0.30
#: Zones covered by the letters campaign and by the control (no effect) intervention.
INTERVENTION_ZONES = 12

LETTERS_CASE_STUDY = """\
# Letters about Scottish Child Payment

In October 2022 the council wrote to families in twelve data zones where fewer children
received Scottish Child Payment than low income there implies. Each letter named the
payment, said who can claim it and gave the advice line's number.

## What happened

Staff at the advice line logged more calls from the letter's areas in the first month.
The dashboard compares the change in those zones with similar zones that got no letter.

*Synthetic: Glenvale and this story are invented for the demo.*
"""

LINK_WORKER_CASE_STUDY = """\
# Link workers in {ward}

From June 2024 a link worker sits in each primary school in {ward}, helping families
apply for free school meals and Scottish Child Payment.

> "We had not known we could get it." (a parent, invented for the demo)

It is too early to see a change in the figures.

*Synthetic: Glenvale and this story are invented for the demo.*
"""


def plant_interventions(
    data: SyntheticData, lookup: pd.DataFrame, rng: np.random.Generator
) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """Add the demo's interventions log: its files and what was planted (for the manifest).

    Three entries. ``scp_letters`` covers 12 zones of mid to high need (never a low-uptake
    zone, nor the link workers' ward) from October 2022: their Scottish Child Payment
    receipt is raised by :data:`LETTERS_RISE` in every period after 2022/23, the one its
    start falls in. ``school_meals_event`` (the control) covers 12 other such zones from
    September 2022 and changes nothing. ``link_workers`` covers the ward of the zone with
    the largest planted shortfall from June 2024, inside the last period: too early to judge.
    Uses its own ``rng``, so the other datasets are as they were without it.
    """
    low = set(data.low_uptake["datazone_code"])
    ward_of = dict(zip(lookup["datazone_code"], lookup["ward_code"], strict=True))
    ward_name = dict(zip(lookup["ward_code"], lookup["ward_name"], strict=True))
    link_ward = ward_of[str(data.low_uptake["datazone_code"].iloc[0])]
    cilif = data.datasets["cilif"]
    need = (
        cilif[cilif["period"] == DEMO_PERIODS[1]]
        .set_index("datazone_code")["cilif_children"]
        .sort_values(ascending=False, kind="stable")
    )
    eligible = [c for c in need.index if c not in low and ward_of[c] != link_ward]
    letters = sorted(eligible[0 : 2 * INTERVENTION_ZONES : 2])
    control = sorted(eligible[1 : 2 * INTERVENTION_ZONES : 2])
    after = list(DEMO_PERIODS[3:])  # 2023/24 on: the periods wholly after October 2022
    scp = data.datasets["uc_scp"]
    rows = scp["datazone_code"].isin(letters) & scp["period"].isin(after)
    extra = rng.poisson(LETTERS_RISE * scp.loc[rows, "scp_children"].to_numpy())
    scp.loc[rows, "scp_children"] = scp.loc[rows, "scp_children"] + extra

    def codes(zones: list[str]) -> str:
        return "\n".join(f"      - {z}" for z in zones)

    log = f"""\
# yaml-language-server: $schema=../schema/interventions.schema.json
#
# Interventions log of the SYNTHETIC Glenvale demo council (scripts/synthetic.py writes it):
# what was done, where and when. Everything here is invented.
interventions:
  - id: scp_letters
    title: Letters to families about Scottish Child Payment
    description: A letter to families with children in each zone, naming the payment and
      the advice line.
    kind: letters
    partner: Glenvale Advice Partnership
    areas:
{codes(letters)}
    start: 2022-10-01
    end: 2022-11-30
    indicators: [scp_uptake]
    reached: 1240
    reached_unit: households
    case_study: case-studies/scp-letters.md
  - id: school_meals_event
    title: Free school meals information evenings
    description: An evening at each primary school on free school meals and clothing grants.
    kind: school_event
    partner: Glenvale primary schools
    areas:
{codes(control)}
    start: 2022-09-01
    end: 2023-03-31
    indicators: [fsm_p6_p7_uptake]
    reached: 310
  - id: link_workers
    title: Link workers in primary schools
    description: A link worker in each primary school of the ward, helping families apply.
    kind: link_worker
    partner: Glenvale Health and Social Care Partnership
    areas: [{ward_name[link_ward]}]
    start: 2024-06-01
    indicators: [scp_uptake, fsm_p6_p7_uptake]
    reached: 3
    case_study: case-studies/link-workers.md
"""
    files = {
        "interventions.yaml": log.encode(),
        "case-studies/scp-letters.md": LETTERS_CASE_STUDY.encode(),
        "case-studies/link-workers.md": LINK_WORKER_CASE_STUDY.format(
            ward=ward_name[link_ward]
        ).encode(),
    }
    planted = [
        {
            "id": "scp_letters",
            "zones": letters,
            "indicator": "scp_uptake",
            "measure": "scp_children",
            "rise": LETTERS_RISE,
            "periods": after,
        },
        {
            "id": "school_meals_event",
            "zones": control,
            "indicator": "fsm_p6_p7_uptake",
            "rise": 0.0,
        },
        {"id": "link_workers", "ward": link_ward, "start_period": DEMO_PERIODS[-1]},
    ]
    return files, planted


#: Which dataset holds each planted measure (for changes made after generate_datasets).
_MEASURE_DATASET = {
    "fsm_registered_p6_p7": "school_meals",
    "fsm_registered_secondary": "school_meals",
    "scg_awards": "clothing_grants",
    "scp_children": "uc_scp",
    "ctr_households_with_children": "ctr_hb",
}
#: Share of its usual receipt the late-shortfall zone keeps in the last period.
LATE_SHORTFALL_FACTOR = 0.0


def plant_late_shortfall(data: SyntheticData, exclude: set[str]) -> str:
    """Cut receipt of every planted measure in the last period only, in the zone of
    highest need not in ``exclude``, to :data:`LATE_SHORTFALL_FACTOR` of what it was: a
    zone that enters the priority list with the last year's data ("what changed since the
    last refresh"). Deterministic: no random draw."""
    cilif = data.datasets["cilif"]
    last = DEMO_PERIODS[-1]
    need = (
        cilif[cilif["period"] == last]
        .set_index("datazone_code")["cilif_children"]
        .sort_values(ascending=False, kind="stable")
    )
    zone = next(str(c) for c in need.index if c not in exclude)
    for measure, dataset in _MEASURE_DATASET.items():
        df = data.datasets[dataset]
        rows = (df["datazone_code"] == zone) & (df["period"] == last)
        df.loc[rows, measure] = np.floor(df.loc[rows, measure] * LATE_SHORTFALL_FACTOR).astype(
            "int64"
        )
    return zone


def demo_notes(late_zone: str, low_zone: str) -> bytes:
    """The demo's notes.yaml: local commentary on two zones and on an indicator."""
    return f"""\
# yaml-language-server: $schema=../schema/notes.schema.json
#
# Local commentary for the SYNTHETIC Glenvale demo council (scripts/synthetic.py writes it).
# Everything here is invented.
notes:
  - date: 2025-05-12
    kind: data_problem
    author: Glenvale benefits team
    areas: [{late_zone}]
    indicators: [scp_uptake]
    text: >-
      The 2024/25 extract for this zone came back **empty** after a change of address
      system; the figures for that year are being checked.
  - date: 2024-11-20
    kind: community_voice
    author: Glenvale Advice Partnership
    areas: [{low_zone}]
    text: >-
      Parents at the community cafe said forms for free school meals are only online, and
      several have no data at home.
  - date: 2024-09-02
    kind: officer_insight
    author: Education welfare team
    indicators: [fsm_p6_p7_uptake]
    text: >-
      Registration now opens in June, before the school year starts, so the 2024/25 figures
      may include families who would have registered later in earlier years.
""".encode()


#: Lone parents' share of receipt of Scottish Child Payment, as a fraction of their share
#: of need, in the planted ward (the family-type extract only: the totals are unchanged).
LONE_PARENT_FACTOR = 0.35


def family_type_extract(
    data: SyntheticData, ward_of: Mapping[str, str], exclude: set[str], seed: int
) -> tuple[dict[str, bytes], list[str]]:
    """An area-level extract by family type (as DWP publishes Children in Low Income
    Families): children in low-income families and children receiving Scottish Child
    Payment, split into lone-parent and couple families so that each zone's two rows add
    up to its totals in cilif.csv and uc_scp.csv. In the zones of one ward (but not
    ``exclude``), lone parents' receipt is planted low (a zone's counts are mostly too small
    to publish by family type, a ward's are not), so the lone-parent priority list differs
    from the total's. A random stream of its own keeps every other demo file byte-identical."""
    rng = np.random.default_rng([seed, 17])
    cilif = data.datasets["cilif"].set_index(["period", "datazone_code"])["cilif_children"]
    scp = data.datasets["uc_scp"].set_index(["period", "datazone_code"])["scp_children"]
    keys = sorted(set(cilif.index) & set(scp.index))
    codes = sorted({c for _, c in keys})
    share = dict(
        zip(codes, np.clip(0.3 + 0.35 * rng.random(len(codes)), 0, 1).tolist(), strict=True)
    )
    wards = sorted(set(ward_of.values()))
    ward = str(rng.choice(wards))
    low = sorted(c for c in codes if ward_of.get(c) == ward and c not in exclude)
    rows: list[list[Any]] = [
        [
            "Year",
            "DataZone",
            "Family type",
            "Children in low income families (relative)",
            "Children receiving Scottish Child Payment",
        ]
    ]
    for period, code in keys:
        c, r = int(cilif[(period, code)]), int(scp[(period, code)])
        p = share[code]
        lone_c = int(rng.binomial(c, p))
        q = p * LONE_PARENT_FACTOR if code in low else p
        lone_r = int(rng.binomial(r, q))
        rows.append([period, code, "Lone parent", lone_c, lone_r])
        rows.append([period, code, "Couple", c - lone_c, r - lone_r])
    return {"income/cilif_scp_family_type.csv": _csv_bytes(rows, "utf-8", "\n")}, low


def write_demo(out_dir: Path, seed: int = DEMO_SEED) -> list[Path]:
    """Generate the whole demo into ``out_dir`` (``geography/``, ``data/``, manifest, README).

    Returns the files written. The same seed always gives byte-identical files.
    """
    geo_rng, dep_rng, data_rng = np.random.default_rng(seed).spawn(3)  # independent streams
    geo = make_geography(geo_rng)
    zones = geo.lookup[["datazone_code", "ward_code"]].assign(
        deprivation=deprivation_scores(geo.points_km, dep_rng)
    )
    data = generate_datasets(zones, DEMO_PERIODS, data_rng)
    log_files, planted = plant_interventions(data, geo.lookup, np.random.default_rng([seed, 15]))
    covered = {z for p in planted for z in p.get("zones", [])}
    link_ward = next(p["ward"] for p in planted if "ward" in p)
    in_link_ward = set(geo.lookup.loc[geo.lookup["ward_code"] == link_ward, "datazone_code"])
    late = plant_late_shortfall(
        data, set(data.low_uptake["datazone_code"]) | covered | in_link_ward
    )
    names = dict(zip(geo.lookup["datazone_code"], geo.lookup["datazone_name"], strict=True))

    written = write_geography_pack(geo, out_dir / "geography")
    written += write_council_exports(data, names, out_dir / "data")
    written += _write_files(out_dir / "data", household_extracts(data, geo.lookup, seed))
    ward_of = dict(zip(geo.lookup["datazone_code"], geo.lookup["ward_code"], strict=True))
    by_family, lone_low = family_type_extract(
        data, ward_of, set(data.low_uptake["datazone_code"]) | covered | in_link_ward | {late}, seed
    )
    written += _write_files(out_dir / "data", by_family)
    lk = geo.lookup.set_index("datazone_code")
    manifest = {
        "description": "Synthetic, fictional demo council. In each zone listed, receipt of "
        "each listed measure was planted at uptake_factor times its expected "
        "value in each listed period, where expected = the zone's "
        "cilif_children x the council-wide receipt per cilif child. Noise "
        "there only goes down, so the shortfall is always detectable.",
        "seed": seed,
        "council": {"code": COUNCIL_CODE, "name": COUNCIL_NAME},
        "periods": list(DEMO_PERIODS),
        "low_uptake_zones": [
            {
                "code": row.datazone_code,
                "name": lk.at[row.datazone_code, "datazone_name"],
                "ward": lk.at[row.datazone_code, "ward_code"],
                "ward_name": lk.at[row.datazone_code, "ward_name"],
                "measures": list(PLANTED_MEASURES),
                "uptake_factor": float(row.uptake_factor),
                "periods": row.periods,
            }
            for row in data.low_uptake.itertuples(index=False)
        ],
        "interventions": planted,
        # Receipt of every listed measure cut to 5% in the last period only: it enters the
        # priority list with that year's data.
        "late_shortfall_zone": {"code": late, "period": DEMO_PERIODS[-1]},
        # Lone parents' receipt of Scottish Child Payment planted at LONE_PARENT_FACTOR of
        # their share in these zones (income/cilif_scp_family_type.csv only).
        "lone_parent_low_zones": lone_low,
    }
    extra = {
        # The files' exact bytes are the point (CRLF, cp1252, a BOM): git must not convert them.
        ".gitattributes": b"# Generated by scripts/make_demo.py. Exact bytes matter here (CRLF, "
        b"cp1252, BOM):\n# never convert line endings.\n* -text\n",
        "manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(),
        "notes.yaml": demo_notes(late, str(data.low_uptake["datazone_code"].iloc[1])),
        "README.md": README.format(
            n_zones=len(geo.lookup),
            n_wards=len(geo.wards),
            first=DEMO_PERIODS[0],
            last=DEMO_PERIODS[-1],
            seed=seed,
            planted_from=data.low_uptake["periods"].iloc[0][0],
        ).encode(),
    }
    return written + _write_files(out_dir, {**log_files, **extra})
