"""The shipped indicator catalogue, and how a broken catalogue is reported."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from generator.errors import ProblemsError
from generator.ingest.catalogue import (
    MINIMUM_DISCLOSURE_THRESHOLD,
    CountIndicator,
    IndexComponent,
    IndexDimension,
    IndexIndicator,
    Measure,
    RateIndicator,
    ShareIndicator,
    Theme,
    UptakeIndicator,
    load_catalogue,
)
from generator.paths import DEFAULT_CATALOGUE

REQUIRED_MEASURES = [
    "children_0_15",
    "total_population",
    "pupils_p6_p7",
    "pupils_secondary",
    "cilif_children",
    "fsm_registered_p6_p7",
    "fsm_registered_secondary",
    "scg_awards",
    "ctr_households_with_children",
    "hb_households_with_children",
    "uc_households_with_children",
    "scp_children",
    "foodbank_referrals_families",
    "advice_contacts_families",
    "advice_financial_gain_gbp",
    "simd_rank",
]
THEMES = ["need", "employment_income", "social_security", "cost_of_living", "context"]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_shipped_catalogue_has_the_five_themes_in_order(catalogue):
    """The three drivers of child poverty, plus need and context."""
    assert list(catalogue.themes) == THEMES
    assert catalogue.themes["social_security"].title == (
        "Income from social security and benefits in kind"
    )


def test_shipped_catalogue_has_every_required_measure(catalogue):
    """Councils can rely on these measure ids existing."""
    assert set(REQUIRED_MEASURES) <= set(catalogue.measures)


def test_measures_say_whether_they_add_up_and_count_people(catalogue):
    """Money adds up but counts nobody; a rank or a percentage does neither; everything
    else is a count of people or households."""
    money = catalogue.measures["advice_financial_gain_gbp"]
    assert (money.additive, money.counts_people, money.unit) == (True, False, "£")
    for mid in ("simd_rank", "simd_income_rate_pct"):
        rank = catalogue.measures[mid]
        assert (rank.additive, rank.counts_people) == (False, False)
    for mid, measure in catalogue.measures.items():
        if mid not in ("advice_financial_gain_gbp", "simd_rank", "simd_income_rate_pct"):
            assert measure.additive and measure.counts_people, mid


def test_enough_indicators_using_every_method_and_theme(catalogue):
    """At least twelve indicators, using every method, across all five themes."""
    indicators = list(catalogue.indicators.values())
    assert len(indicators) >= 12
    assert {i.method for i in indicators} == {"count", "rate", "share", "uptake", "index"}
    assert {i.theme for i in indicators} == set(THEMES)
    assert {i.polarity for i in indicators} == {"higher_is_worse", "higher_is_better", "neutral"}


def test_every_measure_is_used_by_an_indicator(catalogue):
    """A measure nothing uses would ask councils for data the site never shows; need-model
    proxies are used by the uptake need models instead."""
    used = {m for i in catalogue.indicators.values() for m in i.measures()}
    proxies = {m for m, measure in catalogue.measures.items() if measure.need_proxy}
    assert used | proxies == set(catalogue.measures)
    assert not used & proxies


def _text_fields(model) -> dict[str, str]:
    return {
        name: getattr(model, name)
        for name in type(model).model_fields
        if isinstance(getattr(model, name), str)
    }


def test_every_text_field_is_filled_in(catalogue):
    """No empty or placeholder text anywhere: the site shows all of it to the public."""
    models = [
        *catalogue.themes.values(),
        *catalogue.measures.values(),
        *catalogue.indicators.values(),
    ]
    for model in models:
        for name, text in _text_fields(model).items():
            assert text.strip(), f"{model.id}.{name} is empty"
            assert not re.search(r"\b(TODO|TBC|FIXME|lorem)\b", text, re.I), (
                f"{model.id}.{name} is a placeholder"
            )
        assert len(model.description) >= 40, f"{model.id}.description is too thin"


def test_every_indicator_has_full_metadata(catalogue):
    """Each indicator explains itself: source, caveats, unit, decimals, threshold."""
    for ind in catalogue.indicators.values():
        assert len(ind.caveats) >= 60, ind.id
        assert len(ind.source) >= 20, ind.id
        assert ind.short_title != ind.title or len(ind.title) <= 25, ind.id
        assert ind.disclosure_threshold == MINIMUM_DISCLOSURE_THRESHOLD, ind.id
        if ind.method in ("share", "rate"):
            assert ind.multiplier in (100, 1000), ind.id
            per = "%" if ind.method == "share" else f"per {int(ind.multiplier):,} "
            assert ind.unit.startswith(per), (ind.id, ind.unit)


#: Units that contain others: children are people, so children / people can be a share.
WIDER_UNITS = {"people": {"people", "children"}}


def test_shares_divide_like_by_like(catalogue):
    """A share's numerator is a subset of its denominator, so it counts the same kind of
    unit (households over children, say, must be a rate)."""
    for ind in catalogue.indicators.values():
        if ind.method == "share":
            top = catalogue.measures[ind.numerator].unit
            bottom = catalogue.measures[ind.denominator].unit
            assert top in WIDER_UNITS.get(bottom, {bottom}), (ind.id, top, bottom)
        if ind.method in ("share", "rate"):
            assert ind.numerator != ind.denominator, ind.id


def test_non_additive_measures_are_only_shown_as_counts(catalogue):
    """A rank cannot be divided or summed, so only a count may use it."""
    for ind in catalogue.indicators.values():
        for mid in ind.measures():
            if not catalogue.measures[mid].additive:
                assert ind.method == "count" and ind.ci == "none", ind.id


def test_readme_documents_every_field():
    """The how-to names every field a theme, measure or indicator can have."""
    readme = (DEFAULT_CATALOGUE / "README.md").read_text(encoding="utf-8")
    for model in (
        Theme,
        Measure,
        CountIndicator,
        ShareIndicator,
        RateIndicator,
        UptakeIndicator,
        IndexIndicator,
        IndexDimension,
        IndexComponent,
    ):
        for name in model.model_fields:
            assert f"`{name}`" in readme, f"README.md does not describe {model.__name__}.{name}"


# --- Broken catalogues ----------------------------------------------------------------------

THEMES_YAML = """\
themes:
  - id: need
    title: Need
    description: How many children live in families on low incomes.
"""

MEASURES_YAML = """\
measures:
  - id: children_0_15
    label: Children
    description: Children aged 0 to 15.
    unit: children
    additive: true
    counts_people: true
  - id: cilif_children
    label: Low income children
    description: Children in low income families.
    unit: children
    additive: true
    counts_people: true
    colour: red
"""

INDICATORS_YAML = """\
indicators:
  - id: cilif_share
    method: share
    title: Children in low income families
    short_title: Low income
    description: Share of children in low income families.
    theme: need
    polarity: higher_is_worse
    unit: "%"
    numerator: cilif_children
    denominator: children_0_16
    source: DWP
    caveats: Provisional.
  - id: cilif_share
    method: count
    title: Children in low income families
    short_title: Low income (number)
    description: Number of children in low income families.
    theme: poverty
    polarity: higher_is_worse
    unit: children
    measure: cilif_children
    source: DWP
    caveats: Provisional.
    ci: exact
"""


def write_catalogue(
    folder: Path,
    themes: str = THEMES_YAML,
    measures: str = MEASURES_YAML,
    indicators: str = INDICATORS_YAML,
) -> Path:
    for name, text in (("themes", themes), ("measures", measures), ("indicators", indicators)):
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def problem_tuples(folder: Path) -> list[tuple[str, int | None, int | None, str, str]]:
    with pytest.raises(ProblemsError) as info:
        load_catalogue(folder)
    return [(Path(p.file).name, p.line, p.col, p.field, p.code) for p in info.value.problems]


def test_broken_catalogue_reports_every_problem_with_its_position(tmp_path):
    """Unknown measure, duplicate id, unknown theme, bad value and unknown key: all five in
    one run, each at the line and column of the offending key."""
    assert problem_tuples(write_catalogue(tmp_path)) == [
        ("indicators.yaml", 11, 5, "indicators[0].denominator", "unknown-measure"),
        ("indicators.yaml", 14, 5, "indicators[1].id", "duplicate-id"),
        ("indicators.yaml", 19, 5, "indicators[1].theme", "unknown-theme"),
        ("indicators.yaml", 25, 5, "indicators[1].ci", "bad-value"),
        ("measures.yaml", 14, 5, "measures[1].colour", "unknown-key"),
    ]


def test_problems_read_like_compiler_messages(tmp_path):
    """file:line:col: field [code] message, so an editor can jump to it."""
    with pytest.raises(ProblemsError) as info:
        load_catalogue(write_catalogue(tmp_path))
    first = str(info.value.problems[0])
    assert first.endswith(
        "indicators.yaml:11:5: indicators[0].denominator [unknown-measure] "
        "measure 'children_0_16' is not in measures.yaml"
    )


def test_unreadable_measures_file_does_not_flag_every_reference(tmp_path):
    """A syntax error in measures.yaml is reported once, not as one unknown measure per
    indicator."""
    write_catalogue(tmp_path, measures="measures:\n  - id: [children\n")
    tuples = problem_tuples(tmp_path)
    assert [t[-1] for t in tuples] == ["duplicate-id", "unknown-theme", "bad-value", "yaml-syntax"]
    assert tuples[-1][0] == "measures.yaml"


def test_missing_file_is_reported(tmp_path):
    """A catalogue folder without themes.yaml says which file is missing."""
    write_catalogue(tmp_path)
    (tmp_path / "themes.yaml").unlink()
    tuples = problem_tuples(tmp_path)
    assert ("themes.yaml", None, None, "", "missing-file") in tuples
    assert not any(t[-1] == "unknown-theme" for t in tuples)


def test_clean_small_catalogue_loads(tmp_path):
    """The broken example, once fixed, loads with the models the YAML describes."""
    fixed_measures = MEASURES_YAML.replace("    colour: red\n", "")
    fixed = (
        INDICATORS_YAML.replace("children_0_16", "children_0_15")
        .replace("  - id: cilif_share\n    method: count", "  - id: cilif_count\n    method: count")
        .replace("poverty", "need")
        .replace("ci: exact", "ci: poisson_exact")
    )
    catalogue = load_catalogue(write_catalogue(tmp_path, measures=fixed_measures, indicators=fixed))
    assert list(catalogue.indicators) == ["cilif_share", "cilif_count"]
    share = catalogue.indicators["cilif_share"]
    assert isinstance(share, ShareIndicator) and share.ci == "wilson" and share.multiplier == 100
    count = catalogue.indicators["cilif_count"]
    assert isinstance(count, CountIndicator) and count.ci == "poisson_exact"
    assert catalogue.polarities() == {"cilif_share": share.polarity, "cilif_count": count.polarity}
