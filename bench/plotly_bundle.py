"""Time to first map drawn, from disk in Chromium, with the full and the trimmed plotly.js.

    .venv/bin/python bench/plotly_bundle.py [--runs 7] [--boundaries FILE]

For each bundle it prints the size (raw and gzip) and the median of ``--runs`` timings of:

- *alone*: a page that only loads the bundle and records ``performance.now()`` once it has
  evaluated;
- *map*: a page laid out like the site's (geo stub, geo.js with the shared boundaries,
  the bundle, one choropleth of every area) that records the time its last area is drawn.

*cold* runs each load in a fresh browser context; *warm* reloads one page in one context
(after a first, discarded load). Times are from navigation start. The goal of issue 14 is a
trimmed-bundle map, cold, in at most 0.6x the time of the full bundle alone, cold.

The map has the 746 Glasgow City data zones from ``/work/shared/data/boundaries`` when that
folder is there, else a grid of 746 hand-made squares.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.site.assets import GEO_STUB, PLOTLY_FULL_JS  # noqa: E402
from tests.conftest import SHARED_DATA, chromium_path  # noqa: E402

TRIMMED = ROOT / "generator" / "site" / "static" / "plotly-cdash.min.js"
GLASGOW = SHARED_DATA / "boundaries" / "dz2011_glasgow_city.geojson"
GOAL = 0.6
GEO_KEY = "bench-datazone"


def features(path: Path | None) -> list[dict]:
    """Features with ``id`` set to the data-zone code, or 746 squares without ``path``."""
    if path is not None and path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            {
                "type": "Feature",
                "id": f["properties"]["dz_code"],
                "properties": {},
                "geometry": f["geometry"],
            }
            for f in data["features"]
        ]
    out = []
    for i in range(746):
        x, y = -4.4 + (i % 30) * 0.01, 55.8 + (i // 30) * 0.01
        ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
        out.append(
            {
                "type": "Feature",
                "id": f"Z{i:04d}",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return out


def map_figure(codes: list[str]) -> dict:
    """A choropleth shaped like the site's (figures.map_figure): shared geometry, hover text,
    colour bar, white borders, no visible base map."""
    return {
        "data": [
            {
                "type": "choropleth",
                "geojson": GEO_KEY,
                "featureidkey": "id",
                "locationmode": "geojson-id",
                "locations": codes,
                "z": [(i * 37) % 101 for i in range(len(codes))],
                "text": codes,
                "hovertemplate": "<b>%{text}</b><br>%{z:,.1f}%<extra></extra>",
                "colorscale": "Viridis",
                "marker": {"line": {"color": "#ffffff", "width": 0.4}},
                "colorbar": {"thickness": 12, "len": 0.75, "outlinewidth": 0},
            }
        ],
        "layout": {
            "height": 520,
            "margin": {"l": 0, "r": 0, "t": 4, "b": 0},
            "dragmode": False,
            "geo": {
                "fitbounds": "locations",
                "visible": False,
                "projection": {"type": "mercator"},
                "bgcolor": "rgba(0,0,0,0)",
            },
        },
    }


def write_pages(folder: Path, bundle: Path, feats: list[dict]) -> tuple[Path, Path]:
    """The *alone* and *map* pages for ``bundle`` in ``folder``."""
    folder.mkdir(parents=True)
    shutil.copyfile(bundle, folder / "plotly.js")
    collection = {"type": "FeatureCollection", "features": feats}
    (folder / "geo.js").write_text(
        f"window.PlotlyGeoAssets[{json.dumps(GEO_KEY)}]={json.dumps(collection)};", encoding="utf-8"
    )
    head = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>bench</title>'
        '<link rel="icon" href="data:,">'
    )
    alone = folder / "alone.html"
    alone.write_text(
        head + '<script src="plotly.js"></script>'
        "<script>window.__done=performance.now();</script></head><body></body>"
        "</html>",
        encoding="utf-8",
    )
    fig = map_figure([f["id"] for f in feats])
    drawn = (
        f"var n={len(feats)};"
        "Plotly.newPlot('map',F.data,F.layout,{displaylogo:false,responsive:true,"
        "scrollZoom:false}).then(function(){if(document.querySelectorAll("
        "'#map path.choroplethlocation').length===n){window.__done=performance.now();}"
        "else{window.__done=-1;}});"
    )
    page = folder / "map.html"
    page.write_text(
        head + f'<script>{GEO_STUB}</script><script src="geo.js"></script>'
        '<script src="plotly.js"></script></head><body><div id="map" style="height:520px">'
        f"</div><script>var F={json.dumps(fig)};{drawn}</script></body></html>",
        encoding="utf-8",
    )
    return alone, page


def timed(page, url: str) -> float:
    """Milliseconds from navigation start to ``window.__done``."""
    page.goto(url)
    page.wait_for_function("window.__done !== undefined", timeout=60000)
    value = page.evaluate("window.__done")
    if value < 0:
        raise RuntimeError(f"{url}: the map did not draw every area")
    return float(value)


def measure(browser, url: str, runs: int) -> tuple[float, float]:
    """(cold, warm) median milliseconds for ``url``."""
    cold = []
    for _ in range(runs):
        context = browser.new_context()
        cold.append(timed(context.new_page(), url))
        context.close()
    context = browser.new_context()
    page = context.new_page()
    timed(page, url)  # fills the in-memory caches
    warm = [timed(page, url) for _ in range(runs)]
    context.close()
    return statistics.median(cold), statistics.median(warm)


def main(argv: list[str] | None = None) -> int:
    """Print the table and whether the goal is met; exit 0 either way (it is a report)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timings per figure (median)")
    parser.add_argument(
        "--boundaries",
        type=Path,
        default=GLASGOW,
        help="GeoJSON with properties.dz_code (default: Glasgow City 2011)",
    )
    args = parser.parse_args(argv)
    chromium = chromium_path()
    if chromium is None:
        print("chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    feats = features(args.boundaries)
    source = args.boundaries if args.boundaries.is_file() else "746 hand-made squares"
    bundles = {"full": PLOTLY_FULL_JS, "trimmed": TRIMMED}
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="cdash-bench-plotly-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        for name, bundle in bundles.items():
            alone, page = write_pages(Path(tmp) / name, bundle, feats)
            data = bundle.read_bytes()
            row = {"size": len(data), "gzip": len(gzip.compress(data, mtime=0))}
            row["alone_cold"], row["alone_warm"] = measure(browser, alone.as_uri(), args.runs)
            row["map_cold"], row["map_warm"] = measure(browser, page.as_uri(), args.runs)
            results[name] = row
        browser.close()

    print(
        f"map: {len(feats)} areas from {source}; median of {args.runs} runs; ms from "
        "navigation start"
    )
    print(
        f"{'bundle':<8} {'bytes':>10} {'gzip':>9} {'alone cold':>11} {'alone warm':>11} "
        f"{'map cold':>9} {'map warm':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:<8} {r['size']:>10,} {r['gzip']:>9,} {r['alone_cold']:>11.0f} "
            f"{r['alone_warm']:>11.0f} {r['map_cold']:>9.0f} {r['map_warm']:>9.0f}"
        )
    ratio = results["trimmed"]["map_cold"] / results["full"]["alone_cold"]
    verdict = "meets" if ratio <= GOAL else "misses"
    print(
        f"trimmed map cold / full bundle alone cold = {ratio:.2f}x ({verdict} the goal of {GOAL}x)"
    )
    print(f"trimmed / full size = {results['trimmed']['size'] / results['full']['size']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
