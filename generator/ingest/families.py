"""Family groups of similar councils (``shared_indicators/family_groups.yaml``), for the
Scotland comparison pages. The file is made from the national open data by
``generator/scotland.py`` (``family_groups_yaml``) and states its method and source."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class FamilyGroups:
    """Council code -> grouping id -> family (1..4), with the groupings' labels."""

    source: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # grouping id -> label
    measures: dict[str, str] = field(default_factory=dict)  # grouping id -> what it ranks by
    councils: dict[str, dict[str, int]] = field(default_factory=dict)
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # code -> id -> %
    names: dict[str, str] = field(default_factory=dict)  # code -> council name


def load_family_groups(path: Path) -> FamilyGroups:
    """The family groups file, or no groups when it is absent."""
    if not path.is_file():
        return FamilyGroups()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groupings = data.get("groupings") or {}
    councils, values, names = {}, {}, {}
    for code, row in (data.get("councils") or {}).items():
        names[str(code)] = str(row.get("name", code))
        councils[str(code)] = {g: int(row[g]) for g in groupings if g in row}
        values[str(code)] = {g: float(row[f"{g}_pct"]) for g in groupings if f"{g}_pct" in row}
    return FamilyGroups(
        source=str(data.get("source", "")),
        labels={g: str(v.get("label", g)) for g, v in groupings.items()},
        measures={g: str(v.get("measure", "")) for g, v in groupings.items()},
        councils=councils,
        values=values,
        names=names,
    )
