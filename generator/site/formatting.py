"""Numbers as text: values, intervals and counts formatted by each indicator's unit and
decimals, the way every page and chart shows them."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from generator.ingest.catalogue import AnyIndicator


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def format_number(indicator: AnyIndicator, value: Any) -> str:
    """``value`` at the indicator's decimals with thousands separators; "" when missing."""
    if is_missing(value):
        return ""
    return f"{float(value):,.{indicator.decimals}f}"


def is_percent(unit: str) -> bool:
    """Whether a unit is a percentage ("%", "% of expected")."""
    return unit.startswith("%")


def unit_affixes(indicator: AnyIndicator) -> tuple[str, str]:
    """How the unit wraps a number in running text: ("£", "") for "£", ("", "%") for "%".

    A parenthetical explanation ("rank (1 = most deprived)") is left to headings.
    """
    unit = re.sub(r"\s*\(.*\)\s*$", "", indicator.unit).strip()
    if not unit:
        return "", ""
    if is_percent(unit):
        return "", unit
    if unit[0] in "£$€":
        rest = unit[1:].strip()
        return unit[0], f" {rest}" if rest else ""
    if unit in ("rank", "score"):
        # "rank 12", "score 26": never "26 score" (issue 17).
        return f"{unit} ", ""
    return "", f" {unit}"


def format_value(indicator: AnyIndicator, value: Any) -> str:
    """A value with its unit as a reader sees it: "21.3%", "14.2 per 1,000 children", "£12"."""
    if is_missing(value):
        return "no data"
    prefix, suffix = unit_affixes(indicator)
    return prefix + format_number(indicator, value) + suffix


def format_ci(indicator: AnyIndicator, lower: Any, upper: Any) -> str:
    """The 95% interval as "18.0–25.1", or "" without one."""
    if is_missing(lower) or is_missing(upper):
        return ""
    return f"{format_number(indicator, lower)}–{format_number(indicator, upper)}"


def z_round(indicator: AnyIndicator, value: Any) -> float | None:
    """A value for a chart: one decimal more than displayed, which keeps pages small."""
    if is_missing(value):
        return None
    return round(float(value), indicator.decimals + 1)


def lower_label(label: str) -> str:
    """A level label for use mid-sentence: "Data zones" -> "data zones", "LSOAs" stays."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def format_count(value: Any) -> str:
    """A count with thousands separators; whole numbers without decimals."""
    if is_missing(value):
        return ""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def group_name(label: str, group: int, n_groups: int) -> str:
    """ "Quintile 1 (most deprived)", "Quintile 3", "Quintile 5 (least deprived)"."""
    word = "Quintile" if n_groups <= 5 else "Decile"
    end = " (most deprived)" if group == 1 else " (least deprived)" if group == n_groups else ""
    return f"{word} {group}{end}"
