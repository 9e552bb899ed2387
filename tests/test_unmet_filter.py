"""The unmet-need page's family-type filter: uptake and the priority list per category
(receipt and need both split), checked against an independent computation, and in Chromium."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.analysis.funnel import standardised_shortfall
from tests.conftest import ROOT

EXTRACT = ROOT / "demo" / "data" / "income" / "cilif_scp_family_type.csv"


@pytest.fixture(scope="module")
def site(demo_council):
    return demo_council.site


def _category(site, indicator, category, level="datazone"):
    b = site.breakdowns
    rows = b[
        (b["indicator"] == indicator)
        & (b["breakdown"] == "family_type")
        & (b["category"] == category)
        & (b["level"] == level)
    ]
    return rows[rows["period"] == rows["period"].max()]


@pytest.mark.parametrize("category,label", [("lone_parent", "Lone parent"), ("couple", "Couple")])
def test_category_uptake_matches_an_independent_computation(site, category, label):
    """Expected = the category's need x the council's receipt per need in that category, from
    the extract itself; the published value is observed / expected x 100."""
    raw = pd.read_csv(EXTRACT)
    rows = _category(site, "scp_uptake", category)
    period = rows["period"].iloc[0]
    part = raw[(raw["Year"] == period) & (raw["Family type"] == label)].set_index("DataZone")
    o = part["Children receiving Scottish Child Payment"].astype(float)
    n = part["Children in low income families (relative)"].astype(float)
    rate = o.sum() / n.sum()
    shown = rows[~rows["suppressed"]].set_index("area_code")
    assert len(shown) > 10
    expected = n.loc[shown.index] * rate
    np.testing.assert_allclose(shown["denominator"], expected, rtol=1e-9)
    np.testing.assert_allclose(shown["numerator"], o.loc[shown.index])
    np.testing.assert_allclose(
        shown["value"],
        o.loc[shown.index] / expected.where(expected > 0) * 100,  # none expected: no ratio
        rtol=1e-9,
        equal_nan=True,
    )
    # the other category's counts would give other values: the check can fail
    other = raw[(raw["Year"] == period) & (raw["Family type"] != label)].set_index("DataZone")
    assert not np.allclose(
        shown["numerator"], other.loc[shown.index, "Children receiving Scottish Child Payment"]
    )


def test_only_uptake_with_receipt_and_need_split_is_filtered(site):
    """SCP uptake (receipt and need by family type) has category rows; free school meals
    uptake (need split, receipt not) and CTR uptake (receipt split, need not) have none and
    are named as one-sided."""
    b = site.breakdowns
    split = set(b.loc[b["breakdown"] == "family_type", "indicator"])
    assert "scp_uptake" in split
    assert not {"fsm_p6_p7_uptake", "ctr_uptake"} & split
    assert {"fsm_p6_p7_uptake", "ctr_uptake"} <= set(site.one_sided["family_type"])
    assert "scp_uptake" not in site.one_sided["family_type"]


def test_category_priority_list_follows_the_same_rule(site):
    """The lone-parent list is the published lone-parent rows below expected, ranked by the
    standardised shortfall, top N; and it is not the total's list."""
    rows = _category(site, "scp_uptake", "lone_parent")
    below = rows[(rows["status"] == "below") & ~rows["suppressed"]]
    z = standardised_shortfall(
        below["pool_observed"].to_numpy(float),
        below["pool_expected"].to_numpy(float),
        below["phi"].fillna(1.0).to_numpy(float),
    )
    order = below.assign(z=z).sort_values(["z", "area_code"], ascending=[False, True])
    listed = [a.code for a in site.priority_by[("family_type", "lone_parent")]["datazone"]]
    assert listed == order["area_code"].tolist()[: len(listed)]
    assert listed and listed != [a.code for a in site.priority["datazone"]]


def test_unmet_need_filter_swaps_priority_list_and_map(page, demo_site, demo_council):
    """Choosing "Lone parent" shows the lone-parent list and map (matching the published
    lone-parent rows) instead of the total's; "All" brings the total's back."""
    site = demo_council.site
    page.goto((demo_site / "demo" / "unmet-need.html").as_uri())
    select = page.get_by_label("Family type:")
    assert select.evaluate("e => e.tagName") == "SELECT"

    def visible_codes():
        return page.locator("#priority .priority-area:visible").evaluate_all(
            "els => els.map(e => e.dataset.code)"
        )

    def map_below(fig_id):
        page.wait_for_selector(f"#{fig_id} path.choroplethlocation", timeout=15000)
        return page.evaluate(
            """id => { const d = document.getElementById(id).data;
                const out = [];
                d.forEach(t => (t.locations || []).forEach((loc, i) => {
                    if (t.z && t.z[i] > 0) out.push(loc); }));
                return out.sort(); }""",
            fig_id,
        )

    total = visible_codes()
    assert total == [a.code for lv in ("ward", "datazone") for a in site.priority.get(lv, [])]
    total_map = map_below("status-map")
    select.focus()
    select.select_option("lone_parent")
    assert page.locator("#status-map").is_hidden()
    assert page.locator("#status-map-lone_parent").is_visible()
    lone = visible_codes()
    expected = site.priority_by[("family_type", "lone_parent")]
    assert lone == [a.code for lv in ("ward", "datazone") for a in expected.get(lv, [])]
    assert lone != total
    lone_map = map_below("status-map-lone_parent")
    rows = _category(site, "scp_uptake", "lone_parent")
    published_below = sorted(
        rows.loc[(rows["status"] == "below") & ~rows["suppressed"], "area_code"]
    )
    assert lone_map == published_below
    assert lone_map != total_map
    assert "Showing: Lone parent" in page.locator(".variant-status").inner_text()
    select.select_option("")
    assert visible_codes() == total


def test_lone_parent_reasons_quote_the_published_lone_parent_rows(demo_site, site):
    """Each reason in the lone-parent list is the lone-parent row's pooled numbers."""
    from tests.test_unmet import _Reasons

    parser = _Reasons()
    parser.feed((demo_site / "demo" / "unmet-need.html").read_text(encoding="utf-8"))
    areas = parser.by_variant["lone_parent"]
    listed = site.priority_by[("family_type", "lone_parent")]
    assert [c for c, _ in areas] == [
        a.code for lv in ("ward", "datazone") for a in listed.get(lv, [])
    ]
    b = site.breakdowns
    for code, reasons in areas:
        row = b[
            (b["indicator"] == "scp_uptake")
            & (b["category"] == "lone_parent")
            & (b["area_code"] == code)
        ]
        row = row[row["period"] == row["period"].max()].iloc[0]
        assert row["status"] == "below" and not row["suppressed"]
        (text,) = reasons
        assert f"pooled: {round(row['pool_observed']):,} against " in text
        assert f" against {round(row['pool_expected']):,} expected" in text
