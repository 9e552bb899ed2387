"""Spine charts and trend lines for area profiles, drawn as small inline SVG.

A *spine chart* is how ScotPHO's and Fingertips' area profiles show many indicators at once:
one row per indicator, a bar for the range of the council's areas at this level (light:
lowest to highest; dark: the middle half, 25th to 75th percentile), a line for the Scotland
value, a tick for the council's value, and a circle for this area's value, coloured by its
comparison with the council. Rows are turned by polarity so that worse is always on the
left (low values on the left where neither is worse). Each row's numbers are also in the
profile's table (the text alternative), and each SVG has a label saying them in words.

The SVG is drawn here, not by plotly.js, because a council has thousands of area profiles:
inline SVG costs a few hundred bytes a row and needs no script.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup

from generator.site.figures import COMPARISON_COLOURS, TEXT_COLOUR

WIDTH, HEIGHT, PAD = 240, 22, 6
RANGE_COLOUR, MIDDLE_COLOUR, NATIONAL_COLOUR = "#e3e6ea", "#b8bfc7", "#d62728"


@dataclass(frozen=True)
class Spread:
    """The published values of one indicator at one level and period, across the council."""

    low: float
    q1: float
    q3: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray) -> Spread | None:
        values = values[np.isfinite(values)]
        if values.size == 0:
            return None
        q1, q3 = np.percentile(values, [25, 75])
        return cls(float(values.min()), float(q1), float(q3), float(values.max()))


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def spine_svg(
    spread: Spread,
    value: float | None,
    council: float | None,
    national: float | None,
    polarity: str,
    comparison: str,
    label: str,
) -> Markup:
    """One spine-chart row: the council's range, Scotland, the council and this area."""
    points = [spread.low, spread.high, *(v for v in (value, council, national) if v is not None)]
    lo, hi = min(points), max(points)
    span = hi - lo or 1.0
    flip = polarity == "higher_is_worse"  # worse on the left; otherwise low on the left

    def x(v: float) -> float:
        share = (v - lo) / span
        return PAD + (1 - share if flip else share) * (WIDTH - 2 * PAD)

    def band(a: float, b: float, colour: str, cls: str) -> str:
        left, right = sorted((x(a), x(b)))
        return (
            f'<rect class="{cls}" x="{_fmt(left)}" y="6" width="{_fmt(max(right - left, 1))}" '
            f'height="10" fill="{colour}"/>'
        )

    parts = [
        band(spread.low, spread.high, RANGE_COLOUR, "spine-range"),
        band(spread.q1, spread.q3, MIDDLE_COLOUR, "spine-middle"),
    ]
    if national is not None:
        parts.append(
            f'<line class="spine-national" x1="{_fmt(x(national))}" x2="{_fmt(x(national))}" '
            f'y1="1" y2="21" stroke="{NATIONAL_COLOUR}" stroke-width="2"/>'
        )
    if council is not None:
        parts.append(
            f'<line class="spine-council" x1="{_fmt(x(council))}" x2="{_fmt(x(council))}" '
            f'y1="4" y2="18" stroke="{TEXT_COLOUR}" stroke-width="2"/>'
        )
    if value is not None:
        colour = COMPARISON_COLOURS.get(comparison, COMPARISON_COLOURS[""])
        parts.append(
            f'<circle class="spine-marker" cx="{_fmt(x(value))}" cy="11" r="5" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
        )
    return Markup(
        f'<svg class="spine" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{html.escape(label, quote=True)}">{"".join(parts)}</svg>'
    )


def trend_svg(values: list[float | None], label: str) -> Markup:
    """A sparkline of an area's values over the periods (gaps where withheld or missing)."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return Markup("")
    lo, hi = min(known), max(known)
    span = hi - lo or 1.0
    w, h, step = 120, HEIGHT, (120 - 2 * PAD) / max(len(values) - 1, 1)
    runs: list[list[str]] = [[]]
    dots = []
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
            continue
        px, py = PAD + i * step, h - 4 - (v - lo) / span * (h - 8)
        runs[-1].append(f"{_fmt(px)},{_fmt(py)}")
        dots.append(f'<circle cx="{_fmt(px)}" cy="{_fmt(py)}" r="1.8" fill="{TEXT_COLOUR}"/>')
    lines = [
        f'<polyline points="{" ".join(r)}" fill="none" stroke="{TEXT_COLOUR}" stroke-width="1.5"/>'
        for r in runs
        if len(r) > 1
    ]
    return Markup(
        f'<svg class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label="{html.escape(label, quote=True)}">{"".join(lines + dots)}</svg>'
    )


def interval_svg(
    value: float,
    lower: float | None,
    upper: float | None,
    national: float | None,
    scale: tuple[float, float],
    comparison: str,
    label: str,
) -> Markup:
    """One council's value and 95% interval on a scale shared by every council of a compare
    page (a caterpillar plot, one row per council), with Scotland's value as a line."""
    lo, hi = scale
    span = hi - lo or 1.0

    def x(v: float) -> float:
        return PAD + (v - lo) / span * (WIDTH - 2 * PAD)

    parts = []
    if national is not None:
        parts.append(
            f'<line class="interval-national" x1="{_fmt(x(national))}" x2="{_fmt(x(national))}" '
            f'y1="1" y2="21" stroke="{NATIONAL_COLOUR}" stroke-width="2"/>'
        )
    if lower is not None and upper is not None:
        parts.append(
            f'<line class="interval-ci" x1="{_fmt(x(lower))}" x2="{_fmt(x(upper))}" y1="11" '
            f'y2="11" stroke="{TEXT_COLOUR}" stroke-width="2"/>'
        )
    colour = COMPARISON_COLOURS.get(comparison, COMPARISON_COLOURS[""])
    parts.append(
        f'<circle class="interval-marker" cx="{_fmt(x(value))}" cy="11" r="5" fill="{colour}" '
        'stroke="#ffffff" stroke-width="1"/>'
    )
    return Markup(
        f'<svg class="interval" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{html.escape(label, quote=True)}">'
        f"{''.join(parts)}</svg>"
    )
