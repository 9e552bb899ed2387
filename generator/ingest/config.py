"""Council configs: ``council_configs/<slug>/council.yaml``, validated and cross-checked.

Every problem is collected and reported together, each located as ``file:line:col``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from generator.errors import Problem, UsageError
from generator.ingest import yamlio
from generator.ingest.catalogue import Catalogue
from generator.ingest.models import (
    COLOUR_PATTERN,
    EMAIL_PATTERN,
    GSS_COUNCIL_PATTERN,
    SLUG_PATTERN,
    Identifier,
    Strict,
)

#: Environment variable naming the folder that holds a council's data files.
DATA_DIR_ENV = "CDASH_DATA_DIR"
#: Environment variable naming the folder of geography packs that configs name.
PACKS_DIR_ENV = "CDASH_PACKS_DIR"
#: The header colour of a council that states none, and of the portal.
DEFAULT_COLOUR = "#1d5c8c"



class CouncilIdentity(Strict):
    """Who the council is and how its pages look."""

    name: str = Field(min_length=2, description="The council's name as shown on every page.")
    code: str = Field(pattern=GSS_COUNCIL_PATTERN,
                      description="GSS code of the council, e.g. S12000040 for West Lothian. "
                      "Synthetic councils use codes starting with X.")
    slug: str = Field(pattern=SLUG_PATTERN,
                      description="Lower-case name used in folder names and URLs, "
                      "e.g. west-lothian.")
    synthetic: bool = Field(default=False,
                            description="True for made-up demo data: every page then says so.")
    colour: str = Field(default=DEFAULT_COLOUR, pattern=COLOUR_PATTERN,
                        description="Brand colour (hex) for the page header.")
    contact_email: str | None = Field(
        default=None, pattern=EMAIL_PATTERN,
        description="Where readers can ask about the figures; shown on the about page.")


class AreaColumn(Strict):
    """Which column holds the area each row is about."""

    column: str = Field(description="Column name, exactly as in the file's header row.")
    type: str = Field(default="datazone",
                      description="What the column holds: the id of a level in the geography "
                      "pack whose codes it contains (datazone, intermediate_zone, ward...), or "
                      "'postcode' to assign rows to data zones through the config's "
                      "postcode_lookup.")


class PeriodColumn(Strict):
    """Where each row's period (year) comes from: a column, or one fixed value."""

    column: str | None = Field(default=None, description="Column holding the period.")
    value: str | None = Field(default=None,
                              description="Fixed period for every row, e.g. '2024/25'.")
    map: dict[str, str] = Field(default_factory=dict,
                                description="Rename periods as read, e.g. {'2024': '2024/25'}, "
                                "so datasets on different calendars line up.")

    @model_validator(mode="after")
    def _one_source(self) -> PeriodColumn:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' or 'value'")
        return self


class KeyColumn(Strict):
    """The column that identifies a household or child in a record-level dataset."""

    column: str = Field(description="Column holding the key, e.g. a claim or household "
                        "reference shared across the council's systems. Pseudonymised with "
                        "HMAC-SHA256 as it is read; the raw value never leaves the loader.")


class Dataset(Strict):
    """One file the council exports, and how its columns map to catalogue measures."""

    id: Identifier = Field(description="Short id for this dataset, used in messages.")
    title: str = Field(description="What the dataset is, for the about and quality pages.")
    source: str = Field(default="", description="System or publisher it comes from.")
    file: str = Field(description="Path of the file, relative to the data folder.")
    format: Literal["csv", "xlsx"] | None = Field(
        default=None, description="File format; by default taken from the file extension.")
    sheet: str | None = Field(default=None,
                              description="Worksheet name (xlsx only); default the first.")
    header_row: int = Field(default=1, ge=1,
                            description="1-based row holding the column names; rows above "
                            "it (titles, notes) are skipped.")
    encoding: Literal["auto", "utf-8", "utf-8-sig", "cp1252"] = Field(
        default="auto", description="Text encoding (csv only). 'auto' tries UTF-8 (with or "
        "without BOM), then Windows cp1252.")
    area: AreaColumn = Field(description="The column that says which area a row is about.")
    period: PeriodColumn = Field(description="The period each row refers to.")
    measures: dict[Identifier, str] = Field(
        default_factory=dict,
        description="Catalogue measure id -> column name holding its values. Required "
        "unless the dataset is record_level.")
    record_level: bool = Field(
        default=False, description="True when the file has one row per household or child "
        "(not per area). Rows are pseudonymised, counted per area and period in memory, and "
        "never reach the output.")
    key: KeyColumn | None = Field(
        default=None, description="Record-level only: the column identifying each household, "
        "used to count each once and to match households across datasets.")
    count_as: Identifier | None = Field(
        default=None, description="Record-level only: the catalogue measure that counts the "
        "rows (households), e.g. ctr_households_in_extract. Leave it out for a dataset used "
        "only to match against (e.g. grant recipients).")
    attributes: dict[Identifier, str] = Field(
        default_factory=dict, description="Record-level only: attribute name -> column, e.g. "
        "{school_age_children: 'Children 5-15', family_type: 'Family type', tenure: Tenure}. "
        "Attributes can filter matches and become breakdowns.")
    breakdowns: list[Identifier] = Field(
        default_factory=list, description="Record-level only: attributes whose values become "
        "breakdown categories of the counted measure (blank values count as 'unknown').")
    identifiers: list[str] = Field(
        default_factory=list, description="Record-level only: columns that identify a person "
        "or household (name, address, postcode). They are never read into the tidy table; "
        "their values are held in memory so that the leak tripwire can prove none reaches "
        "the site.")
    national: bool = Field(
        default=False, description="True for a national file (SIMD, CiLIF, population "
        "estimates, UC): rows for other councils' areas are left out quietly, through the "
        "geography pack's national code list. Codes unknown nationally are still reported.")
    only_periods: list[str] = Field(
        default_factory=list, description="Keep only these periods (after 'period.map'), "
        "e.g. one month a year from a monthly DWP series; empty keeps every period.")
    missing_values: list[str] = Field(
        default_factory=lambda: [""],
        description="Cell values that mean 'no data' (read as missing, not as an error), "
        "e.g. ['', '*', '..'].")

    @model_validator(mode="after")
    def _record_level(self) -> Dataset:
        if self.record_level:
            if self.key is None:
                raise ValueError("a record_level dataset needs 'key: {column: ...}', the "
                                 "column identifying each household")
            if self.count_as is None and self.breakdowns:
                raise ValueError("breakdowns need 'count_as', the measure they break down")
            unknown = [b for b in self.breakdowns if b not in self.attributes]
            if unknown:
                raise ValueError("breakdowns must name attributes: " + ", ".join(unknown))
        elif not self.measures:
            raise ValueError("give 'measures' (measure id -> column), or set record_level")
        elif self.key or self.count_as or self.attributes or self.breakdowns:
            raise ValueError("key, count_as, attributes and breakdowns apply to record_level "
                             "datasets only")
        return self

    @property
    def counted_measures(self) -> list[str]:
        """The measures this dataset provides."""
        if self.record_level:
            return [self.count_as] if self.count_as else []
        return list(self.measures)

    @property
    def file_format(self) -> str:
        """The format given, or the one the file extension implies."""
        return self.format or ("xlsx" if self.file.lower().endswith(".xlsx") else "csv")


class PostcodeLookup(Strict):
    """A postcode to data zone lookup, such as the Scottish Postcode Directory's."""

    file: str = Field(description="CSV file, relative to the data folder.")
    postcode_column: str = Field(default="Postcode",
                                 description="Column holding the postcode.")
    area_column: str = Field(default="DataZone2011",
                             description="Column holding the postcode's data zone code.")


class Disclosure(Strict):
    """Disclosure control settings."""

    threshold: int = Field(default=5, ge=1,
                           description="Counts of people below this are suppressed. May raise, "
                           "never lower, the catalogue's threshold for an indicator.")
    rounding: Literal["none", "nearest_5"] = Field(
        default="none", description="'nearest_5' rounds every published count to the nearest "
        "5 (the ONS 10-5 rule); rates are still computed from the unrounded counts.")


class AttributeFilter(Strict):
    """A condition on one attribute of a record-level dataset."""

    min: float | None = Field(default=None, description="Keep rows whose value is at least this.")
    max: float | None = Field(default=None, description="Keep rows whose value is at most this.")
    values: list[str] | None = Field(default=None,
                                     description="Keep rows whose value is one of these.")


class Match(Strict):
    """Households in one record-level dataset and in none of some others, per area."""

    measure: Identifier = Field(description="Catalogue measure the matched count provides, e.g. "
                                "ctr_households_school_age_children_no_scg.")
    households_in: Identifier = Field(description="Id of the record-level dataset counted.")
    not_in: list[Identifier] = Field(min_length=1, description="Ids of record-level datasets a "
                                     "household must not appear in (same period, any area).")
    where: dict[Identifier, AttributeFilter] = Field(
        default_factory=dict, description="Conditions on attributes of households_in, e.g. "
        "{school_age_children: {min: 1}}.")


class Privacy(Strict):
    """How household keys are pseudonymised."""

    key_env: str | None = Field(
        default=None, pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="Environment variable holding the HMAC key, for pseudonyms that stay the "
        "same across builds. Without it a random key is made for each build and held only "
        "in memory. The key is never written anywhere.")
    public_values: list[str] = Field(
        default_factory=list, description="Values that are public geography, not personal "
        "data (e.g. a postcode sector shown on the site), so the leak tripwire ignores them.")


class UptakeRule(Strict):
    """A council's own rule for one uptake indicator: eligibility differs by council and year."""

    need: Identifier | None = Field(
        default=None, description="Measure of need to compare receipt with, replacing the "
        "catalogue's, e.g. uc_households_with_children where eligibility follows Universal "
        "Credit.")
    expected_rate: float | None = Field(
        default=None, gt=0, description="Expected receipt per unit of need, e.g. 0.85 if 85% "
        "of children in low income families are eligible. Omit to use the council-wide ratio.")


class PriorityAreas(Strict):
    """How the unmet-need page picks priority areas."""

    top: dict[Identifier, int] = Field(
        default_factory=lambda: {"datazone": 10, "ward": 5},
        description="How many areas to list at each geography level (level id -> N).")
    rank_by: Literal["scale", "depth"] = Field(
        default="scale", description="scale: most people likely missing out first (sum of "
        "gaps); depth: furthest below expected first (lowest ratio).")
    min_below: int = Field(
        default=1, ge=1, description="An area qualifies when at least this many uptake "
        "indicators are significantly below expected.")


class Inequality(Strict):
    """How data zones are grouped by deprivation for the inequality analysis."""

    rank_measure: Identifier = Field(
        default="simd_rank", description="Measure holding each data zone's national "
        "deprivation rank (1 = most deprived).")
    zones: int = Field(ge=2, description="How many zones the national ranking covers, e.g. "
                       "6976 for SIMD 2020 on the 2011 data zones (7392 for 2022 data zones). "
                       "Quintile q of rank r is ceil(r / zones x 5).")
    label: str = Field(default="SIMD", description="Name of the ranking as shown on pages, "
                       "e.g. 'SIMD 2020'.")


class National(Strict):
    """National totals, from which a national comparator is computed with the same method."""

    name: str = Field(default="Scotland", description="Name of the comparator area.")
    source: str = Field(description="Where the national totals come from.")
    synthetic: bool = Field(default=False, description="True when the totals are invented "
                            "(demo only); pages then say so.")
    measures: dict[Identifier, dict[str, float]] = Field(
        description="Measure id -> period -> national total, e.g. "
        "cilif_children: {'2024/25': 240000}.")


class CouncilConfig(Strict):
    """The whole of council.yaml."""

    council: CouncilIdentity = Field(description="The council's identity and branding.")
    geography: str = Field(description="The council's geography pack: a folder relative to "
                           "this file, or a pack name looked up in the packs folder given at "
                           f"build time (--packs-dir or {PACKS_DIR_ENV}).")
    data_dir: str | None = Field(
        default=None, description="Synthetic demo councils only: data folder relative to this "
        "file. Real councils' data lives outside the repository: pass --data-dir or set "
        f"{DATA_DIR_ENV}.")
    datasets: list[Dataset] = Field(default_factory=list,
                                    description="Every file the council supplies.")
    indicators: Literal["all"] | list[Identifier] = Field(
        default="all", description="'all' for every indicator whose measures are mapped, or a "
        "list of indicator ids to show.")
    disclosure: Disclosure = Field(default_factory=Disclosure,
                                   description="Disclosure control settings.")
    uptake: dict[Identifier, UptakeRule] = Field(
        default_factory=dict, description="Per uptake indicator id: the council's need "
        "measure and expected-uptake rate, overriding the catalogue's.")
    priority_areas: PriorityAreas = Field(default_factory=PriorityAreas,
                                          description="How priority areas are chosen.")
    postcode_lookup: PostcodeLookup | None = Field(
        default=None, description="Postcode to data zone lookup, for datasets whose area "
        "type is 'postcode'.")
    inequality: Inequality | None = Field(
        default=None, description="Deprivation grouping for values by SIMD quintile and "
        "decile; omit to leave the inequality analysis out.")
    national: National | None = Field(
        default=None, description="National totals per measure and period, for 'compared "
        "with Scotland'; omit when none are available.")
    matches: list[Match] = Field(
        default_factory=list, description="Counts of households in one record-level dataset "
        "and not in others ('likely eligible, not receiving'), by area.")
    privacy: Privacy = Field(default_factory=Privacy,
                             description="Pseudonymisation of household keys.")
    templates: str | None = Field(
        default=None, description="A folder of the council's own Jinja page templates, "
        "relative to this file, searched before the defaults. A template there replaces the "
        "default of the same name, or extends it with {% extends \"default:base.html\" %} "
        "and overrides blocks (branding, extra text).")


@dataclass(frozen=True)
class ConfigRead:
    """A config as far as it could be read.

    ``config`` is None when the file as a whole is invalid; ``datasets`` still holds every
    dataset entry that is valid on its own, so its file and columns can be checked too and
    the user sees every problem in one run.
    """

    path: Path
    doc: yamlio.YamlDocument
    config: CouncilConfig | None
    datasets: list[tuple[int, Dataset]]
    problems: list[Problem]
    packs_dir: Path | None = None  # --packs-dir, where pack names are looked up

    @property
    def folder(self) -> Path:
        return self.path.parent

    def _raw(self, key: str) -> object:
        data = self.doc.data
        return data.get(key) if isinstance(data, dict) else None

    @property
    def pack_path(self) -> Path | None:
        """The geography pack folder, if the config names one (see ``find_pack``)."""
        return self.find_pack(self.packs_dir)

    def find_pack(self, packs_dir: Path | None) -> Path | None:
        """The pack folder: ``geography`` relative to this file, else a pack of that name in
        ``packs_dir`` (default ${PACKS_DIR_ENV}). None when the config names no pack."""
        geography = self._raw("geography")
        if not isinstance(geography, str):
            return None
        local = (self.folder / geography).resolve()
        packs = packs_dir or (Path(os.environ[PACKS_DIR_ENV])
                              if os.environ.get(PACKS_DIR_ENV) else None)
        if (local / "pack.yaml").is_file() or packs is None:
            return local
        return (packs / geography).resolve()

    @property
    def templates_dir(self) -> Path | None:
        """The council's template folder, if the config names one."""
        templates = self._raw("templates")
        return (self.folder / templates).resolve() if isinstance(templates, str) else None

    def data_dir(self, given: Path | None = None) -> Path:
        """The data folder: --data-dir, then $CDASH_DATA_DIR, then (demo only) data_dir."""
        if given is not None:
            return given
        if os.environ.get(DATA_DIR_ENV):
            return Path(os.environ[DATA_DIR_ENV])
        configured = self._raw("data_dir")
        if isinstance(configured, str):
            return (self.folder / configured).resolve()
        raise UsageError(f"{self.doc.display_path}: no data folder: pass --data-dir or set "
                         f"{DATA_DIR_ENV}")


def find_config(council: str, configs_dir: Path) -> Path:
    """A council given as a slug, a folder or a YAML path -> the council.yaml path."""
    candidate = Path(council)
    by_slug = configs_dir / council / "council.yaml"
    if candidate.suffix in (".yaml", ".yml"):
        path = candidate
    elif by_slug.is_file():  # a slug wins over a same-named folder (the demo's data is demo/)
        path = by_slug
    elif candidate.is_dir():
        path = candidate / "council.yaml"
    else:
        path = by_slug
    if not path.is_file():
        known = ", ".join(all_slugs(configs_dir)) or "none"
        raise UsageError(f"no council config at {yamlio.display(path)} (councils in "
                         f"{yamlio.display(configs_dir)}: {known})")
    return path


def all_slugs(configs_dir: Path) -> list[str]:
    """Slugs of every council folder under ``configs_dir`` that has a council.yaml."""
    if not configs_dir.is_dir():
        return []
    return sorted(p.parent.name for p in configs_dir.glob("*/council.yaml"))


def read_config(path: Path, catalogue: Catalogue, packs_dir: Path | None = None
                ) -> ConfigRead:
    """Validate ``path`` and cross-check it with the catalogue, collecting every problem.

    ``packs_dir`` is where a ``geography:`` given as a pack name is looked up."""
    doc = yamlio.load_yaml(path)
    problems: list[Problem] = []
    config: CouncilConfig | None = None
    try:
        config = CouncilConfig.model_validate(doc.data)
    except ValidationError as exc:
        problems += yamlio.validation_problems(doc, exc)
    datasets = _valid_datasets(doc, config)
    read = ConfigRead(path, doc, config, datasets, problems, packs_dir)
    problems += cross_check(read, catalogue)
    return read


def _valid_datasets(doc: yamlio.YamlDocument, config: CouncilConfig | None
                    ) -> list[tuple[int, Dataset]]:
    if config is not None:
        return list(enumerate(config.datasets))
    raw = doc.data.get("datasets") if isinstance(doc.data, dict) else None
    out = []
    for n, entry in enumerate(raw if isinstance(raw, list) else []):
        try:
            out.append((n, Dataset.model_validate(entry)))
        except ValidationError:
            continue  # already reported by the whole-file validation
    return out


def cross_check(read: ConfigRead, catalogue: Catalogue) -> list[Problem]:
    """Problems that need the catalogue or the file system to see."""
    doc, cfg = read.doc, read.config
    problems: list[Problem] = []
    if cfg is not None and cfg.data_dir is not None and not cfg.council.synthetic:
        problems.append(doc.problem(
            ("data_dir",), "data-in-repo",
            "only synthetic councils may name a data folder here; real council data lives "
            f"outside the repository: pass --data-dir or set {DATA_DIR_ENV}"))
    templates = read.templates_dir
    if templates is not None and not templates.is_dir():
        problems.append(doc.problem(("templates",), "missing-folder",
                                    f"no template folder at {yamlio.display(templates)}"))
    pack = read.pack_path
    if pack is not None and not (pack / "pack.yaml").is_file():
        hint = ("" if read.packs_dir or os.environ.get(PACKS_DIR_ENV) else
                f"; for a pack name, pass --packs-dir or set {PACKS_DIR_ENV}")
        problems.append(doc.problem(("geography",), "missing-pack",
                                    f"no geography pack (pack.yaml) in {yamlio.display(pack)}"
                                    + hint))
    seen_ids: set[str] = set()
    for n, ds in read.datasets:
        if ds.id in seen_ids:
            problems.append(doc.problem(("datasets", n, "id"), "duplicate-id",
                                        f"dataset id {ds.id!r} is used twice"))
        seen_ids.add(ds.id)
        if ds.sheet is not None and ds.file_format != "xlsx":
            problems.append(doc.problem(("datasets", n, "sheet"), "bad-value",
                                        "'sheet' applies to xlsx files only"))
        if (ds.area.type == "postcode" and read.config is not None
                and read.config.postcode_lookup is None):
            problems.append(doc.problem(("datasets", n, "area", "type"), "no-postcode-lookup",
                                        "area type 'postcode' needs a top-level "
                                        "postcode_lookup: {file, postcode_column, "
                                        "area_column}"))
        for measure in ds.counted_measures:
            if measure not in catalogue.measures:
                where = ("count_as",) if ds.record_level else ("measures", measure)
                problems.append(doc.problem(
                    ("datasets", n, *where), "unknown-measure",
                    f"{measure!r} is not a catalogue measure; see "
                    "shared_indicators/measures.yaml"))
    if cfg is None:
        return problems
    records = {ds.id for ds in cfg.datasets if ds.record_level}
    for n, match in enumerate(cfg.matches):
        if match.measure not in catalogue.measures:
            problems.append(doc.problem(("matches", n, "measure"), "unknown-measure",
                                        f"{match.measure!r} is not a catalogue measure"))
        for loc, ds_id in [(("households_in",), match.households_in),
                           *((("not_in", k), d) for k, d in enumerate(match.not_in))]:
            if ds_id not in records:
                problems.append(doc.problem(("matches", n, *loc), "not-record-level",
                                            f"{ds_id!r} is not a record_level dataset"))
        source = next((ds for ds in cfg.datasets if ds.id == match.households_in), None)
        for attr in match.where:
            if source is not None and attr not in source.attributes:
                problems.append(doc.problem(("matches", n, "where", attr), "unknown-attribute",
                                            f"{match.households_in} has no attribute {attr!r}"))
    if cfg.privacy.key_env and records and not os.environ.get(cfg.privacy.key_env):
        problems.append(doc.problem(
            ("privacy", "key_env"), "unset-key",
            f"environment variable {cfg.privacy.key_env} is not set; set it to the council's "
            "secret pseudonymisation key, or remove key_env to use a random key per build"))
    if isinstance(cfg.indicators, list):
        mapped = mapped_measures(cfg)
        for n, ind_id in enumerate(cfg.indicators):
            indicator = catalogue.indicators.get(ind_id)
            if indicator is None:
                problems.append(doc.problem(("indicators", n), "unknown-indicator",
                                            f"{ind_id!r} is not a catalogue indicator"))
                continue
            missing = [m for m in indicator.measures() if m not in mapped]
            if missing:
                problems.append(doc.problem(
                    ("indicators", n), "unmapped-measure",
                    f"indicator {ind_id!r} needs measure(s) no dataset maps: "
                    + ", ".join(missing)))
    for ind_id, rule in cfg.uptake.items():
        target = catalogue.indicators.get(ind_id)
        if target is None or target.method != "uptake":
            problems.append(doc.problem(("uptake", ind_id), "unknown-indicator",
                                        f"{ind_id!r} is not an uptake indicator"))
        elif rule.need is not None and rule.need not in catalogue.measures:
            problems.append(doc.problem(("uptake", ind_id, "need"), "unknown-measure",
                                        f"{rule.need!r} is not a catalogue measure"))
    if cfg.inequality is not None and cfg.inequality.rank_measure not in catalogue.measures:
        problems.append(doc.problem(("inequality", "rank_measure"), "unknown-measure",
                                    f"{cfg.inequality.rank_measure!r} is not a catalogue "
                                    "measure"))
    for measure in cfg.national.measures if cfg.national is not None else {}:
        if measure not in catalogue.measures:
            problems.append(doc.problem(("national", "measures", measure), "unknown-measure",
                                        f"{measure!r} is not a catalogue measure"))
    for ind_id in shown_indicator_ids(cfg, catalogue):
        floor = catalogue.indicators[ind_id].disclosure_threshold
        if cfg.disclosure.threshold < floor:
            problems.append(doc.problem(
                ("disclosure", "threshold"), "threshold-too-low",
                f"threshold {cfg.disclosure.threshold} is below the catalogue minimum of "
                f"{floor} for {ind_id!r}; a council may raise it, never lower it"))
            break
    return problems


def apply_overrides(catalogue: Catalogue, cfg: CouncilConfig) -> Catalogue:
    """The catalogue with this council's uptake rules (need measure, expected rate) applied.

    Every later stage (compute, disclosure) reads the indicator's measures from the result,
    so an overridden need measure is also the one whose suppression hides the row.
    """
    if not cfg.uptake:
        return catalogue
    indicators = dict(catalogue.indicators)
    for ind_id, rule in cfg.uptake.items():
        ind = indicators.get(ind_id)
        if ind is None or ind.method != "uptake":
            continue
        update = {k: v for k, v in (("need", rule.need), ("expected_rate", rule.expected_rate))
                  if v is not None}
        indicators[ind_id] = ind.model_copy(update=update)
    return replace(catalogue, indicators=indicators)


def mapped_measures(cfg: CouncilConfig) -> set[str]:
    """Every measure id some dataset provides."""
    return ({m for ds in cfg.datasets for m in ds.counted_measures}
            | {match.measure for match in cfg.matches})


def shown_indicator_ids(cfg: CouncilConfig, catalogue: Catalogue) -> list[str]:
    """Indicators the site shows, in catalogue order: those listed, or all with their
    measures mapped."""
    mapped = mapped_measures(cfg)
    if isinstance(cfg.indicators, list):
        wanted = set(cfg.indicators)
        ids = [i for i in catalogue.indicators if i in wanted
               and all(m in mapped for m in catalogue.indicators[i].measures())]
    else:
        ids = [i.id for i in catalogue.indicators.values()
               if all(m in mapped for m in i.measures())]
    # An index is built from other indicators, so it is shown only with all of them.
    shown = set(ids)
    return [i for i in ids if all(c in shown for c in getattr(
        catalogue.indicators[i], "components", lambda: [])())]
