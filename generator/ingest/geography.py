"""Geography packs: a council's areas at several levels, their boundaries, and roll-up.

A pack is a folder::

    pack.yaml        name, vintage, levels (smallest first) and file names
    lookup.csv       one row per smallest unit: <level>_code, <level>_name for every level
    <level>.geojson  WGS84 FeatureCollection; each feature has id = area code and
                     properties {code, name}

Counts roll up through ``lookup.csv``; nothing is re-entered per level.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.errors import Problem, ProblemsError
from generator.ingest import yamlio


class LevelSpec(BaseModel):
    """One level of a geography pack, as declared in pack.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Level id used in configs and URLs, e.g. datazone, ward.",
    )
    label: str = Field(description="Singular name shown to users, e.g. 'Data zone'.")
    label_plural: str = Field(description="Plural name, e.g. 'Data zones'.")
    boundaries: str | None = Field(
        default=None, description="GeoJSON file of this level's shapes, if any."
    )


class PackSpec(BaseModel):
    """The contents of pack.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Pack name, e.g. 'west-lothian-dz2011'.")
    vintage: str = Field(description="Vintage of the smallest unit, e.g. 'scotland-dz2011'.")
    description: str = Field(default="", description="Where the shapes and lookup come from.")
    attribution: str = Field(default="", description="Licence text the site must show.")
    levels: list[LevelSpec] = Field(min_length=1, description="Levels, smallest first.")
    lookup: str = Field(default="lookup.csv", description="Lookup CSV from the smallest unit.")
    national_codes: str | None = Field(
        default=None,
        description="CSV (level, code) of every code of every level in the "
        "whole country, so national datasets can be filtered to this council's areas "
        "without reporting the rest of the country as unknown.",
    )


@dataclass(frozen=True)
class Level:
    """A level of geography as the rest of the pipeline sees it."""

    id: str
    label: str
    label_plural: str
    rank: int  # 0 for the smallest unit


@dataclass
class GeographyPack:
    """A loaded pack. ``lookup`` has <level>_code and <level>_name for every level."""

    root: Path
    spec: PackSpec
    lookup: pd.DataFrame
    _boundaries: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @cached_property
    def levels(self) -> list[Level]:
        return [Level(s.id, s.label, s.label_plural, n) for n, s in enumerate(self.spec.levels)]

    @property
    def base(self) -> Level:
        """The smallest unit: data zone in Scotland, LSOA in England."""
        return self.levels[0]

    def level(self, level_id: str) -> Level:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(level_id)

    def areas(self, level_id: str) -> pd.DataFrame:
        """Areas of one level: columns ``code``, ``name``, sorted by code."""
        cols = [f"{level_id}_code", f"{level_id}_name"]
        out = self.lookup[cols].drop_duplicates().sort_values(cols[0], ignore_index=True)
        out.columns = ["code", "name"]
        return out

    @cached_property
    def names(self) -> dict[str, str]:
        """Area name for every code at every level."""
        out: dict[str, str] = {}
        for level in self.levels:
            areas = self.areas(level.id)
            out.update(zip(areas["code"], areas["name"], strict=True))
        return out

    @cached_property
    def national(self) -> dict[str, set[str]] | None:
        """Level id -> every code of that level nationally, when the pack lists them."""
        if self.spec.national_codes is None:
            return None
        frame = pd.read_csv(self.root / self.spec.national_codes, dtype=str, keep_default_na=False)
        return {str(level): set(part["code"]) for level, part in frame.groupby("level")}

    def nests(self, child: str, parent: str) -> bool:
        """True when every area of ``child`` lies in exactly one area of ``parent``."""
        pairs = self.lookup[[f"{child}_code", f"{parent}_code"]].drop_duplicates()
        return bool(pairs[f"{child}_code"].is_unique)

    def boundaries(self, level_id: str) -> dict[str, Any] | None:
        """The level's FeatureCollection, or None when the pack has no shapes for it."""
        spec = self.spec.levels[self.level(level_id).rank]
        if spec.boundaries is None:
            return None
        if level_id not in self._boundaries:
            path = self.root / spec.boundaries
            with path.open(encoding="utf-8") as fh:
                self._boundaries[level_id] = json.load(fh)
        return self._boundaries[level_id]

    def rollup(self, tidy: pd.DataFrame, additive: set[str]) -> pd.DataFrame:
        """Sum additive measures from the level they come at up to every level they nest in.

        ``tidy`` has columns area_code, period, measure, value, and optionally ``level``
        (the level of each row's area; the smallest unit when absent). The result holds
        every level, with a ``level`` column. A measure given at the smallest unit reaches
        every level. One given at a coarser level (CiLIF by intermediate zone) reaches only
        the levels that level nests in exactly: never a level it would have to be split
        across, and never a finer one, so a coarse count is never spread over data zones.
        Non-additive measures stay where they are. A sum over areas of which some are
        missing is still a sum of what we have; coverage is reported by the checks stage.
        With ``low``/``high`` columns (censored source cells), a sum with a censored part has
        no value, only the sums of its parts' bounds.
        """
        if "level" not in tidy.columns:
            tidy = tidy.assign(level=self.base.id)
        censored = "low" in tidy.columns
        if censored:  # bounds on every row, so that sums of bounds are bounds of sums
            low, high = _bounds(tidy)
            tidy = tidy.assign(low=low, high=high)
        frames = [tidy]
        numbers = ["value", "low", "high"] if censored else ["value"]
        keys = [c for c in tidy.columns if c not in ("area_code", "level", *numbers)]
        for source in [lv for lv in self.levels if (tidy["level"] == lv.id).any()]:
            rows = tidy[(tidy["level"] == source.id) & tidy["measure"].isin(additive)]
            for level in self.levels[source.rank + 1 :]:
                if not self.nests(source.id, level.id):
                    continue
                pairs = self.lookup[[f"{source.id}_code", f"{level.id}_code"]].drop_duplicates()
                mapped = rows.merge(
                    pairs, left_on="area_code", right_on=f"{source.id}_code", how="inner"
                )
                if censored:
                    mapped = mapped.assign(_unknown=mapped["value"].isna())
                grouped = mapped.groupby([f"{level.id}_code", *keys], sort=True, dropna=False)
                summed = grouped[numbers + (["_unknown"] if censored else [])].sum(min_count=1)
                if censored:
                    # A sum with a withheld part is not known exactly: only its bounds are.
                    summed.loc[summed.pop("_unknown").to_numpy() > 0, "value"] = float("nan")
                summed = summed.reset_index().rename(columns={f"{level.id}_code": "area_code"})
                frames.append(summed.assign(level=level.id))
        return pd.concat(frames, ignore_index=True)


def _bounds(tidy: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """low/high on every row: a row without bounds is exact."""
    return tidy["low"].fillna(tidy["value"]), tidy["high"].fillna(tidy["value"])


def load_pack(root: Path) -> GeographyPack:
    """Load the pack in folder ``root``; raise ProblemsError naming the file and field."""
    doc = yamlio.load_yaml(root / "pack.yaml")
    try:
        spec = PackSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise ProblemsError(
            yamlio.validation_problems(doc, exc), "the geography pack has problems"
        ) from None
    lookup_path = root / spec.lookup
    shown = yamlio.display(lookup_path)
    try:
        lookup = pd.read_csv(lookup_path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ProblemsError(
            [doc.problem(("lookup",), "missing-file", f"lookup file {shown} not found")]
        ) from None
    problems: list[Problem] = []
    for level in spec.levels:
        for col in (f"{level.id}_code", f"{level.id}_name"):
            if col not in lookup.columns:
                problems.append(
                    Problem(
                        shown,
                        1,
                        None,
                        col,
                        "missing-column",
                        f"lookup has no column {col!r}; columns are: " + ", ".join(lookup.columns),
                    )
                )
    if not problems:
        base_col = f"{spec.levels[0].id}_code"
        dupes = lookup[lookup[base_col].duplicated()]
        for idx, code in dupes[base_col].items():
            problems.append(
                Problem(
                    shown,
                    int(idx) + 2,
                    None,
                    base_col,
                    "duplicate-code",
                    f"{code} appears more than once",
                )
            )
    for n, level in enumerate(spec.levels):
        if level.boundaries and not (root / level.boundaries).exists():
            problems.append(
                doc.problem(
                    ("levels", n, "boundaries"),
                    "missing-file",
                    f"{level.boundaries} not found in {yamlio.display(root)}",
                )
            )
    if problems:
        raise ProblemsError(problems, "the geography pack has problems")
    return GeographyPack(root=root, spec=spec, lookup=lookup)
