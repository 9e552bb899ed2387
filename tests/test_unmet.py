"""Unmet-need analytics: uptake against need, priority areas, the composite index."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from generator.analysis import compute, index, intervals, priority
from generator.ingest.catalogue import IndexIndicator, UptakeIndicator, load_catalogue
from generator.site import build as site
from tests.conftest import BUILD_DATE, DEMO_CONFIG, ROOT

MANIFEST = json.loads((ROOT / "demo" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(demo_council):
    return demo_council.site


# --- reference values for the intervals -------------------------------------------------------

# Exact (Garwood) 95% limits for a Poisson count, as tabulated (e.g. Ulm 1990, Am J
# Epidemiol 131:373; the same numbers as the Public Health England / Fingertips tables).
POISSON_95 = {
    0: (0.0, 3.6889),
    1: (0.0253, 5.5716),
    5: (1.6235, 11.6683),
    20: (12.2165, 30.8884),
    100: (81.3640, 121.6268),
}


@pytest.mark.parametrize("k", sorted(POISSON_95))
def test_poisson_exact_matches_published_table(k):
    lower, upper = intervals.poisson_exact(k)
    assert float(lower) == pytest.approx(POISSON_95[k][0], abs=5e-4)
    assert float(upper) == pytest.approx(POISSON_95[k][1], abs=5e-4)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (81, 263, (0.2553, 0.3662)),  # Newcombe 1998, Stat Med 17:857, table II example
        (15, 148, (0.0624, 0.1605)),  # Newcombe 1998
        (0, 20, (0.0, 0.1611)),  # Newcombe 1998
        (1, 29, (0.0061, 0.1718)),  # Newcombe 1998
    ],
)
def test_wilson_matches_published_examples(k, n, expected):
    lower, upper = intervals.wilson(k, n)
    assert (float(lower), float(upper)) == pytest.approx(expected, abs=1e-4)


def test_funnel_limits_agree_with_the_status_rule():
    """The status of each observed count is exactly where its marker sits against the
    limits compute publishes (lower_998/upper_998): both directions, at several E."""
    for e in (4.0, 17.0, 60.0, 220.0):
        o = np.arange(0, 400, dtype=float)
        frame = _uptake_frame(o, np.full(o.size, e), council_row=False)
        out = compute.METHODS["uptake"](_ind(expected_rate=1.0, pool=1), frame)
        ratio = 100 * o / e
        assert ((out["status"] == "below") == (ratio < out["lower_998"])).all()
        assert ((out["status"] == "above") == (ratio > out["upper_998"])).all()


# --- uptake -----------------------------------------------------------------------------------


def _uptake_frame(observed, need, council_row=True):
    n = len(observed)
    frame = pd.DataFrame(
        {
            "receipt": np.asarray(observed, float),
            "need": np.asarray(need, float),
            "_period": 0,
            "_council": False,
        }
    )
    if council_row:
        frame.loc[n] = [float(np.sum(observed)), float(np.sum(need)), 0, True]
    return frame


def _ind(**extra):
    return UptakeIndicator(
        id="u",
        method="uptake",
        title="t",
        short_title="s",
        description="d",
        theme="social_security",
        polarity="higher_is_better",
        unit="%",
        source="s",
        caveats="c",
        receipt="receipt",
        need="need",
        gap_unit="children",
        **extra,
    )


def test_uptake_hand_worked():
    """Council rate 0.5: an area with need 40 expects 20; 10 observed is 50% (95% CI
    4.7954/20 .. 18.3904/20 = 24.0% .. 92.0%), gap 10, yet inside the 99.8% funnel
    (lower limit 7.169 of 20, see test_funnel); 5 observed would be below it."""
    frame = _uptake_frame([10, 25], [40, 40])
    frame.loc[2] = [40.0, 80.0, 0, True]
    out = compute.METHODS["uptake"](_ind(), frame)
    row = out.iloc[0]
    assert row["denominator"] == pytest.approx(20)
    assert row["value"] == pytest.approx(50)
    assert row["lower"] == pytest.approx(100 * 4.7954 / 20, abs=1e-3)
    assert row["upper"] == pytest.approx(100 * 18.3904 / 20, abs=1e-3)
    assert row["gap"] == pytest.approx(10)
    assert row["status"] == "as_expected"
    assert row["lower_998"] == pytest.approx(100 * 7.169 / 20, abs=1e-2)
    assert out.iloc[1]["gap"] == 0 and out.iloc[1]["status"] == "as_expected"
    assert out.iloc[2]["value"] == pytest.approx(100)  # the council is as expected
    low = _uptake_frame([5, 35], [40, 40])
    assert compute.METHODS["uptake"](_ind(), low).iloc[0]["status"] == "below"
    stated = compute.METHODS["uptake"](_ind(expected_rate=0.25), frame)
    assert stated.iloc[0]["denominator"] == pytest.approx(10)
    assert stated.iloc[1]["status"] == "above"  # 25 observed, 10 expected (limit 20.7)


def test_null_model_flags_at_most_half_a_percent():
    """Zones with uptake exactly as expected plus Poisson noise: across 200 seeds at most
    0.5% are flagged below expected (the rule is 99.8%, so about 0.1%), with the rate stated
    and with the council-wide rate."""
    flagged = total = flagged_council = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        need = rng.uniform(5, 250, 150).round()
        observed = rng.poisson(need * 0.6)
        stated = compute.METHODS["uptake"](
            _ind(expected_rate=0.6), _uptake_frame(observed, need, council_row=False)
        )
        flagged += int((stated["status"] == "below").sum())
        total += len(stated)
        derived = compute.METHODS["uptake"](_ind(), _uptake_frame(observed, need))
        flagged_council += int((derived["status"].iloc[:-1] == "below").sum())
    assert flagged / total <= 0.005
    assert flagged_council / total <= 0.005


def test_every_planted_zone_is_below_expected_and_a_priority(demo):
    """In the latest period, judged on the three planted periods pooled, every planted zone
    is flagged below expected on every planted measure (99.8% funnel widened by phi) and is
    on the data-zone priority list; and few other zones are flagged in any one indicator.
    The exception the data allow: P6-P7 meals where a pooled year's count is under 5, so
    the pool is withheld (at most 2 of 30 cells)."""
    cat = demo.catalogue
    by_receipt = {
        i.receipt: i.id for i in cat.indicators.values() if isinstance(i, UptakeIndicator)
    }
    v = demo.values
    listed = {a.code for a in demo.priority["datazone"]}
    latest = max(MANIFEST["periods"])
    planted = {z["code"] for z in MANIFEST["low_uptake_zones"]}
    withheld: list[tuple] = []
    for zone in MANIFEST["low_uptake_zones"]:
        for measure in zone["measures"]:
            row = v[
                (v["indicator"] == by_receipt[measure])
                & (v["level"] == "datazone")
                & (v["area_code"] == zone["code"])
                & (v["period"] == latest)
            ]
            assert len(row) == 1
            r = row.iloc[0]
            where = (zone["code"], measure, r["pool_observed"], r["pool_expected"])
            if r["status"] == "" and measure == "fsm_registered_p6_p7":
                # a pooled year's count is under 5 and withheld: the pool is not published
                withheld.append(where)
                continue
            assert r["status"] == "below", where
            assert r["pool_from"] < latest  # pooled over more than the latest period
        assert zone["code"] in listed, zone["code"]
    others = v[
        (v["level"] == "datazone")
        & (v["period"] == latest)
        & (v["status"] == "below")
        & ~v["area_code"].isin(planted)
    ]
    assert len(others) <= 8, others[["indicator", "area_code"]]
    assert len(withheld) <= 2, withheld


def test_suppressed_uptake_rows_publish_nothing(demo):
    v = demo.values
    up = v[v["indicator"].str.endswith("_uptake") & v["suppressed"]]
    assert not up.empty  # the demo has small cells
    assert up[["gap", "value", "lower", "upper", "lower_998", "upper_998"]].isna().all().all()
    assert (up["status"] == "").all()
    listed = {
        (a.level, a.code, r.indicator)
        for lv in demo.priority.values()
        for a in lv
        for r in a.reasons
    }
    latest = v.groupby("indicator")["period"].transform("max") == v["period"]
    hidden = {(r.level, r.area_code, r.indicator) for r in up[latest[up.index]].itertuples()}
    assert not listed & hidden


def test_council_override_changes_need_and_rate(tmp_path):
    """A council's uptake rule replaces the catalogue's need measure and expected rate."""
    from generator.ingest.councils import apply_overrides, read_config

    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("../../demo/", str(ROOT / "demo") + "/")
    text = text[: text.index("# Unmet need.")]
    text += (
        "uptake:\n  scp_uptake: {need: uc_households_with_children, expected_rate: 1.5}\n"
        "priority_areas: {top: {datazone: 3}, rank_by: depth}\n"
    )
    path = tmp_path / "council.yaml"
    path.write_text(text, encoding="utf-8")
    cat = load_catalogue()
    read = read_config(path, cat)
    assert read.config is not None and not read.problems
    over = apply_overrides(cat, read.config).indicators["scp_uptake"]
    assert isinstance(over, UptakeIndicator)
    assert (over.need, over.expected_rate) == ("uc_households_with_children", 1.5)
    built = site.prepare_council(path, None, load_catalogue(), BUILD_DATE).site
    assert list(built.priority) == ["datazone"] and len(built.priority["datazone"]) == 3
    depths = [a.depth for a in built.priority["datazone"]]
    assert depths == sorted(depths)


# --- the priority page ------------------------------------------------------------------------


class _Reasons(HTMLParser):
    """Collects, per priority area on the page, the texts of its reasons."""

    def __init__(self) -> None:
        super().__init__()
        self.areas: list[tuple[str, list[str]]] = []
        self._in: str | None = None
        self.variant = ""  # the family-type filter's block the list is in ("" = all)
        self.by_variant: dict[str, list[tuple[str, list[str]]]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and "data-variant" in a:
            self.variant = a["data-variant"] or ""
        if tag == "li" and a.get("class") == "priority-area" and "data-code" in a:
            self.areas = self.by_variant.setdefault(self.variant, [])
            self.areas.append((a["data-code"] or "", []))
        elif tag == "li" and a.get("class") == "reason":
            self._in = ""

    def handle_data(self, data):
        if self._in is not None:
            self._in += data

    def handle_endtag(self, tag):
        if tag == "li" and self._in is not None:
            self.areas[-1][1].append(self._in.strip())
            self._in = None


def test_priority_reasons_on_the_page_match_the_numbers(demo_site, demo):
    """Every reason on unmet-need.html is rebuilt from the published row it quotes."""
    html = (demo_site / "demo" / "unmet-need.html").read_text(encoding="utf-8")
    parser = _Reasons()
    parser.feed(html)
    parser.areas = parser.by_variant[""]  # the list for all families
    assert len(parser.areas) == sum(len(v) for v in demo.priority.values())
    v = demo.values
    cat = demo.catalogue
    pattern = re.compile(
        r"^(.*): (\d+)% of what the council's own rate would give "
        r"\((\S+) to (\S+) pooled: ([\d,]+) against ([\d,]+) expected\)$"
    )
    checked = 0
    for code, reasons in parser.areas:
        assert reasons, code
        for text in reasons:
            m = pattern.match(text)
            assert m, text
            ind = next(
                i
                for i in cat.indicators.values()
                if isinstance(i, UptakeIndicator) and cat.measures[i.receipt].label == m.group(1)
            )
            rows = v[(v["indicator"] == ind.id) & (v["area_code"] == code)]
            row = rows[rows["period"] == rows["period"].max()].iloc[0]
            assert not row["suppressed"] and row["status"] == "below"
            ratio = 100 * row["pool_observed"] / row["pool_expected"]
            assert int(m.group(2)) == round(ratio)
            assert (m.group(3), m.group(4)) == (row["pool_from"], row["period"])
            assert int(m.group(5).replace(",", "")) == round(row["pool_observed"])
            assert int(m.group(6).replace(",", "")) == round(row["pool_expected"])
            assert ratio < row["lower_998"]  # the flag is the funnel's
            checked += 1
    assert checked >= 6 * 5 - 2  # the planted zones alone give 28 to 30 reasons
    overview = (demo_site / "demo" / "index.html").read_text(encoding="utf-8")
    assert overview.index('id="unmet"') < overview.index('id="indicators"')
    assert (demo_site / "demo" / "data" / "unmet_need.csv").is_file()


# --- the composite index ----------------------------------------------------------------------


def _index(normalisation: str, **bounds):
    comps = [
        {"indicator": "poverty", "weight": 2, **bounds.get("poverty", {})},
        {"indicator": "uptake", "weight": 1, **bounds.get("uptake", {})},
    ]
    return IndexIndicator.model_validate(
        {
            "id": "ix",
            "method": "index",
            "title": "t",
            "short_title": "s",
            "description": "d",
            "theme": "need",
            "polarity": "higher_is_worse",
            "unit": "score",
            "source": "s",
            "caveats": "c",
            "normalisation": normalisation,
            "dimensions": [
                {"id": "a", "title": "A", "weight": 1, "components": comps[:1]},
                {"id": "b", "title": "B", "weight": 3, "components": comps[1:]},
            ],
        }
    )


def _three_areas():
    # poverty (higher is worse): 10, 20, 30; uptake (higher is better): 100, 50, 75
    rows = []
    for code, pov, up in (("A", 10.0, 100.0), ("B", 20.0, 50.0), ("C", 30.0, 75.0)):
        rows.append(
            {
                "indicator": "poverty",
                "level": "dz",
                "area_code": code,
                "area_name": code,
                "period": "2024",
                "value": pov,
            }
        )
        rows.append(
            {
                "indicator": "uptake",
                "level": "dz",
                "area_code": code,
                "area_name": code,
                "period": "2024",
                "value": up,
            }
        )
    return pd.DataFrame(rows)


POLARITY = {"poverty": "higher_is_worse", "uptake": "higher_is_better"}


def test_index_bounds_hand_worked():
    """Bounds poverty best 0 worst 40, uptake best 100 worst 0; higher index = worse.
    A: poverty 25 worse, uptake 0 -> (25 x 1 + 0 x 3) / 4 = 6.25
    B: 50, 50 -> 50;  C: 75, 25 -> (75 + 75) / 4 = 37.5"""
    ind = _index("bounds", poverty={"best": 0, "worst": 40}, uptake={"best": 100, "worst": 0})
    out = index.compute_index(_three_areas(), ind, POLARITY, "council", "X")
    assert out.set_index("area_code")["value"].to_dict() == pytest.approx(
        {"A": 6.25, "B": 50.0, "C": 37.5}
    )
    assert out.set_index("area_code")["rank"].to_dict() == {"A": 3, "B": 1, "C": 2}


def test_index_zscore_hand_worked():
    """z (ddof 0): poverty mean 20, sd 8.165 -> -1.2247, 0, 1.2247 (worse-up, as is);
    uptake mean 75, sd 20.412 -> 1.2247, -1.2247, 0, turned round -> -1.2247, 1.2247, 0.
    Index = (pov x 1 + upt x 3) / 4: A -1.2247, B 0.9186, C 0.3062."""
    out = index.compute_index(_three_areas(), _index("zscore"), POLARITY, "council", "X")
    assert out.set_index("area_code")["value"].to_dict() == pytest.approx(
        {"A": -1.224745, "B": 0.918559, "C": 0.306186}, abs=1e-5
    )


def test_index_reports_missing_components():
    values = _three_areas()
    values.loc[(values["area_code"] == "B") & (values["indicator"] == "uptake"), "value"] = np.nan
    ind = _index("bounds", poverty={"best": 0, "worst": 40}, uptake={"best": 100, "worst": 0})
    out = index.compute_index(values, ind, POLARITY, "council", "X").set_index("area_code")
    assert np.isnan(out.loc["B", "value"]) and out.loc["B", "status"] == "missing: uptake"
    assert out.loc["A", "status"] == "" and out.loc["A", "value"] == pytest.approx(6.25)


def test_demo_builds_the_shipped_index(demo):
    ix = demo.values[demo.values["indicator"] == "family_hardship_index"]
    assert set(ix["level"]) == {"datazone", "ward", "council"}
    assert ix["value"].between(0, 100).all() or ix["value"].isna().any()
    assert priority.rule_text({"datazone": 10}, "scale", 1, {"datazone": "Data zones"})


def test_uptake_headline_cards_show_the_spread_not_the_councils_100(demo_site, demo):
    """Against the council's own rate the council is 100% by construction: its uptake
    cards show the middle 80% of data zones' pooled ratios instead, from the values."""
    html = (demo_site / "demo" / "index.html").read_text(encoding="utf-8")
    v = demo.values
    for ind in (i for i in demo.catalogue.indicators.values() if isinstance(i, UptakeIndicator)):
        if ind.short_title not in html or ind.expected_rate is not None:
            continue
        card = html[html.index(f'<span class="card-title">{ind.short_title}</span>') :]
        value = re.search(r'<span class="card-value[^"]*">([^<]*)</span>', card).group(1)
        rows = v[(v["indicator"] == ind.id) & (v["level"] == "datazone")]
        rows = rows[(rows["period"] == rows["period"].max()) & ~rows["suppressed"]]
        rows = rows[rows["status"].isin(["below", "as_expected", "above"])]
        lo, hi = (100 * rows["pool_observed"] / rows["pool_expected"]).quantile([0.1, 0.9])
        assert value == f"{lo:.0f}% to {hi:.0f}%", (ind.id, value)
        assert lo < 100 < hi


def test_unmet_need_page_links_to_the_published_methods(demo_site):
    """The unmet-need page links to methods.html, which carries docs/methods.md: each need
    model with its formula, and the funnel rule the flags follow."""
    page = (demo_site / "demo" / "unmet-need.html").read_text(encoding="utf-8")
    assert 'href="methods.html"' in page
    methods = (demo_site / "demo" / "methods.html").read_text(encoding="utf-8")
    for heading in ("<h3>direct</h3>", "<h3>apportioned</h3>", "<h3>proxy</h3>"):
        assert heading in methods
    assert "Spiegelhalter" in methods and "99.8%" in methods
    about = (demo_site / "demo" / "about.html").read_text(encoding="utf-8")
    assert 'href="methods.html"' in about


def test_uptake_card_shows_the_spread_not_only_the_councils_100(demo_site):
    """Against the council's own rate the council is 100% by construction, so the uptake
    card also shows the middle 80% of areas, and says why the council reads 100%."""
    page = (demo_site / "demo" / "indicators" / "fsm_p6_p7_uptake.html").read_text("utf-8")
    spread = page.split('id="uptake-spread">', 1)[1].split("</span>", 1)[0]
    assert "100% of its own rate by construction" in spread
    low, high = (int(x) for x in re.findall(r"<strong>(\d+)% to (\d+)%</strong>", spread)[0])
    assert low < 100 < high
    count = (demo_site / "demo" / "indicators" / "cilif_count.html").read_text("utf-8")
    assert 'id="uptake-spread"' not in count
