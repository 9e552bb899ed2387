"""The pydantic models of a council config, ``council_configs/<slug>/council.yaml``.

Every field has a description: they feed ``schema/council.schema.json`` and the docs.
Reading and cross-checking a config is ``ingest/councils.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from generator.ingest.datasets import Dataset, PostcodeLookup
from generator.ingest.models import (
    COLOUR_PATTERN,
    EMAIL_PATTERN,
    GSS_COUNCIL_PATTERN,
    SLUG_PATTERN,
    Identifier,
    Strict,
)
from generator.ingest.targets import Target

#: Environment variable naming the folder that holds a council's data files.
DATA_DIR_ENV = "CDASH_DATA_DIR"
#: Environment variable naming the folder of geography packs that configs name.
PACKS_DIR_ENV = "CDASH_PACKS_DIR"
#: The header colour of a council that states none, and of the portal.
DEFAULT_COLOUR = "#1d5c8c"


class CouncilIdentity(Strict):
    """Who the council is and how its pages look."""

    name: str = Field(
        min_length=2, max_length=200, description="The council's name as shown on every page."
    )
    code: str = Field(
        pattern=GSS_COUNCIL_PATTERN,
        description="GSS code of the council, e.g. S12000040 for West Lothian. "
        "Synthetic councils use codes starting with X.",
    )
    slug: str = Field(
        pattern=SLUG_PATTERN,
        description="Lower-case name used in folder names and URLs, e.g. west-lothian.",
    )
    synthetic: bool = Field(
        default=False, description="True for made-up demo data: every page then says so."
    )
    colour: str = Field(
        default=DEFAULT_COLOUR,
        pattern=COLOUR_PATTERN,
        description="Brand colour (hex) for the page header.",
    )
    contact_email: str | None = Field(
        default=None,
        pattern=EMAIL_PATTERN,
        description="Where readers can ask about the figures; shown on the about page.",
    )


class Disclosure(Strict):
    """Disclosure control settings."""

    threshold: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Counts of people below this are suppressed. May raise, "
        "never lower, the catalogue's threshold for an indicator.",
    )
    rounding: Literal["none", "nearest_5"] = Field(
        default="none",
        description="'nearest_5' rounds every published count to the nearest "
        "5 (the ONS 10-5 rule); rates are still computed from the unrounded counts.",
    )


class AttributeFilter(Strict):
    """A condition on one attribute of a record-level dataset."""

    min: float | None = Field(
        default=None, allow_inf_nan=False, description="Keep rows whose value is at least this."
    )
    max: float | None = Field(
        default=None, allow_inf_nan=False, description="Keep rows whose value is at most this."
    )
    values: list[str] | None = Field(
        default=None, description="Keep rows whose value is one of these."
    )


class Match(Strict):
    """Households in one record-level dataset and in none of some others, per area."""

    measure: Identifier = Field(
        description="Catalogue measure the matched count provides, e.g. "
        "ctr_households_school_age_children_no_scg."
    )
    households_in: Identifier = Field(description="Id of the record-level dataset counted.")
    not_in: list[Identifier] = Field(
        min_length=1,
        description="Ids of record-level datasets a "
        "household must not appear in (same period, any area).",
    )
    where: dict[Identifier, AttributeFilter] = Field(
        default_factory=dict,
        description="Conditions on attributes of households_in, e.g. "
        "{school_age_children: {min: 1}}.",
    )


class Privacy(Strict):
    """How household keys are pseudonymised."""

    key_env: str | None = Field(
        default=None,
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="Environment variable holding the HMAC key, for pseudonyms that stay the "
        "same across builds. Without it a random key is made for each build and held only "
        "in memory. The key is never written anywhere.",
    )
    public_values: list[str] = Field(
        default_factory=list,
        description="Values that are public geography, not personal "
        "data (e.g. a postcode sector shown on the site), so the leak tripwire ignores them.",
    )


class NeedModel(Strict):
    """How need is measured for one uptake indicator (see docs/methods.md).

    ``direct``: ``measure`` as it is, at the levels it is published. ``apportioned``: the
    coarse count ``measure`` (e.g. CiLIF by intermediate zone) shared out to the smallest
    areas in proportion to the product of the ``proxy`` measures, so the shares add up
    exactly to the published figure. ``proxy``: the product of the ``proxy`` measures
    itself (e.g. pupils x SIMD income rate). A measure whose latest period is older than
    the receipt's is carried forward from its latest period, and the pages say so.
    """

    model: Literal["direct", "apportioned", "proxy"] = Field(
        default="direct",
        description="direct: a need measure at the same level; apportioned: a coarse need "
        "count shared to data zones by a fine proxy; proxy: the fine proxy itself.",
    )
    measure: Identifier | None = Field(
        default=None,
        description="The need measure (direct) or the coarse need count to share out "
        "(apportioned), e.g. cilif_children.",
    )
    proxy: list[Identifier] = Field(
        default_factory=list,
        description="Measures multiplied together, area by area, to give the fine proxy, "
        "e.g. [children_10_11, simd_income_rate_pct]: children of the entitlement's ages "
        "times the SIMD income deprivation rate. A measure in percent is divided by 100.",
    )

    @model_validator(mode="after")
    def _complete(self) -> NeedModel:
        if self.model in ("direct", "apportioned") and self.measure is None:
            raise ValueError(f"need model {self.model!r} needs a measure")
        if self.model in ("apportioned", "proxy") and not self.proxy:
            raise ValueError(f"need model {self.model!r} needs at least one proxy measure")
        return self


def _need_kind(value: Any) -> str:
    return "model" if isinstance(value, (dict, NeedModel)) else "measure"


#: A need rule: a measure id (the direct model) or a need model. The discriminator picks
#: the branch by shape, so a mistake is reported once, against the branch meant.
NeedRule = Annotated[
    Annotated[Identifier, Tag("measure")] | Annotated[NeedModel, Tag("model")],
    Discriminator(_need_kind),
]


class UptakeRule(Strict):
    """A council's own rule for one uptake indicator: eligibility differs by council and year."""

    need: NeedRule | None = Field(
        default=None,
        description="Measure of need to compare receipt with, replacing the catalogue's "
        "(e.g. uc_households_with_children), or a need model: {model: direct | apportioned "
        "| proxy, measure: ..., proxy: [m1, m2]}.",
    )
    expected_rate: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="Expected receipt per unit of need, e.g. 0.85 if 85% "
        "of children in low income families are eligible. Omit to use the council-wide ratio "
        "(then 'below expected' means below the council's own rate).",
    )
    pool: int | None = Field(
        default=None,
        ge=1,
        description="How many of the latest periods to pool when judging an area (default "
        "the catalogue's, 3); 1 judges each period alone.",
    )

    def need_model(self) -> NeedModel | None:
        """The need rule as a model (a bare measure id is the direct model)."""
        if self.need is None or isinstance(self.need, NeedModel):
            return self.need
        return NeedModel(model="direct", measure=self.need)


class PriorityAreas(Strict):
    """How the unmet-need page picks priority areas."""

    top: dict[Identifier, Annotated[int, Field(ge=0, le=10_000)]] = Field(
        default_factory=lambda: {"datazone": 10, "ward": 5},
        description="How many areas to list at each geography level (level id -> N).",
    )
    rank_by: Literal["scale", "depth"] = Field(
        default="scale",
        description="scale: the largest single standardised shortfall first ((E - O) / "
        "sqrt(phi E), never adding shortfalls in different units or counting a child twice); "
        "depth: furthest below expected first (lowest ratio).",
    )
    min_below: int = Field(
        default=1,
        ge=1,
        le=1000,
        description="An area qualifies when at least this many uptake "
        "indicators are significantly below expected.",
    )


class Inequality(Strict):
    """How data zones are grouped by deprivation for the inequality analysis."""

    rank_measure: Identifier = Field(
        default="simd_rank",
        description="Measure holding each data zone's national "
        "deprivation rank (1 = most deprived).",
    )
    zones: int = Field(
        ge=2,
        le=10_000_000,
        description="How many zones the national ranking covers, e.g. "
        "6976 for SIMD 2020 on the 2011 data zones (7392 for 2022 data zones). "
        "Quintile q of rank r is ceil(r / zones x 5).",
    )
    label: str = Field(
        default="SIMD", description="Name of the ranking as shown on pages, e.g. 'SIMD 2020'."
    )


#: A national total: a finite count, never negative.
NationalTotal = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class National(Strict):
    """National totals, from which a national comparator is computed with the same method."""

    name: str = Field(default="Scotland", description="Name of the comparator area.")
    source: str = Field(description="Where the national totals come from.")
    synthetic: bool = Field(
        default=False,
        description="True when the totals are invented (demo only); pages then say so.",
    )
    measures: dict[Identifier, dict[str, NationalTotal]] = Field(
        description="Measure id -> period -> national total, e.g. "
        "cilif_children: {'2024/25': 240000}."
    )


class CouncilConfig(Strict):
    """The whole of council.yaml."""

    council: CouncilIdentity = Field(description="The council's identity and branding.")
    geography: str = Field(
        description="The council's geography pack: a folder relative to "
        "this file, or a pack name looked up in the packs folder given at "
        f"build time (--packs-dir or {PACKS_DIR_ENV})."
    )
    data_dir: str | None = Field(
        default=None,
        description="Synthetic demo councils only: data folder relative to this "
        "file. Real councils' data lives outside the repository: pass --data-dir or set "
        f"{DATA_DIR_ENV}.",
    )
    datasets: list[Dataset] = Field(
        default_factory=list, description="Every file the council supplies."
    )
    indicators: Literal["all"] | list[Identifier] = Field(
        default="all",
        description="'all' for every indicator whose measures are mapped, or a "
        "list of indicator ids to show.",
    )
    disclosure: Disclosure = Field(
        default_factory=Disclosure, description="Disclosure control settings."
    )
    uptake: dict[Identifier, UptakeRule] = Field(
        default_factory=dict,
        description="Per uptake indicator id: the council's need "
        "measure and expected-uptake rate, overriding the catalogue's.",
    )
    priority_areas: PriorityAreas = Field(
        default_factory=PriorityAreas, description="How priority areas are chosen."
    )
    postcode_lookup: PostcodeLookup | None = Field(
        default=None,
        description="Postcode to data zone lookup, for datasets whose area type is 'postcode'.",
    )
    inequality: Inequality | None = Field(
        default=None,
        description="Deprivation grouping for values by SIMD quintile and "
        "decile; omit to leave the inequality analysis out.",
    )
    national: National | None = Field(
        default=None,
        description="National totals per measure and period, for 'compared "
        "with Scotland'; omit when none are available.",
    )
    matches: list[Match] = Field(
        default_factory=list,
        description="Counts of households in one record-level dataset "
        "and not in others ('likely eligible, not receiving'), by area.",
    )
    privacy: Privacy = Field(
        default_factory=Privacy, description="Pseudonymisation of household keys."
    )
    interventions: str | None = Field(
        default=None,
        description="The council's interventions log, relative to this file; default "
        "interventions.yaml beside it, read when present (see docs/onboarding.md).",
    )
    targets: list[Target] = Field(
        default_factory=list,
        description="Baselines and targets: an indicator's value to reach by a period, for "
        "the council or an area; trend charts show them and the overview says which are on "
        "track.",
    )
    notes: str | None = Field(
        default=None,
        description="The council's notes (local commentary on areas and indicators), "
        "relative to this file; default notes.yaml beside it, read when present.",
    )
    templates: str | None = Field(
        default=None,
        description="A folder of the council's own Jinja page templates, "
        "relative to this file, searched before the defaults. A template there replaces the "
        'default of the same name, or extends it with {% extends "default:base.html" %} '
        "and overrides blocks (branding, extra text).",
    )
