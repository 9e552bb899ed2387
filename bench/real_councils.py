"""Import the three seed councils' geography from ../shared/data and build their sites;
print import and build times and page weights. Writes only to a temporary folder.

    .venv/bin/python bench/real_councils.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
COUNCILS = {
    "west-lothian": "west_lothian",
    "glasgow-city": "glasgow_city",
    "south-lanarkshire": "south_lanarkshire",
}


def main() -> int:
    """Print the figures; exit 0, or 1 when the open data folder is absent."""
    from generator.ingest.geoimport import import_pack
    from generator.site import build as site

    if not DATA.is_dir():
        print(f"skipped: open data folder {DATA} is absent")
        return 1
    lookup = DATA / "lookups" / "DataZone2011lookup_2022-05-05.csv"
    with tempfile.TemporaryDirectory() as tmp:
        packs = Path(tmp) / "packs"
        for slug, stem in COUNCILS.items():
            started = time.perf_counter()
            report = import_pack(
                DATA / "boundaries" / f"dz2011_{stem}.geojson",
                lookup,
                packs / f"{slug}-dz2011",
                name=f"{slug}-dz2011",
                vintage="scotland-dz2011",
                code_field="dz_code",
            )
            levels = ", ".join(
                f"{lv.id} {lv.areas} ({lv.bytes / 1e3:.0f} KB)" for lv in report.levels
            )
            print(
                f"{slug}: import {time.perf_counter() - started:.2f} s; {levels}; "
                f"vertices kept {report.ratio:.1%}"
            )
        for slug in COUNCILS:
            out = Path(tmp) / f"site-{slug}"
            started = time.perf_counter()
            site.build(
                [ROOT / "council_configs" / slug / "council.yaml"],
                out,
                data_dir=DATA,
                packs_dir=packs,
                build_date="2025-06-30",
            )
            seconds = time.perf_counter() - started
            pages = sorted((out / slug).rglob("*.html"))
            total = sum(p.stat().st_size for p in (out / slug).rglob("*") if p.is_file())
            weights = {p.relative_to(out / slug).as_posix(): p.stat().st_size for p in pages}
            heaviest = max(weights, key=lambda k: weights[k])
            print(
                f"{slug}: build {seconds:.1f} s, {len(pages)} pages, {total / 1e6:.1f} MB "
                f"(without the shared plotly.js); overview "
                f"{weights['index.html'] / 1e3:.0f} KB, geo.js "
                f"{(out / slug / 'assets' / 'geo.js').stat().st_size / 1e3:.0f} KB, "
                f"heaviest page {heaviest} {weights[heaviest] / 1e3:.0f} KB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
