"""Compute: confidence intervals and the indicator values table, against hand-worked numbers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from generator.analysis.compute import COLUMNS, compare, compute_indicators
from generator.analysis.intervals import byars, poisson_exact, wilson
from generator.ingest.catalogue import Catalogue, IndicatorAdapter, Measure, Theme, load_catalogue
from generator.ingest.geography import GeographyPack, PackSpec

COUNCIL = "X12000001"


def available_levels(values: pd.DataFrame) -> dict[str, list[str]]:
    """For each indicator, the levels with at least one value, in table order."""
    pairs = values[values["value"].notna()][["indicator", "level"]].drop_duplicates()
    out: dict[str, list[str]] = {}
    for indicator, level in zip(pairs["indicator"], pairs["level"], strict=True):
        out.setdefault(indicator, []).append(level)
    return out


# --- Confidence intervals -------------------------------------------------------------------


def test_wilson_matches_hand_worked_interval_for_12_of_40():
    """Wilson 95% interval for 12/40, worked by hand.

    p = 0.3, z = 1.96, z^2 = 3.8416, z^2/n = 0.09604, so 1 + z^2/n = 1.09604.
    centre = (p + z^2/2n) / 1.09604 = (0.3 + 0.04802) / 1.09604 = 0.317525
    half   = z sqrt(p(1-p)/n + z^2/4n^2) / 1.09604
           = 1.96 sqrt(0.00525 + 0.00060025) / 1.09604 = 1.96 x 0.0764869 / 1.09604 = 0.136778
    -> (0.180747, 0.454303). (The brief's "(0.1791, 0.4562)-ish" does not follow from the
    formula; the cross-check below confirms these.)
    """
    lower, upper = wilson(12, 40)
    assert float(lower) == pytest.approx(0.1807, abs=5e-5)
    assert float(upper) == pytest.approx(0.4543, abs=5e-5)


@pytest.mark.parametrize(("k", "n"), [(12, 40), (1, 7), (20, 400), (399, 400), (6, 20)])
def test_wilson_bounds_solve_the_score_equation(k, n):
    """A second way: Wilson's bounds are the p with (k/n - p)^2 = z^2 p (1 - p) / n."""
    z = 1.96
    for bound in wilson(k, n, z):
        p = float(bound)
        assert (k / n - p) ** 2 == pytest.approx(z * z * p * (1 - p) / n, rel=1e-9)


def test_wilson_edges_give_zero_one_or_nan():
    """k = 0 starts at 0, k = n ends at 1; no, NaN or impossible denominators give NaN."""
    k = np.array([0, 10, 3, np.nan, 3, 11, -1])
    n = np.array([10, 10, 0, 10, np.nan, 10, 10])
    lower, upper = wilson(k, n)
    assert lower[0] == 0.0 and upper[0] == pytest.approx(0.277540, abs=1e-6)
    assert upper[1] == 1.0 and lower[1] == pytest.approx(1 - 0.277540, abs=1e-6)
    assert np.isnan(lower[2:]).all() and np.isnan(upper[2:]).all()


def test_byars_matches_hand_worked_interval_for_10():
    """Byars for k = 10, worked by hand.

    lower = 10 (1 - 1/90 - 1.96/(3 sqrt 10))^3 = 10 (1 - 0.011111 - 0.206602)^3
          = 10 x 0.782287^3 = 4.7874
    upper = 11 (1 - 1/99 + 1.96/(3 sqrt 11))^3 = 11 (1 - 0.010101 + 0.196988)^3
          = 11 x 1.186887^3 = 18.3916
    (The brief's "(4.7954, 18.3904)-ish" is close but not what the formula gives.)
    """
    lower, upper = byars(10)
    assert float(lower) == pytest.approx(4.7874, abs=5e-5)
    assert float(upper) == pytest.approx(18.3916, abs=5e-5)


def test_byars_zero_count_has_zero_lower_bound():
    """k = 0: lower is 0 and upper is (1 - 1/9 + 1.96/3)^3 = 1.542222^3 = 3.6681."""
    lower, upper = byars(np.array([0.0]))
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(3.6681, abs=5e-5)


def test_byars_is_close_to_exact_for_large_counts():
    """Byars is an approximation to the exact interval, and a good one for large k."""
    k = np.array([50.0, 400.0, 5000.0])
    b_lo, b_hi = byars(k)
    e_lo, e_hi = poisson_exact(k)
    np.testing.assert_allclose(b_lo, e_lo, rtol=2e-3)
    np.testing.assert_allclose(b_hi, e_hi, rtol=2e-3)


def test_byars_and_exact_give_nan_for_missing_or_negative_counts():
    """NaN and negative counts have no interval, and raise no warnings."""
    for fn in (byars, poisson_exact):
        lower, upper = fn(np.array([np.nan, -1.0]))
        assert np.isnan(lower).all() and np.isnan(upper).all()


# Exact 95% limits for a Poisson count as tabulated (Garwood's tables, as used by PHE), to
# 4 dp. The brief quoted 30.889 for the upper limit at 20; the exact value is 30.88838,
# which rounds to 30.888: a rounding slip, confirmed by the gamma cross-check below.
PUBLISHED_EXACT = {
    0: (0.0, 3.6889),
    1: (0.0253, 5.5716),
    5: (1.6235, 11.6683),
    20: (12.2165, 30.8884),
    100: (81.3640, 121.6268),
}


def test_poisson_exact_matches_published_limits():
    """Exact limits for 0, 1, 5, 20 and 100 agree with the published tables to 4 dp."""
    ks = np.array(sorted(PUBLISHED_EXACT), dtype=float)
    lower, upper = poisson_exact(ks)
    for i, k in enumerate(sorted(PUBLISHED_EXACT)):
        lo, hi = PUBLISHED_EXACT[k]
        assert lower[i] == pytest.approx(lo, abs=5e-5), k
        assert upper[i] == pytest.approx(hi, abs=5e-5), k


def test_poisson_exact_agrees_with_the_gamma_distribution():
    """A second way: the exact limits are gamma quantiles, Gamma(k) and Gamma(k + 1)."""
    ks = np.array([1.0, 5.0, 20.0, 100.0, 1234.0])
    lower, upper = poisson_exact(ks, level=0.9)
    np.testing.assert_allclose(lower, stats.gamma.ppf(0.05, ks), rtol=1e-10)
    np.testing.assert_allclose(upper, stats.gamma.ppf(0.95, ks + 1), rtol=1e-10)


def test_compare_words_follow_polarity_and_need_the_interval_to_exclude():
    """An interval that merely touches the comparator is similar; missing data gives ''."""
    lower = np.array([5.0, 1.0, 2.0, 3.0, np.nan])
    upper = np.array([9.0, 3.0, 6.0, 5.0, 9.0])
    comparator = np.array([4.0, 4.0, 4.0, 3.0, 4.0])
    assert compare(lower, upper, comparator, "higher_is_worse").tolist() == [
        "worse",
        "better",
        "similar",
        "similar",
        "",
    ]
    assert compare(lower, upper, comparator, "higher_is_better").tolist() == [
        "better",
        "worse",
        "similar",
        "similar",
        "",
    ]
    assert compare(lower, upper, comparator, "neutral").tolist() == [
        "higher",
        "lower",
        "similar",
        "similar",
        "",
    ]


# --- A tiny hand-made council ---------------------------------------------------------------
#
#   council X12000001 Glenvale
#     ward X13000001 North:  data zones X01000001 Ash, X01000002 Birch
#     ward X13000002 South:  data zones X01000003 Cedar, X01000004 Damson


def make_pack() -> GeographyPack:
    lookup = pd.DataFrame(
        {
            "datazone_code": ["X01000001", "X01000002", "X01000003", "X01000004"],
            "datazone_name": ["Ash", "Birch", "Cedar", "Damson"],
            "ward_code": ["X13000001", "X13000001", "X13000002", "X13000002"],
            "ward_name": ["North", "North", "South", "South"],
            "council_code": [COUNCIL] * 4,
            "council_name": ["Glenvale"] * 4,
        }
    )
    spec = PackSpec.model_validate(
        {
            "name": "test",
            "vintage": "test",
            "levels": [
                {"id": "datazone", "label": "Data zone", "label_plural": "Data zones"},
                {"id": "ward", "label": "Ward", "label_plural": "Wards"},
                {"id": "council", "label": "Council", "label_plural": "Councils"},
            ],
        }
    )
    return GeographyPack(root=Path("."), spec=spec, lookup=lookup)


def _measure(mid: str, additive: bool = True) -> Measure:
    return Measure(
        id=mid, label=mid, description=mid, unit="things", additive=additive, counts_people=additive
    )


def _indicator(**fields):
    base = {
        "title": "t",
        "short_title": "t",
        "description": "d",
        "theme": "need",
        "unit": "u",
        "source": "s",
        "caveats": "c",
    }
    return IndicatorAdapter.validate_python({**base, **fields})


def make_catalogue() -> Catalogue:
    measures = [
        _measure(m)
        for m in (
            "children_0_15",
            "foodbank_referrals_families",
            "pupils_p6_p7",
            "fsm_registered_p6_p7",
            "cilif_children",
        )
    ]
    measures.append(_measure("simd_rank", additive=False))
    indicators = [
        _indicator(
            id="foodbank_rate",
            method="rate",
            polarity="higher_is_worse",
            numerator="foodbank_referrals_families",
            denominator="children_0_15",
            multiplier=1000,
        ),
        _indicator(
            id="fsm_share",
            method="share",
            polarity="neutral",
            numerator="fsm_registered_p6_p7",
            denominator="pupils_p6_p7",
        ),
        _indicator(
            id="cilif_count",
            method="count",
            polarity="higher_is_worse",
            measure="cilif_children",
            ci="poisson_exact",
        ),
        _indicator(id="simd", method="count", polarity="higher_is_better", measure="simd_rank"),
    ]
    return Catalogue(
        themes={"need": Theme(id="need", title="Need", description="d")},
        measures={m.id: m for m in measures},
        indicators={i.id: i for i in indicators},
    )


BASE = {  # data zone values, in code order X01000001..4
    "children_0_15": [100, 1000, 50, 250],
    "foodbank_referrals_families": [20, 10, 0, 12],
    "pupils_p6_p7": [40, 400, 0, 20],
    "fsm_registered_p6_p7": [12, 20, 0, 6],
    "cilif_children": [1, 5, 0, 20],
    "simd_rank": [1200, 35, 6000, 480],
}


def base_tidy(values: dict[str, list[float]] = BASE, period: str = "2023/24") -> pd.DataFrame:
    codes = ["X01000001", "X01000002", "X01000003", "X01000004"]
    return pd.DataFrame(
        [
            {"dataset": "d", "area_code": code, "period": period, "measure": m, "value": float(v)}
            for m, vals in values.items()
            for code, v in zip(codes, vals, strict=True)
        ]
    )


def rolled(tidy: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    catalogue = catalogue or make_catalogue()
    additive = {m.id for m in catalogue.measures.values() if m.additive}
    return make_pack().rollup(tidy, additive)


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return compute_indicators(
        rolled(base_tidy()),
        make_catalogue(),
        ["fsm_share", "foodbank_rate", "cilif_count", "simd"],
        make_pack(),
        COUNCIL,
    )


def rows(values: pd.DataFrame, indicator: str) -> pd.DataFrame:
    return values[values["indicator"] == indicator].set_index("area_code")


def test_table_has_the_contract_columns_and_dtypes(values):
    """Columns and dtypes are exactly those of docs/internals.md."""
    assert list(values.columns) == COLUMNS
    assert values.index.equals(pd.RangeIndex(len(values)))
    assert str(values["rank"].dtype) == "Int64"
    assert values["suppressed"].dtype == bool and not values["suppressed"].any()
    assert (values["note"] == "").all()
    for col in ("numerator", "denominator", "value", "lower", "upper", "comparator"):
        assert values[col].dtype == np.float64, col


def test_rows_are_sorted_by_indicator_order_level_period_and_code(values):
    """Indicators in the order asked for, then levels smallest first, then area code."""
    keys = list(zip(values["indicator"], values["level"], values["area_code"], strict=True))
    dz = ["X01000001", "X01000002", "X01000003", "X01000004"]
    wards = ["X13000001", "X13000002"]
    expected = []
    for ind in ("fsm_share", "foodbank_rate", "cilif_count"):
        expected += [(ind, "datazone", c) for c in dz]
        expected += [(ind, "ward", c) for c in wards] + [(ind, "council", COUNCIL)]
    expected += [("simd", "datazone", c) for c in dz]  # a rank exists only for data zones
    assert keys == expected


def test_rate_values_intervals_comparisons_and_ranks_by_hand(values):
    """Foodbank referrals per 1,000 children, Byars interval scaled by 1000/children.

    council: 42 referrals / 1,400 children = 30.0 per 1,000 (the comparator)
    Ash    20/100   = 200.0; Byars(20) = (12.2113, 30.8901) x 10 = (122.11, 308.90) > 30: worse
    Birch  10/1000  =  10.0; Byars(10) = (4.7874, 18.3916) x 1   < 30: better
    Cedar   0/50    =   0.0; Byars(0)  = (0, 3.6681) x 20 = (0, 73.36) contains 30: similar
    Damson 12/250   =  48.0; Byars(12) = (6.1934, 20.9630) x 4 = (24.77, 83.85): similar
    North  30/1100  = 27.27; Byars(30) = (20.2368, 42.8286) / 1.1 = (18.40, 38.94): similar
    South  12/300   =  40.0; Byars(12) / 0.3 = (20.64, 69.88): similar
    """
    r = rows(values, "foodbank_rate")
    expected = {  # code: (value, lower, upper, comparison, rank)
        "X01000001": (200.0, 122.113, 308.901, "worse", 1),
        "X01000002": (10.0, 4.7874, 18.3916, "better", 3),
        "X01000003": (0.0, 0.0, 73.362, "similar", 4),
        "X01000004": (48.0, 24.774, 83.852, "similar", 2),
        "X13000001": (27.2727, 18.397, 38.935, "similar", 2),
        "X13000002": (40.0, 20.645, 69.877, "similar", 1),
    }
    for code, (value, lower, upper, comparison, rank) in expected.items():
        row = r.loc[code]
        assert row["value"] == pytest.approx(value, abs=5e-4), code
        assert row["lower"] == pytest.approx(lower, abs=5e-3), code
        assert row["upper"] == pytest.approx(upper, abs=5e-3), code
        assert row["comparator"] == pytest.approx(30.0), code
        assert row["comparison"] == comparison, code
        assert row["rank"] == rank, code
    council = r.loc[COUNCIL]
    assert council["value"] == pytest.approx(30.0)
    assert (council["numerator"], council["denominator"]) == (42.0, 1400.0)
    assert math.isnan(council["comparator"]) and council["comparison"] == ""
    assert council["rank"] == 1
    assert r.loc["X01000004", "area_name"] == "Damson"
    assert r.loc["X13000002", "area_name"] == "South"


def test_share_values_ties_and_zero_denominators_by_hand(values):
    """P6-P7 free school meals %, Wilson interval x 100, neutral polarity.

    council: 38 / 460 = 8.2609% (the comparator)
    Ash    12/40  = 30%; Wilson (18.07, 45.43) above 8.26: higher; rank 1
    Birch  20/400 =  5%; Wilson (3.26, 7.60) below: lower; rank 3
    Cedar   0/0   = no value, no interval, no comparison, no rank
    Damson  6/20  = 30%; Wilson (14.55, 51.90): higher; ties with Ash, so rank 1 too
    North  32/440 = 7.27%; Wilson (5.20, 10.09) contains 8.26: similar
    """
    r = rows(values, "fsm_share")
    expected = {
        "X01000001": (30.0, 18.0747, 45.4303, "higher", 1),
        "X01000002": (5.0, 3.2597, 7.5964, "lower", 3),
        "X01000004": (30.0, 14.5475, 51.8977, "higher", 1),
        "X13000001": (7.2727, 5.1984, 10.0867, "similar", 2),
        "X13000002": (30.0, 14.5475, 51.8977, "higher", 1),
    }
    for code, (value, lower, upper, comparison, rank) in expected.items():
        row = r.loc[code]
        assert row["value"] == pytest.approx(value, abs=5e-4), code
        assert row["lower"] == pytest.approx(lower, abs=5e-4), code
        assert row["upper"] == pytest.approx(upper, abs=5e-4), code
        assert row["comparator"] == pytest.approx(100 * 38 / 460), code
        assert row["comparison"] == comparison, code
        assert row["rank"] == rank, code
    cedar = r.loc["X01000003"]
    assert (cedar["numerator"], cedar["denominator"]) == (0.0, 0.0)
    assert all(math.isnan(cedar[c]) for c in ("value", "lower", "upper"))
    assert cedar["comparison"] == "" and cedar["rank"] is pd.NA


def test_count_has_exact_interval_and_no_comparison(values):
    """A count gets an exact Poisson interval and the council total as comparator, but no
    comparison: a part is always smaller than its whole."""
    r = rows(values, "cilif_count")
    for code, k in zip(
        ["X01000001", "X01000002", "X01000003", "X01000004"], [1, 5, 0, 20], strict=True
    ):
        row = r.loc[code]
        assert row["value"] == row["numerator"] == k
        assert math.isnan(row["denominator"])
        lo, hi = PUBLISHED_EXACT[k]
        assert row["lower"] == pytest.approx(lo, abs=5e-5)
        assert row["upper"] == pytest.approx(hi, abs=5e-5)
        assert row["comparator"] == 26.0
        assert row["comparison"] == ""
    assert r.loc["X13000002", "value"] == 20.0 and r.loc[COUNCIL, "value"] == 26.0


def test_non_additive_measure_stays_at_base_level_without_comparator(values):
    """A SIMD rank is shown for data zones only, with no comparator and no interval."""
    r = rows(values, "simd")
    assert set(r["level"]) == {"datazone"}
    assert r["value"].tolist() == [1200.0, 35.0, 6000.0, 480.0]
    assert r["rank"].tolist() == [2, 4, 1, 3]
    assert r["comparator"].isna().all() and r["lower"].isna().all()
    assert (r["comparison"] == "").all()


def test_available_levels_lists_levels_with_values(values):
    """Levels with at least one value, smallest first."""
    assert available_levels(values) == {
        "fsm_share": ["datazone", "ward", "council"],
        "foodbank_rate": ["datazone", "ward", "council"],
        "cilif_count": ["datazone", "ward", "council"],
        "simd": ["datazone"],
    }


def test_periods_follow_the_numerator_and_missing_denominators_stay_blank():
    """Population years without referrals add no rows; referral years without population
    get rows with a blank value, so the gap is visible."""
    only_children = base_tidy({"children_0_15": BASE["children_0_15"]}, "2022/23")
    only_referrals = base_tidy({"foodbank_referrals_families": [1, 2, 3, 4]}, "2024/25")
    tidy = pd.concat([base_tidy(), only_children, only_referrals], ignore_index=True)
    out = compute_indicators(
        rolled(tidy), make_catalogue(), ["foodbank_rate"], make_pack(), COUNCIL
    )
    assert sorted(out["period"].unique()) == ["2023/24", "2024/25"]
    late = out[out["period"] == "2024/25"]
    assert len(late) == 7
    assert late["value"].isna().all() and late["lower"].isna().all()
    assert late["denominator"].isna().all()
    assert late["numerator"].tolist() == [1, 2, 3, 4, 3, 7, 10]
    assert (late["comparison"] == "").all() and late["rank"].isna().all()
    # within each level the periods sort as strings
    dz = out[out["level"] == "datazone"]
    assert dz["period"].tolist() == ["2023/24"] * 4 + ["2024/25"] * 4


def test_comparator_is_per_period():
    """Each period's rows compare with the council value of that same period."""
    later = dict(BASE, foodbank_referrals_families=[40, 20, 0, 24])  # council doubles to 60
    tidy = pd.concat([base_tidy(), base_tidy(later, "2024/25")], ignore_index=True)
    out = compute_indicators(
        rolled(tidy), make_catalogue(), ["foodbank_rate"], make_pack(), COUNCIL
    )
    by_period = out[out["level"] == "datazone"].groupby("period")["comparator"].unique()
    assert by_period["2023/24"].tolist() == [pytest.approx(30.0)]
    assert by_period["2024/25"].tolist() == [pytest.approx(60.0)]


def test_indicator_without_its_numerator_produces_no_rows():
    """An indicator whose measures are absent is simply missing, not a block of blanks."""
    tidy = base_tidy({"children_0_15": BASE["children_0_15"]})
    out = compute_indicators(
        rolled(tidy), make_catalogue(), ["foodbank_rate"], make_pack(), COUNCIL
    )
    assert out.empty and list(out.columns) == COLUMNS
    assert str(out["rank"].dtype) == "Int64"


def test_duplicate_measure_values_are_refused():
    """A measure twice for one area and period is a bug upstream, reported clearly."""
    tidy = rolled(base_tidy())
    with pytest.raises(ValueError, match="duplicate measure value"):
        compute_indicators(
            pd.concat([tidy, tidy.iloc[:1]]),
            make_catalogue(),
            ["foodbank_rate"],
            make_pack(),
            COUNCIL,
        )


def test_unknown_indicator_is_refused():
    """Asking for an indicator the catalogue lacks is an error, not an empty result."""
    with pytest.raises(KeyError, match="no_such"):
        compute_indicators(rolled(base_tidy()), make_catalogue(), ["no_such"], make_pack(), COUNCIL)


# --- The real catalogue at full scale -------------------------------------------------------


def _big_pack(n_zones: int, n_wards: int) -> GeographyPack:
    dz = [f"X01{i:06d}" for i in range(n_zones)]
    ward = [f"X13{i % n_wards:06d}" for i in range(n_zones)]
    lookup = pd.DataFrame(
        {
            "datazone_code": dz,
            "datazone_name": [f"Zone {c}" for c in dz],
            "ward_code": ward,
            "ward_name": [f"Ward {c}" for c in ward],
            "council_code": COUNCIL,
            "council_name": "Glenvale",
        }
    )
    return GeographyPack(root=Path("."), spec=make_pack().spec, lookup=lookup)


def _big_tidy(pack: GeographyPack, catalogue: Catalogue, periods: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    codes = pack.areas("datazone")["code"].to_numpy()
    n = len(codes)
    frames = []
    for period in periods:
        children = rng.integers(50, 400, n)
        pupils = rng.integers(5, 60, n)
        extract = rng.binomial(children, 0.1)
        per_measure = {
            "ctr_households_in_extract": extract,
            "ctr_households_school_age_children_no_scg": rng.binomial(extract, 0.3),
            "children_0_15": children,
            "total_population": children * 5,
            "pupils_p6_p7": pupils,
            "pupils_secondary": pupils * 3,
            "cilif_children": rng.binomial(children, 0.2),
            "fsm_registered_p6_p7": rng.binomial(pupils, 0.2),
            "fsm_registered_secondary": rng.binomial(pupils * 3, 0.15),
            "scg_awards": rng.binomial(children, 0.15),
            "ctr_households_with_children": rng.binomial(children, 0.1),
            "hb_households_with_children": rng.binomial(children, 0.05),
            "uc_households_with_children": rng.binomial(children, 0.15),
            "uc_households": rng.binomial(children, 0.3),
            "scp_children": rng.binomial(children, 0.18),
            "foodbank_referrals_families": rng.poisson(3, n),
            "advice_contacts_families": rng.poisson(8, n),
            "advice_financial_gain_gbp": rng.gamma(2, 3000, n).round(),
            "simd_rank": rng.permutation(n) + 1,
        }
        # need-model proxies (children by age, SIMD income) feed no indicator of their own
        used = {m for m in catalogue.measures if not catalogue.measures[m].need_proxy}
        assert set(per_measure) == used
        for measure, vals in per_measure.items():
            frames.append(
                pd.DataFrame(
                    {
                        "dataset": "d",
                        "area_code": codes,
                        "period": period,
                        "measure": measure,
                        "value": vals.astype(float),
                    }
                )
            )
    tidy = pd.concat(frames, ignore_index=True)
    additive = {m.id for m in catalogue.measures.values() if m.additive}
    return pack.rollup(tidy, additive)


def test_every_catalogue_indicator_computes_at_the_right_levels():
    """Every shipped indicator computes; only the SIMD rank is confined to data zones."""
    catalogue = load_catalogue()
    pack = _big_pack(40, 4)
    out = compute_indicators(
        _big_tidy(pack, catalogue, ["2023"]), catalogue, list(catalogue.indicators), pack, COUNCIL
    )
    levels = available_levels(out)
    # An index is built from published values after disclosure (compute_index), not here.
    assert list(levels) == [i for i, ind in catalogue.indicators.items() if ind.method != "index"]
    for ind_id, found in levels.items():
        expected = ["datazone"] if ind_id == "simd_rank" else ["datazone", "ward", "council"]
        assert found == expected, ind_id
    ratios = out[
        out["indicator"].isin([i.id for i in catalogue.indicators.values() if i.method != "count"])
    ]
    assert ratios["lower"].notna().all() and (ratios["lower"] <= ratios["value"]).all()
    assert (ratios["value"] <= ratios["upper"]).all()


def test_all_of_scotland_computes_every_row():
    """~7,000 data zones x 17 indicators x 5 periods give one row per indicator, area and
    period (bench/compute_speed.py prints how long it takes)."""
    catalogue = load_catalogue()
    pack = _big_pack(7000, 350)
    tidy = _big_tidy(pack, catalogue, ["2019", "2020", "2021", "2022", "2023"])
    out = compute_indicators(tidy, catalogue, list(catalogue.indicators), pack, COUNCIL)
    n_all_levels = sum(
        ind.method != "index" and ind.id != "simd_rank" for ind in catalogue.indicators.values()
    )
    assert len(out) == 5 * (n_all_levels * (7000 + 350 + 1) + 7000)
