"""Baselines and targets (``targets:`` in council.yaml): for an indicator, in the council or
one area, a baseline period and a value to reach by a period. Checked against the catalogue
and the geography pack with located errors; ``analysis/targets.py`` says whether each is on
track."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field

from generator.ingest.arearefs import area_index, area_problem, did_you_mean, resolve_area
from generator.ingest.models import Identifier, Strict

if TYPE_CHECKING:
    from generator.errors import Problem
    from generator.ingest import yamlio
    from generator.ingest.catalogue import Catalogue
    from generator.ingest.geography import GeographyPack

#: A period label such as "2023/24" or "2024".
PERIOD_PATTERN = r"^\d{4}(/\d{2})?$"


class Target(Strict):
    """A value an indicator should reach by a period, from a baseline period."""

    indicator: Identifier = Field(description="The catalogue indicator, e.g. scp_uptake.")
    area: str = Field(
        default="all",
        description="The area it is for: a code or name at any level, or 'all' for the council.",
    )
    baseline: str = Field(pattern=PERIOD_PATTERN, description="The baseline period, e.g. 2021/22.")
    value: float = Field(
        allow_inf_nan=False, description="The value to reach, in the indicator's units."
    )
    by: str = Field(
        pattern=PERIOD_PATTERN, description="The period by which to reach it, e.g. 2026/27."
    )


@dataclass(frozen=True)
class PlacedTarget:
    """A target with its area resolved."""

    target: Target
    level: str
    code: str


def check_targets(
    doc: yamlio.YamlDocument,
    targets: list[Target],
    pack: GeographyPack | None,
    catalogue: Catalogue,
) -> tuple[list[PlacedTarget], list[Problem]]:
    """Targets with their areas resolved, and the problems of the others."""
    problems: list[Problem] = []
    placed = []
    index = area_index(pack) if pack is not None else None
    for n, t in enumerate(targets):
        at = ("targets", n)
        before = len(problems)
        if t.indicator not in catalogue.indicators:
            problems.append(
                doc.problem(
                    (*at, "indicator"),
                    "unknown-indicator",
                    f"{t.indicator!r} is not an indicator of the catalogue"
                    + did_you_mean(t.indicator, list(catalogue.indicators)),
                )
            )
        if t.by <= t.baseline:
            problems.append(
                doc.problem(
                    (*at, "by"),
                    "target-before-baseline",
                    f"{t.by} is not after the baseline {t.baseline}",
                )
            )
        found: tuple[str, str] | str = "unknown"
        if index is not None and pack is not None:
            found = resolve_area(t.area, pack, index)
            if isinstance(found, str):
                problems.append(doc.problem((*at, "area"), *area_problem(found, t.area, pack)))
        if len(problems) == before and not isinstance(found, str):
            placed.append(PlacedTarget(t, found[0], found[1]))
    return placed, problems
