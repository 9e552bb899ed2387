"""``build()``: run every stage for each council, then write the whole site atomically.

Per council: ``ingest.validate`` (stages 1-4), ``analysis.prepare.analyse`` (5-7), then
``council_site`` assembles what the pages need and the tripwire's guard. Everything is
computed before anything touches disk (gather, then write). The site is written into a
temporary folder beside the target and swapped in only when complete, so a failed build
leaves the previous site exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Collection
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.analysis import priority
from generator.analysis.prepare import Analysis, analyse
from generator.atomic import write_atomically
from generator.errors import CdashError, LeakError, Problem, ProblemsError
from generator.ingest import report
from generator.ingest.catalogue import Catalogue, load_catalogue
from generator.ingest.validate import Validation, postcode_index, validate
from generator.paths import DEFAULT_CATALOGUE
from generator.site import assets, inputs, render, tripwire
from generator.site.council import CouncilSite, DatasetSummary
from generator.site.pages import changes, portal

#: Where computed national totals come from, when the config does not say.
COMPUTED_SOURCE = (
    "the national datasets above, summed over every area of the country (every council's "
    "rows), computed at each build with each indicator's own method"
)


@dataclass(frozen=True)
class PreparedCouncil:
    """One council ready to render: its pages' contract and the guard that checks them."""

    site: CouncilSite
    guard: tripwire.Guard
    templates: Path | None  # the council's own template folder, if any
    #: The config as read (ingest.councils.ConfigRead), for the inputs digest.
    read: Any = None


class BuildProgress:
    """What a build reports as it goes (the CLI draws it); this base reports nothing."""

    def start(self, councils: int, kept: int) -> None:
        """The build is about to prepare ``councils`` councils and keep ``kept`` as they are."""

    def stage(self, name: str) -> None:
        """A long stage of a council built in this process began (validate, analyse, ...)."""

    def council_done(self, slug: str, files: int, indicators: int) -> None:
        """One council is rendered and checked."""

    def writing(self, files: int) -> None:
        """The site is being written and swapped in."""

    def stop(self) -> None:
        """The build is over (done or failed): take any display down."""


def prepare_council(
    config_path: Path,
    data_dir: Path | None,
    catalogue: Catalogue,
    build_date: str,
    packs_dir: Path | None = None,
    *,
    stage: Callable[[str], None] | None = None,
    previous: Path | None = None,
) -> PreparedCouncil:
    """Every stage up to rendering for one council. Raises ProblemsError on any error.

    The guard holds the identifying values read and the primary-suppressed counts, in
    memory only; the pages never see it. ``stage`` is told as each long stage begins."""
    stage = stage or (lambda name: None)
    stage(f"{config_path.parent.name}: reading and checking")
    v = validate(config_path, data_dir, catalogue, packs_dir=packs_dir)
    stage(f"{config_path.parent.name}: analysing and disclosure control")
    result = analyse(v, catalogue)
    # The whole postcode lookup is public geography: it feeds the find-my-area index, and a
    # postcode in it says nothing about a household, so the tripwire does not treat it as one.
    postcodes = postcode_index(v, v.read.data_dir(data_dir))
    site = council_site(v, result, build_date, postcodes)
    if previous is not None:  # what changed since the build published at ``previous``
        site = replace(site, changes=changes.since(previous, site))
    return PreparedCouncil(
        site,
        guard(v, result, postcodes),
        v.read.templates_dir,
        v.read,
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
        attribution=footer_attribution(attributions(v)),
        attributions=attributions(v),
        priority=a.priority,
        groups=a.groups,
        slopes=a.slopes,
        inequality_label=inequality.label if inequality is not None else "",
        inequality_zones=inequality.zones if inequality is not None else 0,
        national_name=national.name if national is not None else "",
        national_source=(
            (national.source or COMPUTED_SOURCE) + (" (synthetic)" if national.synthetic else "")
            if national is not None
            else ""
        ),
        index_components=a.components,
        national_groups=a.national_groups,
        council_values=a.council_values,
        priority_rule_text=priority.rule_text(
            rule.top, rule.rank_by, rule.min_below, {lv.id: lv.label_plural for lv in pack.levels}
        ),
        report=report.build_report(
            v, a.config_catalogue or a.catalogue, built={i.id for i in a.shown}
        ),
        contact_email=cfg.council.contact_email or "",
        breakdowns=a.variants,
        priority_by=a.priority_by,
        one_sided=a.one_sided,
        postcodes=postcodes,
        need_notes=a.need_notes,
        interventions=v.log.interventions,
        effects=a.effects,
        notes=v.notes.notes,
        targets=a.targets,
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


def attributions(v: Validation) -> list[str]:
    """What every page must credit: the pack's attribution, then each dataset's, once each."""
    assert v.pack is not None
    found = [v.pack.spec.attribution, *(ds.spec.attribution for ds in v.datasets)]
    return list(dict.fromkeys(a.strip() for a in found if a.strip()))


def footer_attribution(parts: list[str]) -> str:
    """The attributions as one text for the footer, each sentence once (datasets under the
    same licence all begin with the same OGL sentence)."""
    sentences = [s for part in parts for s in re.split(r"(?<=[.!])\s+", part) if s]
    return " ".join(dict.fromkeys(sentences))


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
                licence=ds.spec.licence,
                attribution=ds.spec.attribution,
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
    kept: list[str] = field(default_factory=list)  # councils carried over unchanged


@dataclass(frozen=True)
class RenderedCouncil:
    """One council's files, checked by the tripwire, and its card for the portal."""

    slug: str
    files: dict[str, bytes]
    entry: dict[str, Any]
    guards: tuple[tripwire.Guard, ...]
    problems: list[Problem]
    indicators: int


#: In each council's folder: its portal card and the digest of its inputs, so a later build
#: can list it on the portal, or skip it, without rebuilding it.
MANIFEST = "assets/build.json"


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
    progress: BuildProgress | None = None,
    packs_dir: Path | None = None,
    keep_others: bool = False,
    skip_unchanged: bool = False,
    record_inputs: bool = False,
    previous: Path | None = None,
) -> BuildResult:
    """Build the site for ``config_paths`` into ``out``, atomically.

    The catalogue is read once. Councils are prepared and rendered in parallel worker
    processes when ``jobs`` > 1; the output is the same bytes either way. Any error in any
    council aborts the whole build before ``out`` is touched.

    ``keep_others``: councils already in ``out`` and not named here stay, byte for byte, and
    stay on the portal. ``skip_unchanged``: a council whose inputs digest matches the one
    recorded in ``out`` is kept as it is instead of being rebuilt. ``record_inputs`` writes
    that digest even when not skipping (the CLI does; tests' golden output does not, since
    the digest covers the generator's own code). ``previous``: the build each council's
    "what changed since the last refresh" compares with (``site/pages/changes.py``).
    """
    progress = progress or BuildProgress()
    catalogue = load_catalogue(catalogue_dir)
    existing = read_manifests(out)
    tasks, reused = [], []
    for path in config_paths:
        digest: str | Path = ""
        if skip_unchanged:
            digest = _digest(path, data_dir, packs_dir, catalogue, catalogue_dir, build_date)
            slug = next((s for s, m in existing.items() if digest and m["inputs"] == digest), None)
            if slug is not None:
                reused.append(slug)
                continue
        elif record_inputs:
            digest = catalogue_dir  # only recorded: each worker works it out, in parallel
        tasks.append((path, data_dir, build_date, packs_dir, digest, previous))
    results: list[RenderedCouncil | list[Problem]] = []
    if jobs > 1 and len(tasks) > 1:
        render.warm_templates()  # compiled once here; forked workers share them
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(tasks)), initializer=_init_worker, initargs=(catalogue,)
        ) as pool:
            # Largest first, so that no big council starts last; results keep config order.
            sizes = [inputs.pack_bytes(t[0], packs_dir, catalogue) for t in tasks]
            by_size = sorted(range(len(tasks)), key=lambda i: -sizes[i])
            submitted = {i: pool.submit(_council_task, *tasks[i]) for i in by_size}
            futures = [submitted[i] for i in range(len(tasks))]
            # Workers are forked by now; only then may the progress display start its thread.
            progress.start(len(tasks), len(reused))
            for future in as_completed(futures):
                _report(future.result(), progress)
            results = [f.result() for f in futures]  # in the configs' order
    else:
        _init_worker(catalogue)
        progress.start(len(tasks), len(reused))
        for t in tasks:
            results.append(_council_task(*t, stage=progress.stage))
            _report(results[-1], progress)
    failures = [p for r in results if isinstance(r, list) for p in r]
    if failures:
        raise ProblemsError(failures, "the build failed; the existing site was left as it was")
    rendered = [r for r in results if isinstance(r, RenderedCouncil)]
    keep: Collection[str] | None = None if keep_others else reused
    progress.writing(sum(len(r.files) for r in rendered))
    return write_rendered(rendered, out, build_date, keep=keep)


def render_prepared(council: PreparedCouncil, inputs_digest: str = "") -> RenderedCouncil:
    """Stage 9 and the tripwire for one council. Its pages are made from its own inputs
    only, so its own guard is the one they are checked against."""
    site = council.site
    pages = render.council_pages(site, template_dir=council.templates)
    files = render.render_council(site, template_dir=council.templates, pages=pages)
    outside = [p for p in files if not p.startswith(f"{site.slug}/")]
    if outside:
        raise CdashError(f"{site.slug}: rendered files outside its folder: {outside[:3]}")
    entry = portal.entry(site, pages.data)
    manifest = {"inputs": inputs_digest, "portal": entry, "slug": site.slug}
    files[f"{site.slug}/{MANIFEST}"] = (
        json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    ).encode("utf-8")
    # After rendering, before anything is written: a hit raises LeakError.
    tripwire.check(files, [council.guard])
    return RenderedCouncil(
        site.slug, files, entry, (council.guard,), list(site.problems), len(site.indicators)
    )


def write_site(
    councils: list[PreparedCouncil],
    out: Path,
    build_date: str,
    *,
    keep: Collection[str] | None = (),
) -> BuildResult:
    """Stages 8-10 for councils already prepared: render, check for leaks, swap in."""
    slugs = [c.site.slug for c in councils]
    if len(set(slugs)) != len(slugs):
        raise CdashError("two configs share a slug: " + ", ".join(sorted(slugs)))
    return write_rendered([render_prepared(c) for c in councils], out, build_date, keep=keep)


def write_rendered(
    councils: list[RenderedCouncil],
    out: Path,
    build_date: str,
    *,
    keep: Collection[str] | None = (),
) -> BuildResult:
    """The portal for ``councils`` plus the councils of ``out`` that ``keep`` names (None:
    every council there not rebuilt now), then the whole site swapped in at once. Kept
    councils' folders are carried over unchanged and listed on the portal from their
    manifests."""
    slugs = [c.slug for c in councils]
    if len(set(slugs)) != len(slugs):
        raise CdashError("two configs share a slug: " + ", ".join(sorted(slugs)))
    existing = read_manifests(out)
    wanted = set(existing) if keep is None else set(keep) & set(existing)
    carried = sorted(wanted - set(slugs))
    entries = [c.entry for c in councils] + [existing[s]["portal"] for s in carried]
    files: dict[str, bytes] = {}
    for council in councils:
        files.update(council.files)
    shared = render.render_portal_entries(entries, build_date)
    # Kept councils were checked when they were built; the portal holds their published
    # headline values only.
    tripwire.check(
        shared, [g for c in councils for g in c.guards], verbatim=assets.verbatim_assets()
    )
    files.update(shared)
    write_atomically(out, files, carry=carried)
    return BuildResult(
        out,
        slugs,
        len(files),
        sum(len(b) for b in files.values()),
        [p for c in councils for p in c.problems],
        carried,
    )


def read_manifests(out: Path) -> dict[str, dict[str, Any]]:
    """The councils a built site holds, by slug: each folder with a readable manifest."""
    found: dict[str, dict[str, Any]] = {}
    if not out.is_dir():
        return found
    for path in sorted(out.glob(f"*/{MANIFEST}")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        slug = path.parent.parent.name
        if isinstance(manifest, dict) and manifest.get("slug") == slug and "portal" in manifest:
            found[slug] = manifest
    return found


_CATALOGUE: list[Catalogue] = []  # the build's catalogue, once per worker process


def _init_worker(catalogue: Catalogue) -> None:
    _CATALOGUE[:] = [catalogue]


def _report(result: RenderedCouncil | list[Problem], progress: BuildProgress) -> None:
    if isinstance(result, RenderedCouncil):
        progress.council_done(result.slug, len(result.files), result.indicators)


def _digest(
    path: Path,
    data_dir: Path | None,
    packs_dir: Path | None,
    catalogue: Catalogue,
    catalogue_dir: Path,
    build_date: str,
) -> str:
    return inputs.inputs_digest(
        path,
        data_dir=data_dir,
        packs_dir=packs_dir,
        catalogue=catalogue,
        catalogue_dir=catalogue_dir,
        build_date=build_date,
    )


def _council_task(
    config_path: Path,
    data_dir: Path | None,
    build_date: str,
    packs_dir: Path | None,
    inputs_digest: str | Path,
    previous: Path | None = None,
    stage: Callable[[str], None] | None = None,
) -> RenderedCouncil | list[Problem]:
    # Runs in a worker process: return problems rather than raise, so every council's
    # problems are reported together. ``inputs_digest`` is the digest, or the catalogue
    # folder to work it out here from.
    try:
        prepared = prepare_council(
            config_path,
            data_dir,
            _CATALOGUE[0],
            build_date,
            packs_dir,
            stage=stage,
            previous=previous,
        )
        if isinstance(inputs_digest, Path):  # from the config just read, not read again
            inputs.remember(prepared.read)
            inputs_digest = _digest(
                config_path, data_dir, packs_dir, _CATALOGUE[0], inputs_digest, build_date
            )
        if stage:
            stage(f"{prepared.site.slug}: rendering pages")
        return render_prepared(prepared, inputs_digest)
    except ProblemsError as exc:
        return exc.problems
    except CdashError as exc:
        if isinstance(exc, LeakError):
            raise
        return [Problem(str(config_path), None, None, "", "error", str(exc))]
