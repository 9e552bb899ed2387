"""What changed since the last refresh (issue 15): changes.json against a demo build with
one year less data lists exactly the areas whose priority status changed."""

from __future__ import annotations

import dataclasses
import json
import math
import re

import pandas as pd
import pytest

from tests.conftest import BUILD_DATE, DEMO_CONFIG, ROOT

LAST = "2024/25"


def _independent_priority(values: pd.DataFrame, top: dict[str, int]) -> set[tuple[str, str]]:
    """The priority rule written out again from the published uptake rows: in each uptake
    indicator's latest period, areas flagged below expected, ranked by their largest
    (E - O) / sqrt(max(phi, 1) E), then lowest ratio, then code; the top N per level."""
    uptake = values[values["status"].ne("") & values["pool_expected"].notna()]
    uptake = values[values["indicator"].isin(set(uptake["indicator"]))]
    latest = uptake.groupby("indicator")["period"].transform("max")
    rows = uptake[(uptake["period"] == latest) & (uptake["status"] == "below")]
    rows = rows[~rows["suppressed"].astype(bool) & rows["pool_observed"].notna()]
    out = set()
    for level, n in top.items():
        ranked = []
        for code, part in rows[rows["level"] == level].groupby("area_code"):
            z, ratio = [], []
            for r in part.itertuples():
                e, o = float(r.pool_expected), float(r.pool_observed)
                z.append((e - o) / math.sqrt(max(float(r.phi) if r.phi == r.phi else 1, 1) * e))
                ratio.append(o / e)
            ranked.append((-max(z), min(ratio), str(code)))
        out |= {(level, code) for _, _, code in sorted(ranked)[:n]}
    return out


@pytest.mark.slow
def test_changes_json_lists_exactly_the_areas_whose_priority_status_changed(tmp_path, demo_council):
    """A demo build without its last year is the previous build; the full demo (the shared
    session build) is this one. changes.json's entered and left areas are exactly the
    symmetric difference of the two priority lists, computed independently."""
    from generator.ingest.catalogue import load_catalogue
    from generator.site import downloads
    from generator.site.build import prepare_council
    from generator.site.context import CouncilPages
    from generator.site.pages import changes
    from generator.site.render import environment

    years = ["2020/21", "2021/22", "2022/23", "2023/24"]
    text = DEMO_CONFIG.read_text().replace("../../demo/", f"{ROOT}/demo/")
    # The household extracts are for the last year only: the previous build had none.
    text = re.sub(r"  # HOUSEHOLD-LEVEL.*?(?=# The council's postcode)", "", text, flags=re.S)
    text = re.sub(r"^matches:.*?(?=^# privacy)", "", text, flags=re.S | re.M)
    text = re.sub(
        r"^(    period: \{column: [^}]*\}).*$",
        lambda m: f"{m.group(1)}\n    only_periods: {json.dumps(years)}",
        text,
        flags=re.M,
    )
    config = tmp_path / "demo" / "council.yaml"
    config.parent.mkdir()
    config.write_text(text)
    before = prepare_council(config, None, load_catalogue(), BUILD_DATE).site
    assert LAST not in set(before.values["period"])
    # What the previous build published: its values CSV and its priority snapshot.
    data = tmp_path / "previous" / "demo" / "data"
    data.mkdir(parents=True)
    inds = {i.id: i for i in before.indicators}
    (data / "indicator_values.csv").write_bytes(downloads.values_csv(before.values, inds))
    (data / "priority_areas.csv").write_bytes(changes.priority_csv(before))

    now = demo_council.site
    site = dataclasses.replace(now, changes=changes.since(tmp_path / "previous", now))
    pages = CouncilPages(site, environment(None))
    changes.write(pages)
    found = json.loads(pages.out["demo/data/changes.json"])["priority_areas"]

    top = {"datazone": 10, "ward": 5}
    old = _independent_priority(before.values, top)
    new = _independent_priority(now.values, top)
    assert old == {(a.level, a.code) for lv in before.priority.values() for a in lv}
    assert new == {(a.level, a.code) for lv in now.priority.values() for a in lv}
    assert new != old  # a year of data moved some areas on or off
    assert found["compared"] is True
    assert {(a["level"], a["area_code"]) for a in found["entered"]} == new - old
    assert {(a["level"], a["area_code"]) for a in found["left"]} == old - new


def test_first_build_has_no_changes_and_saves_the_priority_snapshot(demo_files):
    """A site built into an empty folder says nothing changed-wise and writes no
    changes.json, but saves the priority list the next build will compare with."""
    assert "demo/data/changes.json" not in demo_files
    snapshot = demo_files["demo/data/priority_areas.csv"].decode().splitlines()
    assert snapshot[0] == "level,rank,area_code,area_name"
    assert len(snapshot) > 1
    assert "What changed since the last refresh" not in demo_files["demo/index.html"].decode()
