"""Print how long the compute stage takes for all of Scotland's ~7,000 data zones.

.venv/bin/python bench/compute_speed.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.analysis.compute import compute_indicators  # noqa: E402
from generator.ingest.catalogue import load_catalogue  # noqa: E402
from tests.test_compute import COUNCIL, _big_pack, _big_tidy  # noqa: E402


def main() -> None:
    catalogue = load_catalogue()
    pack = _big_pack(7000, 350)
    tidy = _big_tidy(pack, catalogue, ["2019", "2020", "2021", "2022", "2023"])
    times = []
    for _ in range(5):
        start = time.perf_counter()
        out = compute_indicators(tidy, catalogue, list(catalogue.indicators), pack, COUNCIL)
        times.append(time.perf_counter() - start)
    print(
        f"compute: 7,000 data zones, 350 wards, 5 periods, {len(catalogue.indicators)} "
        f"indicators -> {len(out):,} rows; median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}) over {len(times)} runs"
    )


if __name__ == "__main__":
    main()
