"""Baselines and targets (issue 15): the on-track rule against an independent fit, located
errors, and the demo's targets on the overview and the trend chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from generator.analysis.targets import assess
from generator.ingest.targets import PlacedTarget, Target

PERIODS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def _values(ys, ci=1.0):
    return pd.DataFrame(
        {
            "indicator": "scp_share",
            "level": "council",
            "area_code": "X12000001",
            "period": PERIODS[: len(ys)],
            "value": ys,
            "lower": [y - ci for y in ys],
            "upper": [y + ci for y in ys],
            "suppressed": False,
        }
    )


def _target(value, by="2027/28", baseline="2019/20"):
    t = Target(indicator="scp_share", baseline=baseline, value=value, by=by)
    return PlacedTarget(t, "council", "X12000001")


@pytest.mark.parametrize(
    ("ys", "value", "better", "status"),
    [
        ([20, 21.1, 21.9, 23.2, 24.0], 26, True, "on_track"),  # rising towards it
        ([24, 23.2, 22.1, 21.0, 20.2], 26, True, "off_track"),  # falling away
        ([20, 23, 19, 24, 20], 24, True, "too_close"),  # too noisy to say
        ([20, 21.1, 21.9, 23.2, 28.0], 26, True, "met"),  # already there, interval too
        ([24, 23.2, 22.1, 21.0, 20.2], 18, False, "on_track"),  # lower is better
        ([20, 22], 26, True, "not_enough_data"),
    ],
)
def test_on_track_rule(ys, value, better, status):
    """Each status arises where it should, and the projection and its interval are those
    of an ordinary least squares line fitted independently (numpy, t quantile)."""
    found = assess(_target(value), _values(ys), better)
    assert found.status == status
    if len(ys) < 3:
        return
    x = np.array([int(p[:4]) for p in PERIODS[: len(ys)]], float)
    slope, intercept = np.polyfit(x, ys, 1)
    x0 = 2027
    fitted = intercept + slope * x0
    resid = np.asarray(ys) - (intercept + slope * x)
    s = np.sqrt((resid**2).sum() / (len(x) - 2))
    se = s * np.sqrt(1 / len(x) + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    half = stats.t.ppf(0.975, len(x) - 2) * se
    assert found.projected == pytest.approx(fitted)
    assert (found.lower, found.upper) == pytest.approx((fitted - half, fitted + half))


def test_bad_targets_give_located_errors(tmp_path):
    """An unknown indicator, a target period before its baseline and an unknown area are
    errors at the key at fault."""
    from generator.ingest.catalogue import load_catalogue
    from generator.ingest.validate import validate
    from tests.conftest import TINY_CONFIG

    text = TINY_CONFIG.read_text().replace(
        "geography: geography", f"geography: {TINY_CONFIG.parent / 'geography'}"
    )
    text = text.replace("data_dir: data", f"data_dir: {TINY_CONFIG.parent / 'data'}")
    text += (
        "targets:\n"
        "  - {indicator: scp_shar, baseline: '2021/22', value: 30, by: '2026/27'}\n"
        "  - {indicator: cilif_share, baseline: '2024/25', value: 30, by: '2023/24'}\n"
        "  - {indicator: cilif_share, area: Nowhere, baseline: '2021/22', value: 30,"
        " by: '2026/27'}\n"
    )
    config = tmp_path / "council.yaml"
    config.write_text(text)
    found = validate(config, None, load_catalogue())
    got = [(p.field, p.code) for p in found.errors if p.field.startswith("targets")]
    assert got == [
        ("targets[0].indicator", "unknown-indicator"),
        ("targets[1].by", "target-before-baseline"),
        ("targets[2].area", "unknown-area"),
    ]
    lines = text.splitlines()
    first = next(p for p in found.errors if p.field == "targets[0].indicator")
    assert "scp_shar" in lines[first.line - 1]


def test_demo_targets_on_the_overview_and_the_trend(demo_files):
    """The overview lists the demo's three targets with a status each; cilif_share's trend
    has its dashed target line and dotted baseline, and says so."""
    import re

    overview = demo_files["demo/index.html"].decode()
    statuses = re.findall(r'<tr data-status="(\w+)">', overview.split('id="targets"')[1])
    assert len(statuses) == 3 and set(statuses) <= {
        "met",
        "on_track",
        "off_track",
        "too_close",
        "not_enough_data",
    }
    page = demo_files["demo/indicators/cilif_share.html"].decode()
    assert page.count('"dash":"dash"') >= 1 and "Target 18.0% by 2026\\u002f27" in page
    assert "Dashed: target of 18.0% by 2026/27" in page
