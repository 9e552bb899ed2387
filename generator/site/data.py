"""A council's published values, re-checked and sliced once for every page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from generator.analysis.compute import NUMERIC_COLUMNS
from generator.ingest.catalogue import AnyIndicator, ShareIndicator
from generator.ingest.geography import Level
from generator.site.council import CouncilSite
from generator.site.formatting import is_missing

#: The measure of need the overview leads with: children in low income families.
LEAD_NEED_MEASURE = "cilif_children"


def safe_name(code: str) -> str:
    """A file name for an area code: anything but letters, digits, ``._-`` becomes ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(code)) or "_"


def published(values: pd.DataFrame) -> pd.DataFrame:
    """The values table with every number blanked on suppressed rows.

    ``disclosure.publish`` already does this; doing it again here means a mistake upstream
    cannot put a withheld number on a page.
    """
    df = values.copy()
    for col in NUMERIC_COLUMNS:
        if col not in df.columns:
            df[col] = float("nan")
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["suppressed"] = df["suppressed"].fillna(False).astype(bool)
    for col in ("comparison", "note", "area_name", "status"):
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    for col in ("indicator", "level", "area_code", "period"):
        df[col] = df[col].astype(str)
    df.loc[df["suppressed"], NUMERIC_COLUMNS] = float("nan")
    df.loc[df["suppressed"], ["comparison", "status"]] = ""
    return df


def lead_indicator(indicators: list[AnyIndicator]) -> AnyIndicator | None:
    """The indicator the overview maps: the CiLIF share if shown, else the first."""
    for ind in indicators:
        if isinstance(ind, ShareIndicator) and ind.numerator == LEAD_NEED_MEASURE:
            return ind
    for ind in indicators:
        if LEAD_NEED_MEASURE in ind.measures():
            return ind
    return indicators[0] if indicators else None


@dataclass
class SiteData:
    """The published values of one council, sliced once for all pages."""

    site: CouncilSite
    values: pd.DataFrame = field(init=False)
    top: Level | None = field(init=False)  # the council level, if the pack has one
    sub_levels: list[Level] = field(init=False)  # every level below the council
    slices: dict[tuple[str, str, str], pd.DataFrame] = field(init=False)
    council: dict[str, pd.DataFrame] = field(init=False)  # indicator -> council rows
    latest: dict[str, str] = field(init=False)  # indicator -> latest period
    areas: dict[str, pd.DataFrame] = field(init=False)  # level -> code, name
    #: breakdown variants: (indicator, "breakdown.category", level, period) -> rows
    variants: dict[tuple[str, str, str, str], pd.DataFrame] = field(init=False)
    #: indicator -> (breakdown, category) -> periods with values, in order
    variant_periods: dict[str, dict[tuple[str, str], list[str]]] = field(init=False)
    #: for area pages, per level: each area's first lookup row (its parents) ...
    first_lookup_row: dict[str, dict[str, dict[str, Any]]] = field(init=False)
    #: ... and its base areas as (code, name), sorted by name
    children: dict[str, dict[str, list[tuple[str, str]]]] = field(init=False)
    _council_records: dict[str, dict[str, dict[str, Any]]] = field(init=False)
    _records: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = field(init=False)

    def __post_init__(self) -> None:
        site = self.site
        levels = site.pack.levels
        self.top = levels[-1] if len(levels) > 1 else None
        self.sub_levels = levels[:-1] if len(levels) > 1 else list(levels)
        shown = {i.id for i in site.indicators}
        values = published(site.values)
        values = values[values["indicator"].isin(shown)]
        order = {i.id: n for n, i in enumerate(site.indicators)}
        rank = {lv.id: lv.rank for lv in levels}
        values = values.assign(
            _i=values["indicator"].map(order), _l=values["level"].map(rank).fillna(len(levels))
        )
        values = values.sort_values(["_i", "_l", "area_code", "period"], kind="mergesort")
        self.values = values.drop(columns=["_i", "_l"]).reset_index(drop=True)
        self.slices = {
            key: part
            for key, part in self.values.groupby(["indicator", "level", "period"], sort=False)
        }
        self.areas = {lv.id: site.pack.areas(lv.id) for lv in levels}
        self.council = {}
        self.latest = {}
        self._council_records = {}
        self._records = {}
        for ind_id, part in self.values.groupby("indicator", sort=False):
            # The latest period with a value (or a withheld one): CiLIF runs a year past the
            # population estimates, and a latest period of blanks helps nobody.
            known = part[part["value"].notna() | part["suppressed"].astype(bool)]
            self.latest[str(ind_id)] = str((known if not known.empty else part)["period"].max())
            if self.top is not None:
                top_rows = part[part["level"] == self.top.id]
                mine = top_rows[top_rows["area_code"] == site.code]
                if mine.empty and top_rows["area_code"].nunique() == 1:
                    mine = top_rows
                self.council[str(ind_id)] = mine.sort_values("period", kind="mergesort")
        self._slice_variants()
        self._index_lookup()

    def _slice_variants(self) -> None:
        self.variants = {}
        self.variant_periods = {}
        breakdowns = self.site.breakdowns
        if breakdowns is None or breakdowns.empty:
            return
        split = published(breakdowns)
        for (ind_id, bd, cat, lv, p), part in split.groupby(
            ["indicator", "breakdown", "category", "level", "period"], sort=True
        ):
            self.variants[(str(ind_id), f"{bd}.{cat}", str(lv), str(p))] = part
            periods = self.variant_periods.setdefault(str(ind_id), {}).setdefault(
                (str(bd), str(cat)), []
            )
            if p not in periods:
                periods.append(str(p))

    def _index_lookup(self) -> None:
        base = self.site.pack.base.id
        self.first_lookup_row = {}
        self.children = {}
        records = self.site.pack.lookup.to_dict("records")
        for lv in self.sub_levels:
            firsts: dict[str, dict[str, Any]] = {}
            kids: dict[str, set[tuple[str, str]]] = {}
            for rec in records:
                firsts.setdefault(rec[f"{lv.id}_code"], rec)
                kids.setdefault(rec[f"{lv.id}_code"], set()).add(
                    (rec[f"{base}_code"], rec[f"{base}_name"])
                )
            self.first_lookup_row[lv.id] = firsts
            self.children[lv.id] = {
                k: sorted(v, key=lambda cn: (cn[1], cn[0])) for k, v in kids.items()
            }

    def rows(self, ind_id: str, level_id: str, period: str) -> pd.DataFrame:
        found = self.slices.get((ind_id, level_id, period))
        if found is None:
            return self.values.iloc[0:0]
        return found

    def council_row(self, ind_id: str, period: str) -> dict[str, Any] | None:
        """The council's row for an indicator and period, or None."""
        if ind_id not in self._council_records:
            rows = self.council.get(ind_id)
            self._council_records[ind_id] = (
                {} if rows is None else {r["period"]: r for r in rows.to_dict("records")}
            )
        return self._council_records[ind_id].get(period)

    def record(self, ind_id: str, level_id: str, period: str, code: str) -> dict[str, Any] | None:
        """One area's row as a dict, or None. Indexes each slice on first use."""
        key = (ind_id, level_id, period)
        if key not in self._records:
            self._records[key] = {r["area_code"]: r for r in self.rows(*key).to_dict("records")}
        return self._records[key].get(code)

    def council_value(self, ind_id: str, period: str) -> float | None:
        row = self.council_row(ind_id, period)
        if row is None or row["suppressed"] or is_missing(row["value"]):
            return None
        return float(row["value"])

    def has_level(self, ind_id: str, level_id: str) -> bool:
        period = self.latest.get(ind_id)
        return period is not None and (ind_id, level_id, period) in self.slices
