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
    import shapely

    shaped = {lv: [shapely.geometry.shape(f["geometry"]) for f in fs] for lv, fs in levels.items()}
    everything = [g for gs in shaped.values() for g in gs if g is not None and not g.is_empty]
    if not everything:
        return levels
    x0, y0, x1, y1 = shapely.total_bounds(everything)
    mid = math.radians((y0 + y1) / 2)
    span = max((x1 - x0) * math.cos(mid), y1 - y0)
    grid = 10.0**-DECIMALS
    valid = {
        lv: bool(gs) and bool(shapely.coverage_is_valid(shapely.set_precision(gs, grid)))
        for lv, gs in shaped.items()
    }
    tolerance = span / PIXELS
    out: dict[str, Features] = {}
    for _ in range(STEPS):
        out = {
            lv: _simplified(levels[lv], shaped[lv], tolerance if valid[lv] else 0.0, grid)
            for lv in levels
        }
        if sum(len(_encode(fs)) for fs in out.values()) <= budget:
            break
        tolerance *= STEP
    return out


def _simplified(features: Features, geoms: list[Any], tolerance: float, grid: float) -> Features:
    import numpy as np
    import shapely

    shapes = np.array(geoms, dtype=object)
    if tolerance > 0:
        shapes = shapely.coverage_simplify(shapely.set_precision(shapes, grid), tolerance)
    # Python's round gives the double nearest each decimal, which prints short; GEOS writes
    # the GeoJSON (in C, far faster than walking the coordinates here).
    flat = shapely.get_coordinates(shapes).ravel().tolist()
    rounded = np.array([round(x, DECIMALS) for x in flat], dtype=float).reshape(-1, 2)
    shapes = shapely.set_coordinates(shapes.copy(), rounded)
    texts = shapely.to_geojson(shapes).tolist()
    return [{**f, "geometry": json.loads(t)} for f, t in zip(features, texts, strict=True)]


def _encode(features: Features) -> bytes:
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
