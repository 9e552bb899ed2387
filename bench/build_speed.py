"""Print build times and page weights for the demo council (or any councils given).

    .venv/bin/python bench/build_speed.py [COUNCIL ...] [--data-dir DIR]

Page weight is bytes per page type, excluding the shared plotly.js bundle, which a browser
fetches once for the whole site. The second table is what opening one page loads: its HTML
plus every script and stylesheet it references (geo.js, search.js, site.css, site.js), still
without plotly.js. Indicator pages with breakdown variants (family type, tenure) are
counted apart, since they carry every variant's pre-rendered data.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.ingest.councils import find_config  # noqa: E402
from generator.site import build as site  # noqa: E402

_SITE: list[str] = []  # the site folder being measured, for page_type
_REF = re.compile(r'(?:src|href)="([^"#?]+\.(?:js|css))"')


def loaded_bytes(page: Path) -> int:
    """The page plus the scripts and stylesheets it references, without plotly.js."""
    text = page.read_text(encoding="utf-8")
    total = page.stat().st_size
    for ref in sorted(set(_REF.findall(text))):
        target = (page.parent / ref).resolve()
        if not target.name.startswith("plotly") and target.is_file():
            total += target.stat().st_size
    return total


def page_type(rel: Path) -> str:
    """The kind of page a site file is, for grouping weights."""
    parts = rel.parts
    if parts[0] == "assets":
        return f"shared {rel.name}"
    if len(parts) == 1:
        return "portal"
    section = parts[1]
    if section == "areas":
        return f"area profile ({parts[2]})"
    if section == "indicators":
        text = (Path(_SITE[0]) / rel).read_text(encoding="utf-8") if _SITE else ""
        return "indicator page (breakdowns)" if 'id="view-breakdown"' in text else "indicator page"
    if section in ("data", "assets"):
        return f"council {rel.name}"
    return "overview" if rel.name == "index.html" else rel.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("councils", nargs="*", default=["demo"])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    paths = [find_config(c, ROOT / "council_configs") for c in args.councils]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        for _ in range(args.runs):
            start = time.perf_counter()
            site.build(paths, out, data_dir=args.data_dir, build_date="2025-06-30")
            times.append(time.perf_counter() - start)
        _SITE[:] = [str(out)]
        sizes: dict[str, list[int]] = defaultdict(list)
        loaded: dict[str, list[int]] = defaultdict(list)
        for path in sorted(out.rglob("*")):
            if path.is_file():
                kind = page_type(path.relative_to(out))
                sizes[kind].append(path.stat().st_size)
                if path.suffix == ".html":
                    loaded[kind].append(loaded_bytes(path))
    print(
        f"build {', '.join(args.councils)}: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}) over {len(times)} runs"
    )
    print(f"{'page type':32} {'files':>6} {'median KB':>10} {'max KB':>8} {'total MB':>9}")
    for kind, values in sorted(sizes.items()):
        print(
            f"{kind:32} {len(values):>6} {statistics.median(values) / 1e3:>10.1f} "
            f"{max(values) / 1e3:>8.1f} {sum(values) / 1e6:>9.2f}"
        )
    print("\nloaded per page (HTML + its scripts and CSS, excluding plotly.js)")
    print(f"{'page type':32} {'pages':>6} {'median KB':>10} {'max KB':>8}")
    for kind, values in sorted(loaded.items()):
        print(
            f"{kind:32} {len(values):>6} {statistics.median(values) / 1e3:>10.1f} "
            f"{max(values) / 1e3:>8.1f}"
        )


if __name__ == "__main__":
    main()
