"""Files a page loads besides itself: the shared plotly.js, CSS and JS, and per council its
boundaries (``geo.js``) and find-my-area index (``search.js``). Both are scripts setting a
global, not JSON, because a page opened from disk cannot fetch a file.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import plotly
from markupsafe import Markup

from generator.site import geometry
from generator.site.council import CouncilSite
from generator.site.data import SiteData, safe_name
from generator.site.escaping import inline_json

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The trimmed plotly.js every page loads (bar, choropleth, scatter only; rebuilt by
#: scripts/build_plotly_bundle.py, recorded in plotly-cdash.json), and its path in the site.
PLOTLY_JS = STATIC_DIR / "plotly-cdash.min.js"
PLOTLY_JS_SITE = "assets/plotly-cdash.min.js"
#: The full bundle from the plotly package: not shipped, kept for benchmarks and tests.
PLOTLY_FULL_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

#: Runs before geo.js and plotly.js. plotly.js fetches world_110m from a CDN for any
#: geo map unless it is already here; an empty topology stops that. It must not replace
#: entries geo.js has set, in case the order ever changes.
GEO_STUB = Markup(
    "window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};"
    "window.PlotlyGeoAssets.topojson=window.PlotlyGeoAssets.topojson||{};"
    'window.PlotlyGeoAssets.topojson.world_110m={"type":"Topology","objects":{},"arcs":[]};'
)


def geo_js(site: CouncilSite, levels_drawn: list[str] | None = None) -> bytes:
    """``assets/geo.js``: each level's boundaries under '<slug>-<level>', sized for the
    screen and written compactly (``site/geometry.py``): the FeatureCollections are made
    in the browser when the script runs, before plotly.js looks for them. ``levels_drawn``:
    the levels some page maps (default: every level with boundaries)."""
    levels: dict[str, list[dict[str, Any]]] = {}
    for spec, level in zip(site.pack.spec.levels, site.pack.levels, strict=True):
        if not spec.boundaries or (levels_drawn is not None and level.id not in levels_drawn):
            continue  # no boundaries, or no page draws a map of this level
        collection = site.pack.boundaries(level.id) or {}
        features = []
        for feat in collection.get("features", []):
            props = feat.get("properties") or {}
            code = feat.get("id", props.get("code"))
            # No names: each map trace carries them in its hover text.
            features.append(
                {"type": "Feature", "id": code, "properties": {}, "geometry": feat.get("geometry")}
            )
        features.sort(key=lambda f: str(f["id"]))
        levels[level.id] = features
    lines = ["window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};", geometry.DECODER_JS]
    for level_id, body in geometry.compact_for_screen(levels).items():
        key = json.dumps(f"{site.slug}-{level_id}")
        lines.append(f"window.PlotlyGeoAssets[{key}]={body};")
    return ("\n".join(lines) + "\n").encode("utf-8")


def search_js(site: CouncilSite, data: SiteData) -> bytes:
    """``assets/search.js``: the find-my-area index as a global (a page opened from disk
    cannot fetch JSON). Areas are [name, code, level label, href from the council
    folder]; postcodes, from the public lookup, map to base area codes."""
    areas = []
    for level in data.sub_levels[::-1]:
        frame = data.areas[level.id]
        for code, name in zip(frame["code"], frame["name"], strict=True):
            areas.append([name, code, level.label, f"areas/{level.id}/{safe_name(code)}.html"])
    postcodes = {pc.replace(" ", ""): code for pc, code in site.postcodes.items()}
    body = inline_json({"areas": areas, "postcodes": postcodes, "has_postcodes": bool(postcodes)})
    return f"window.CDASH_SEARCH={body};\n".encode()


@functools.cache
def _read(path: Path) -> bytes:
    return path.read_bytes()


def verbatim_assets() -> dict[str, bytes]:
    """Third-party files copied into the site unchanged, by their path in the site."""
    return {PLOTLY_JS_SITE: _read(PLOTLY_JS)}


def shared_assets() -> dict[str, bytes]:
    """``assets/plotly-cdash.min.js``, ``assets/site.css`` and ``assets/site.js``."""
    return {
        **verbatim_assets(),
        "assets/site.css": (STATIC_DIR / "site.css").read_bytes(),
        "assets/site.js": (STATIC_DIR / "site.js").read_bytes(),
    }
