"""The contract between the build and the pages: everything one council's site shows.

``site/build.py`` makes a ``CouncilSite`` from the analysis of one council; the page modules
read it and nothing else. Its tables have been through disclosure control.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from generator.analysis.changes import Changes
from generator.analysis.interventions import Effect
from generator.analysis.priority import PriorityArea
from generator.analysis.targets import TargetStatus
from generator.errors import Problem
from generator.ingest.catalogue import AnyIndicator, Catalogue
from generator.ingest.geography import GeographyPack
from generator.ingest.interventions import Covered
from generator.ingest.notes import PlacedNote
from generator.ingest.report import DataReport


@dataclass(frozen=True)
class DatasetSummary:
    """One dataset as the quality and about pages describe it."""

    id: str
    title: str
    source: str
    file: str
    rows_read: int
    rows_used: int
    periods: list[str]
    measures: list[str]
    coverage: float  # share (0..1) of the council's base areas with data in the latest period
    licence: str = ""  # the licence the dataset is published under ("" when not stated)
    attribution: str = ""  # the attribution that licence asks for


@dataclass(frozen=True)
class CouncilSite:
    """Everything one council's pages need. Built by ``site/build.py``."""

    slug: str
    name: str
    code: str
    synthetic: bool
    colour: str  # brand hex, e.g. "#1d5c8c"
    pack: GeographyPack
    catalogue: Catalogue
    indicators: list[AnyIndicator]  # in catalogue order
    values: pd.DataFrame  # published indicator values (docs/internals.md)
    periods: list[str]  # sorted
    build_date: str  # "YYYY-MM-DD"
    datasets: list[DatasetSummary]
    problems: list[Problem]
    disclosure_threshold: int
    attribution: str  # licence text to show on every page (may be "")
    #: each attribution apart (the pack's, then each dataset's, without repeats)
    attributions: list[str] = field(default_factory=list)
    #: level id -> priority areas (generator/priority.py), from the published values
    priority: dict[str, list[PriorityArea]] = field(default_factory=dict)
    #: how priority areas were chosen, in words, for the unmet-need page
    priority_rule_text: str = ""
    report: DataReport | None = None  # the data contract report; shown on quality.html
    contact_email: str = ""  # shown on the about page when given
    #: published values by deprivation group (inequality.GROUP_COLUMNS), or None
    groups: pd.DataFrame | None = None
    #: (indicator, period) -> inequality.SlopeIndex by quintile, from published groups
    slopes: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: name of the deprivation ranking, e.g. "SIMD 2020", and how many zones it ranks
    inequality_label: str = ""
    inequality_zones: int = 0
    #: name of the national comparator ("" when there is none) and where its totals come from
    national_name: str = ""
    national_source: str = ""
    #: the nation's values by deprivation group (inequality.national_group_values), or None
    national_groups: pd.DataFrame | None = None
    #: every council's value of each rate and share from the national files
    #: (``indicator, period, council, value``), for the overview's family standing, or None
    council_values: pd.DataFrame | None = None
    #: index id -> each area's component values and scores (index.index_components)
    index_components: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: published values per breakdown category (disclosure.publish_breakdowns): the values
    #: columns plus ``breakdown`` and ``category``; None or empty without breakdowns
    breakdowns: pd.DataFrame | None = None
    #: each breakdown category's priority list, ``(breakdown, category) -> {level: [...]}``
    #: (analysis/priority.priority_by_category); and breakdown -> the uptake indicators with
    #: only one of receipt and need split by it (no filter for them)
    priority_by: dict[tuple[str, str], dict[str, list[PriorityArea]]] = field(default_factory=dict)
    one_sided: dict[str, list[str]] = field(default_factory=dict)
    #: the public postcode lookup {postcode: base area code}, for the find-my-area index
    postcodes: dict[str, str] = field(default_factory=dict)
    #: uptake indicator -> period -> how its need was modelled or carried forward, in words
    #: ("need: 2021/22 Children in low income families, the latest published")
    need_notes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the interventions log with its areas resolved (ingest/interventions.py), and what
    #: works: one verdict per intervention and target indicator (analysis/interventions.py)
    interventions: list[Covered] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    #: what changed since the previous build (analysis/changes.py); None without one
    changes: Changes | None = None
    #: local commentary on areas and indicators (ingest/notes.py), sanitised when shown
    notes: list[PlacedNote] = field(default_factory=list)
    #: baselines and targets with their status (analysis/targets.py)
    targets: list[TargetStatus] = field(default_factory=list)
