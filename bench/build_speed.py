"""Print build times and page weights for the demo council (or any councils given).

    .venv/bin/python bench/build_speed.py [COUNCIL ...] [--data-dir DIR]

Page weight is bytes per page type, excluding the shared plotly.min.js, which a browser
fetches once for the whole site.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import site  # noqa: E402
from generator.config import find_config  # noqa: E402


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
        return "indicator page"
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
        sizes: dict[str, list[int]] = defaultdict(list)
        for path in sorted(out.rglob("*")):
            if path.is_file():
                sizes[page_type(path.relative_to(out))].append(path.stat().st_size)
    print(f"build {', '.join(args.councils)}: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}) over {len(times)} runs")
    print(f"{'page type':32} {'files':>6} {'median KB':>10} {'max KB':>8} {'total MB':>9}")
    for kind, values in sorted(sizes.items()):
        print(f"{kind:32} {len(values):>6} {statistics.median(values) / 1e3:>10.1f} "
              f"{max(values) / 1e3:>8.1f} {sum(values) / 1e6:>9.2f}")


if __name__ == "__main__":
    main()
