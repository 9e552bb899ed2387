"""All 32 Scottish councils built from the national open data, and the three seed councils
beside a hand-written floor; prints each figure with its goal (issue 14).

    .venv/bin/python bench/scotland.py            # seed councils + floor, then all 32
    .venv/bin/python bench/scotland.py --seed     # the CI-sized run: seed councils + floor
    make bench

Needs, in ../shared/data (or $CDASH_SHARED_DATA): boundaries/dz2011_scotland.geojson,
lookups/DataZone2011lookup_2022-05-05.csv and the national datasets the seed configs map
(simd/, population/, cilif/, benefits/). Without them it says what is missing and exits 0.

Each build runs as its own ``cdash build`` process with SOURCE_DATE_EPOCH fixed, so wall
time includes start-up, CPU is the process tree's user+system time and RSS the largest
single process. Geography packs are imported once into bench/.cache/ (not timed) and reused
while the inputs are unchanged. The 32 councils' configs are the West Lothian seed config
with each council's name, code and pack.

The floor does only what the map and chart pages need: read the same national files and
the pack with pandas, and write one page per indicator page the build wrote, each with a
data zone (or intermediate zone) map on the shared geometry and a ranking bar chart, as
plain dicts through ``plotly.io.to_html(dict, validate=False)``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("CDASH_SHARED_DATA") or ROOT.parent / "shared" / "data")
CACHE = ROOT / "bench" / ".cache"
SCOTLAND = "boundaries/dz2011_scotland.geojson"
LOOKUP = "lookups/DataZone2011lookup_2022-05-05.csv"
NEEDED = [
    SCOTLAND,
    LOOKUP,
    "simd/simd2020v2_dz2011_tidy.csv",
    "population/sape_mid2020_dz2011_children_summary.csv",
    "cilif/cilif_relative_iz2011.csv",
    "benefits/uc_households_iz2011.csv",
]
SEEDS = {"west-lothian": "S12000040", "glasgow-city": "S12000049", "south-lanarkshire": "S12000029"}
EPOCH = "1751241600"  # 2025-06-30
PY = sys.executable
_REF = re.compile(r'(?:src|href)="([^"#?]+\.(?:js|css))"')

# --- preparing the inputs (not timed) ------------------------------------------------------


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "and")).strip("-")


def councils_from_lookup() -> dict[str, tuple[str, str]]:
    """slug -> (LA code, LA name) for every council in the lookup."""
    import pandas as pd

    frame = pd.read_csv(DATA / LOOKUP, usecols=["LA_Code", "LA_Name"], dtype=str)
    pairs = frame.drop_duplicates().sort_values("LA_Name")
    return {slugify(n): (c, n) for c, n in zip(pairs["LA_Code"], pairs["LA_Name"], strict=True)}


def import_packs(councils: dict[str, tuple[str, str]]) -> Path:
    """One geography pack per council, from the Scotland-wide file, cached by input hash."""
    from generator.ingest.geoimport import import_pack

    key = hashlib.sha256()
    for rel in (SCOTLAND, LOOKUP):
        key.update(str((DATA / rel).stat().st_size).encode())
    key.update((ROOT / "generator" / "ingest" / "geoimport.py").read_bytes())
    packs = CACHE / f"packs-{key.hexdigest()[:12]}"
    missing = [s for s in councils if not (packs / f"{s}-dz2011" / "pack.yaml").is_file()]
    if not missing:
        return packs
    print(f"importing {len(missing)} geography pack(s) into {packs} (once; not timed)")
    split = packs / "_boundaries"
    split.mkdir(parents=True, exist_ok=True)
    scotland = json.loads((DATA / SCOTLAND).read_text(encoding="utf-8"))
    by_la: dict[str, list] = defaultdict(list)
    for feature in scotland["features"]:
        by_la[feature["properties"]["la_code"]].append(feature)
    for slug in missing:
        code = councils[slug][0]
        path = split / f"{slug}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": by_la[code]}))
        import_pack(
            path,
            DATA / LOOKUP,
            packs / f"{slug}-dz2011",
            name=f"{slug}-dz2011",
            vintage="scotland-dz2011",
            code_field="dz_code",
            councils=[code],
        )
    return packs


def write_configs(councils: dict[str, tuple[str, str]], folder: Path) -> Path:
    """The West Lothian seed config, once per council (the seeds keep their own)."""
    seed = (ROOT / "council_configs" / "west-lothian" / "council.yaml").read_text()
    for slug, (code, name) in councils.items():
        target = folder / slug / "council.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        if slug in SEEDS:
            shutil.copy(ROOT / "council_configs" / slug / "council.yaml", target)
            continue
        text = seed.replace("name: West Lothian Council", f"name: {name}")
        text = text.replace("code: S12000040", f"code: {code}")
        text = text.replace("slug: west-lothian", f"slug: {slug}")
        text = text.replace("geography: west-lothian-dz2011", f"geography: {slug}-dz2011")
        target.write_text(text)
    return folder


# --- measuring -----------------------------------------------------------------------------


def timed(cmd: list[str]) -> dict[str, float]:
    """Run ``cmd`` as a child process: wall s, CPU s (user+system of its tree), max RSS MB.

    A fresh measuring process runs it, so that the RSS is this command's own (the kernel
    keeps one high-water mark for all of a process's children)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [PY, __file__, "--measure", json.dumps(cmd)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(cmd: list[str]) -> int:
    """Run ``cmd``; print its wall, CPU and peak RSS as JSON (the --measure mode)."""
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return done.returncode
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"wall": wall, "cpu": cpu, "rss": usage.ru_maxrss / 1024}))
    return 0


def cdash_build(names: list[str], out: Path, configs: Path, packs: Path, *extra: str) -> list[str]:
    return [
        PY, "-m", "generator.cli", "build", *names, "--out", str(out), "--configs", str(configs),
        "--data-dir", str(DATA), "--packs-dir", str(packs), "--quiet", *extra,
    ]  # fmt: skip


def page_kind(rel: Path) -> str:
    parts = rel.parts
    if len(parts) == 1:
        return "portal" if rel.suffix == ".html" else "shared"
    if parts[1] == "indicators":
        return "indicator"
    if parts[1] == "areas":
        return "area profile"
    return "overview" if rel.name == "index.html" else rel.stem


def weights(site: Path) -> dict[str, dict[str, list[float]]]:
    """Per page kind: HTML files, and what each page loads beyond plotly.js, with and
    without the council's geometry (KB)."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for page in sorted(site.rglob("*.html")):
        kind = page_kind(page.relative_to(site))
        text = page.read_text(encoding="utf-8")
        total = geo = page.stat().st_size
        geo = 0
        for ref in sorted(set(_REF.findall(text))):
            target = (page.parent / ref).resolve()
            if target.name.startswith("plotly") or not target.is_file():
                continue
            total += target.stat().st_size
            if target.name == "geo.js":
                geo += target.stat().st_size
        out[kind]["loaded"].append(total / 1e3)
        out[kind]["beyond_geo"].append((total - geo) / 1e3)
    return out


def geometry(site: Path) -> dict[str, float]:
    return {p.parent.parent.name: p.stat().st_size / 1e3 for p in site.glob("*/assets/geo.js")}


def goal(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def row(label: str, figure: str, target: str, ok: bool | None = None) -> None:
    verdict = "" if ok is None else goal(ok)
    print(f"  {label:46} {figure:>30}   goal {target:22} {verdict}")


def report_site(site: Path, label: str) -> None:
    w = weights(site)
    print(f"\n{label}: pages by type")
    for kind in sorted(w):
        v = w[kind]["loaded"]
        print(f"  {kind:14} {len(v):>6} pages")
    print(f"{label}: page weight as loaded beyond plotly.js (KB; 'no geo' leaves out geo.js)")
    for kind in ("indicator", "overview", "area profile", "unmet-need", "about", "quality"):
        if kind not in w:
            continue
        a, b = w[kind]["loaded"], w[kind]["beyond_geo"]
        figure = (
            f"median {statistics.median(a):.0f} max {max(a):.0f}; no geo "
            f"median {statistics.median(b):.0f} max {max(b):.0f}"
        )
        ok = None
        if kind in ("indicator", "overview"):
            ok = statistics.median(b) <= 100 and max(b) <= 300
        print(
            f"  {kind:14} {figure}"
            + ("" if ok is None else f"   goal no-geo median <= 100, max <= 300: {goal(ok)}")
        )
    scripts = [p.stat().st_size / 1e3 for p in site.glob("*/indicators/views/*/*.js")]
    if scripts:
        print(
            f"{label}: {len(scripts)} views loaded on demand (KB each): median "
            f"{statistics.median(scripts):.0f}, max {max(scripts):.0f}"
        )
    geo = geometry(site)
    over = sorted((k for k in geo if geo[k] > 250), key=lambda k: -geo[k])
    print(f"{label}: geometry per council (geo.js KB)")
    print("  " + ", ".join(f"{k} {geo[k]:.0f}" for k in sorted(geo, key=lambda k: -geo[k])))
    row(
        "geometry per council",
        f"median {statistics.median(geo.values()):.0f}, max {max(geo.values()):.0f} KB",
        "every council <= 250 KB",
        not over,
    )
    if over:
        print(f"  over 250 KB: {len(over)} of {len(geo)}")


# --- the floor -----------------------------------------------------------------------------


def floor(site_out: Path, packs: Path, pages_json: str) -> None:
    """Write the map and chart pages only, as plain dicts (run in its own process)."""
    import pandas as pd
    import plotly.io as pio

    pages = json.loads(pages_json)  # slug -> number of indicator pages
    national = {
        "simd_rank": ("datazone", "simd/simd2020v2_dz2011_tidy.csv", "dz_code", "simd_rank"),
        "population": (
            "datazone",
            "population/sape_mid2020_dz2011_children_summary.csv",
            "dz_code",
            "total_population",
        ),
        "children": (
            "datazone",
            "population/sape_mid2020_dz2011_children_summary.csv",
            "dz_code",
            "age_0_15",
        ),
        "cilif": (
            "intermediate_zone",
            "cilif/cilif_relative_iz2011.csv",
            "iz_code",
            "children_relative_low_income",
        ),
        "uc": (
            "intermediate_zone",
            "benefits/uc_households_iz2011.csv",
            "iz_code",
            "households_on_universal_credit",
        ),
    }
    frames = {
        rel: pd.read_csv(DATA / rel, dtype={code: str}) for _, rel, code, _ in national.values()
    }
    for slug, n_pages in pages.items():
        pack = packs / f"{slug}-dz2011"
        lookup = pd.read_csv(pack / "lookup.csv", dtype=str)
        folder = site_out / slug
        (folder / "indicators").mkdir(parents=True, exist_ok=True)
        geo = ["window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};"]
        for level in ("datazone", "intermediate_zone"):
            path = pack / f"{level}.geojson"
            if path.is_file():
                body = json.dumps(json.loads(path.read_text()), separators=(",", ":"))
                geo.append(f'window.PlotlyGeoAssets["{slug}-{level}"]={body};')
        (folder / "geo.js").write_text("\n".join(geo))
        keys = list(national)
        for i in range(n_pages):
            level, rel, code, column = national[keys[i % len(keys)]]
            frame = frames[rel]
            if "period" in frame.columns:
                frame = frame[frame["period"] == frame["period"].dropna().max()]
            mine = frame[frame[code].isin(lookup[f"{level}_code"])]
            values = mine.groupby(code)[column].sum().sort_values()
            names = lookup.drop_duplicates(f"{level}_code").set_index(f"{level}_code")[
                f"{level}_name"
            ]
            locations = values.index.tolist()
            figure_map = {
                "data": [
                    {
                        "type": "choropleth",
                        "geojson": f"{slug}-{level}",
                        "featureidkey": "id",
                        "locationmode": "geojson-id",
                        "locations": locations,
                        "z": values.tolist(),
                        "text": names.reindex(locations).tolist(),
                        "colorscale": "Viridis",
                    }
                ],
                "layout": {"geo": {"fitbounds": "locations", "visible": False}, "height": 560},
            }
            figure_bar = {
                "data": [
                    {
                        "type": "bar",
                        "orientation": "h",
                        "x": values.tolist(),
                        "y": names.reindex(locations).tolist(),
                    }
                ],
                "layout": {"height": 450},
            }
            parts = [
                pio.to_html(
                    fig,
                    include_plotlyjs=False,
                    full_html=False,
                    div_id=f"{kind}-{i}",
                    validate=False,
                )
                for kind, fig in (("map", figure_map), ("bar", figure_bar))
            ]
            html = (
                '<!DOCTYPE html><html><head><script src="../geo.js"></script>'
                '<script src="../../plotly-cdash.min.js"></script></head><body>'
                + "".join(parts)
                + "</body></html>"
            )
            (folder / "indicators" / f"page-{i}.html").write_text(html)


# --- the runs ------------------------------------------------------------------------------


def seed_run(packs: Path, tmp: Path) -> None:
    """The three seed councils: the build and the floor, side by side."""
    names = list(SEEDS)
    configs = ROOT / "council_configs"
    site = tmp / "seed-site"
    built = timed(cdash_build(names, site, configs, packs, "--fresh", "-j", "2"))
    pages = {s: len(list((site / s / "indicators").glob("*.html"))) for s in names}
    floor_out = tmp / "seed-floor"
    floor_cmd = [PY, __file__, "--floor", str(floor_out), str(packs), json.dumps(pages)]
    floored = timed(floor_cmd)
    ratio = built["wall"] / floored["wall"]
    print("\nseed councils (west-lothian, glasgow-city, south-lanarkshire), -j 2")
    row("build wall / CPU / RSS", _fig(built), "")
    row(f"floor: {sum(pages.values()) * 2} map and chart figures", _fig(floored), "")
    row("build / floor (wall)", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)
    report_site(site, "seed councils")


def _fig(t: dict[str, float]) -> str:
    return f"{t['wall']:.1f} s, CPU {t['cpu']:.1f} s, {t['rss']:.0f} MB"


def scotland_run(packs: Path, tmp: Path, councils: dict[str, tuple[str, str]], runs: int) -> None:
    configs = write_configs(councils, tmp / "configs")
    site = tmp / "site"
    fulls = []
    for _ in range(runs):
        fulls.append(timed(cdash_build([], site, configs, packs, "--all", "--fresh", "-j", "2")))
    full = min(fulls, key=lambda t: t["wall"])
    n_pages = len(list(site.rglob("*.html")))
    print(f"\nall {len(councils)} councils, {n_pages} pages, `cdash build --all -j 2`")
    walls = [t["wall"] for t in fulls]
    row(
        f"full build (min of {runs}; median {statistics.median(walls):.1f} s)",
        _fig(full),
        "<= 20 s wall",
        full["wall"] <= 20,
    )
    row("peak RSS (largest process)", f"{full['rss']:.0f} MB", "<= 1 GB", full["rss"] <= 1024)
    before = {p: p.read_bytes() for p in (site / "glasgow-city").rglob("*") if p.is_file()}
    one = timed(cdash_build(["west-lothian"], site, configs, packs, "-j", "2"))
    same = all(p.read_bytes() == b for p, b in before.items())
    share = one["wall"] / full["wall"]
    row(
        "rebuild west-lothian into the site",
        f"{one['wall']:.1f} s ({share:.0%} of full)",
        "<= 10% of full, others same",
        share <= 0.10 and same,
    )
    skip = timed(cdash_build([], site, configs, packs, "--all", "-j", "2"))
    row("--all again, nothing changed", f"{skip['wall']:.1f} s", "(skips every council)")
    report_site(site, f"all {len(councils)} councils")


def demo_run() -> None:
    out = Path(tempfile.mkdtemp()) / "site"
    try:
        t = timed([PY, "-m", "generator.cli", "build", "demo", "--out", str(out), "--quiet"])
        row("demo council build", _fig(t), "<= 4 s", t["wall"] <= 4)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", action="store_true", help="only the seed councils and floor")
    parser.add_argument("--runs", type=int, default=1, help="full builds of all 32 (min)")
    parser.add_argument(
        "--floor", nargs=3, metavar=("OUT", "PACKS", "PAGES"), help=argparse.SUPPRESS
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(json.loads(args.measure))
    if args.floor:
        floor(Path(args.floor[0]), Path(args.floor[1]), args.floor[2])
        return 0
    missing = [rel for rel in NEEDED if not (DATA / rel).is_file()]
    if missing:
        print(f"skipped: needs these files in {DATA} (or $CDASH_SHARED_DATA):")
        for rel in missing:
            print(f"  {rel}")
        return 0
    sys.path.insert(0, str(ROOT))
    councils = councils_from_lookup()
    wanted = {s: councils[s] for s in SEEDS} if args.seed else councils
    packs = import_packs(wanted)
    print(f"SOURCE_DATE_EPOCH={EPOCH}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        demo_run()
        seed_run(packs, Path(tmp))
        if not args.seed:
            scotland_run(packs, Path(tmp), councils, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
