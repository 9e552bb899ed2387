"""Need models for uptake (analysis/need.py): direct, apportioned and proxy, with exact
numbers, and need carried forward past its last published period."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from generator.analysis import compute, need
from generator.ingest.catalogue import load_catalogue
from generator.ingest.config import NeedModel, UptakeRule
from tests.test_compute import COUNCIL, make_pack

DZ = ["X01000001", "X01000002", "X01000003", "X01000004"]
WARDS = ["X13000001", "X13000002"]


def _rows(measure, level, codes, values, period):
    return [
        {"level": level, "area_code": c, "period": period, "measure": measure, "value": float(v)}
        for c, v in zip(codes, values, strict=True)
    ]


def _tidy():
    """CiLIF by ward only (2021/22), children and SIMD income rate by data zone, and CTR
    receipts by data zone for 2021/22 and 2022/23, rolled up."""
    rows = _rows("cilif_children", "ward", WARDS, [30, 10], "2021/22")
    rows += _rows("children_0_15", "datazone", DZ, [10, 20, 5, 5], "2020/21")
    rows += _rows("simd_income_rate_pct", "datazone", DZ, [10, 20, 40, 0], "2020")
    for p in ("2021/22", "2022/23"):
        rows += _rows("ctr_households_with_children", "datazone", DZ, [3, 12, 5, 1], p)
    tidy = pd.DataFrame(rows)
    cat = load_catalogue()
    return make_pack().rollup(tidy, cat.additive_measures()), cat


def _model(rule):
    tidy, cat = _tidy()
    cfg = SimpleNamespace(uptake={"ctr_uptake": rule})
    return need.model_need(tidy, cat, ["ctr_uptake"], make_pack(), cfg), cat


def _values(out, measure, level, period):
    m = out.measures
    rows = m[(m["measure"] == measure) & (m["level"] == level) & (m["period"] == period)]
    return rows.set_index("area_code")["value"].to_dict()


def test_apportioned_shares_the_coarse_count_exactly():
    """w = children x rate% = [1, 4, 2, 0]: North's 30 goes 6 / 24 (1:4), South's 10 goes
    10 / 0; each ward's need sums to its CiLIF exactly, and 2022/23 carries 2021/22."""
    rule = UptakeRule(
        need=NeedModel(
            model="apportioned",
            measure="cilif_children",
            proxy=["children_0_15", "simd_income_rate_pct"],
        )
    )
    out, _ = _model(rule)
    derived = "need__ctr_uptake"
    assert out.catalogue.indicators["ctr_uptake"].need == derived
    for p in ("2021/22", "2022/23"):
        dz = _values(out, derived, "datazone", p)
        assert dz == pytest.approx(dict(zip(DZ, [6.0, 24.0, 10.0, 0.0], strict=True)))
        assert _values(out, derived, "ward", p) == pytest.approx({WARDS[0]: 30.0, WARDS[1]: 10.0})
        assert _values(out, derived, "council", p) == pytest.approx({COUNCIL: 40.0})
    note = out.notes["ctr_uptake"]
    assert note["2022/23"].startswith("need: 2021/22 Children in low income families")
    assert "the latest published" in note["2022/23"]
    assert "the latest published" not in note["2021/22"]


def test_apportioned_shares_equally_when_the_proxy_is_zero():
    assert need.apportion(
        pd.Series({WARDS[0]: 30.0, WARDS[1]: 10.0}),
        pd.Series(dict(zip(DZ, [1.0, 4.0, 0.0, 0.0], strict=True))),
        make_pack(),
        "datazone",
        "ward",
    ).to_dict() == pytest.approx(dict(zip(DZ, [6.0, 24.0, 5.0, 5.0], strict=True)))


def test_proxy_is_the_product_of_the_proxies():
    rule = UptakeRule(
        need=NeedModel(model="proxy", proxy=["children_0_15", "simd_income_rate_pct"])
    )
    out, _ = _model(rule)
    dz = _values(out, "need__ctr_uptake", "datazone", "2022/23")
    assert dz == pytest.approx(dict(zip(DZ, [1.0, 4.0, 2.0, 0.0], strict=True)))
    assert _values(out, "need__ctr_uptake", "ward", "2022/23") == pytest.approx(
        {WARDS[0]: 5.0, WARDS[1]: 2.0}
    )


def test_direct_need_is_carried_forward_and_labelled():
    """CiLIF by ward for 2021/22 only: the 2022/23 receipts are judged against it."""
    out, _ = _model(UptakeRule(need="cilif_children"))
    assert _values(out, "need__ctr_uptake", "ward", "2022/23") == {WARDS[0]: 30.0, WARDS[1]: 10.0}
    assert out.notes["ctr_uptake"] == {
        "2022/23": "need: 2021/22 Children in low income families, the latest published"
    }


def test_direct_need_published_every_period_is_left_alone():
    tidy, cat = _tidy()
    tidy = tidy[tidy["measure"] != "ctr_households_with_children"]
    out = need.model_need(tidy, cat, ["ctr_uptake"], make_pack(), SimpleNamespace(uptake={}))
    assert out.catalogue is cat and out.notes == {}


def test_uptake_against_apportioned_need_end_to_end():
    """Receipts [3, 12, 5, 1] against need [6, 24, 10, 0] with the council's own rate
    21/40: expected = need x 21/40, so the council row is 100% and zone 4 has no expected."""
    rule = UptakeRule(
        need=NeedModel(
            model="apportioned",
            measure="cilif_children",
            proxy=["children_0_15", "simd_income_rate_pct"],
        ),
        pool=1,
    )
    tidy, cat = _tidy()
    from generator.ingest.councils import apply_overrides

    cfg = SimpleNamespace(uptake={"ctr_uptake": rule})
    cat = apply_overrides(cat, cfg)
    out = need.model_need(tidy, cat, ["ctr_uptake"], make_pack(), cfg)
    values = compute.compute_indicators(
        out.measures, out.catalogue, ["ctr_uptake"], make_pack(), COUNCIL
    )
    dz = values[(values["level"] == "datazone") & (values["period"] == "2022/23")]
    assert dz["denominator"].tolist() == pytest.approx([6 * 21 / 40, 24 * 21 / 40, 10 * 21 / 40, 0])
    council = values[(values["level"] == "council") & (values["period"] == "2022/23")].iloc[0]
    assert council["value"] == pytest.approx(100)
    # one verdict per row: the comparison with the council is the funnel's flag
    words = {"below": "worse", "above": "better", "as_expected": "similar"}
    areas = values[values["level"] != "council"]
    assert (areas["comparison"] == areas["status"].map(words).fillna("")).all()


def _read_with_uptake(tmp_path, uptake_yaml: str):
    from generator.ingest.councils import read_config
    from tests.conftest import DEMO_CONFIG, ROOT

    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("../../demo/", str(ROOT / "demo") + "/")
    text = text[: text.index("# Unmet need.")] + uptake_yaml
    path = tmp_path / "council.yaml"
    path.write_text(text, encoding="utf-8")
    return read_config(path, load_catalogue())


def test_need_model_errors_are_located(tmp_path):
    """An unknown proxy measure is reported at its place in the list; a model without the
    measure it needs is a config error at the need."""
    read = _read_with_uptake(
        tmp_path,
        "uptake:\n  scg_uptake:\n    need: {model: apportioned, measure: cilif_children,\n"
        "           proxy: [children_5_15, simd_income_rte_pct]}\n",
    )
    found = [(p.field, p.code) for p in read.problems]
    assert found == [("uptake.scg_uptake.need.proxy[1]", "unknown-measure")], found
    read = _read_with_uptake(tmp_path, "uptake:\n  scg_uptake:\n    need: {model: proxy}\n")
    assert [(p.field, p.code) for p in read.problems] == [
        ("uptake.scg_uptake.need.model", "bad-value")
    ], [(p.field, p.code, p.message) for p in read.problems]


def test_apportioning_a_count_already_at_the_smallest_level_leaves_it():
    counts = pd.Series(dict(zip(DZ, [1.0, 2.0, 3.0, 4.0], strict=True)))
    out = need.apportion(counts, counts * 0 + 1, make_pack(), "datazone", "datazone")
    assert out.to_dict() == counts.to_dict()
