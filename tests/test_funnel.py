"""The funnel method (analysis/funnel.py): exact limits, over-dispersion, the flag rule, and
the lines drawn from the same rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from generator.analysis import funnel
from generator.analysis.uptake import uptake
from tests.test_unmet import _ind


def _independent_limits(e: float, level: float) -> tuple[float, float]:
    """Spiegelhalter's interpolated exact Poisson limits, by brute force over whole counts."""
    out = []
    p_low = (1 - level) / 2
    for p in (p_low, 1 - p_low):
        cdf = stats.poisson.cdf(np.arange(0, 2000), e)
        r = int(np.argmax(cdf >= p))
        before = cdf[r - 1] if r > 0 else 0.0
        out.append(max(r - (cdf[r] - p) / (cdf[r] - before), 0.0))
    return out[0], out[1]


@pytest.mark.parametrize("e", [0.5, 3.0, 6.9, 7.0, 20.0, 100.0, 1234.5])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_limits_match_an_independent_computation(e, level):
    """count_limits equals a brute-force interpolation of scipy's Poisson cdf."""
    lo, hi = funnel.count_limits(e, level)
    want_lo, want_hi = _independent_limits(e, level)
    assert float(lo) == pytest.approx(want_lo, abs=1e-9)
    assert float(hi) == pytest.approx(want_hi, abs=1e-9)


def test_limits_agree_with_the_chi_squared_identity():
    """P(Poisson(E) <= r) = P(chi2 with 2r + 2 df > 2E): the same limits computed from the
    chi-squared distribution alone (an independent route to the same numbers)."""
    for e in (7.5, 100.0, 400.0, 2500.0):
        for level in (0.95, 0.998):
            p_low = (1 - level) / 2
            want = []
            for p in (p_low, 1 - p_low):
                r = np.arange(0, int(e * 3 + 50))
                cdf = stats.chi2.sf(2 * e, 2 * r + 2)
                k = int(np.argmax(cdf >= p))
                before = stats.chi2.sf(2 * e, 2 * k) if k > 0 else 0.0
                want.append(k - (cdf[k] - p) / (cdf[k] - before))
            lo, hi = funnel.count_limits(e, level)
            assert float(lo) == pytest.approx(want[0], abs=1e-6)
            assert float(hi) == pytest.approx(want[1], abs=1e-6)


def test_hand_worked_limits_at_twenty():
    """E = 20, 99.8%: the 0.1% quantile is 8, F(8) = 0.0020873, F(7) = 0.0007786, so the
    lower limit is 8 - (0.0020873 - 0.001) / 0.0013087 = 7.169."""
    lo, hi = funnel.count_limits(20.0, 0.998)
    assert float(lo) == pytest.approx(7.169, abs=1e-3)
    assert float(hi) == pytest.approx(34.714, abs=1e-3)


def test_widening_is_multiplicative_around_expected():
    lo, hi = funnel.count_limits(100.0, 0.998)
    wlo, whi = funnel.limits(100.0, 2.0)
    assert float(wlo) == pytest.approx(100 - np.sqrt(2) * (100 - float(lo)))
    assert float(whi) == pytest.approx(100 + np.sqrt(2) * (float(hi) - 100))
    same = funnel.limits(100.0, 0.7)  # phi < 1 never narrows
    assert float(same[0]) == pytest.approx(float(lo))


def test_flags_agree_with_drawn_lines_at_e_100():
    """The issue's case: at E = 100, O = 81 is inside the 99.8% funnel and is not flagged;
    every O from 0 to 200 is flagged below exactly when its marker (O/E) is under the drawn
    99.8% lower line, and above exactly when over the upper line, with and without phi."""
    for phi in (1.0, 1.7):
        grid, bounds = funnel.funnel_lines([50.0, 100.0, 150.0], phi=phi)
        i = int(np.argmin(np.abs(np.asarray(grid) - 100.0)))
        e = grid[i]
        lower_line, upper_line = bounds[funnel.FLAG_LEVEL][0][i], bounds[funnel.FLAG_LEVEL][1][i]
        o = np.arange(0, 201, dtype=float)
        status = funnel.judge(o, np.full(o.size, e), phi)
        ratio = o / e
        assert ((status == "below") == (ratio < lower_line)).all()
        assert ((status == "above") == (ratio > upper_line)).all()
        assert (status[(ratio >= lower_line) & (ratio <= upper_line)] == "as_expected").all()
    assert funnel.judge([81.0], [100.0], 1.0)[0] == "as_expected"
    assert funnel.judge([69.0], [100.0], 1.0)[0] == "below"  # 99.8% lower limit 70.07
    assert funnel.judge([133.0], [100.0], 1.0)[0] == "above"  # upper limit 131.80


def test_too_few_to_judge_and_censored():
    """Below E = -ln(0.001) = 6.908 not even O = 0 is under the lower limit: too few to judge
    (but a large count can still be above). A count known only between bounds is never
    flagged, however far below it lies."""
    assert funnel.smallest_judgeable() == pytest.approx(-np.log(0.001), abs=1e-6)
    s = funnel.judge(
        [0, 0, 30, 2], [6.9, 6.95, 3.0, 60.0], 1.0, low=[0, 0, 30, 1], high=[0, 0, 30, 4]
    )
    assert s.tolist() == ["too_few", "below", "above", "censored"]
    s = funnel.judge([np.nan], [60.0], 1.0, low=[1.0], high=[4.0])
    assert s.tolist() == ["censored"]


def _null_counts(rng, n_areas, phi, rate=1.0):
    """Gamma-Poisson counts with mean E and variance phi x E."""
    e = rng.uniform(10, 300, n_areas)
    lam = rng.gamma(shape=e / (phi - 1), scale=(phi - 1)) * rate
    return rng.poisson(lam).astype(float), e


def test_null_with_overdispersion_flags_at_most_one_percent_and_finds_planted():
    """Null: 500 areas x 5 indicators with phi = 2 (seeded). The share flagged below is at
    most 1% (without widening it would be several times that). Sensitivity: 10 planted
    areas per indicator at half their rate with E >= 150 are all flagged, so the test can
    fail both ways."""
    rng = np.random.default_rng(20260612)
    flagged = unwidened = total = planted_found = planted_total = 0
    for _ in range(5):
        o, e = _null_counts(rng, 500, 2.0)
        big = np.argsort(-e)[:10]
        o[big] = rng.poisson(0.5 * e[big])
        phi = funnel.overdispersion(o, e)
        assert 1.1 < phi < 2.5  # winsorising pulls the estimate down (about 0.7 x phi)
        status = funnel.judge(o, e, phi)
        null = np.ones(500, dtype=bool)
        null[big] = False
        flagged += int((status[null] == "below").sum())
        unwidened += int((funnel.judge(o, e, 1.0)[null] == "below").sum())
        total += int(null.sum())
        planted_found += int((status[big] == "below").sum())
        planted_total += big.size
    assert flagged / total <= 0.01, flagged / total
    assert unwidened >= 3 * flagged  # the widening is what keeps false flags down
    assert planted_found == planted_total


def test_overdispersion_is_about_one_for_poisson_and_ignores_outliers():
    rng = np.random.default_rng(7)
    e = rng.uniform(20, 200, 400)
    o = rng.poisson(e).astype(float)
    assert funnel.overdispersion(o, e) < 1.1
    o[:20] = 0  # a few extreme areas barely move the winsorised estimate
    assert funnel.overdispersion(o, e) < 1.3
    assert funnel.overdispersion([1.0, 2.0], [1.0, 2.0]) == 1.0  # too few areas


def _frame(observed, need, periods, areas, council_code="C"):
    rows = []
    for p in periods:
        for a, (o, n) in enumerate(zip(observed[p], need[p], strict=True)):
            rows.append((f"A{a}", p, "dz", float(o), float(n), False))
        rows.append(
            (council_code, p, "council", float(np.sum(observed[p])), float(np.sum(need[p])), True)
        )
    f = pd.DataFrame(rows, columns=["area_code", "period", "level", "receipt", "need", "_council"])
    f["_group"] = pd.factorize(f["level"] + f["period"])[0]
    f["_period"] = pd.factorize(f["period"])[0]
    return f


def test_pooled_judgement_sums_the_latest_periods():
    """pool = 3: the 2023 row is judged on 2021..2023 summed; single-period values stay."""
    periods = ["2020", "2021", "2022", "2023"]
    observed = {p: [10, 20] for p in periods}
    need = {p: [20, 20] for p in periods}
    out = uptake(_ind(expected_rate=1.0), _frame(observed, need, periods, 2))
    row = out[(out.index == 6)].iloc[0]  # A0 in 2022 (rows: 3 per period)
    assert row["numerator"] == 10 and row["denominator"] == 20
    assert row["pool_observed"] == 30 and row["pool_expected"] == 60
    last = out.iloc[9]  # A0 in 2023
    assert last["pool_observed"] == 30 and last["pool_from"] == "2021"
    first = out.iloc[0]
    assert first["pool_observed"] == 10 and first["pool_from"] == "2020"
    # 30 of 60 expected: below the 99.8% lower limit (41.2 at E = 60); 10 of 20 is not
    assert last["status"] == "below" and first["status"] == "as_expected"
    lo = float(funnel.count_limits(60.0, 0.998)[0])
    assert last["lower_998"] == pytest.approx(100 * lo / 60)


def test_censored_receipt_is_never_flagged_nor_zero():
    """A starred cell (NaN with bounds 1..4) has no observed count, keeps its bounds, is
    'censored', and pooled sums with it carry bounds."""
    periods = ["2022", "2023"]
    observed = {p: [np.nan, 20.0] for p in periods}
    need = {p: [60.0, 20.0] for p in periods}
    f = _frame(observed, need, periods, 2)
    f["receipt__low"] = np.where(f["receipt"].isna(), 1.0, f["receipt"])
    f["receipt__high"] = np.where(f["receipt"].isna(), 4.0, f["receipt"])
    out = uptake(_ind(expected_rate=1.0), f)
    star = out.iloc[[0, 3]]
    assert star["numerator"].isna().all() and (star["numerator"] != 0).all()
    assert star["numerator_low"].tolist() == [1.0, 1.0]
    assert star["numerator_high"].tolist() == [4.0, 4.0]
    assert (star["status"] == "censored").all()
    assert star["pool_low"].iloc[1] == 2.0 and star["pool_high"].iloc[1] == 8.0


def test_pooled_numbers_are_withheld_with_any_withheld_year_and_rounded():
    """A pool that includes a withheld year is blanked (pooled minus the published years
    would give the withheld count back); with rounding, pooled counts are rounded too."""
    from generator.analysis.uptake import blank_pooled

    rows = pd.DataFrame(
        {
            "indicator": ["u"] * 4,
            "level": ["dz"] * 4,
            "area_code": ["A", "A", "A", "B"],
            "period": ["2021", "2022", "2023", "2023"],
            "suppressed": [True, False, False, False],
            "status": ["", "as_expected", "below", "below"],
            "comparison": ["", "similar", "worse", "worse"],
            "pool_from": ["2021", "2021", "2022", "2021"],
            **{c: [3.0, 13.0, 22.0, 37.0] for c in ("pool_observed", "pool_expected")},
            **{c: np.nan for c in ("pool_low", "pool_high", "numerator_low", "numerator_high")},
        }
    )
    out = blank_pooled(rows, 5)
    assert np.isnan(out.loc[1, "pool_observed"]) and out.loc[1, "status"] == ""
    # bounds of a censored count only at the smallest level (the source's own stars)
    starred = rows.assign(numerator_low=1.0, numerator_high=4.0)
    starred.loc[3, "level"] = "iz"
    kept = blank_pooled(starred, 1, "dz")
    assert kept.loc[2, "numerator_low"] == 1.0 and np.isnan(kept.loc[3, "numerator_low"])
    assert out.loc[1, "comparison"] == ""
    assert out.loc[2, "pool_observed"] == 20.0 and out.loc[2, "status"] == "below"
    assert out.loc[3, "pool_expected"] == 35.0
