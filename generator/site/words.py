"""Wording that depends on an indicator's definition, shared by several pages."""

from __future__ import annotations

from typing import Any

from generator.ingest.catalogue import (
    AnyIndicator,
    Catalogue,
    CountIndicator,
    IndexIndicator,
    ShareIndicator,
    UptakeIndicator,
)
from generator.site.formatting import is_missing, lower_label


def period_range(periods: list[str]) -> str:
    """ "2020/21 to 2024/25", one period as itself, or "no periods". Years of two kinds are
    never run together ("2020 to 2024/25"): "2020/21 to 2024/25; calendar years 2020 to
    2024" (issue 17)."""
    if not periods:
        return "no periods"
    split = [p for p in periods if "/" in p]
    whole = [p for p in periods if "/" not in p]
    if split and whole:
        return f"{period_range(split)}; calendar years {period_range(whole)}"
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def method_text(ind: AnyIndicator, catalogue: Catalogue) -> str:
    """How an indicator is calculated, in a sentence."""

    def label(measure_id: str) -> str:
        measure = catalogue.measures.get(measure_id)
        return measure.label if measure else measure_id

    if isinstance(ind, UptakeIndicator):
        rate = (
            f"{ind.expected_rate:g} per unit of need, as the council's config states"
            if ind.expected_rate is not None
            else "the council's own ratio of the two in the same period, so 100% means "
            "as the council's own rate, not full entitlement"
        )
        pooled = f"the latest {ind.pool} periods pooled" if ind.pool > 1 else "each period alone"
        return (
            f"{label(ind.receipt)} as a percentage of the number expected: "
            f"{lower_label(label(ind.need))} times {rate}. The 95% confidence interval "
            "is the exact Poisson interval of the observed count. An area is flagged below "
            f"or above expected when its count, over {pooled}, is outside the 99.8% funnel "
            "limits (exact Poisson, widened for over-dispersion; Spiegelhalter's method); "
            "with too few expected to judge it is said so. The gap is expected minus "
            "observed, when positive."
        )
    if isinstance(ind, IndexIndicator):
        how = (
            "z-scores across the areas of each level"
            if ind.normalisation == "zscore"
            else "scores from 0 to 100 between stated best and worst values"
        )
        parts = "; ".join(
            f"{d.title}: "
            + ", ".join(
                (
                    catalogue.indicators[c.indicator].short_title
                    if c.indicator in catalogue.indicators
                    else c.indicator
                )
                for c in d.components
            )
            for d in ind.dimensions
        )
        return (
            f"A composite of published indicators, turned into {how}, averaged by "
            f"weight within each dimension and then across dimensions ({parts}). An area "
            "missing any component gets no score."
        )
    if isinstance(ind, CountIndicator):
        measure = catalogue.measures.get(ind.measure)
        if measure is not None and not measure.additive:
            return (
                f"The {label(ind.measure)} of each area, as published. It cannot be "
                "added up or averaged, so it is shown only for the areas it is given for."
            )
        text = f"A count of {lower_label(label(ind.measure))}."
        if ind.ci == "poisson_exact":
            text += " The 95% confidence interval is the exact Poisson interval."
        return text
    scale = f"{ind.multiplier:,.0f}"
    if isinstance(ind, ShareIndicator):
        base = (
            f"{label(ind.numerator)} as a percentage of {lower_label(label(ind.denominator))}"
            if ind.multiplier == 100
            else f"{label(ind.numerator)} per {scale} {lower_label(label(ind.denominator))}"
        )
        return base + ". The 95% confidence interval is the Wilson score interval."
    return (
        f"{label(ind.numerator)} per {scale} {lower_label(label(ind.denominator))}. "
        "The 95% confidence interval uses Byars' approximation to the exact Poisson "
        "interval."
    )


#: "Compared with <nation>" words, followed by the national comparator's name.
NATIONAL_WORDS = {
    "worse": "Worse than",
    "better": "Better than",
    "similar": "Similar to",
    "higher": "Higher than",
    "lower": "Lower than",
}


def national_label(key: str, name: str) -> str:
    """E.g. "Worse than Scotland"; "" without a comparison."""
    return f"{NATIONAL_WORDS[key]} {name}" if key in NATIONAL_WORDS else ""


POLARITY_TEXT = {
    "higher_is_worse": "A higher value is worse.",
    "higher_is_better": "A higher value is better.",
    "neutral": "Neither a higher nor a lower value is better in itself.",
}


def unslug(text: str) -> str:
    """A breakdown id or category as words: "three_or_more_children" -> "Three or more
    children"."""
    words = str(text).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def one_decimal(value: Any) -> str:
    return "" if is_missing(value) else f"{float(value):,.1f}"


#: Units that name who a count is of, so a filter can say "all children" or "all pupils".
PEOPLE_UNITS = ("children", "households", "pupils", "people", "families")


def population(ind: AnyIndicator, catalogue: Catalogue) -> str:
    """Who an indicator counts, in the plural ("children", "households", "pupils"), from the
    unit of the measure it counts; "areas" when that is not a kind of person or household
    (issue 17: "Showing all households" on indicators that count children)."""
    if isinstance(ind, CountIndicator):
        measure_id = ind.measure
    elif isinstance(ind, UptakeIndicator):
        measure_id = ind.receipt
    elif isinstance(ind, IndexIndicator):
        return "areas"
    else:
        measure_id = ind.numerator
    measure = catalogue.measures.get(measure_id)
    unit = measure.unit.strip().lower() if measure is not None else ""
    return unit if unit in PEOPLE_UNITS else "areas"
