"""What changed since the last refresh: areas that entered or left the priority list, and
council values that moved significantly, between the previous build's published values
and this build's.

The previous build is read from what it published (``ingest/previous.py``): its
``indicator_values.csv`` and its ``priority_areas.csv`` snapshot. Both are public
already, so comparing them publishes nothing new. A council value *moved significantly*
when the difference between this build's latest value and the previous build's latest value
is more than 1.96 standard errors, each standard error taken from its 95% interval (width /
3.92); values without an interval (counts) are not judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from generator.analysis.priority import PriorityArea

#: z beyond which a council value has moved (two-sided 95%).
Z_95 = 1.959964


@dataclass(frozen=True)
class AreaChange:
    """An area that entered or left a level's priority list."""

    level: str
    code: str
    name: str
    change: str  # "entered" or "left"


@dataclass(frozen=True)
class Move:
    """A council value that moved significantly between the two builds."""

    indicator: str
    before_period: str
    before: float
    after_period: str
    after: float
    direction: str  # "up" or "down"


@dataclass(frozen=True)
class Changes:
    """Everything that changed since the previous build."""

    previous_build: str  # the previous build's date, if known ("" otherwise)
    areas: list[AreaChange] = field(default_factory=list)
    #: False when the previous build saved no priority list (built before it did)
    areas_known: bool = True
    moves: list[Move] = field(default_factory=list)


def priority_frame(priority: dict[str, list[PriorityArea]]) -> pd.DataFrame:
    """A build's priority lists as the table its ``priority_areas.csv`` holds."""
    rows = [
        (level, rank, a.code, a.name)
        for level, areas in priority.items()
        for rank, a in enumerate(areas, 1)
    ]
    return pd.DataFrame(rows, columns=["level", "rank", "area_code", "area_name"])


def compare(
    previous_values: pd.DataFrame,
    previous_priority: pd.DataFrame | None,
    values: pd.DataFrame,
    priority: pd.DataFrame,
    council_level: str,
    council_code: str,
    previous_build: str = "",
) -> Changes:
    """The changes from the previous build's published tables to this build's."""
    areas: list[AreaChange] = []
    moves = _moves(previous_values, values, council_level, council_code)
    if previous_priority is None:
        return Changes(previous_build, [], areas_known=False, moves=moves)
    levels = sorted(set(previous_priority["level"]) | set(priority["level"]))
    for level in levels:
        was = previous_priority[previous_priority["level"] == level]
        now = priority[priority["level"] == level]
        names = {
            **dict(zip(was["area_code"], was["area_name"], strict=True)),
            **dict(zip(now["area_code"], now["area_name"], strict=True)),
        }
        old, new = set(was["area_code"]), set(now["area_code"])
        areas += [AreaChange(level, c, names[c], "entered") for c in sorted(new - old)]
        areas += [AreaChange(level, c, names[c], "left") for c in sorted(old - new)]
    return Changes(previous_build, areas, moves=moves)


def _latest_council(values: pd.DataFrame, level: str, code: str) -> dict[str, pd.Series]:
    part = values[(values["level"] == level) & (values["area_code"] == code)]
    part = part[~part["suppressed"].astype(bool) & part["value"].notna()]
    out = {}
    for ind, rows in part.groupby("indicator", sort=True):
        out[str(ind)] = rows.sort_values("period", kind="mergesort").iloc[-1]
    return out


def _se(row: pd.Series) -> float:
    low, high = row.get("lower"), row.get("upper")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return math.nan
    return (float(high) - float(low)) / (2 * Z_95)


def _moves(previous: pd.DataFrame, values: pd.DataFrame, level: str, code: str) -> list[Move]:
    before, after = _latest_council(previous, level, code), _latest_council(values, level, code)
    out = []
    for ind in sorted(set(before) & set(after)):
        b, a = before[ind], after[ind]
        se = math.hypot(_se(b), _se(a))
        if not se > 0:  # no interval (counts), or NaN
            continue
        diff = float(a["value"]) - float(b["value"])
        if abs(diff) / se > Z_95:
            out.append(
                Move(
                    ind,
                    str(b["period"]),
                    float(b["value"]),
                    str(a["period"]),
                    float(a["value"]),
                    "up" if diff > 0 else "down",
                )
            )
    return out
