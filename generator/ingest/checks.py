"""Data checks on the tidy tables: what is wrong, where, and which rows we drop for it.

Row-level findings are warnings: the rows are dropped, the build goes on, and the quality
page lists them. ``cdash validate`` still exits 1 when there are any, so a clean run means
clean data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from generator.errors import Problem
from generator.ingest.catalogue import Catalogue
from generator.ingest.geography import GeographyPack
from generator.ingest.loaders import LoadedDataset
from generator.ingest.yamlio import display

#: Coverage of the council's areas below which a dataset's period gets a warning.
LOW_COVERAGE = 0.9
#: The columns of ``CheckedData.national``.
NATIONAL_COLUMNS = ["level", "area_code", "period", "measure", "value", "council"]


@dataclass(frozen=True)
class CheckedData:
    """Clean base-level rows from every dataset, and what the checks found."""

    table: pd.DataFrame
    problems: list[Problem]
    coverage: dict[tuple[str, str], float]  # (dataset id, period) -> share of its level's areas
    #: rows of ``national`` datasets for every area of the country (this council's and the
    #: others', each code once): ``level, area_code, period, measure, value``, from which
    #: Scotland's totals are summed. Empty when no dataset is national or the pack's national
    #: code list knows only this council.
    national: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NATIONAL_COLUMNS))


def national_rows(
    ds: LoadedDataset,
    table: pd.DataFrame,
    country: set[str],
    level: str,
    councils: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The rows of a national dataset for every area of the country with a finite, non-negative
    value in a non-blank period (after ``only_periods``), each area, period and measure once
    (the first, as for the council's own rows)."""
    rows = table[table["area_code"].isin(country) & table["value"].notna()]
    rows = rows[(rows["value"] >= 0) & (rows["period"].astype(str).str.strip() != "")]
    if ds.spec.only_periods:
        rows = rows[rows["period"].isin(ds.spec.only_periods)]
    rows = rows.drop_duplicates(["area_code", "period", "measure"], keep="first")
    council = rows["area_code"].map(councils or {}).fillna("")
    return rows.assign(level=level, council=council)[NATIONAL_COLUMNS]


def check_datasets(
    datasets: list[LoadedDataset], pack: GeographyPack, catalogue: Catalogue, config_file: str
) -> CheckedData:
    """Drop and report unknown areas, duplicates and negative counts; measure coverage.

    Each dataset's rows are checked against the areas of its own level (``area.type``),
    and the clean table gains a ``level`` column. Rows of a ``national`` dataset for other
    councils' areas are dropped without a problem."""
    problems: list[Problem] = []
    clean: list[pd.DataFrame] = []
    coverage: dict[tuple[str, str], float] = {}
    nationwide: list[pd.DataFrame] = []
    counts = {m.id for m in catalogue.measures.values() if m.additive}
    level_ids = {lv.id for lv in pack.levels}
    for ds in datasets:
        if ds.failed:
            continue
        table = ds.table
        file = display(ds.path)
        area_col = ds.spec.area.column
        # Postcodes were turned into base-level codes by the postcodes stage.
        level = pack.base if ds.spec.area.type not in level_ids else pack.level(ds.spec.area.type)
        codes = set(pack.areas(level.id)["code"])

        unknown = ~table["area_code"].isin(codes)
        national = (
            pack.national.get(level.id, set())
            if (ds.spec.national and pack.national is not None)
            else set()
        )
        # A national file covers every council: other councils' areas are expected, and
        # left out quietly. Codes unknown in the whole country are still reported.
        elsewhere = unknown & table["area_code"].isin(national)
        if ds.spec.national and not (national - codes):
            # The pack was imported from the council's own lookup rows, so its national
            # list knows only this council: a code shaped like this level's codes
            # (S02 and seven digits) is taken as another council's, and left out quietly.
            shapes = {_shape(c) for c in codes}
            elsewhere = unknown & table["area_code"].map(_shape).isin(shapes)
        # A record-level file is a council's own extract: never summed into other councils'
        # or Scotland's figures, even if marked national.
        if ds.spec.national and not ds.spec.record_level and (national - codes):
            nationwide.append(
                national_rows(
                    ds, table, national | codes, level.id, pack.national_councils.get(level.id)
                )
            )
        wanted = ~elsewhere
        ds.drop("other-council", table.loc[elsewhere, "row"])
        if ds.spec.only_periods:
            wanted &= table["period"].isin(ds.spec.only_periods)
        table, unknown = table[wanted], unknown[wanted]
        for row, code in _first_per_row(table[unknown], "area_code"):
            problems.append(
                Problem(
                    file,
                    row,
                    None,
                    area_col,
                    "unknown-area",
                    # A postcode may be an address: never repeat it.
                    (
                        "this row's postcode is not in a"
                        if ds.spec.area.type == "postcode"
                        else f"{code!r} is not a"
                    )
                    + f" {level.label.lower()} of this council "
                    f"(geography pack {pack.spec.name}, vintage {pack.spec.vintage}); row dropped",
                    severity="warning",
                )
            )

        blank = table["period"].astype(str).str.strip() == ""
        for row, _ in _first_per_row(table[blank], "period"):
            problems.append(
                Problem(
                    file,
                    row,
                    None,
                    ds.spec.period.column or "period",
                    "blank-period",
                    "no period in this row; row dropped",
                    severity="warning",
                )
            )

        negative = table["measure"].isin(counts) & (table["value"] < 0)
        # A count of people or households is whole; money (unit £) and a mean over the
        # months of a year need not be.
        whole = (
            set()
            if ds.spec.period.aggregate == "mean"
            else {m for m in counts if catalogue.measures[m].unit != "£"}
        )
        fractional = (
            table["measure"].isin(whole)
            & ~negative
            & (table["value"].to_numpy() % 1 != 0)
            & table["value"].notna()
        )
        for _, r in table[fractional].iterrows():
            problems.append(
                Problem(
                    file,
                    int(r["row"]),
                    None,
                    ds.spec.measure_label(r["measure"]),
                    "fractional-count",
                    f"{r['value']:g} is not a whole number, but {r['measure']} is a count; "
                    "value dropped",
                    severity="warning",
                )
            )
        for _, r in table[negative].iterrows():
            problems.append(
                Problem(
                    file,
                    int(r["row"]),
                    None,
                    ds.spec.measure_label(r["measure"]),
                    "negative-value",
                    f"{r['value']:g} is negative, but {r['measure']} is a count; value dropped",
                    severity="warning",
                )
            )

        dropped = blank | negative | fractional
        table, unknown, negative = table[~dropped], unknown[~dropped], negative[~dropped]
        keys = ["area_code", "period", "measure"]
        duplicated = table.duplicated(keys, keep="first")
        first_rows = table.groupby(keys, sort=False)["row"].transform("min")
        for (_, r), first in zip(table[duplicated].iterrows(), first_rows[duplicated], strict=True):
            problems.append(
                Problem(
                    file,
                    int(r["row"]),
                    None,
                    ds.spec.measure_label(r["measure"]),
                    "duplicate-row",
                    f"{r['area_code']} {r['period']} {r['measure']} already given on row "
                    f"{first}; this row is dropped",
                    severity="warning",
                )
            )

        kept = table[~unknown & ~negative & ~duplicated]
        kept = kept.assign(level=level.id)
        clean.append(kept)
        for period, part in kept.groupby("period", sort=True):
            share = part["area_code"].nunique() / len(codes)
            coverage[(ds.spec.id, str(period))] = share
            if share < LOW_COVERAGE:
                problems.append(
                    Problem(
                        file,
                        None,
                        None,
                        "",
                        "low-coverage",
                        f"period {period} has data for {share:.0%} of the council's "
                        f"{level.label_plural.lower()}",
                        severity="warning",
                    )
                )

    table = (
        pd.concat(clean, ignore_index=True)
        if clean
        else pd.DataFrame(
            columns=["dataset", "row", "area_code", "period", "measure", "value", "level"]
        )
    )
    # The same measure, area and period from two datasets would be summed twice.
    clash = table.duplicated(["area_code", "period", "measure"], keep="first")
    for (measure, period), part in table[clash].groupby(["measure", "period"], sort=True):
        problems.append(
            Problem(
                config_file,
                None,
                None,
                f"measures.{measure}",
                "measure-clash",
                f"{measure} for {period} comes from more than one dataset "
                f"({', '.join(sorted(table[table['measure'] == measure]['dataset'].unique()))}); "
                f"the first is used for {len(part)} area(s)",
                severity="warning",
            )
        )
    country = (
        pd.concat(nationwide, ignore_index=True)
        if nationwide
        else pd.DataFrame(columns=NATIONAL_COLUMNS)
    )
    return CheckedData(table[~clash].reset_index(drop=True), problems, coverage, country)


def _shape(code: str) -> str:
    """A code's entity prefix with the rest blanked: 'S02001236' -> 'S02######', so that a
    data zone (S01...) is never taken for an intermediate zone (S02...)."""
    text = str(code)
    return text[:3] + re.sub(r"\w", "#", text[3:])


def _first_per_row(frame: pd.DataFrame, column: str) -> list[tuple[int, str]]:
    """One (row, value) per source row: a row with three measures is one problem, not three."""
    firsts = frame.drop_duplicates("row")
    return [(int(r), str(v)) for r, v in zip(firsts["row"], firsts[column], strict=True)]
