"""The shared catalogue: measures (raw quantities) and indicators (what the site shows).

Lives in ``shared_indicators/``: ``themes.yaml``, ``measures.yaml`` and ``indicators.yaml``.
Indicators are a union discriminated by ``method``; a new method (``uptake``, ``index``)
is one more model added to ``Indicator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from generator.errors import Problem, ProblemsError
from generator.ingest import yamlio
from generator.ingest.models import Identifier, Strict
from generator.paths import DEFAULT_CATALOGUE

#: The catalogue shipped with the package source tree.

#: Counts below this may never be published, whatever a config says.
MINIMUM_DISCLOSURE_THRESHOLD = 5

Polarity = Literal["higher_is_worse", "higher_is_better", "neutral"]


class Theme(Strict):
    """A heading that groups indicators on the site."""

    id: Identifier = Field(description="Stable identifier, used in URLs.")
    title: str = Field(description="Heading shown on the site.")
    description: str = Field(description="One or two sentences on what the theme covers.")


class Measure(Strict):
    """A raw quantity that councils map their columns to, such as a count of pupils."""

    id: Identifier = Field(description="Stable identifier used in council configs.")
    label: str = Field(description="Short name shown in tables and chart axes.")
    description: str = Field(description="What is counted, in plain English.")
    unit: str = Field(description="What one unit is: children, households, pupils, £ ...")
    additive: bool = Field(
        description="True when values of smaller areas add up to larger areas (counts). "
        "A SIMD rank is not additive and is only shown at the level it is given."
    )
    counts_people: bool = Field(
        description="True when the measure counts people or households, so small values "
        "need disclosure control."
    )
    breakdowns: list[Identifier] = Field(
        default_factory=list, description="Breakdowns (such as age_band) this measure may carry."
    )
    need_proxy: bool = Field(
        default=False,
        description="True when the measure is there for uptake need models (a proxy such "
        "as children of an entitlement's ages, multiplied into need) rather than for an "
        "indicator of its own.",
    )
    contributors: Identifier | None = Field(
        default=None,
        description="For an amount (such as £ gained): the measure counting the people, "
        "households or contacts behind it. Where that count is below the disclosure "
        "threshold (or missing), the amount is withheld too: the frequency rule.",
    )


class _IndicatorBase(Strict):
    id: Identifier = Field(description="Stable identifier, used in URLs and downloads.")
    title: str = Field(description="Title shown as the page heading.")
    short_title: str = Field(description="Short name for menus, legends and table headers.")
    description: str = Field(
        description="What the indicator shows and why it matters, "
        "in plain English for councillors and the public."
    )
    theme: Identifier = Field(description="Theme id from themes.yaml.")
    polarity: Polarity = Field(
        description="Whether a higher value is worse, better or neither. "
        "Decides which end of a colour scale reads as worse."
    )
    unit: str = Field(
        description="Unit of the value as displayed, e.g. '%' or 'per 1,000 children'."
    )
    decimals: int = Field(default=1, ge=0, le=3, description="Decimal places when displayed.")
    source: str = Field(description="Where the underlying data usually comes from.")
    caveats: str = Field(description="What a reader should bear in mind when using the figures.")
    disclosure_threshold: int = Field(
        default=MINIMUM_DISCLOSURE_THRESHOLD,
        ge=MINIMUM_DISCLOSURE_THRESHOLD,
        description="Counts of people below this are suppressed. A council may raise it, "
        "never lower it.",
    )

    def measures(self) -> list[str]:
        """The measure ids this indicator needs."""
        raise NotImplementedError


class CountIndicator(_IndicatorBase):
    """A measure shown as it is: e.g. the number of children in low-income families."""

    method: Literal["count"] = Field(description="Show one measure as a count.")
    measure: Identifier = Field(description="The measure shown.")
    ci: Literal["none", "poisson_exact"] = Field(
        default="none", description="Confidence interval for the count, if any."
    )

    def measures(self) -> list[str]:
        return [self.measure]


class _RatioBase(_IndicatorBase):
    numerator: Identifier = Field(description="Measure counted on top.")
    denominator: Identifier = Field(description="Measure it is divided by.")
    multiplier: float = Field(
        default=100, gt=0, description="Scale: 100 for a percentage, 1000 for per 1,000."
    )

    def measures(self) -> list[str]:
        return [self.numerator, self.denominator]


class ShareIndicator(_RatioBase):
    """A proportion: the numerator is a subset of the denominator (e.g. % of pupils on FSM)."""

    method: Literal["share"] = Field(description="Numerator as a share of the denominator.")
    ci: Literal["wilson"] = Field(
        default="wilson", description="95% Wilson score interval for a proportion."
    )


class RateIndicator(_RatioBase):
    """A rate: events or people per head of a population they are not a subset of."""

    method: Literal["rate"] = Field(description="Numerator per head of the denominator.")
    ci: Literal["byars"] = Field(
        default="byars", description="95% Byars interval for a Poisson count."
    )


class UptakeIndicator(_IndicatorBase):
    """Receipt of an entitlement against what need implies: observed / expected.

    Expected receipt in an area is its ``need`` count times a rate: ``expected_rate`` when
    stated (here or in the council config), else the council-wide receipt per unit of need
    in the same period. The value is observed as a percentage of expected, with an exact
    Poisson interval on the observed count; the gap is expected - observed, floored at 0
    (against the council's own rate unless ``expected_rate`` is stated). Areas are flagged
    by the 99.8% funnel over the latest ``pool`` periods (docs/methods.md).
    """

    method: Literal["uptake"] = Field(description="Receipt compared with expected receipt.")
    receipt: Identifier = Field(description="Measure counting who receives the entitlement.")
    need: Identifier = Field(
        description="Measure of need that receipt is expected to follow, "
        "e.g. children in low income families. A council may override it."
    )
    expected_rate: float | None = Field(
        default=None,
        gt=0,
        description="Expected receipt per unit of need. Omit to use the "
        "council-wide ratio of receipt to need in the same period. A council may override it.",
    )
    multiplier: float = Field(
        default=100, gt=0, description="Scale of the ratio: 100 shows it as % of expected."
    )
    gap_unit: str = Field(
        description="Who the gap counts, in plain words for reasons: 'children', 'households'."
    )
    ci: Literal["poisson_exact"] = Field(
        default="poisson_exact",
        description="Exact Poisson 95% interval on the observed count, divided by expected.",
    )
    pool: int = Field(
        default=3,
        ge=1,
        description="How many of the latest periods are pooled when judging whether an area "
        "is below or above expected (ScotPHO pools three years for small areas); 1 judges "
        "each period alone. The single-period values are shown either way.",
    )

    def measures(self) -> list[str]:
        return [self.receipt, self.need]


class IndexComponent(Strict):
    """One indicator inside a composite index."""

    indicator: Identifier = Field(description="Id of a catalogue indicator (not an index).")
    weight: float = Field(default=1, gt=0, description="Weight within its dimension.")
    best: float | None = Field(
        default=None,
        description="Bounds normalisation: the value "
        "that scores best (0 or 100, by the index's polarity).",
    )
    worst: float | None = Field(
        default=None, description="Bounds normalisation: the value that scores worst."
    )


class IndexDimension(Strict):
    """A group of components averaged first, as in the Social Progress Index."""

    id: Identifier = Field(description="Stable identifier of the dimension.")
    title: str = Field(description="Name shown on area profiles.")
    weight: float = Field(default=1, gt=0, description="Weight of the dimension in the index.")
    components: list[IndexComponent] = Field(
        min_length=1, description="Indicators in this dimension."
    )


class IndexIndicator(_IndicatorBase):
    """A composite index of other indicators, computed from their *published* values.

    Each component is normalised (z-scores across the level's areas, or 0-100 between
    stated best and worst bounds), its polarity aligned with the index's, averaged within
    dimensions by weight, then across dimensions. An area missing any component gets no
    index value, and the missing components are reported: nothing is filled in.
    """

    method: Literal["index"] = Field(description="Weighted composite of other indicators.")
    normalisation: Literal["zscore", "bounds"] = Field(
        description="zscore: (value - mean) / sd across areas of the level and period; "
        "bounds: 0-100 between each component's best and worst."
    )
    dimensions: list[IndexDimension] = Field(min_length=1, description="Dimensions of the index.")
    ci: Literal["none"] = Field(default="none", description="An index has no interval.")

    def measures(self) -> list[str]:
        return []  # built from other indicators' published values, not from measures

    def components(self) -> list[str]:
        """Ids of every component indicator, in order."""
        return [c.indicator for d in self.dimensions for c in d.components]


AnyIndicator = CountIndicator | ShareIndicator | RateIndicator | UptakeIndicator | IndexIndicator
Indicator = Annotated[AnyIndicator, Field(discriminator="method")]
#: The ``method`` tags of the indicator union, left out of error locations.
METHOD_TAGS = ("count", "share", "rate", "uptake", "index")


class _ThemesFile(Strict):
    themes: list[Theme]


class _MeasuresFile(Strict):
    measures: list[Measure]


class _IndicatorsFile(Strict):
    indicators: list[Indicator]


@dataclass(frozen=True)
class Catalogue:
    """Validated themes, measures and indicators, each keyed by id in file order."""

    themes: dict[str, Theme]
    measures: dict[str, Measure]
    indicators: dict[str, AnyIndicator]

    def additive_measures(self) -> set[str]:
        """Ids of the measures that roll up by summing."""
        return {m.id for m in self.measures.values() if m.additive}

    def polarities(self) -> dict[str, str]:
        """Indicator id -> polarity."""
        return {i.id: i.polarity for i in self.indicators.values()}


def load_catalogue(folder: Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Load and cross-check ``folder``; raise ProblemsError listing every problem."""
    problems: list[Problem] = []
    docs: dict[str, yamlio.YamlDocument] = {}
    parsed: dict[str, Any] = {}
    for name, model in (
        ("themes", _ThemesFile),
        ("measures", _MeasuresFile),
        ("indicators", _IndicatorsFile),
    ):
        try:
            doc = yamlio.load_yaml(folder / f"{name}.yaml")
        except ProblemsError as exc:
            problems += exc.problems
            continue
        docs[name] = doc
        try:
            parsed[name] = model.model_validate(doc.data)
        except ValidationError as exc:
            problems += yamlio.validation_problems(doc, exc, union_tags=METHOD_TAGS)

    # Cross-checks read the raw entries, not the validated models, so that one run reports
    # every problem: an entry with a bad key elsewhere still has its id and references checked.
    raw = {name: _entries(doc, name) for name, doc in docs.items()}
    for name, doc in docs.items():
        problems += _duplicates(doc, name, [entry.get("id") for entry in raw[name]])
    theme_ids = {e["id"] for e in raw.get("themes", []) if isinstance(e.get("id"), str)}
    measure_ids = {e["id"] for e in raw.get("measures", []) if isinstance(e.get("id"), str)}
    if "indicators" in docs:
        problems += _unknown_references(
            docs["indicators"],
            raw["indicators"],
            theme_ids if "themes" in docs else None,
            measure_ids if "measures" in docs else None,
        )
        problems += _index_problems(docs["indicators"], raw["indicators"])
    if problems:
        raise ProblemsError(problems, "the indicator catalogue has problems")
    themes, measures, indicators = parsed["themes"], parsed["measures"], parsed["indicators"]
    return Catalogue(
        themes={t.id: t for t in themes.themes},
        measures={m.id: m for m in measures.measures},
        indicators={i.id: i for i in indicators.indicators},
    )


def _unknown_references(
    doc: yamlio.YamlDocument,
    entries: list[dict[str, Any]],
    theme_ids: set[str] | None,
    measure_ids: set[str] | None,
) -> list[Problem]:
    """Indicators naming a theme or measure that does not exist.

    ``None`` means that file could not be read: its problem is already reported, and checking
    against it would add one false problem per indicator.
    """
    out = []
    for n, entry in enumerate(entries):
        theme = entry.get("theme")
        if theme_ids is not None and isinstance(theme, str) and theme not in theme_ids:
            out.append(
                doc.problem(
                    ("indicators", n, "theme"),
                    "unknown-theme",
                    f"theme {theme!r} is not in themes.yaml; themes are: "
                    + ", ".join(sorted(theme_ids)),
                )
            )
        for field in ("measure", "numerator", "denominator", "receipt", "need"):
            ref = entry.get(field)
            if measure_ids is not None and isinstance(ref, str) and ref not in measure_ids:
                out.append(
                    doc.problem(
                        ("indicators", n, field),
                        "unknown-measure",
                        f"measure {ref!r} is not in measures.yaml",
                    )
                )
    return out


def _index_problems(doc: yamlio.YamlDocument, entries: list[dict[str, Any]]) -> list[Problem]:
    """Index components must name a non-index indicator whose direction is known."""
    by_id = {e.get("id"): e for e in entries if isinstance(e.get("id"), str)}
    out = []
    for n, entry in enumerate(entries):
        if entry.get("method") != "index":
            continue
        bounds = entry.get("normalisation") == "bounds"
        dims = entry.get("dimensions")
        for d, dim in enumerate(dims if isinstance(dims, list) else []):
            comps = dim.get("components") if isinstance(dim, dict) else None
            for c, comp in enumerate(comps if isinstance(comps, list) else []):
                if not isinstance(comp, dict):
                    continue
                loc = ("indicators", n, "dimensions", d, "components", c)
                ref = by_id.get(comp.get("indicator"))
                if ref is None or ref.get("method") == "index":
                    out.append(
                        doc.problem(
                            (*loc, "indicator"),
                            "unknown-indicator",
                            f"{comp.get('indicator')!r} is not a non-index indicator in this file",
                        )
                    )
                elif bounds and (
                    comp.get("best") is None
                    or comp.get("worst") is None
                    or comp.get("best") == comp.get("worst")
                ):
                    out.append(
                        doc.problem(
                            loc,
                            "missing-bounds",
                            "bounds normalisation needs different 'best' and "
                            "'worst' values for every component",
                        )
                    )
                elif not bounds and ref.get("polarity") == "neutral":
                    out.append(
                        doc.problem(
                            (*loc, "indicator"),
                            "neutral-component",
                            f"{ref.get('id')!r} has neutral polarity, so its direction in a "
                            "z-score index is unknown; use bounds normalisation",
                        )
                    )
    return out


def _entries(doc: yamlio.YamlDocument, key: str) -> list[dict[str, Any]]:
    """The mappings listed under ``key``, position kept; anything malformed becomes ``{}``."""
    data = doc.data
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [item if isinstance(item, dict) else {} for item in items]


def _duplicates(doc: yamlio.YamlDocument, key: str, ids: list[Any]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for n, ident in enumerate(ids):
        if not isinstance(ident, str):
            continue  # a missing or malformed id is reported by validation
        if ident in seen:
            out.append(doc.problem((key, n, "id"), "duplicate-id", f"{ident!r} is defined twice"))
        seen.add(ident)
    return out


IndicatorAdapter: TypeAdapter[AnyIndicator] = TypeAdapter(Indicator)
