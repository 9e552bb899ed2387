"""``build()``: run every stage for each council, then write the whole site atomically.

Everything is computed before anything touches disk (gather, then write). The site is
written into a temporary folder beside the target and swapped in only when complete, so a
failed build leaves the previous site exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generator import (
    checks,
    compute,
    disclosure,
    inequality,
    loaders,
    postcodes,
    priority,
    render,
    report,
    tripwire,
)
from generator.catalogue import DEFAULT_CATALOGUE, Catalogue, IndexIndicator, load_catalogue
from generator.config import (
    ConfigRead,
    Privacy,
    apply_overrides,
    read_config,
    shown_indicator_ids,
)
from generator.errors import CdashError, Problem, ProblemsError, UsageError
from generator.geography import GeographyPack, load_pack


@dataclass
class Validation:
    """Stages 1-4 for one council: config, catalogue, datasets read and checked."""

    read: ConfigRead
    pack: GeographyPack | None
    datasets: list[loaders.LoadedDataset]
    checked: checks.CheckedData | None

    @property
    def problems(self) -> list[Problem]:
        found = list(self.read.problems) + [p for ds in self.datasets for p in ds.problems]
        if self.checked is not None:
            found += self.checked.problems
        return sorted(found, key=lambda p: (p.file, p.line or 0, p.col or 0, p.code))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def validate(config_path: Path, data_dir: Path | None, catalogue: Catalogue, *,
             packs_dir: Path | None = None) -> Validation:
    """Stages 1-4 for one council, going as far as the input allows so that every problem
    is found in one run. Problems are returned on the Validation, not raised.

    ``packs_dir`` is where a geography pack given by name is looked up."""
    read = read_config(config_path, catalogue, packs_dir)
    pack = None
    if read.pack_path is not None and (read.pack_path / "pack.yaml").is_file():
        try:
            pack = load_pack(read.pack_path)
        except ProblemsError as exc:
            read.problems.extend(exc.problems)
    folder = read.data_dir(data_dir)
    privacy = read.config.privacy if read.config is not None else Privacy()
    try:
        pseudonymise = loaders.pseudonymiser(privacy)
    except UsageError:  # an unset key variable is already a config problem (unset-key)
        pseudonymise = loaders.pseudonymiser(Privacy())
    datasets = [loaders.load_dataset(read.doc, n, spec, folder, pseudonymise)
                for n, spec in read.datasets]
    _assign_postcodes(read, datasets, folder)
    if read.config is not None and read.config.matches:
        datasets += loaders.match_households(read.doc, read.config.matches, datasets)
    loaders.drop_records(datasets)  # household rows never leave the loaders stage
    checked = None
    if pack is not None:
        _check_area_types(read, pack, datasets)
        checked = checks.check_datasets(datasets, pack, catalogue, read.doc.display_path)
    return Validation(read, pack, datasets, checked)


def _assign_postcodes(read: ConfigRead, datasets: list[loaders.LoadedDataset],
                      folder: Path) -> None:
    """Turn postcode-keyed datasets into data-zone rows (see generator/postcodes.py)."""
    keyed = [ds for ds in datasets if ds.spec.area.type == "postcode" and not ds.failed]
    cfg = read.config
    if not keyed or cfg is None or cfg.postcode_lookup is None:
        return
    lookup, problems = postcodes.load_lookup(read.doc, cfg.postcode_lookup, folder)
    read.problems.extend(problems)
    for ds in keyed:
        if lookup is None:
            ds.problems.append(read.doc.problem(
                ("datasets", ds.index, "area", "type"), "no-postcode-lookup",
                "cannot place this dataset's rows: the postcode lookup could not be read"))
        else:
            postcodes.assign(ds, lookup)


def _check_area_types(read: ConfigRead, pack: GeographyPack,
                      datasets: list[loaders.LoadedDataset]) -> None:
    """An area type must be a level of the pack, or postcode."""
    levels = [lv.id for lv in pack.levels]
    for ds in datasets:
        if ds.spec.area.type not in (*levels, "postcode"):
            ds.problems.append(read.doc.problem(
                ("datasets", ds.index, "area", "type"), "unknown-level",
                f"{ds.spec.area.type!r} is not a level of geography pack {pack.spec.name}; "
                f"levels are: {', '.join(levels)}, or postcode"))


def council_site(config_path: Path, data_dir: Path | None, catalogue_dir: Path,
                 build_date: str, packs_dir: Path | None = None) -> render.CouncilSite:
    """Every stage up to rendering for one council. Raises ProblemsError on any error."""
    return prepare_council(config_path, data_dir, catalogue_dir, build_date, packs_dir)[0]


def prepare_council(config_path: Path, data_dir: Path | None, catalogue_dir: Path,
                    build_date: str, packs_dir: Path | None = None
                    ) -> tuple[render.CouncilSite, tripwire.Guard]:
    """Every stage up to rendering for one council, and the tripwire that checks its pages.

    The guard holds the identifying values read and the primary-suppressed counts, in
    memory only; render never sees it. Raises ProblemsError on any error."""
    catalogue = load_catalogue(catalogue_dir)
    v = validate(config_path, data_dir, catalogue, packs_dir=packs_dir)
    if v.errors or v.read.config is None or v.pack is None or v.checked is None:
        raise ProblemsError(v.errors, f"{v.read.doc.display_path}: cannot build")
    cfg = v.read.config
    catalogue = apply_overrides(catalogue, cfg)  # the council's own uptake rules
    indicator_ids = shown_indicator_ids(cfg, catalogue)
    additive = {m.id for m in catalogue.measures.values() if m.additive}
    measures = v.pack.rollup(v.checked.table.drop(columns=["row"]), additive)
    values = compute.compute_indicators(measures, catalogue, indicator_ids, v.pack,
                                        cfg.council.code)
    polarity: dict[str, str] = {i.id: i.polarity for i in catalogue.indicators.values()}
    national = cfg.national
    if national is not None:
        values = compute.compare_national(
            values, compute.national_values(national.measures, catalogue, indicator_ids),
            polarity)
    thresholds = _thresholds(catalogue, indicator_ids, cfg.disclosure.threshold)
    cells = _with_breakdowns(measures, v, additive)
    hidden = disclosure.suppress_measures(cells, v.pack, catalogue, thresholds)
    published = disclosure.publish(values, hidden, catalogue, cfg.disclosure.rounding)
    # Each breakdown category is an indicator variant, computed like the total and blanked
    # by its own cells' flags (suppressed above jointly with the totals).
    split = (cells[cells["category"] != ""] if "category" in cells.columns
             else cells.iloc[0:0].assign(breakdown="", category=""))
    variants = disclosure.publish_breakdowns(
        compute.compute_breakdowns(measures, split, catalogue, indicator_ids, v.pack,
                                   cfg.council.code),
        hidden, catalogue, cfg.disclosure.rounding)
    # Indices combine published values only, so nothing withheld can be recovered from them.
    top = v.pack.levels[-1].id
    index_inds = [ind for i in indicator_ids
                  if isinstance(ind := catalogue.indicators[i], IndexIndicator)]
    indices = [compute.compute_index(published, ind, polarity, top, cfg.council.code)
               for ind in index_inds]
    components = {ind.id: compute.index_components(published, ind, polarity)
                  for ind in index_inds}
    if indices:
        published = pd.concat([published, *indices], ignore_index=True)
        if national is not None:
            published["national_comparison"] = published["national_comparison"].fillna("")
    groups = None
    if cfg.inequality is not None:
        base = v.pack.levels[0].id
        zones = inequality.simd_groups(measures, base, cfg.inequality.rank_measure,
                                       cfg.inequality.zones)
        grouped = inequality.grouped_indicators(catalogue, indicator_ids)
        cells = inequality.group_measures(measures, zones, base,
                                          sorted({m for i in grouped for m in i.measures()}))
        flags = disclosure.suppress_groups(cells, zones, disclosure.totals(hidden), v.pack,
                                           catalogue, thresholds)
        groups = disclosure.publish_groups(
            inequality.group_values(values, zones, grouped, base), flags, catalogue)
    rule = cfg.priority_areas
    priority_list = priority.priority_areas(
        published, catalogue, indicator_ids, dict(rule.top), rule.rank_by, rule.min_below)
    # Only indicators with at least one value are shown: a page of blanks helps nobody.
    shown = [catalogue.indicators[i] for i in indicator_ids
             if (published["indicator"] == i).any()]
    # The whole postcode lookup is public geography: it feeds the find-my-area index, and a
    # postcode in it says nothing about a household, so the tripwire does not treat it as one.
    lookup = _postcode_index(v, v.read.data_dir(data_dir))
    guard = tripwire.Guard.collect(
        slug=cfg.council.slug, datasets=v.datasets, values=values, published=published,
        measures=hidden, catalogue=catalogue,
        public={*cfg.privacy.public_values, *v.pack.names.keys(), *v.pack.names.values(),
                *lookup.keys()})
    return render.CouncilSite(
        slug=cfg.council.slug, name=cfg.council.name, code=cfg.council.code,
        synthetic=cfg.council.synthetic, colour=cfg.council.colour,
        pack=v.pack, catalogue=catalogue, indicators=shown, values=published,
        periods=sorted(published["period"].unique().tolist()),
        build_date=build_date,
        datasets=_summaries(v),
        problems=[p for p in v.problems if p.severity != "error"],
        disclosure_threshold=cfg.disclosure.threshold,
        attribution=v.pack.spec.attribution,
        priority=priority_list,
        groups=groups,
        slopes=inequality.slope_indices(groups) if groups is not None else {},
        inequality_label=cfg.inequality.label if cfg.inequality is not None else "",
        inequality_zones=cfg.inequality.zones if cfg.inequality is not None else 0,
        national_name=national.name if national is not None else "",
        national_source=(national.source + (" (synthetic)" if national.synthetic else "")
                         if national is not None else ""),
        index_components=components,
        priority_rule_text=priority.rule_text(rule.top, rule.rank_by, rule.min_below,
                                              {lv.id: lv.label_plural for lv in v.pack.levels}),
        report=report.build_report(v, catalogue),
        contact_email=cfg.council.contact_email or "",
        breakdowns=variants,
        postcodes=lookup,
    ), guard


def _postcode_index(v: Validation, folder: Path) -> dict[str, str]:
    """The council's postcode lookup, {postcode: base area code}, for areas of the pack
    only; empty without a configured lookup."""
    cfg = v.read.config
    if cfg is None or cfg.postcode_lookup is None or v.pack is None:
        return {}
    # Problems reading it are already reported by validate when a dataset needs it.
    lookup, _ = postcodes.load_lookup(v.read.doc, cfg.postcode_lookup, folder)
    known = set(v.pack.areas(v.pack.base.id)["code"])
    return {pc: code for pc, code in sorted((lookup or {}).items()) if code in known}


def _with_breakdowns(measures: pd.DataFrame, v: Validation, additive: set[str]
                     ) -> pd.DataFrame:
    """The rolled-up totals plus the rolled-up breakdown cells of record-level datasets, so
    that suppression accounts for every cell an attacker could combine."""
    assert v.pack is not None and v.checked is not None
    kept = v.checked.table[["dataset", "area_code", "period", "measure"]]
    parts = []
    for ds in v.datasets:
        if ds.breakdowns is None or ds.breakdowns.empty:
            continue
        cells = ds.breakdowns.merge(kept, on=["dataset", "area_code", "period", "measure"])
        parts.append(cells.drop(columns=["row", "dataset"]))
    if not parts:
        return measures
    split = v.pack.rollup(pd.concat(parts, ignore_index=True), additive)
    return pd.concat([measures.assign(breakdown="", category=""), split], ignore_index=True)


def _thresholds(catalogue: Catalogue, indicator_ids: list[str], council: int) -> dict[str, int]:
    """Each measure's threshold: the council's, or higher where an indicator using it says so."""
    out: dict[str, int] = {}
    for ind_id in indicator_ids:
        indicator = catalogue.indicators[ind_id]
        for m in indicator.measures():
            out[m] = max(out.get(m, council), indicator.disclosure_threshold, council)
    return out


def _summaries(v: Validation) -> list[render.DatasetSummary]:
    assert v.checked is not None
    out = []
    for ds in v.datasets:
        kept = v.checked.table[v.checked.table["dataset"] == ds.spec.id]
        periods = sorted(kept["period"].unique().tolist())
        latest = periods[-1] if periods else ""
        out.append(render.DatasetSummary(
            id=ds.spec.id, title=ds.spec.title, source=ds.spec.source, file=ds.spec.file,
            rows_read=ds.rows_read, rows_used=int(kept["row"].nunique()),
            periods=periods, measures=ds.spec.counted_measures,
            coverage=v.checked.coverage.get((ds.spec.id, latest), 0.0)))
    return out


@dataclass
class BuildResult:
    """What a build wrote."""

    out: Path
    councils: list[str]
    files: int
    bytes: int
    problems: list[Problem] = field(default_factory=list)


def build_date_from_env(given: str | None) -> str:
    """The date printed on pages: --build-date, else SOURCE_DATE_EPOCH, else today (UTC)."""
    if given:
        return dt.date.fromisoformat(given).isoformat()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.datetime.now(tz=dt.UTC).date().isoformat()


def build(config_paths: list[Path], out: Path, *, data_dir: Path | None = None,
          build_date: str, catalogue_dir: Path = DEFAULT_CATALOGUE, jobs: int = 1,
          progress: Callable[[str], None] | None = None,
          packs_dir: Path | None = None) -> BuildResult:
    """Build the site for ``config_paths`` into ``out``, atomically.

    Councils are processed in parallel when ``jobs`` > 1. Any error in any council aborts
    the whole build before ``out`` is touched.
    """
    sites: list[render.CouncilSite] = []
    guards: list[tripwire.Guard] = []
    failures: list[Problem] = []
    args = [(p, data_dir, catalogue_dir, build_date, packs_dir) for p in config_paths]
    if jobs > 1 and len(args) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(args))) as pool:
            futures = [pool.submit(_council_or_problems, *a) for a in args]
            results = [f.result() for f in futures]
    else:
        results = [_council_or_problems(*a) for a in args]
    for result in results:
        if isinstance(result, list):
            failures += result
        else:
            sites.append(result[0])
            guards.append(result[1])
            if progress:
                progress(f"{result[0].slug}: {len(result[0].indicators)} indicators")
    if failures:
        raise ProblemsError(failures, "the build failed; the existing site was left as it was")
    slugs = [s.slug for s in sites]
    if len(set(slugs)) != len(slugs):
        raise CdashError("two configs share a slug: " + ", ".join(sorted(slugs)))

    files: dict[str, bytes] = {}
    for site in sites:
        files.update(render.render_council(site))
    files.update(render.render_portal(sites, build_date))
    # After rendering, before the swap: a hit raises LeakError and the old site stays.
    tripwire.check(files, guards, verbatim=render.verbatim_assets())
    write_atomically(out, files)
    return BuildResult(out, slugs, len(files), sum(len(b) for b in files.values()),
                       [p for s in sites for p in s.problems])


def _council_or_problems(config_path: Path, data_dir: Path | None, catalogue_dir: Path,
                         build_date: str, packs_dir: Path | None = None
                         ) -> tuple[render.CouncilSite, tripwire.Guard] | list[Problem]:
    # Runs in a worker process: return problems rather than raise, so every council's
    # problems are reported together.
    try:
        return prepare_council(config_path, data_dir, catalogue_dir, build_date, packs_dir)
    except ProblemsError as exc:
        return exc.problems
    except CdashError as exc:
        return [Problem(str(config_path), None, None, "", "error", str(exc))]


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write one file through a temporary sibling and a rename: readers never see half."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a fresh folder, then swap it in for ``out`` in one rename."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel in sorted(files):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
        os.chmod(staging, 0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

