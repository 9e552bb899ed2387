"""The text beside each chart: what a map, ranking, trend, funnel or deprivation chart
shows, in words, for readers who cannot see it (and for everyone else)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from generator.ingest.catalogue import AnyIndicator
from generator.site.formatting import (
    format_ci,
    format_number,
    format_value,
    group_name,
    is_missing,
    lower_label,
    unit_affixes,
)

# --- summaries of one level in one period ------------------------------------------------


@dataclass(frozen=True)
class LevelStats:
    """What the text summary of a map or ranking says about one level in one period."""

    total: int  # areas of the level in the geography
    shown: int  # areas with a published value
    suppressed: int  # areas withheld by disclosure control
    missing: int  # areas with no row at all
    highest: tuple[str, float] | None
    lowest: tuple[str, float] | None
    comparisons: dict[str, int]  # comparison -> number of areas


def level_stats(rows: pd.DataFrame, areas: pd.DataFrame) -> LevelStats:
    """Count and rank the areas of ``rows`` (one indicator, level and period).

    ``areas`` lists every area of the level (columns ``code``, ``name``). Ties are broken
    by area name, then code, so the same data always gives the same sentence.
    """
    # Plain arrays, not pandas: this runs hundreds of times per council on small frames.
    codes = set(areas["code"])
    area_codes = rows["area_code"].to_numpy(dtype=object)
    in_level = np.fromiter((c in codes for c in area_codes), dtype=bool, count=len(rows))
    suppressed = rows["suppressed"].to_numpy(dtype=bool) & in_level
    values = rows["value"].to_numpy(dtype=float)
    shown_mask = in_level & ~suppressed & ~np.isnan(values)
    names = rows["area_name"].astype(str).to_numpy(dtype=object)
    shown = [
        (float(v), str(n), str(c))
        for v, n, c in zip(
            values[shown_mask], names[shown_mask], area_codes[shown_mask], strict=True
        )
    ]
    highest = lowest = None
    if shown:
        top = min(shown, key=lambda r: (-r[0], r[1], r[2]))
        bottom = min(shown)
        highest, lowest = (top[1], top[0]), (bottom[1], bottom[0])
    comparisons: dict[str, int] = {}
    for value in rows["comparison"].fillna("").to_numpy(dtype=object)[shown_mask]:
        comparisons[value] = comparisons.get(value, 0) + 1
    present = set(area_codes[in_level])
    return LevelStats(
        total=len(codes),
        shown=len(shown),
        suppressed=int(suppressed.sum()),
        missing=len(codes - present),
        highest=highest,
        lowest=lowest,
        comparisons=dict(sorted(comparisons.items())),
    )


def level_summary(
    indicator: AnyIndicator,
    rows: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    period: str,
    council_name: str,
    council_value: Any,
    label: str,
    label_plural: str,
) -> str:
    """Plain-English summary of a map or ranking, e.g.

    "In 2024/25 the value for Glenvale Council was 21.3%. Among data zones it was highest
    in Glenvale 014 (34.1%) and lowest in Glenvale 002 (9.2%). 12 of 150 data zones were
    significantly worse than the council and 8 were significantly better."
    """
    stats = level_stats(rows, areas)
    one, many = lower_label(label), lower_label(label_plural)
    sentences = []
    if not is_missing(council_value):
        sentences.append(
            f"In {period} the value for {council_name} was "
            f"{format_value(indicator, council_value)}."
        )
    if stats.highest and stats.lowest and stats.shown > 1:
        sentences.append(
            f"Among {many} it was highest in {stats.highest[0]} "
            f"({format_value(indicator, stats.highest[1])}) and lowest in "
            f"{stats.lowest[0]} ({format_value(indicator, stats.lowest[1])})."
        )
    elif stats.highest:
        sentences.append(
            f"Only one {one}, {stats.highest[0]}, has a published value "
            f"({format_value(indicator, stats.highest[1])})."
        )
    else:
        sentences.append(f"No value can be published for any of the {many} in {period}.")
    parts = []
    for key in ("worse", "better", "higher", "lower"):
        count = stats.comparisons.get(key, 0)
        if count:
            verb = "was" if count == 1 else "were"
            parts.append((count, verb, key))
    if parts:
        count, verb, key = parts[0]
        text = f"{count} of {stats.total} {many} {verb} significantly {key} than the council"
        rest = [f"{c} {v} significantly {k}" for c, v, k in parts[1:]]
        if rest:
            text += (", " if len(rest) > 1 else " and ") + ", ".join(rest[:-1])
            text += (" and " if len(rest) > 1 else "") + rest[-1]
        sentences.append(text + ".")
    elif stats.comparisons.get("similar"):
        sentences.append(f"None of the {many} differed significantly from the council.")
    if stats.suppressed:
        noun, verb = (one, "is") if stats.suppressed == 1 else (many, "are")
        sentences.append(f"{stats.suppressed} {noun} {verb} withheld to protect privacy.")
    return " ".join(sentences)


def rank_summary(
    indicator: AnyIndicator,
    rows: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    council_name: str,
    council_value: Any,
    label: str,
    label_plural: str,
) -> str:
    """What a ranked bar chart shows, e.g. "Wards are ranked from highest to lowest. ..."."""
    stats = level_stats(rows, areas)
    many = lower_label(label_plural)
    sentences = [f"{label_plural} are ranked from the highest value to the lowest."]
    extras = []
    if any(rows["lower"].notna()):
        extras.append("the whiskers show 95% confidence intervals")
    if not is_missing(council_value):
        extras.append(
            f"the dashed line is the value for {council_name} "
            f"({format_value(indicator, council_value)})"
        )
    if extras:
        sentences.append(
            extras[0][:1].upper()
            + extras[0][1:]
            + (f", and {extras[1]}" if len(extras) > 1 else "")
            + "."
        )
    counts = [
        (stats.comparisons.get(k, 0), k) for k in ("worse", "higher", "similar", "lower", "better")
    ]
    counts = [(n, k) for n, k in counts if n]
    if counts:
        said = [
            f"{n} {'similar to' if k == 'similar' else k + ' than'} the council" for n, k in counts
        ]
        text = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
        sentences.append(f"Of the {stats.shown} {many} with a published value, {text}.")
    if stats.suppressed:
        noun = lower_label(label) if stats.suppressed == 1 else many
        verb = "is" if stats.suppressed == 1 else "are"
        sentences.append(f"{stats.suppressed} {noun} withheld to protect privacy {verb} not shown.")
    return " ".join(sentences)


def trend_summary(indicator: AnyIndicator, council_rows: pd.DataFrame, council_name: str) -> str:
    """How the council value changed from the first to the latest period."""
    rows = council_rows[~council_rows["suppressed"].astype(bool) & council_rows["value"].notna()]
    rows = rows.sort_values("period", kind="mergesort")
    if rows.empty:
        return f"No council value can be published for {council_name}."
    last = rows.iloc[-1]
    if len(rows) == 1:
        return (
            f"Only one period is available: in {last['period']} the value for "
            f"{council_name} was {format_value(indicator, last['value'])}."
        )
    first = rows.iloc[0]
    a, b = (
        round(float(first["value"]), indicator.decimals),
        round(float(last["value"]), indicator.decimals),
    )
    if b > a:
        change = "rose"
    elif b < a:
        change = "fell"
    else:
        change = "was unchanged"
    if change == "was unchanged":
        return (
            f"The value for {council_name} was {format_value(indicator, last['value'])} "
            f"in both {first['period']} and {last['period']}."
        )
    return (
        f"The value for {council_name} {change} from "
        f"{format_value(indicator, first['value'])} in {first['period']} to "
        f"{format_value(indicator, last['value'])} in {last['period']}."
    )


def funnel_summary(
    indicator: AnyIndicator, rows: pd.DataFrame, *, label: str, label_plural: str
) -> str:
    """The funnel plot in words: how many areas fall below, within and above the 99.8%
    limits, how many are too few to judge or starred in the source, and the over-dispersion
    allowed for."""
    judged = rows[~rows["suppressed"].astype(bool) & rows["status"].ne("")]
    n_supp = int(rows["suppressed"].astype(bool).sum())
    keys = ("below", "as_expected", "above", "too_few", "censored")
    counts = {k: int((judged["status"] == k).sum()) for k in keys}
    shown = len(judged) - counts["censored"]
    lab = lower_label(label_plural if shown != 1 else label)
    text = (
        f"Of {shown} {lab} shown, {counts['below']} are below expected (under the lower "
        f"99.8% limit), {counts['as_expected']} are within the limits and "
        f"{counts['above']} are above."
    )
    if counts["too_few"]:
        text += (
            f" {counts['too_few']} expected too few to judge: not even none received would "
            "fall below the limit."
        )
    phi = rows["phi"].dropna() if "phi" in rows.columns else rows.iloc[0:0]
    if not phi.empty and float(phi.max()) > 1:
        text += (
            f" The areas vary more than chance alone would make them (over-dispersion "
            f"{float(phi.max()):.2f}), so the limits are widened by the square root of that."
        )
    if counts["censored"]:
        text += (
            f" {counts['censored']} with a count starred in the source (known only to lie "
            "in a range) are not judged and not shown."
        )
    if n_supp:
        text += f" {n_supp} withheld to protect privacy are not shown."
    return text


def slope_sentence(indicator: AnyIndicator, slope: Any, label: str) -> str:
    """The SII and RII in words, or why there are none."""
    if slope is None:
        return ""
    if slope.reason:
        return f"The slope index of inequality is not given: {slope.reason}."
    prefix, suffix = unit_affixes(indicator)
    sii = f"{prefix}{format_number(indicator, abs(slope.sii))}{suffix}"
    ci = format_ci(indicator, slope.sii_lower, slope.sii_upper)
    direction = "higher" if slope.sii > 0 else "lower"
    significant = slope.sii_lower > 0 or slope.sii_upper < 0
    return (
        f"Slope index of inequality (SII): {sii} (95% CI {ci}). Across the {label} "
        f"deprivation gradient, the value is about {sii} {direction} in the most deprived "
        f"areas than in the least deprived"
        + ("" if significant else ", but the interval includes no difference")
        + f". Relative index of inequality (RII = SII / council value): "
        f"{slope.rii:.2f} (95% CI {slope.rii_lower:.2f} to {slope.rii_upper:.2f})."
    )


def group_summary(indicator: AnyIndicator, rows: pd.DataFrame, label: str) -> str:
    """Text alternative to the group chart: most and least deprived quintile values."""
    shown = rows[~rows["suppressed"].astype(bool) & rows["value"].notna()]
    n = len(rows)
    withheld = int(rows["suppressed"].astype(bool).sum())
    if shown.empty:
        return f"No {label} quintile value can be published."
    first, last = shown.iloc[0], shown.iloc[-1]
    text = (
        f"{group_name(label, int(first['group']), n)}: "
        f"{format_value(indicator, first['value'])}; "
        f"{group_name(label, int(last['group']), n)}: "
        f"{format_value(indicator, last['value'])}."
    )
    if withheld:
        text += f" {withheld} group value(s) withheld to protect privacy."
    return text
