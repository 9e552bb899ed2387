"""The data contract report: what a council's data gives the catalogue, as one typed value.

Built from what ``ingest.validate`` finds (stages 1-4). ``cdash validate`` prints it as a table
or as JSON (``DataReport.to_json``: sorted keys, stable between runs on the same input), and
``render`` turns the same value into the site's ``quality.html``. The JSON layout is
documented in ``docs/onboarding.md``; bump ``REPORT_VERSION`` when it changes incompatibly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from generator.errors import Problem
from generator.ingest.catalogue import Catalogue
from generator.ingest.loaders import LoadedDataset
from generator.ingest.validate import Validation
from generator.ingest.yamlio import display

#: Version of the JSON layout of ``DataReport.to_dict``.
REPORT_VERSION = 1

#: Problem codes for which checks drop a whole row (or a row's value).
DROP_CODES = (
    "unknown-area",
    "blank-period",
    "non-numeric",
    "not-finite",
    "negative-value",
    "fractional-count",
    "duplicate-row",
)
#: Why a row was left out, in the order a row with several reasons is counted under.
REASON_ORDER = (
    "other-council",
    "bad-period",
    "missing-key",
    "duplicate-household",
    "unmatched-postcode",
    "unknown-area-name",
    "unplaced",
    "unknown-area",
    "duplicate-row",
    "negative-value",
    "fractional-count",
    "not-finite",
    "blank-period",
    "non-numeric",
    "no-values",
)

# Scottish data zones: 2011 zones are S01006506-S01013481 (6,976 of them); the 2022 zones
# were numbered on from there (S01013482 onwards, 7,392 of them).
_DZ = re.compile(r"^S01(\d{6})$")
_DZ2011 = (6506, 13481)
_DZ2022_FIRST = 13482
#: How many example codes a vintage finding lists.
EXAMPLES = 5


@dataclass(frozen=True)
class DatasetReport:
    """One dataset: what was read, what was dropped and why, and how much of the council
    it covers."""

    id: str
    title: str
    file: str  # as in the config: relative to the data folder
    read_ok: bool  # False when the file could not be read at all (see the problems)
    rows_read: int
    rows_used: int  # source rows that count towards what the site shows
    rows_dropped: int  # rows_read - rows_filtered - rows_used; the sum of dropped_by_code
    dropped_by_code: dict[str, int]  # reason (problem code, "no-values", "unplaced") -> rows
    rows_filtered: int  # rows the dataset's ``where`` filters leave out on purpose
    unplaced: list[dict[str, Any]]  # rows placed in no area on purpose (alias to null)
    periods: list[str]
    coverage: dict[str, float]  # period -> share (0..1) of the council's smallest areas
    measures: list[str]


@dataclass(frozen=True)
class IndicatorStatus:
    """Whether a catalogue indicator can be shown, and if not, what it still lacks."""

    id: str
    title: str
    theme: str
    available: bool
    missing_measures: list[str]  # measures no dataset maps
    empty_measures: list[str]  # measures mapped, but with no usable values
    selected: bool  # False when the config lists indicators and leaves this one out
    missing_indicators: list[str] = field(default_factory=list)  # an index's lacking parts


@dataclass(frozen=True)
class VintageFinding:
    """Data-zone codes in a dataset from another vintage than the geography pack's."""

    dataset: str
    file: str
    vintage: str  # "2011" or "2022": the vintage the codes belong to
    codes: int  # how many distinct codes
    examples: list[str]
    suggestion: str


@dataclass(frozen=True)
class DataReport:
    """The data contract report for one council."""

    council: str  # slug, or the config path when the config is unreadable
    config: str
    geography: str  # pack name, "" when no pack loaded
    geography_vintage: str
    datasets: list[DatasetReport]
    measures_mapped: dict[str, list[str]]  # measure id -> ids of datasets that map it
    measures_unmapped: list[str]  # catalogue measures no dataset maps
    indicators: list[IndicatorStatus]
    vintage: list[VintageFinding]
    errors: int
    warnings: int
    problems: list[Problem]  # every problem found, sorted by file and position

    @property
    def available(self) -> list[IndicatorStatus]:
        """Indicators the site can show."""
        return [i for i in self.indicators if i.available]

    @property
    def unavailable(self) -> list[IndicatorStatus]:
        """Indicators it cannot, each with the measures it lacks."""
        return [i for i in self.indicators if not i.available]

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, shares rounded to 4 places so output is stable."""
        data = asdict(self)
        data["report_version"] = REPORT_VERSION
        for ds in data["datasets"]:
            ds["coverage"] = {p: round(s, 4) for p, s in ds["coverage"].items()}
        return data

    def to_json(self) -> str:
        """Stable JSON: sorted keys, two-space indent, trailing newline."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def build_report(
    v: Validation, catalogue: Catalogue, built: Collection[str] | None = None
) -> DataReport:
    """The report for a validated council: never raises for bad input.

    ``built`` is what the site build made (the ids of the indicators it has pages for): when
    given, an indicator is available exactly when it was built, so that the quality page
    says what the build did. ``cdash validate`` leaves it out and judges by the measures."""
    read, pack = v.read, v.pack
    cfg = read.config
    table = v.checked.table if v.checked is not None else None
    problems = v.problems
    datasets: list[DatasetReport] = []
    for ds in v.datasets:
        file = display(ds.path)
        kept = table[table["dataset"] == ds.spec.id] if table is not None else ds.table
        used, dropped = _row_fates(ds, problems, file, kept)
        coverage = (
            {
                period: share
                for (ds_id, period), share in sorted(v.checked.coverage.items())
                if ds_id == ds.spec.id
            }
            if v.checked
            else {}
        )
        datasets.append(
            DatasetReport(
                id=ds.spec.id,
                title=ds.spec.title,
                file=ds.spec.file,
                read_ok=not ds.failed,
                rows_read=ds.rows_read,
                rows_used=used,
                rows_dropped=sum(dropped.values()),
                dropped_by_code=dropped,
                rows_filtered=ds.rows_filtered,
                unplaced=list(ds.unplaced),
                periods=sorted(kept["period"].astype(str).unique().tolist()),
                coverage=coverage,
                measures=list(ds.spec.measures),
            )
        )

    mapped: dict[str, list[str]] = {}
    for _, spec in read.datasets:
        for m in spec.counted_measures:
            if m in catalogue.measures:
                mapped.setdefault(m, []).append(spec.id)
    for n, match in enumerate(cfg.matches if cfg is not None else []):
        if match.measure in catalogue.measures:
            mapped.setdefault(match.measure, []).append(f"match_{n + 1}")
    with_values = set(table["measure"].unique()) if table is not None else set()
    listed = set(cfg.indicators) if cfg is not None and isinstance(cfg.indicators, list) else None
    statuses: list[IndicatorStatus] = []
    for ind in catalogue.indicators.values():
        needs = ind.measures()
        missing = [m for m in needs if m not in mapped]
        empty = [m for m in needs if m in mapped and m not in with_values]
        selected = listed is None or ind.id in listed
        statuses.append(
            IndicatorStatus(
                id=ind.id,
                title=ind.title,
                theme=ind.theme,
                available=not missing and not empty and selected,
                missing_measures=missing,
                empty_measures=empty,
                selected=selected,
            )
        )

    if built is not None:
        statuses = [_as_built(s, s.id in built) for s in statuses]
    statuses = _index_statuses(statuses, catalogue)
    if built is not None:
        statuses = [_as_built(s, s.id in built) for s in statuses]
    return DataReport(
        council=cfg.council.slug if cfg is not None else read.doc.display_path,
        config=read.doc.display_path,
        geography=pack.spec.name if pack is not None else "",
        geography_vintage=pack.spec.vintage if pack is not None else "",
        datasets=datasets,
        measures_mapped={m: mapped[m] for m in sorted(mapped)},
        measures_unmapped=[m for m in catalogue.measures if m not in mapped],
        indicators=statuses,
        vintage=_vintage_findings(v),
        errors=sum(p.severity == "error" for p in problems),
        warnings=sum(p.severity != "error" for p in problems),
        problems=problems,
    )


def _row_fates(
    ds: LoadedDataset, problems: list[Problem], file: str, kept: pd.DataFrame
) -> tuple[int, dict[str, int]]:
    """(rows used, reason -> rows dropped) for one dataset, each dropped row counted once,
    under its first reason in REASON_ORDER, so the reasons add up to the rows dropped."""
    reasons = {code: set(rows) for code, rows in ds.dropped.items()}
    columns = ds.spec.used_columns
    if not ds.spec.record_level:  # record-level rows were accounted for before counting
        for p in problems:
            here = p.file == file and p.line is not None and p.field in columns
            if here and p.code in DROP_CODES:
                assert p.line is not None
                reasons.setdefault(p.code, set()).add(p.line)
    first = ds.spec.first_data_row
    filtered = ds.rows_filtered
    considered = ds.rows_read - filtered
    if ds.failed:
        return 0, {}
    if ds.derived:
        return ds.rows_read, {}
    seen: set[int] = set()
    out: dict[str, int] = {}
    aggregated = ds.spec.record_level or ds.spec.period.aggregate is not None
    if not aggregated:
        # One tidy row per source row and measure: a row is used when a value of it is kept.
        used_rows = set(kept["row"].astype(int))
        every = set(range(first, first + ds.rows_read))
        lost = every - used_rows
        for code in REASON_ORDER:
            rows = (reasons.get(code, set()) & lost) - seen
            if rows:
                out[code] = len(rows)
                seen |= rows
        # Rows a where filter left out are not "dropped"; rows left without a reason had
        # no values at all.
        rest = len(lost - seen) - filtered
        if rest > 0:
            out["no-values"] = out.get("no-values", 0) + rest
        return len(used_rows), dict(sorted(out.items()))
    for code in REASON_ORDER:
        rows = reasons.get(code, set()) - seen
        if rows:
            out[code] = len(rows)
            seen |= rows
    return considered - len(seen), dict(sorted(out.items()))


def _as_built(status: IndicatorStatus, built: bool) -> IndicatorStatus:
    """A status made to agree with the build: built means available, lacking nothing."""
    if built:
        return replace(
            status, available=True, missing_measures=[], empty_measures=[], missing_indicators=[]
        )
    return replace(status, available=False)


def _index_statuses(statuses: list[IndicatorStatus], catalogue: Catalogue) -> list[IndicatorStatus]:
    """A composite index is available only when every component is: it is built from their
    published values, never from measures of its own."""
    available = {s.id for s in statuses if s.available}
    out = []
    for s in statuses:
        ind = catalogue.indicators[s.id]
        components = getattr(ind, "components", None)
        if components is not None:
            lacking = [c for c in components() if c not in available]
            s = replace(
                s,
                available=s.available and not lacking,
                missing_indicators=list(dict.fromkeys(lacking)),
            )
        out.append(s)
    return out


def dz_vintage(code: str) -> str | None:
    """ "2011" or "2022" for a Scottish data-zone code, None for anything else."""
    match = _DZ.match(code)
    if match is None:
        return None
    number = int(match.group(1))
    if _DZ2011[0] <= number <= _DZ2011[1]:
        return "2011"
    return "2022" if number >= _DZ2022_FIRST else None


def _vintage_findings(v: Validation) -> list[VintageFinding]:
    """Codes the pack does not know that are real data zones of some vintage: almost always
    an export made against the other set of data zones."""
    if v.pack is None:
        return []
    known = set(v.pack.areas(v.pack.base.id)["code"])
    pack_vintages = {dz_vintage(c) for c in known} - {None}
    findings = []
    for ds in v.datasets:
        if ds.spec.area.type != v.pack.base.id:
            continue
        codes = sorted(set(ds.table["area_code"].astype(str).unique().tolist()) - known)
        by_vintage: dict[str, list[str]] = {}
        for code in codes:
            vintage = dz_vintage(code)
            if vintage is not None:
                by_vintage.setdefault(vintage, []).append(code)
        for vintage, found in sorted(by_vintage.items()):
            if vintage in pack_vintages:
                continue  # right vintage, just not this council's zones
            other = "2022" if vintage == "2011" else "2011"
            findings.append(
                VintageFinding(
                    dataset=ds.spec.id,
                    file=ds.spec.file,
                    vintage=vintage,
                    codes=len(found),
                    examples=found[:EXAMPLES],
                    suggestion=(
                        f"these are {vintage} data zones, but the geography pack "
                        f"{v.pack.spec.name!r} is vintage {v.pack.spec.vintage!r}: export the "
                        f"data by {other} data zones, or use a {vintage} geography pack"
                        + (
                            ", or convert the codes with the Scottish Government's 2011 to 2022 "
                            "data zone lookup"
                            if vintage == "2011"
                            else ""
                        )
                    ),
                )
            )
    return findings
