"""Stages 1-4 for one council: config, catalogue cross-check, datasets read and checked.

``validate`` goes as far as the input allows, so that one run finds every problem; the
problems are returned on the ``Validation``, never raised. ``cdash validate`` prints them and
``cdash build`` refuses to go on while any is an error.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generator.errors import Problem, ProblemsError, UsageError, sort_key
from generator.ingest import (
    areanames,
    checks,
    interventions,
    leaks,
    loaders,
    national,
    notes,
    periods,
    postcodes,
    targets,
)
from generator.ingest.catalogue import MINIMUM_DISCLOSURE_THRESHOLD, Catalogue
from generator.ingest.config import Privacy
from generator.ingest.councils import ConfigRead, read_config
from generator.ingest.geography import GeographyPack, load_pack


@dataclass
class Validation:
    """What stages 1-4 found for one council."""

    read: ConfigRead
    pack: GeographyPack | None
    datasets: list[loaders.LoadedDataset]
    checked: checks.CheckedData | None
    #: the interventions log (``ingest/interventions.py``); empty when the council keeps none
    log: interventions.LogRead = field(default_factory=lambda: interventions.LogRead(None))
    #: local commentary (``ingest/notes.py``); empty when the council keeps none
    notes: notes.NotesRead = field(default_factory=lambda: notes.NotesRead(None))
    #: the config's targets with their areas resolved (``ingest/targets.py``)
    targets: list[targets.PlacedTarget] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        found = list(self.read.problems) + [p for ds in self.datasets for p in ds.problems]
        found += self.log.problems + self.notes.problems
        if self.checked is not None:
            found += self.checked.problems
        return sorted(found, key=sort_key)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def validate(
    config_path: Path, data_dir: Path | None, catalogue: Catalogue, *, packs_dir: Path | None = None
) -> Validation:
    """Stages 1-4 for one council. ``packs_dir`` is where a pack given by name is found."""
    read = read_config(config_path, catalogue, packs_dir)
    pack = None
    if read.pack_path is not None and (read.pack_path / "pack.yaml").is_file():
        try:
            pack = load_pack(read.pack_path)
        except ProblemsError as exc:
            read.problems.extend(exc.problems)
    log = _read_log(read, pack, catalogue)
    placed: list[targets.PlacedTarget] = []
    if read.config is not None and read.config.targets:
        placed, target_problems = targets.check_targets(
            read.doc, read.config.targets, pack, catalogue
        )
        read.problems.extend(target_problems)
    configured = read.config.notes if read.config is not None else None
    local = notes.read_notes(
        (read.path.parent / (configured or notes.DEFAULT_NOTES)).resolve(),
        pack,
        catalogue,
        required=configured is not None,
    )
    try:
        folder = read.data_dir(data_dir)
    except UsageError:
        if read.config is None and read.problems:  # the config's own problems come first
            return Validation(read, pack, [], None, log, local, placed)
        raise
    privacy = read.config.privacy if read.config is not None else Privacy()
    threshold = (
        read.config.disclosure.threshold
        if read.config is not None
        else MINIMUM_DISCLOSURE_THRESHOLD
    )
    censored = (1, threshold - 1)  # what a source's "*" stands for, unless a dataset says
    try:
        pseudonymise = loaders.pseudonymiser(privacy)
    except UsageError:  # an unset key variable is already a config problem (unset-key)
        pseudonymise = loaders.pseudonymiser(Privacy())
    datasets = [
        national.load_dataset(read.doc, n, spec, folder, pseudonymise, censored)
        for n, spec in read.datasets
    ]
    _check_only_periods(read, datasets)
    lookup = _assign_postcodes(read, datasets, folder)
    if pack is not None:
        _check_council(read, pack)
        _check_area_types(read, pack, datasets)
        levels = {lv.id for lv in pack.levels}
        for ds in datasets:
            if ds.spec.area.by == "name" and not ds.failed and ds.spec.area.type in levels:
                areanames.assign(read.doc, ds, pack)
        for ds in datasets:
            _count_every_area(ds, pack)
    for ds in datasets:
        if periods.SUB_COLUMN in ds.table.columns and ds.spec.period.aggregate is not None:
            ds.table = periods.aggregate(ds.table, ds.spec.period.aggregate)
    if read.config is not None and read.config.matches:
        datasets += loaders.match_households(read.doc, read.config.matches, datasets)
    loaders.drop_records(datasets)  # household rows never leave the loaders stage
    read.problems.extend(
        leaks.check(read.doc, read.templates_dir, datasets, pack, [*privacy.public_values, *lookup])
    )
    checked = None
    if pack is not None:
        checked = checks.check_datasets(datasets, pack, catalogue, read.doc.display_path)
    return Validation(read, pack, datasets, checked, log, local, placed)


def _read_log(
    read: ConfigRead, pack: GeographyPack | None, catalogue: Catalogue
) -> interventions.LogRead:
    """The council's interventions log, checked against its pack and the catalogue."""
    configured = read.config.interventions if read.config is not None else None
    path = interventions.log_path(read.path, configured)
    return interventions.read_log(path, pack, catalogue, required=configured is not None)


def _assign_postcodes(
    read: ConfigRead, datasets: list[loaders.LoadedDataset], folder: Path
) -> dict[str, str]:
    """Turn postcode-keyed datasets into data-zone rows (see ``ingest/postcodes.py``);
    return the public postcode lookup read ({} when none is needed or readable)."""
    keyed = [ds for ds in datasets if ds.spec.area.type == "postcode" and not ds.failed]
    cfg = read.config
    if not keyed or cfg is None or cfg.postcode_lookup is None:
        return {}
    lookup, problems = postcodes.load_lookup(read.doc, cfg.postcode_lookup, folder)
    read.problems.extend(problems)
    for ds in keyed:
        if lookup is None:
            ds.problems.append(
                read.doc.problem(
                    ("datasets", ds.index, "area", "type"),
                    "no-postcode-lookup",
                    "cannot place this dataset's rows: the postcode lookup could not be read",
                )
            )
        else:
            postcodes.assign(ds, lookup)
    return lookup or {}


def _count_every_area(ds: loaders.LoadedDataset, pack: GeographyPack) -> None:
    """A household extract lists every household: an area of the council with none in a
    period the extract covers counts 0 there, not "no data"."""
    spec = ds.spec
    if not spec.record_level or ds.records is None or spec.count_as is None or ds.failed:
        return
    level = spec.area.type if spec.area.type in {lv.id for lv in pack.levels} else pack.base.id
    codes = pack.areas(level)["code"]
    ds.drop("unknown-area", ds.records.loc[~ds.records["area_code"].isin(set(codes)), "row"])
    grid = pd.DataFrame(
        [(c, p) for p in sorted(set(ds.records["period"])) for c in codes],
        columns=["area_code", "period"],
    )
    # Records placed outside the council are still counted, for the checks to report.
    ds.table, ds.breakdowns = loaders.count_households(
        ds.records, spec.id, spec.count_as, spec.breakdowns, grid
    )


def _check_only_periods(read: ConfigRead, datasets: list[loaders.LoadedDataset]) -> None:
    """Each period in ``only_periods`` must be in the file: one that matches nothing is a
    typing mistake, and a dataset left with no period would quietly provide nothing."""
    for ds in datasets:
        wanted = ds.spec.only_periods
        if not wanted or ds.failed or ds.table.empty:
            continue
        present = sorted(ds.table["period"].astype(str).unique().tolist())
        missing = [(k, p) for k, p in enumerate(wanted) if p not in present]
        for k, period in missing:
            close = difflib.get_close_matches(period, present, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            ds.problems.append(
                read.doc.problem(
                    ("datasets", ds.index, "only_periods", k),
                    "unknown-period",
                    f"period {period!r} is not in {ds.spec.file}{hint}; its periods are: "
                    + ", ".join(present[:20]),
                    severity="warning",
                )
            )
        if len(missing) == len(wanted):
            ds.problems.append(
                read.doc.problem(
                    ("datasets", ds.index, "only_periods"),
                    "no-periods-kept",
                    f"none of only_periods is in {ds.spec.file}, so the dataset would provide "
                    "nothing",
                )
            )


def _check_council(read: ConfigRead, pack: GeographyPack) -> None:
    """The pack's council level must hold the config's council: another council's pack
    would publish its areas under this council's name."""
    cfg = read.config
    if cfg is None or "council" not in [lv.id for lv in pack.levels]:
        return
    codes = sorted(set(pack.lookup["council_code"]))
    if cfg.council.code not in codes:
        read.problems.append(
            read.doc.problem(
                ("council", "code"),
                "council-mismatch",
                f"{cfg.council.code} is not the council of geography pack {pack.spec.name}, "
                f"whose lookup is for {', '.join(codes[:5])}: use this council's own pack, "
                "or correct the code",
            )
        )


def _check_area_types(
    read: ConfigRead, pack: GeographyPack, datasets: list[loaders.LoadedDataset]
) -> None:
    """An area type must be a level of the pack, or postcode."""
    levels = [lv.id for lv in pack.levels]
    for ds in datasets:
        if ds.spec.area.type not in (*levels, "postcode"):
            ds.problems.append(
                read.doc.problem(
                    ("datasets", ds.index, "area", "type"),
                    "unknown-level",
                    f"{ds.spec.area.type!r} is not a level of geography pack {pack.spec.name}; "
                    f"levels are: {', '.join(levels)}, or postcode",
                )
            )


def postcode_index(v: Validation, folder: Path) -> dict[str, str]:
    """The council's public postcode lookup, {postcode: base area code}, for areas of the
    pack only; empty without a configured lookup. Problems reading it are already reported
    by ``validate`` when a dataset needs it."""
    cfg = v.read.config
    if cfg is None or cfg.postcode_lookup is None or v.pack is None:
        return {}
    lookup, _ = postcodes.load_lookup(v.read.doc, cfg.postcode_lookup, folder)
    known = set(v.pack.areas(v.pack.base.id)["code"])
    return {pc: code for pc, code in sorted((lookup or {}).items()) if code in known}
