"""Finding and reading council configs: ``read_config`` validates council.yaml and
cross-checks it with the catalogue, collecting every problem at once, each located as
``file:line:col``; ``apply_overrides`` and ``shown_indicator_ids`` give the council's view
of the catalogue. The models themselves are in ``ingest/config.py``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError

from generator.errors import Problem, UsageError
from generator.ingest import yamlio
from generator.ingest.catalogue import Catalogue
from generator.ingest.config import DATA_DIR_ENV, PACKS_DIR_ENV, CouncilConfig
from generator.ingest.datasets import Dataset
from generator.ingest.limits import outside, outside_message
from generator.ingest.models import SLUG_PATTERN


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

    def _slug(self) -> str:
        """The config's council slug, if it states a usable one."""
        council = self._raw("council")
        slug = council.get("slug") if isinstance(council, dict) else None
        return slug if isinstance(slug, str) and SLUG_RE.fullmatch(slug) else ""

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
        packs = packs_dir or (
            Path(os.environ[PACKS_DIR_ENV]) if os.environ.get(PACKS_DIR_ENV) else None
        )
        if (local / "pack.yaml").is_file() or packs is None:
            return local
        return (packs / geography).resolve()

    @property
    def templates_dir(self) -> Path | None:
        """The council's template folder, if the config names one."""
        templates = self._raw("templates")
        return (self.folder / templates).resolve() if isinstance(templates, str) else None

    def data_dir(self, given: Path | None = None) -> Path:
        """The data folder: --data-dir, then $CDASH_DATA_DIR, then (demo only) data_dir.

        A given root holding a sub-folder named as this council's slug is a folder per
        council: this council's files are read from ``<root>/<slug>/`` and nowhere else
        (dataset paths are relative, and never climb out with '..'), so councils whose data
        live under different data-sharing agreements can be built together."""
        root = given
        if root is None and os.environ.get(DATA_DIR_ENV):
            root = Path(os.environ[DATA_DIR_ENV])
        if root is not None:
            slug = self._slug()
            own = root / slug if slug else None
            return own if own is not None and own.is_dir() else root
        configured = self._raw("data_dir")
        if isinstance(configured, str):
            return (self.folder / configured).resolve()
        raise UsageError(
            f"{self.doc.display_path}: no data folder: pass --data-dir or set {DATA_DIR_ENV}"
        )


SLUG_RE = re.compile(SLUG_PATTERN)


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
        raise UsageError(
            f"no council config at {yamlio.display(path)} (councils in "
            f"{yamlio.display(configs_dir)}: {known})"
        )
    return path


def all_slugs(configs_dir: Path) -> list[str]:
    """Slugs of every council folder under ``configs_dir`` that has a council.yaml."""
    if not configs_dir.is_dir():
        return []
    return sorted(p.parent.name for p in configs_dir.glob("*/council.yaml"))


def read_config(path: Path, catalogue: Catalogue, packs_dir: Path | None = None) -> ConfigRead:
    """Validate ``path`` and cross-check it with the catalogue, collecting every problem.

    ``packs_dir`` is where a ``geography:`` given as a pack name is looked up."""
    doc = yamlio.load_yaml(path)
    problems: list[Problem] = []
    config: CouncilConfig | None = None
    not_mapping = yamlio.mapping_problem(doc, "council.yaml")
    if not_mapping is not None:
        problems.append(not_mapping)
    else:
        try:
            config = CouncilConfig.model_validate(doc.data)
        except ValidationError as exc:
            problems += yamlio.validation_problems(doc, exc)
    datasets = _valid_datasets(doc, config)
    read = ConfigRead(path, doc, config, datasets, problems, packs_dir)
    problems += cross_check(read, catalogue)
    return read


def _valid_datasets(
    doc: yamlio.YamlDocument, config: CouncilConfig | None
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
        problems.append(
            doc.problem(
                ("data_dir",),
                "data-in-repo",
                "only synthetic councils may name a data folder here; real council data lives "
                f"outside the repository: pass --data-dir or set {DATA_DIR_ENV}",
            )
        )
    templates = read.templates_dir
    if templates is not None and not templates.is_dir():
        problems.append(
            doc.problem(
                ("templates",),
                "missing-folder",
                f"no template folder at {yamlio.display(templates)}",
            )
        )
    pack = read.pack_path
    if pack is not None and not (pack / "pack.yaml").is_file():
        hint = (
            ""
            if read.packs_dir or os.environ.get(PACKS_DIR_ENV)
            else f"; for a pack name, pass --packs-dir or set {PACKS_DIR_ENV}"
        )
        problems.append(
            doc.problem(
                ("geography",),
                "missing-pack",
                f"no geography pack (pack.yaml) in {yamlio.display(pack)}" + hint,
            )
        )
    if cfg is not None and cfg.postcode_lookup is not None and outside(cfg.postcode_lookup.file):
        problems.append(
            doc.problem(
                ("postcode_lookup", "file"),
                "outside-data-folder",
                outside_message(cfg.postcode_lookup.file),
            )
        )
    seen_ids: set[str] = set()
    for n, ds in read.datasets:
        if ds.id in seen_ids:
            problems.append(
                doc.problem(
                    ("datasets", n, "id"), "duplicate-id", f"dataset id {ds.id!r} is used twice"
                )
            )
        seen_ids.add(ds.id)
        if ds.sheet is not None and ds.file_format != "xlsx":
            problems.append(
                doc.problem(
                    ("datasets", n, "sheet"), "bad-value", "'sheet' applies to xlsx files only"
                )
            )
        if (
            ds.area.type == "postcode"
            and read.config is not None
            and read.config.postcode_lookup is None
        ):
            problems.append(
                doc.problem(
                    ("datasets", n, "area", "type"),
                    "no-postcode-lookup",
                    "area type 'postcode' needs a top-level "
                    "postcode_lookup: {file, postcode_column, "
                    "area_column}",
                )
            )
        for measure in ds.counted_measures:
            if measure not in catalogue.measures:
                where = ("count_as",) if ds.record_level else ("measures", measure)
                problems.append(
                    doc.problem(
                        ("datasets", n, *where),
                        "unknown-measure",
                        f"{measure!r} is not a catalogue measure; see "
                        "shared_indicators/measures.yaml",
                    )
                )
    if cfg is None:
        return problems
    records = {ds.id for ds in cfg.datasets if ds.record_level}
    for n, match in enumerate(cfg.matches):
        if match.measure not in catalogue.measures:
            problems.append(
                doc.problem(
                    ("matches", n, "measure"),
                    "unknown-measure",
                    f"{match.measure!r} is not a catalogue measure",
                )
            )
        for loc, ds_id in [
            (("households_in",), match.households_in),
            *((("not_in", k), d) for k, d in enumerate(match.not_in)),
        ]:
            if ds_id not in records:
                problems.append(
                    doc.problem(
                        ("matches", n, *loc),
                        "not-record-level",
                        f"{ds_id!r} is not a record_level dataset",
                    )
                )
        source = next((ds for ds in cfg.datasets if ds.id == match.households_in), None)
        for attr in match.where:
            if source is not None and attr not in source.attributes:
                problems.append(
                    doc.problem(
                        ("matches", n, "where", attr),
                        "unknown-attribute",
                        f"{match.households_in} has no attribute {attr!r}",
                    )
                )
    if cfg.privacy.key_env and records and not os.environ.get(cfg.privacy.key_env):
        problems.append(
            doc.problem(
                ("privacy", "key_env"),
                "unset-key",
                f"environment variable {cfg.privacy.key_env} is not set; set it to the council's "
                "secret pseudonymisation key, or remove key_env to use a random key per build",
            )
        )
    if isinstance(cfg.indicators, list):
        mapped = mapped_measures(cfg)
        for n, ind_id in enumerate(cfg.indicators):
            indicator = catalogue.indicators.get(ind_id)
            if indicator is None:
                problems.append(
                    doc.problem(
                        ("indicators", n),
                        "unknown-indicator",
                        f"{ind_id!r} is not a catalogue indicator",
                    )
                )
                continue
            missing = [m for m in indicator.measures() if m not in mapped]
            if missing:
                problems.append(
                    doc.problem(
                        ("indicators", n),
                        "unmapped-measure",
                        f"indicator {ind_id!r} needs measure(s) no dataset maps: "
                        + ", ".join(missing),
                    )
                )
    for ind_id, rule in cfg.uptake.items():
        target = catalogue.indicators.get(ind_id)
        if target is None or target.method != "uptake":
            problems.append(
                doc.problem(
                    ("uptake", ind_id),
                    "unknown-indicator",
                    f"{ind_id!r} is not an uptake indicator",
                )
            )
        elif (model := rule.need_model()) is not None:
            # (path below uptake.<ind>.need, measure): a bare id is the need itself
            named: list[tuple[tuple[str | int, ...], str]] = []
            if model.measure:
                named.append(
                    ((), model.measure)
                    if isinstance(rule.need, str)
                    else (("measure",), model.measure)
                )
            named += [(("proxy", n), m) for n, m in enumerate(model.proxy)]
            for sub, measure in named:
                if measure in catalogue.measures:
                    continue
                at: tuple[str | int, ...] = ("uptake", ind_id, "need", *sub)
                problems.append(
                    doc.problem(at, "unknown-measure", f"{measure!r} is not a catalogue measure")
                )
    if cfg.inequality is not None and cfg.inequality.rank_measure not in catalogue.measures:
        problems.append(
            doc.problem(
                ("inequality", "rank_measure"),
                "unknown-measure",
                f"{cfg.inequality.rank_measure!r} is not a catalogue measure",
            )
        )
    for measure in cfg.national.measures if cfg.national is not None else {}:
        if measure not in catalogue.measures:
            problems.append(
                doc.problem(
                    ("national", "measures", measure),
                    "unknown-measure",
                    f"{measure!r} is not a catalogue measure",
                )
            )
    for ind_id in shown_indicator_ids(cfg, catalogue):
        floor = catalogue.indicators[ind_id].disclosure_threshold
        if cfg.disclosure.threshold < floor:
            problems.append(
                doc.problem(
                    ("disclosure", "threshold"),
                    "threshold-too-low",
                    f"threshold {cfg.disclosure.threshold} is below the catalogue minimum of "
                    f"{floor} for {ind_id!r}; a council may raise it, never lower it",
                )
            )
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
        model = rule.need_model()
        need = model.measure if model is not None and model.model == "direct" else None
        update = {
            k: v
            for k, v in (("need", need), ("expected_rate", rule.expected_rate), ("pool", rule.pool))
            if v is not None
        }
        indicators[ind_id] = ind.model_copy(update=update)
    return replace(catalogue, indicators=indicators)


def mapped_measures(cfg: CouncilConfig) -> set[str]:
    """Every measure id some dataset provides."""
    return {m for ds in cfg.datasets for m in ds.counted_measures} | {
        match.measure for match in cfg.matches
    }


def shown_indicator_ids(cfg: CouncilConfig, catalogue: Catalogue) -> list[str]:
    """Indicators the site shows, in catalogue order: those listed, or all with their
    measures mapped."""
    mapped = mapped_measures(cfg)
    if isinstance(cfg.indicators, list):
        wanted = set(cfg.indicators)
        ids = [
            i
            for i in catalogue.indicators
            if i in wanted and all(m in mapped for m in catalogue.indicators[i].measures())
        ]
    else:
        ids = [
            i.id for i in catalogue.indicators.values() if all(m in mapped for m in i.measures())
        ]
    # An index is built from other indicators, so it is shown only with all of them.
    shown = set(ids)
    return [
        i
        for i in ids
        if all(c in shown for c in getattr(catalogue.indicators[i], "components", lambda: [])())
    ]
