"""Inequality by SIMD: grouping, quintile sums, the SII/RII, their disclosure control, and
the comparison with Scotland, on hand-worked examples and on the built demo site."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from generator.analysis import group_suppression, inequality, suppression
from generator.errors import CdashError
from generator.ingest.catalogue import load_catalogue
from generator.ingest.validate import validate
from tests.conftest import TINY_CONFIG
from tests.test_rollup_disclosure import _cells


@pytest.fixture(scope="module")
def demo(demo_council):
    return demo_council.site


def test_sii_rii_hand_worked_equal_populations():
    """Five equal quintiles at ranks .1 .3 .5 .7 .9 with values 30 10 20 10 10: the weighted
    slope is -8/0.4 = -20, so SII = 20, mean 16, RII = 1.25; with every SE 2 the SII's
    variance is 4 x (1 + .25 + 0 + .25 + 1) = 10."""
    y = np.array([30, 10, 20, 10, 10.0])
    s = inequality.slope_index(y, np.full(5, 100.0), y - 1.96 * 2, y + 1.96 * 2)
    assert s.sii == pytest.approx(20)
    assert s.mean == pytest.approx(16)
    assert s.rii == pytest.approx(1.25)
    assert s.sii_lower == pytest.approx(20 - 1.96 * np.sqrt(10))
    assert s.sii_upper == pytest.approx(20 + 1.96 * np.sqrt(10))
    assert s.rii_lower == pytest.approx((20 - 1.96 * np.sqrt(10)) / 16)


def test_sii_rii_hand_worked_unequal_populations():
    """Populations 100 100 200 100 100 put the quintiles at 1/12, 3/12, 6/12, 9/12, 11/12;
    values on the line 60 - 48x give SII 48 whatever the weights, mean 21600/600 = 36."""
    x = np.array([1, 3, 6, 9, 11]) / 12
    y = 60 - 48 * x
    s = inequality.slope_index(y, np.array([100, 100, 200, 100, 100.0]), y, y)
    assert s.sii == pytest.approx(48)
    assert s.mean == pytest.approx(36)
    assert s.rii == pytest.approx(48 / 36)
    assert s.sii_lower == pytest.approx(48)  # zero-width group intervals


def test_sii_is_weighted_by_population():
    """Values off any line, with unequal populations: the SII is the slope of the least-squares
    line weighted by population (numpy's polyfit with weights sqrt(population), computed
    independently here), and differs from the unweighted fit, so a missing weighting fails."""
    pop = np.array([400, 50, 300, 50, 200.0])
    y = np.array([30, 5, 22, 18, 9.0])
    share = pop / pop.sum()
    x = np.cumsum(share) - share / 2
    weighted = -np.polyfit(x, y, 1, w=np.sqrt(pop))[0]
    unweighted = -np.polyfit(x, y, 1)[0]
    s = inequality.slope_index(y, pop, y - 1, y + 1)
    assert s.sii == pytest.approx(weighted)
    assert abs(weighted - unweighted) > 1  # the weighting matters for these numbers
    assert s.mean == pytest.approx(np.average(y, weights=pop))
    # The interval from a linear combination of the group values: with SE s_g for each
    # group, var(slope) = sum(c_g^2 s_g^2) where c are the weighted least-squares weights.
    xbar = np.average(x, weights=pop)
    c = share * (x - xbar) / np.sum(share * (x - xbar) ** 2)
    half = 1.96 * np.sqrt(np.sum(c**2 * (2 / 3.92) ** 2))
    assert s.sii_upper - s.sii == pytest.approx(half)


def test_no_sii_when_a_quintile_is_withheld():
    """A withheld quintile leaves the SII blank with a reason, never fitted on the rest."""
    s = inequality.slope_index(
        np.array([30, np.nan, 20, 10, 10]), np.full(5, 100.0), np.zeros(5), np.ones(5)
    )
    assert np.isnan(s.sii) and "withheld" in s.reason


def test_quintiles_and_deciles_from_ranks():
    """quintile = ceil(rank / 6976 x 5): 1395 is the last rank of quintile 1; a rank beyond
    the stated number of zones is an error naming the setting."""
    m = pd.DataFrame(
        {
            "level": "datazone",
            "area_code": ["a", "b", "c", "d"],
            "period": "2020",
            "measure": "simd_rank",
            "value": [1.0, 1395, 1396, 6976],
        }
    )
    g = inequality.simd_groups(m, "datazone", "simd_rank", 6976)
    q = g[g["grouping"] == "quintile"].set_index("area_code")["group"].to_dict()
    d = g[g["grouping"] == "decile"].set_index("area_code")["group"].to_dict()
    assert q == {"a": 1, "b": 1, "c": 2, "d": 5}
    assert d == {"a": 1, "b": 2, "c": 3, "d": 10}
    with pytest.raises(CdashError, match="inequality.zones"):
        inequality.simd_groups(m.assign(value=[1.0, 2, 3, 7000]), "datazone", "simd_rank", 6976)


def test_quintile_values_are_sums_of_their_zones(demo):
    """On the demo, each published quintile's numerator and denominator equal the sums over
    its data zones (the published zone rows, where none in it is withheld)."""
    values, groups = demo.values, demo.groups
    simd = values[(values["indicator"] == "simd_rank") & (values["level"] == "datazone")]
    quintile = dict(
        zip(simd["area_code"], np.ceil(simd["value"] / 6976 * 5).astype(int), strict=True)
    )
    checked = 0
    for ind_id in ("cilif_share", "uc_households_per_1000_children", "scp_uptake"):
        zones = values[
            (values["indicator"] == ind_id)
            & (values["level"] == "datazone")
            & (values["period"] == "2024/25")
        ]
        zones = zones.assign(q=zones["area_code"].map(quintile))
        for q, part in zones.groupby("q"):
            row = groups[
                (groups["indicator"] == ind_id)
                & (groups["period"] == "2024/25")
                & (groups["grouping"] == "quintile")
                & (groups["group"] == q)
            ]
            assert len(row) == 1 and int(row["zones"].iloc[0]) == len(part)
            if part["suppressed"].any() or row["suppressed"].iloc[0]:
                continue
            assert row["numerator"].iloc[0] == pytest.approx(part["numerator"].sum())
            assert row["denominator"].iloc[0] == pytest.approx(part["denominator"].sum())
            checked += 1
    assert checked >= 10


@pytest.fixture(scope="module")
def tiny():
    catalogue = load_catalogue()
    v = validate(TINY_CONFIG, None, catalogue)
    return catalogue, v.pack


def _group_cells(pack, zone_values, groups):
    cells = _cells(pack.lookup, zone_values)
    zones = pd.DataFrame(
        [
            {"area_code": z, "grouping": "quintile", "group": g}
            for g, members in groups.items()
            for z in members
        ]
    )
    sums = inequality.group_measures(cells, zones, "datazone", ["fsm_registered_p6_p7"])
    return cells, zones, sums


ZONES = {
    "X01900001": 7,
    "X01900002": 5,
    "X01900003": 3,
    "X01900004": 6,
    "X01900005": 13,
    "X01900006": 8,
}  # 03 is under 5; 06 goes with it (smallest sibling in its ward)


def test_quintile_with_one_withheld_zone_is_withheld(tiny):
    """A quintile holding exactly one withheld zone would give it away (total minus the
    published zones), so it is withheld; a quintile with none is published."""
    catalogue, pack = tiny
    cells, zones, sums = _group_cells(
        pack,
        ZONES,
        {
            1: ["X01900001", "X01900003"],
            2: ["X01900002", "X01900006"],
            3: ["X01900004", "X01900005"],
        },
    )
    hidden = suppression.suppress_measures(cells, pack, catalogue, {"fsm_registered_p6_p7": 5})
    assert set(hidden.loc[hidden["suppressed"], "area_code"]) == {"X01900003", "X01900006"}
    out = group_suppression.suppress_groups(
        sums, zones, hidden, pack, catalogue, {"fsm_registered_p6_p7": 5}
    )
    assert dict(zip(out["group"], out["note"], strict=True)) == {
        1: "secondary",
        2: "secondary",
        3: "",
    }


def test_quintile_with_two_withheld_zones_is_published(tiny):
    """Two withheld zones in one quintile only give away their sum, which their ward
    already does: the quintile is published."""
    catalogue, pack = tiny
    cells, zones, sums = _group_cells(
        pack,
        ZONES,
        {1: ["X01900003", "X01900006"], 2: ["X01900001", "X01900002", "X01900004", "X01900005"]},
    )
    hidden = suppression.suppress_measures(cells, pack, catalogue, {"fsm_registered_p6_p7": 5})
    out = group_suppression.suppress_groups(
        sums, zones, hidden, pack, catalogue, {"fsm_registered_p6_p7": 5}
    )
    assert not out["suppressed"].any()


def test_small_quintile_total_is_primary_and_protected(tiny):
    """A quintile total under the threshold is withheld, and so is every quintile holding
    exactly one withheld zone: quintile 2 (with the ward totals it would give both small
    zones away) and quintile 3, whose zone 05 the east ward hides so that its two small
    zones (2 + 1) do not add up to a published 3."""
    catalogue, pack = tiny
    zones_v = {**ZONES, "X01900003": 2, "X01900006": 1}
    cells, zones, sums = _group_cells(
        pack,
        zones_v,
        {
            1: ["X01900003"],
            2: ["X01900001", "X01900006"],
            3: ["X01900002", "X01900004", "X01900005"],
        },
    )
    hidden = suppression.suppress_measures(cells, pack, catalogue, {"fsm_registered_p6_p7": 5})
    out = group_suppression.suppress_groups(
        sums, zones, hidden, pack, catalogue, {"fsm_registered_p6_p7": 5}
    )
    notes = dict(zip(hidden["area_code"], hidden["note"], strict=True))
    assert notes["X01900005"] == "secondary"
    assert dict(zip(out["group"], out["note"], strict=True)) == {
        1: "primary",
        2: "secondary",
        3: "secondary",
    }


def test_indicator_page_shows_quintile_chart_table_and_sii(demo_site, demo):
    """The indicator page has the quintile chart, the table with the published numbers,
    and the SII sentence with the computed SII."""
    html = (demo_site / "demo" / "indicators" / "cilif_share.html").read_text("utf-8")
    assert 'id="simd-quintiles"' in html and 'id="table-simd"' in html
    g = demo.groups
    rows = g[
        (g["indicator"] == "cilif_share")
        & (g["period"] == "2024/25")
        & (g["grouping"] == "quintile")
    ].sort_values("group")
    table = html[html.index('id="table-simd"') :]
    table = table[: table.index("</table>")]
    for r in rows.itertuples(index=False):
        name = (
            "Quintile 1 (most deprived)"
            if r.group == 1
            else ("Quintile 5 (least deprived)" if r.group == 5 else f"Quintile {r.group}")
        )
        assert re.search(
            rf"<th scope=\"row\">{re.escape(name)}</th><td class=\"num\">"
            rf"{r.zones}</td><td class=\"num\">{int(r.numerator):,}</td>"
            rf"<td class=\"num\">{int(r.denominator):,}</td>"
            rf"<td class=\"num\">{r.value:.1f}</td>",
            table,
        ), name
    s = demo.slopes[("cilif_share", "2024/25")]
    assert f"Slope index of inequality (SII): {abs(s.sii):.1f}%" in html
    assert f"{s.rii:.2f} (95% CI {s.rii_lower:.2f} to {s.rii_upper:.2f})" in html


def test_compared_with_scotland_on_pages(demo_site, demo):
    """The council's value against Scotland carries the comparison the CI gives, coloured
    by polarity, on the indicator page; area profiles have the Scotland column."""
    v = demo.values
    council = v[
        (v["indicator"] == "cilif_share") & (v["level"] == "council") & (v["period"] == "2024/25")
    ].iloc[0]
    expected = (
        "worse"
        if council["lower"] > council["national"]
        else "better"
        if council["upper"] < council["national"]
        else "similar"
    )
    assert council["national"] == pytest.approx(217000 / 900000 * 100)
    assert council["national_comparison"] == expected
    html = (demo_site / "demo" / "indicators" / "cilif_share.html").read_text("utf-8")
    label = {"worse": "Worse", "better": "Better", "similar": "Similar"}[expected]
    # The card names its period (issue 17), which the period control rewrites.
    card = html.split('class="keyfact-detail national">', 1)[1].split("</span></span>", 1)[0]
    assert f'<span class="cmp cmp-{expected}">' in card
    assert re.sub(r"<[^>]+>", "", card) == (
        f"Scotland, 2024/25: {council['national']:.1f}% · "
        f"{label} {'to' if expected == 'similar' else 'than'} Scotland"
    )
    ward = v[
        (v["indicator"] == "cilif_share")
        & (v["level"] == "ward")
        & (v["period"] == "2024/25")
        & ~v["suppressed"]
    ].iloc[0]
    area = (demo_site / "demo" / "areas" / "ward" / f"{ward['area_code']}.html").read_text()
    assert "Compared with Scotland" in area
    assert f"cmp-{ward['national_comparison']}" in area
    # Uptake with the council's own ratio has no national comparator.
    assert v.loc[v["indicator"] == "scp_uptake", "national"].isna().all()


def test_area_profile_shows_index_components(demo_site, demo):
    """Each area profile lists the index's components with their scores."""
    comps = demo.index_components["family_hardship_index"]
    row = comps[(comps["level"] == "ward") & (comps["period"] == "2024/25")].iloc[0]
    area = (demo_site / "demo" / "areas" / "ward" / f"{row['area_code']}.html").read_text()
    assert "components, 2024/25" in area
    assert f'<td class="num">{row["score"]:.1f}</td>' in area


def test_nav_is_named_and_unmet_need_follows_overview(demo_site):
    """Unmet need comes right after Overview; links by name still go to the right pages."""
    html = (demo_site / "demo" / "indicators" / "cilif_share.html").read_text("utf-8")
    nav = html[html.index('aria-label="Main"') :]
    labels = re.findall(r'">([^<]+)</a></li>', nav[: nav.index("</nav>")])
    assert labels[:2] == ["Overview", "Unmet need"]
    assert 'href="../about.html#cilif_share">Full definitions' in html
