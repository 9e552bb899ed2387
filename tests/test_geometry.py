"""Boundaries sized for the screen (site/geometry.py): shared borders stay shared, ids and
order are kept, coordinates are quantised, heavy boundaries shrink, bad ones are only
rounded, and the same input gives the same bytes."""

from __future__ import annotations

import json

import shapely

from generator.site import geometry
from tests.conftest import ROOT

DEMO_ZONES = ROOT / "demo" / "geography" / "datazone.geojson"


def demo_zones() -> list[dict]:
    """The demo's data zones: a valid coverage."""
    features = json.loads(DEMO_ZONES.read_text())["features"]
    return [
        {"type": "Feature", "id": f["id"], "properties": {}, "geometry": f["geometry"]}
        for f in sorted(features, key=lambda f: f["id"])
    ]


def mapping(g) -> dict:
    return json.loads(json.dumps(shapely.geometry.mapping(g)))


def shapes(features):
    return [shapely.geometry.shape(f["geometry"]) for f in features]


def test_simplified_coverage_keeps_ids_shared_borders_and_the_grid():
    """Simplified and quantised, the zones are still a valid coverage (no gaps, no
    overlaps), in the same order with the same ids, on the 4-decimal grid."""
    features = demo_zones()
    assert shapely.coverage_is_valid(shapes(features))
    out = geometry.size_for_screen({"datazone": features}, budget=10**9)["datazone"]
    assert len(json.dumps(out)) < len(json.dumps(features))
    assert [f["id"] for f in out] == [f["id"] for f in features]
    assert shapely.coverage_is_valid(shapes(out))
    scaled = shapely.get_coordinates(shapes(out)) * 10**geometry.DECIMALS
    assert (abs(scaled - scaled.round()) < 1e-6).all()


def test_budget_tightens_the_tolerance_but_only_so_far():
    """Over budget, the tolerance grows (smaller output, still a valid coverage) but stops
    after a few steps: every zone keeps an area of its own."""
    features = demo_zones()
    loose = geometry.size_for_screen({"dz": features}, budget=10**9)["dz"]
    tight = geometry.size_for_screen({"dz": features}, budget=1)["dz"]
    assert len(json.dumps(tight)) < len(json.dumps(loose))
    assert shapely.coverage_is_valid(shapes(tight))
    assert all(g.area > 0 for g in shapes(tight))


def test_invalid_coverage_is_only_rounded():
    square = shapely.Polygon([(0, 0), (0.011111, 0), (0.011111, 0.011111), (0, 0.011111)])
    shifted = shapely.affinity.translate(square, 0.005, 0)  # overlaps the first
    features = [
        {"type": "Feature", "id": k, "properties": {}, "geometry": mapping(g)}
        for k, g in (("a", square), ("b", shifted))
    ]
    out = geometry.size_for_screen({"dz": features})["dz"]
    assert [len(shapely.get_coordinates(g)) for g in shapes(out)] == [5, 5]
    assert out[0]["geometry"]["coordinates"][0][1] == [0.0111, 0.0]


def test_same_input_same_bytes():
    features = demo_zones()
    a = geometry.size_for_screen({"dz": features})
    b = geometry.size_for_screen({"dz": json.loads(json.dumps(features))})
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_compact_geometry_decodes_to_the_same_shapes_in_a_quarter_of_the_bytes():
    """geo.js's compact form (integer steps on the grid) decodes to exactly the shapes
    size_for_screen gives, ids in order, still a valid coverage, far smaller than GeoJSON."""
    features = demo_zones()
    plain = geometry.size_for_screen({"dz": features}, budget=10**9)["dz"]
    compact = geometry.compact_for_screen({"dz": features}, budget=10**9)["dz"]
    decoded = geometry.decode(compact)["features"]
    assert [f["id"] for f in decoded] == [f["id"] for f in features]
    assert all(shapely.equals(a, b) for a, b in zip(shapes(plain), shapes(decoded), strict=True))
    assert shapely.coverage_is_valid(shapes(decoded))
    assert len(compact) * 4 < len(geometry._encode(plain))
    assert compact == geometry.compact_for_screen({"dz": json.loads(json.dumps(features))})["dz"]


def test_compact_budget_counts_the_compact_bytes():
    """The budget is met on the compact form: a tight one simplifies further."""
    features = demo_zones()
    loose = geometry.compact_for_screen({"dz": features}, budget=10**9)["dz"]
    tight = geometry.compact_for_screen({"dz": features}, budget=1)["dz"]
    assert len(tight) < len(loose)
    assert shapely.coverage_is_valid(shapes(geometry.decode(tight)["features"]))
