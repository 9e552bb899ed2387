"""An attacker who reads only the built site: the CSV download, with the public geography
and the catalogue's definitions, solving a linear program for every withheld count."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from generator.ingest.catalogue import load_catalogue
from generator.ingest.geography import GeographyPack, load_pack
from tests.conftest import BUILD_DATE, DEMO_CONFIG, TINY_CONFIG

CATALOGUE = load_catalogue()
#: Half the rounding base: a count published as v (rounded to 5) is one of v-2..v+2.
ROUNDING_SLACK = {False: 0.0, True: 2.0}


def published_cells(
    csv_bytes: bytes, rounded: bool
) -> dict[tuple[str, str], dict[tuple[str, str], tuple[float, float] | None]]:
    """(measure, period) -> (level, area) -> the bounds the CSV gives that count, or None
    when every row that holds it is withheld. Counts are read off each indicator's
    numerator and denominator by the catalogue's public definitions."""
    cells: dict[tuple[str, str], dict[tuple[str, str], tuple[float, float] | None]] = defaultdict(
        dict
    )
    slack = ROUNDING_SLACK[rounded]
    for row in csv.DictReader(io.StringIO(csv_bytes.decode("utf-8"))):
        ind = CATALOGUE.indicators.get(row["indicator"])
        if ind is None or ind.method in ("index", "uptake"):
            continue
        pairs = (
            [(ind.measure, "numerator")]
            if ind.method == "count"
            else [(ind.numerator, "numerator"), (ind.denominator, "denominator")]
        )
        area = (row["level"], row["area_code"])
        for measure, col in pairs:
            table = cells[(measure, row["period"])]
            text = row[col]
            if text in ("", "[c]"):
                table.setdefault(area, None)
                continue
            v = float(text)
            table[area] = (max(v - slack, 0.0), v + slack)
    return cells


def nested(pack: GeographyPack) -> list[tuple[str, str, dict[str, str]]]:
    """(child level, parent level, child -> parent) for each exactly nested pair."""
    out = []
    for child in pack.levels:
        for parent in pack.levels:
            if parent.rank <= child.rank:
                continue
            pairs = pack.lookup[[f"{child.id}_code", f"{parent.id}_code"]].drop_duplicates()
            if pairs[f"{child.id}_code"].is_unique:
                out.append((child.id, parent.id, dict(pairs.itertuples(index=False))))
    return out


def narrowest(
    table: dict[tuple[str, str], tuple[float, float] | None],
    hierarchy: list[tuple[str, str, dict[str, str]]],
) -> list[tuple[tuple[str, str], float, float]]:
    """(cell, lowest, highest) of every withheld cell of one table, by linear programming
    over every parent = sum of children equation and count >= 0."""
    unknown = [a for a, b in table.items() if b is None]
    if not unknown:
        return []
    cells = list(table)
    col = {a: n for n, a in enumerate(cells)}
    rows = []
    for child, parent, parent_of in hierarchy:
        kids: dict[str, list[int]] = defaultdict(list)
        for (level, code), n in col.items():
            if level == child and code in parent_of:
                kids[parent_of[code]].append(n)
        for p, members in kids.items():
            if (parent, p) in col:
                row = np.zeros(len(cells))
                row[col[(parent, p)]] = 1
                row[members] = -1
                rows.append(row)
    if not rows:
        return [(a, 0.0, math.inf) for a in unknown]
    a_eq = np.vstack(rows)
    bounds = [b if b is not None else (0.0, None) for b in table.values()]
    out = []
    for a in unknown:
        c = np.zeros(len(cells))
        c[col[a]] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
        assert lo.status in (0, 3) and hi.status in (0, 3), "published tables are inconsistent"
        low = lo.fun if lo.status == 0 else 0.0
        high = -hi.fun if hi.status == 0 else math.inf
        out.append((a, low, high))
    return out


def attack(site: Path, slug: str, pack: GeographyPack, rounded: bool, threshold: int) -> int:
    """Run the attack on one built site; fail on any withheld count narrowed below
    ``threshold`` wide. Returns how many withheld cells were attacked."""
    data = (site / slug / "data" / "indicator_values.csv").read_bytes()
    hierarchy = nested(pack)
    attacked = 0
    for key, table in sorted(published_cells(data, rounded).items()):
        for cell, low, high in narrowest(table, hierarchy):
            attacked += 1
            assert high - low >= threshold - 1e-6, (
                f"{key} {cell}: the site narrows a withheld count to [{low:.2f}, {high:.2f}]"
            )
    return attacked


def build(tmp: Path, config_text: str, src: Path) -> Path:
    from generator.site import build as site

    folder = tmp / "council"
    shutil.copytree(src.parent, folder, dirs_exist_ok=True)
    (folder / "council.yaml").write_text(config_text)
    out = tmp / "site"
    site.build([folder / "council.yaml"], out, build_date=BUILD_DATE)
    return out


@pytest.mark.parametrize("rounded", [False, True])
def test_tiny_site_resists_the_lp_attacker(tmp_path, rounded):
    """The tiny council, with a small count planted so that something is withheld: no
    withheld count can be narrowed below the threshold from the CSV."""
    text = TINY_CONFIG.read_text()
    if rounded:
        text = text.replace("threshold: 5", "threshold: 5\n  rounding: nearest_5")
    site = build(tmp_path, text, TINY_CONFIG)
    pack = load_pack(TINY_CONFIG.parent / "geography")
    assert attack(site, "tiny", pack, rounded, 5) > 0


@pytest.mark.slow
def test_demo_site_resists_the_lp_attacker(demo_site):
    """The demo site as built for the session (rounding off): every withheld count in the
    CSV keeps a feasible range at least the threshold wide."""
    pack = load_pack(DEMO_CONFIG.parent / "../../demo/geography")
    assert attack(demo_site, "demo", pack, False, 5) > 0


# --- Property: random small councils, through publish and the CSV writer ------------------

TINY_PACK = load_pack(TINY_CONFIG.parent / "geography")
COUNCIL = "X12900001"
IDS = ["cilif_share", "cilif_count", "children_0_15"]


@st.composite
def councils(draw: st.DrawFn) -> tuple[GeographyPack, pd.DataFrame, bool]:
    """1-3 wards of 1-4 zones, small low-income counts, rounding on or off."""
    wards = draw(st.integers(1, 3))
    lookup, rows = [], []
    for w in range(wards):
        for z in range(draw(st.integers(1, 4))):
            code = f"X019{w}{z:04d}"
            lookup.append(
                (code, f"Zone {w}{z}", f"X139{w:05d}", f"Ward {w}", COUNCIL, "Tinyton Council")
            )
            for period in ("2024/25",):
                rows.append((code, period, "children_0_15", draw(st.integers(20, 60))))
                rows.append((code, period, "cilif_children", draw(st.integers(0, 8))))
    frame = pd.DataFrame(lookup, columns=list(TINY_PACK.lookup.columns))
    pack = dataclasses.replace(TINY_PACK, lookup=frame)
    tidy = pd.DataFrame(rows, columns=["area_code", "period", "measure", "value"])
    tidy["value"] = tidy["value"].astype(float)
    return pack, tidy, draw(st.booleans())


def published_csv(pack: GeographyPack, tidy: pd.DataFrame, rounded: bool) -> bytes:
    """What the site's CSV download would hold for this council (same functions)."""
    from generator.analysis import compute, disclosure, suppression
    from generator.site.downloads import values_csv

    measures = pack.rollup(tidy, CATALOGUE.additive_measures())
    values = compute.compute_indicators(measures, CATALOGUE, IDS, pack, COUNCIL)
    thresholds = {"cilif_children": 5, "children_0_15": 5}
    hidden = suppression.suppress_measures(measures, pack, CATALOGUE, thresholds)
    rounding = "nearest_5" if rounded else "none"
    published = disclosure.publish(values, hidden, CATALOGUE, rounding, ("council", COUNCIL))
    return values_csv(published, {i: CATALOGUE.indicators[i] for i in IDS})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils())
def test_random_councils_resist_the_lp_attacker(case):
    """Over random small councils, rounding on and off: no withheld count in the CSV can
    be narrowed below the threshold by the LP attacker."""
    pack, tidy, rounded = case
    data = published_csv(pack, tidy, rounded)
    hierarchy = nested(pack)
    for _key, table in sorted(published_cells(data, rounded).items()):
        for cell, low, high in narrowest(table, hierarchy):
            assert high - low >= 5 - 1e-6, (cell, low, high)


@pytest.mark.slow
def test_rounded_demo_site_resists_the_lp_attacker(tmp_path):
    """The demo built with rounding to 5: every withheld count keeps a feasible range at
    least the threshold wide, with every published count known only to within 2."""
    from generator.site import build as site

    demo = DEMO_CONFIG.parent
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    text = text.replace(
        "disclosure: {threshold: 5}", "disclosure: {threshold: 5, rounding: nearest_5}"
    )
    text = text.replace("../../demo/", str((demo / "../../demo").resolve()) + "/")
    config = tmp_path / "council.yaml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    site.build([config], out, build_date=BUILD_DATE)
    pack = load_pack(demo / "../../demo/geography")
    assert attack(out, "demo", pack, True, 5) > 0
