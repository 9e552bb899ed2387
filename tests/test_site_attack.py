"""An attacker who reads only the built site (``tests/site_attacker.py``): the CSV
download, the view data inside every indicator page, the SIMD group tables and the
unmet-need CSV, with the public geography and the catalogue's definitions, solving a linear
program for every withheld count."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.ingest.geography import GeographyPack, load_pack
from tests import site_attacker
from tests.conftest import BUILD_DATE, DEMO_CONFIG, TINY_CONFIG
from tests.site_attacker import CATALOGUE, Knowledge

#: The demo's SIMD edition ranks this many zones (``inequality.zones`` in its config).
SIMD_ZONES = 6976


def attack(
    site: Path,
    slug: str,
    pack: GeographyPack,
    rounded: bool,
    threshold: int,
    ranks: bytes | None = None,
) -> int:
    """Run the attack on one built site; fail on any withheld count narrowed below
    ``threshold`` wide. Returns how many withheld cells were attacked."""
    k = site_attacker.read_site(site, slug, rounded, simd_zones=SIMD_ZONES, ranks=ranks)
    site_attacker.add_relations(k, pack)
    return site_attacker.attack(k, threshold)


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


@pytest.mark.slow
def test_lp_attacker_catches_a_leak_planted_in_the_demo(demo_site):
    """The demo's knowledge with a leak planted: every withheld count but one of a relation
    published (at a feasible point where the last is largest). The attacker must pin it."""
    pack = load_pack(DEMO_CONFIG.parent / "../../demo/geography")
    k = site_attacker.read_site(demo_site, "demo", False, simd_zones=SIMD_ZONES)
    site_attacker.add_relations(k, pack)
    keys = sorted(k.cells)
    col = {key: n for n, key in enumerate(keys)}

    def matrix(rows: list[dict]) -> scipy.sparse.csr_matrix:
        r = [i for i, rel in enumerate(rows) for _ in rel]
        c = [col[key] for rel in rows for key in rel]
        v = [coef for rel in rows for coef in rel.values()]
        return scipy.sparse.csr_matrix((v, (r, c)), shape=(len(rows), len(keys)))

    bounds = [k.cells[key] or k.censored.get(key, (0.0, None)) for key in keys]
    program = site_attacker._Program(matrix(k.equations), matrix(k.inequalities), bounds)
    for eq in k.equations:
        hidden = [key for key in eq if k.cells[key] is None and key[0] not in k.amounts]
        if len(hidden) < 2:
            continue
        c = np.zeros(len(keys))
        c[col[hidden[0]]] = -1.0
        x, _ = program.solve(c)
        if x is not None and x[col[hidden[0]]] > 5:
            break
    else:
        pytest.fail("no relation of the demo to plant a leak in")
    for key in hidden[1:]:
        k.cells[key] = (x[col[key]], x[col[key]])
    with pytest.raises(AssertionError, match="narrows a withheld cell"):
        site_attacker.attack(k, 5)


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
    k = Knowledge(rounded)
    site_attacker.read_csv(k, published_csv(pack, tidy, rounded))
    site_attacker.add_relations(k, pack)
    site_attacker.attack(k, 5)


def test_the_lp_attacker_catches_a_leaky_site():
    """One small count (3) in a ward of three zones is withheld with a sibling (20). The
    site as suppression publishes it passes; the same site with the sibling's true count
    written in is the ward less its published zones, and the attacker must fail it (the
    check that every attack test above can fail: they all run this attacker). Rounding off:
    on a rounded site this one leak is covered by the rounding (the zone is 0 to 11)."""
    rounded = False
    lookup = [
        (f"X0190{z:04d}", f"Zone {z}", "X13900000", "Ward 0", COUNCIL, "Tinyton Council")
        for z in range(3)
    ]
    frame = pd.DataFrame(lookup, columns=list(TINY_PACK.lookup.columns))
    pack = dataclasses.replace(TINY_PACK, lookup=frame)
    counts = {"X01900000": (40, 3), "X01900001": (50, 20), "X01900002": (45, 30)}
    rows = [
        row
        for code, (children, low) in counts.items()
        for row in (
            (code, "2024/25", "children_0_15", children),
            (code, "2024/25", "cilif_children", low),
        )
    ]
    tidy = pd.DataFrame(rows, columns=["area_code", "period", "measure", "value"])
    tidy["value"] = tidy["value"].astype(float)
    data = published_csv(pack, tidy, rounded)
    table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    sibling = (table["area_code"] == "X01900001") & (table["numerator"] == "[c]")
    assert sibling.any()  # the sibling is withheld: that is what the leak undoes
    k = Knowledge(rounded)
    site_attacker.read_csv(k, data)
    site_attacker.add_relations(k, pack)
    assert site_attacker.attack(k, 5) > 0
    table.loc[sibling & table["indicator"].isin(["cilif_share", "cilif_count"]), "numerator"] = "20"
    table.loc[sibling & (table["indicator"] == "cilif_share"), "denominator"] = "50"
    leaky = Knowledge(rounded)
    site_attacker.read_csv(leaky, table.to_csv(index=False).encode())
    site_attacker.add_relations(leaky, pack)
    with pytest.raises(AssertionError, match="narrows a withheld cell"):
        site_attacker.attack(leaky, 5)


@pytest.mark.slow
def test_rounded_demo_site_resists_the_lp_attacker(tmp_path, demo_site):
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
    # The exact SIMD ranks are public; the rounded site rounds them like every count.
    ranks = (demo_site / "demo" / "data" / "indicator_values.csv").read_bytes()
    assert attack(out, "demo", pack, True, 5, ranks=ranks) > 0
