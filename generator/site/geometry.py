"""Boundaries sized for the screen: what ``assets/geo.js`` ships for a council's maps.

A map is drawn a few hundred pixels across, so detail finer than a pixel only costs bytes.
Each level is simplified with ``shapely.coverage_simplify`` (shared borders stay shared: no
gaps or slivers between neighbours) to a tolerance of the council's extent divided by
``PIXELS``, on a grid of ``DECIMALS`` decimal places (5 is about 1 m). When the council's
levels together are still over ``BUDGET`` bytes the tolerance grows a few steps (at most to
about three pixels). The same boundaries always give the same bytes. Area names are not
shipped: the maps carry them in their own hover text.

Boundaries that are not a valid coverage (overlaps, say) are only rounded, never
simplified, so a bad input is never made worse.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

#: Map width in device pixels the simplification keeps detail for (a wide map on a
#: high-density screen).
PIXELS = 1600
#: Decimal places kept (4: about 10 m, finer than a pixel of any council's map).
DECIMALS = 4
#: The most a council's geo.js may weigh, all levels together.
BUDGET = 250_000
#: How much the tolerance grows while over budget, and at most how often: never beyond
#: about three pixels, so that shapes stay recognisable; a council whose boundaries are
#: already coarse (packs are simplified on import) may stay over budget.
STEP, STEPS = 1.5, 4

Features = list[dict[str, Any]]


def size_for_screen(levels: dict[str, Features], budget: int = BUDGET) -> dict[str, Features]:
    """Each level's features with geometry simplified and rounded; ids and properties kept."""
    shaped = _screen_shapes(
        levels, budget, lambda lv, shapes: len(_encode(_features(levels[lv], shapes)))
    )
    return {lv: _features(levels[lv], shapes) for lv, shapes in shaped.items()}


def compact_for_screen(levels: dict[str, Features], budget: int = BUDGET) -> dict[str, str]:
    """Each level simplified as ``size_for_screen`` does, written compactly: a call of the
    decoder ``DECODER`` (a global geo.js defines) that gives the FeatureCollection back.

    Coordinates are integers on the ``DECIMALS`` grid, each the step from the point before
    (the first from 0, 0), written as short text (``DIGITS``), and a ring does not repeat
    its first point: about a sixth of the bytes of the same shapes as GeoJSON. Every shape
    is a MultiPolygon, and features keep their ids and order; ``decode`` reads it back (the
    tests do)."""
    ids = {lv: [str(f.get("id")) for f in fs] for lv, fs in levels.items()}
    written: dict[str, str] = {}

    def size(lv: str, shapes: Any) -> int:
        written[lv] = _compact(ids[lv], shapes)
        return len(written[lv])

    _screen_shapes(levels, budget, size)
    return {lv: written[lv] for lv in levels}


def _screen_shapes(
    levels: dict[str, Features], budget: int, size: Callable[[str, Any], int]
) -> dict[str, Any]:
    """Each level's shapes (a numpy array, one per feature) simplified for the screen,
    growing the tolerance while the levels' ``size`` together is over ``budget``."""
    import numpy as np
    import shapely

    shaped = {
        lv: np.array([_shape(f.get("geometry")) for f in fs], dtype=object)
        for lv, fs in levels.items()
    }
    everything = [g for gs in shaped.values() for g in gs if g is not None and not g.is_empty]
    grid = 10.0**-DECIMALS
    if not everything:
        return {lv: _on_grid(gs, 0.0, grid, False) for lv, gs in shaped.items()}
    x0, y0, x1, y1 = shapely.total_bounds(everything)
    mid = math.radians((y0 + y1) / 2)
    span = max((x1 - x0) * math.cos(mid), y1 - y0)
    gridded = {lv: shapely.set_precision(gs, grid) for lv, gs in shaped.items()}
    valid = {
        lv: len(gs) > 0 and bool(shapely.coverage_is_valid(gridded[lv]))
        for lv, gs in shaped.items()
    }
    tolerance = span / PIXELS
    out: dict[str, Any] = {}
    for _ in range(STEPS):
        out = {
            lv: _on_grid(gridded[lv] if valid[lv] else shaped[lv], tolerance, grid, valid[lv])
            for lv in levels
        }
        if sum(size(lv, shapes) for lv, shapes in out.items()) <= budget:
            break
        tolerance *= STEP
    return out


def _shape(geometry: Any) -> Any:
    import shapely

    return None if geometry is None else shapely.geometry.shape(geometry)


def _on_grid(shapes: Any, tolerance: float, grid: float, simplify: bool) -> Any:
    """Simplified (a valid coverage only) and with coordinates on the grid."""
    import numpy as np
    import shapely

    if simplify and tolerance > 0:
        shapes = shapely.coverage_simplify(shapes, tolerance)
    # Python's round gives the double nearest each decimal, which prints short.
    flat = shapely.get_coordinates(shapes).ravel().tolist()
    rounded = np.array([round(x, DECIMALS) for x in flat], dtype=float).reshape(-1, 2)
    return shapely.set_coordinates(np.array(shapes, dtype=object).copy(), rounded)


def _features(features: Features, shapes: Any) -> Features:
    import shapely

    # GEOS writes the GeoJSON (in C, far faster than walking the coordinates here).
    texts = shapely.to_geojson(shapes).tolist()
    return [
        {**f, "geometry": None if t is None else json.loads(t)}
        for f, t in zip(features, texts, strict=True)
    ]


#: The global function geo.js defines to turn ``compact_for_screen`` output back into a
#: FeatureCollection; ``DECODER_JS`` is its source (site/assets.py writes it). Each ring is
#: a string: every number (x step, y step, ...) zigzag-coded (0, -1, 1, -2 ... as 0, 1, 2,
#: 3 ...) and written 5 bits a character, low bits first, from ``DIGITS``, whose second
#: half marks "more to come". Most steps take one or two characters.
DECODER = "CdashGeo"
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
DECODER_JS = (
    "window.CdashGeo=window.CdashGeo||function(q,ids,shapes){var x=0,y=0,T=[],k;"
    f"for(k=0;k<64;k++){{T['{DIGITS}'.charCodeAt(k)]=k;}}"
    "function ring(s){var out=[],i=0,n=s.length,v,sh,c,d=[];"
    "while(i<n){v=0;sh=0;do{c=T[s.charCodeAt(i++)];v+=(c&31)*Math.pow(2,sh);sh+=5;}"
    "while(c&32);d.push(v%2?-(v+1)/2:v/2);}"
    "for(k=0;k<d.length;k+=2){x+=d[k];y+=d[k+1];out.push([x/q,y/q]);}"
    "out.push(out[0]);return out;}"
    "return{type:'FeatureCollection',features:ids.map(function(id,n){"
    "return{type:'Feature',id:id,properties:{},geometry:{type:'MultiPolygon',"
    "coordinates:shapes[n].map(function(polygon){return polygon.map(ring);})}};})};};"
)


def _digits(numbers: list[int]) -> str:
    """Integers as ``DIGITS`` text (see ``DECODER_JS``)."""
    out = []
    for n in numbers:
        v = 2 * n if n >= 0 else -2 * n - 1
        while v >= 32:
            out.append(DIGITS[32 + (v & 31)])
            v >>= 5
        out.append(DIGITS[v])
    return "".join(out)


def _numbers(text: str) -> list[int]:
    """``_digits`` undone."""
    out, v, shift = [], 0, 0
    for ch in text:
        c = DIGITS.index(ch)
        v += (c & 31) << shift
        shift += 5
        if not c & 32:
            out.append(-(v + 1) // 2 if v % 2 else v // 2)
            v, shift = 0, 0
    return out


def _compact(ids: list[str], shapes: Any) -> str:
    """``CdashGeo(scale, ids, shapes)``: see ``compact_for_screen``."""
    import numpy as np
    import shapely

    scale = 10**DECIMALS
    parts: list[list[list[str]]] = [[] for _ in ids]
    present = [n for n, g in enumerate(shapes) if g is not None and not g.is_empty]
    if present:
        kind, coords, offsets = shapely.to_ragged_array(shapes[present])
        if kind == shapely.GeometryType.POLYGON:  # every shape a polygon: one each
            (ring_ends, polygon_ends), shape_ends = offsets, np.arange(len(present) + 1)
        else:
            ring_ends, polygon_ends, shape_ends = offsets
        points = np.rint(coords * scale).astype(np.int64)
        # Rings without their closing point, then each point as the step from the last.
        keep = np.ones(len(points), dtype=bool)
        keep[ring_ends[1:] - 1] = False
        starts = ring_ends[:-1] - np.arange(len(ring_ends) - 1)
        steps = np.diff(points[keep], axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
        numbers = steps.ravel().tolist()
        bounds = np.append(starts, len(steps)).tolist()
        rings = [
            _digits(numbers[2 * a : 2 * b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        for slot, n in enumerate(present):
            polygons = range(shape_ends[slot], shape_ends[slot + 1])
            parts[n] = [
                [rings[r] for r in range(polygon_ends[p], polygon_ends[p + 1])] for p in polygons
            ]
    body = ",".join(
        "[" + ",".join("[" + ",".join(f'"{r}"' for r in poly) + "]" for poly in shape) + "]"
        for shape in parts
    )
    return f"{DECODER}({scale},{json.dumps(ids, separators=(',', ':'))},[{body}])"


def decode(compact: str) -> dict[str, Any]:
    """The FeatureCollection a ``compact_for_screen`` text stands for (what the browser's
    ``CdashGeo`` makes of it)."""
    head = f"{DECODER}("
    assert compact.startswith(head) and compact.endswith(")")
    scale, ids, shapes = json.loads("[" + compact[len(head) : -1] + "]")
    x = y = 0
    features = []
    for code, shape in zip(ids, shapes, strict=True):
        polygons = []
        for polygon in shape:
            rings = []
            for text in polygon:
                r = _numbers(text)
                ring = []
                for i in range(0, len(r), 2):
                    x, y = x + r[i], y + r[i + 1]
                    ring.append([x / scale, y / scale])
                rings.append([*ring, ring[0]])
            polygons.append(rings)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _encode(features: Features) -> bytes:
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
