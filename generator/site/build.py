"""``build()``: run every stage for each council, then write the whole site atomically.

Per council: ``ingest.validate`` (stages 1-4), ``analysis.prepare.analyse`` (5-7), then
``council_site`` assembles what the pages need and the tripwire's guard. Everything is
computed before anything touches disk (gather, then write). The site is written into a
temporary folder beside the target and swapped in only when complete, so a failed build
leaves the previous site exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from generator.analysis import priority
from generator.analysis.prepare import Analysis, analyse
from generator.atomic import write_atomically
from generator.errors import CdashError, Problem, ProblemsError
from generator.ingest import report
from generator.ingest.catalogue import Catalogue, load_catalogue
from generator.ingest.validate import Validation, postcode_index, validate
from generator.paths import DEFAULT_CATALOGUE
from generator.site import assets, render, tripwire
from generator.site.council import CouncilSite, DatasetSummary


@dataclass(frozen=True)
class PreparedCouncil:
    """One council ready to render: its pages' contract and the guard that checks them."""

    site: CouncilSite
    guard: tripwire.Guard
    templates: Path | None  # the council's own template folder, if any


def prepare_council(
    config_path: Path,
    data_dir: Path | None,
    catalogue: Catalogue,
    build_date: str,
    packs_dir: Path | None = None,
) -> PreparedCouncil:
    """Every stage up to rendering for one council. Raises ProblemsError on any error.

    The guard holds the identifying values read and the primary-suppressed counts, in
    memory only; the pages never see it."""
    v = validate(config_path, data_dir, catalogue, packs_dir=packs_dir)
    result = analyse(v, catalogue)
    # The whole postcode lookup is public geography: it feeds the find-my-area index, and a
    # postcode in it says nothing about a household, so the tripwire does not treat it as one.
    postcodes = postcode_index(v, v.read.data_dir(data_dir))
    return PreparedCouncil(
        council_site(v, result, build_date, postcodes),
        guard(v, result, postcodes),
        v.read.templates_dir,
    )


def council_site(
    v: Validation, a: Analysis, build_date: str, postcodes: dict[str, str]
) -> CouncilSite:
    """The pages' contract for one council, from its validation and analysis."""
    cfg, pack = v.read.config, v.pack
    assert cfg is not None and pack is not None
    national, inequality, rule = cfg.national, cfg.inequality, cfg.priority_areas
    return CouncilSite(
        slug=cfg.council.slug,
        name=cfg.council.name,
        code=cfg.council.code,
        synthetic=cfg.council.synthetic,
        colour=cfg.council.colour,
        pack=pack,
        catalogue=a.catalogue,
        indicators=a.shown,
        values=a.published,
        periods=sorted(a.published["period"].unique().tolist()),
        build_date=build_date,
        datasets=summaries(v),
        problems=[p for p in v.problems if p.severity != "error"],
        disclosure_threshold=cfg.disclosure.threshold,
        attribution=pack.spec.attribution,
        priority=a.priority,
        groups=a.groups,
        slopes=a.slopes,
        inequality_label=inequality.label if inequality is not None else "",
        inequality_zones=inequality.zones if inequality is not None else 0,
        national_name=national.name if national is not None else "",
        national_source=(
            national.source + (" (synthetic)" if national.synthetic else "")
            if national is not None
            else ""
        ),
        index_components=a.components,
        priority_rule_text=priority.rule_text(
            rule.top, rule.rank_by, rule.min_below, {lv.id: lv.label_plural for lv in pack.levels}
        ),
        report=report.build_report(v, a.catalogue),
        contact_email=cfg.council.contact_email or "",
        breakdowns=a.variants,
        postcodes=postcodes,
        need_notes=a.need_notes,
    )


def guard(v: Validation, a: Analysis, postcodes: dict[str, str]) -> tripwire.Guard:
    """What this council's pages must never contain."""
    cfg, pack = v.read.config, v.pack
    assert cfg is not None and pack is not None
    return tripwire.Guard.collect(
        slug=cfg.council.slug,
        datasets=v.datasets,
        values=a.values,
        published=a.published,
        measures=a.cells,
        catalogue=a.catalogue,
        public={
            *cfg.privacy.public_values,
            *pack.names.keys(),
            *pack.names.values(),
            *postcodes.keys(),
        },
    )


def summaries(v: Validation) -> list[DatasetSummary]:
    """Each dataset as the about page describes it."""
    assert v.checked is not None
    out = []
    for ds in v.datasets:
        kept = v.checked.table[v.checked.table["dataset"] == ds.spec.id]
        periods = sorted(kept["period"].unique().tolist())
        latest = periods[-1] if periods else ""
        out.append(
            DatasetSummary(
                id=ds.spec.id,
                title=ds.spec.title,
                source=ds.spec.source,
                file=ds.spec.file,
                rows_read=ds.rows_read,
                rows_used=int(kept["row"].nunique()),
                periods=periods,
                measures=ds.spec.counted_measures,
                coverage=v.checked.coverage.get((ds.spec.id, latest), 0.0),
            )
        )
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


def build(
    config_paths: list[Path],
    out: Path,
    *,
    data_dir: Path | None = None,
    build_date: str,
    catalogue_dir: Path = DEFAULT_CATALOGUE,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
    packs_dir: Path | None = None,
) -> BuildResult:
    """Build the site for ``config_paths`` into ``out``, atomically.

    The catalogue is read once. Councils are processed in parallel when ``jobs`` > 1. Any
    error in any council aborts the whole build before ``out`` is touched.
    """
    catalogue = load_catalogue(catalogue_dir)
    args = [(p, data_dir, catalogue, build_date, packs_dir) for p in config_paths]
    if jobs > 1 and len(args) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(args))) as pool:
            futures = [pool.submit(_council_or_problems, *a) for a in args]
            results = [f.result() for f in futures]
    else:
        results = [_council_or_problems(*a) for a in args]
    councils: list[PreparedCouncil] = []
    failures: list[Problem] = []
    for result in results:
        if isinstance(result, list):
            failures += result
            continue
        councils.append(result)
        if progress:
            progress(f"{result.site.slug}: {len(result.site.indicators)} indicators")
    if failures:
        raise ProblemsError(failures, "the build failed; the existing site was left as it was")
    return write_site(councils, out, build_date)


def write_site(councils: list[PreparedCouncil], out: Path, build_date: str) -> BuildResult:
    """Stages 8-10 for councils already prepared: render, check for leaks, swap in."""
    slugs = [c.site.slug for c in councils]
    if len(set(slugs)) != len(slugs):
        raise CdashError("two configs share a slug: " + ", ".join(sorted(slugs)))
    files: dict[str, bytes] = {}
    for council in councils:
        files.update(render.render_council(council.site, template_dir=council.templates))
    files.update(render.render_portal([c.site for c in councils], build_date))
    # After rendering, before the swap: a hit raises LeakError and the old site stays.
    tripwire.check(files, [c.guard for c in councils], verbatim=assets.verbatim_assets())
    write_atomically(out, files)
    return BuildResult(
        out,
        slugs,
        len(files),
        sum(len(b) for b in files.values()),
        [p for c in councils for p in c.site.problems],
    )


def _council_or_problems(
    config_path: Path,
    data_dir: Path | None,
    catalogue: Catalogue,
    build_date: str,
    packs_dir: Path | None = None,
) -> PreparedCouncil | list[Problem]:
    # Runs in a worker process: return problems rather than raise, so every council's
    # problems are reported together.
    try:
        return prepare_council(config_path, data_dir, catalogue, build_date, packs_dir)
    except ProblemsError as exc:
        return exc.problems
    except CdashError as exc:
        return [Problem(str(config_path), None, None, "", "error", str(exc))]
