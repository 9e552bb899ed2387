"""Geography packs: a council's areas at several levels, their boundaries, and roll-up.

A pack is a folder::

    pack.yaml        name, vintage, levels (smallest first) and file names
    lookup.csv       one row per smallest unit: <level>_code, <level>_name for every level
    <level>.geojson  WGS84 FeatureCollection; each feature has id = area code and
                     properties {code, name}

Counts roll up through ``lookup.csv``; nothing is re-entered per level.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.errors import Problem, ProblemsError
from generator.ingest import limits, yamlio


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

    @cached_property
    def national_councils(self) -> dict[str, dict[str, str]]:
        """Level id -> code -> the council it lies in, nationally; {} when the pack's
        national code list does not say (packs imported before it did)."""
        if self.spec.national_codes is None:
            return {}
        frame = pd.read_csv(self.root / self.spec.national_codes, dtype=str, keep_default_na=False)
        if "council" not in frame.columns:
            return {}
        return {
            str(level): dict(zip(part["code"], part["council"], strict=True))
            for level, part in frame.groupby("level")
        }

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
    """Load the pack in folder ``root``; raise ProblemsError naming the file and field.

    Every file of the pack is checked as it is read: paths stay inside the pack folder,
    the lookup has rows, and each level's GeoJSON is a non-empty FeatureCollection in
    WGS84 longitude/latitude whose codes are those of the lookup."""
    doc = yamlio.load_yaml(root / "pack.yaml")
    not_mapping = yamlio.mapping_problem(doc, "pack.yaml")
    if not_mapping is not None:
        raise ProblemsError([not_mapping], "the geography pack has problems")
    try:
        spec = PackSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise ProblemsError(
            yamlio.validation_problems(doc, exc), "the geography pack has problems"
        ) from None
    files: list[tuple[tuple[str | int, ...], str | None]] = [(("lookup",), spec.lookup)]
    files += [(("levels", n, "boundaries"), lv.boundaries) for n, lv in enumerate(spec.levels)]
    files += [(("national_codes",), spec.national_codes)]
    problems = [
        doc.problem(
            loc,
            "outside-pack-folder",
            f"{name!r} is outside the pack folder: name the pack's files relative to it, "
            "without '..'",
        )
        for loc, name in files
        if name is not None and limits.outside(name)
    ]
    for loc, name in files[1:]:
        if name is not None and not limits.outside(name) and not (root / name).is_file():
            problems.append(
                doc.problem(loc, "missing-file", f"{name} not found in {yamlio.display(root)}")
            )
    if problems:
        raise ProblemsError(problems, "the geography pack has problems")
    lookup_path = root / spec.lookup
    shown = yamlio.display(lookup_path)
    if not lookup_path.is_file():
        raise ProblemsError(
            [doc.problem(("lookup",), "missing-file", f"lookup file {shown} not found")]
        )
    lookup, problems = _read_lookup(lookup_path)
    if lookup is None:
        raise ProblemsError(problems, "the geography pack has problems")
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
    if problems:
        raise ProblemsError(problems, "the geography pack has problems")
    pack = GeographyPack(root=root, spec=spec, lookup=lookup)
    for level in spec.levels:
        if level.boundaries is not None:
            found, shapes = _read_boundaries(pack, level.id, root / level.boundaries)
            problems += found
            if shapes is not None:
                pack._boundaries[level.id] = shapes
    if problems:
        raise ProblemsError(problems, "the geography pack has problems")
    return pack


def _read_lookup(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The pack's lookup CSV, or None and why it cannot be read."""
    shown = yamlio.display(path)

    def problem(code: str, message: str, line: int = 1) -> list[Problem]:
        return [Problem(shown, line, None, "", code, message)]

    too_large = limits.too_large(path, "the lookup")
    if too_large:
        return None, problem("file-too-large", too_large)
    data = path.read_bytes()
    if not data.strip():
        return None, problem("empty-file", "the lookup is empty: it needs a header row and rows")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, _ = limits.text_line(data, exc.start)
        return None, problem("bad-encoding", f"not UTF-8 text ({exc.reason})", line)
    if "\x00" in text:
        return None, problem("bad-encoding", "holds NUL bytes: not a CSV text file")
    try:
        lookup = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return None, problem("bad-csv", f"cannot read as CSV: {str(exc).strip()}")
    if lookup.empty:
        return None, problem("no-rows", "the lookup has a header row but no rows")
    too_many = limits.too_many_rows(len(lookup))
    if too_many:
        return None, problem("too-many-rows", f"the lookup has {too_many}")
    return lookup, []


def _read_boundaries(
    pack: GeographyPack, level_id: str, path: Path
) -> tuple[list[Problem], dict[str, Any] | None]:
    """A level's GeoJSON, checked: problems, and the FeatureCollection when it is usable."""
    shown = yamlio.display(path)

    def problem(code: str, message: str, line: int = 1, col: int | None = None) -> list[Problem]:
        return [Problem(shown, line, col, "", code, message)]

    too_large = limits.too_large(path, "the boundary file")
    if too_large:
        return problem("file-too-large", too_large), None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
        shapes = json.loads(text)
    except UnicodeDecodeError as exc:
        line, col = limits.text_line(data, exc.start)
        return problem("bad-geojson", f"not UTF-8 GeoJSON text ({exc.reason})", line, col), None
    except json.JSONDecodeError as exc:
        return problem("bad-geojson", f"not valid JSON: {exc.msg}", exc.lineno, exc.colno), None
    except RecursionError:
        return problem("bad-geojson", "not GeoJSON: nested too deeply to read"), None
    features = shapes.get("features") if isinstance(shapes, dict) else None
    if not isinstance(shapes, dict) or shapes.get("type") != "FeatureCollection":
        return problem("bad-geojson", "not a GeoJSON FeatureCollection"), None
    if not isinstance(features, list):
        return problem("bad-geojson", "the FeatureCollection has no 'features' list"), None
    if not features:
        return problem("empty-boundaries", "the FeatureCollection has no features"), None
    codes: list[str] = []
    low, high = [180.0, 90.0], [-180.0, -90.0]
    for n, feat in enumerate(features, start=1):
        geometry = feat.get("geometry") if isinstance(feat, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(coords, list):
            return problem("bad-geojson", f"feature {n} has no geometry coordinates"), None
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        codes.append(str(feat.get("id", props.get("code", ""))))
        try:
            xy = np.asarray(_flatten(coords), dtype=float).reshape(-1, 2)
        except (ValueError, TypeError):
            return problem("bad-geojson", f"feature {n} has malformed coordinates"), None
        if len(xy):
            low = [min(low[0], xy[:, 0].min()), min(low[1], xy[:, 1].min())]
            high = [max(high[0], xy[:, 0].max()), max(high[1], xy[:, 1].max())]
    if not (low[0] >= -180 and high[0] <= 180 and low[1] >= -90 and high[1] <= 90):
        bng = low[0] >= 0 and high[0] <= 700_000 and low[1] >= 0 and high[1] <= 1_300_000
        hint = " (they look like British National Grid metres, EPSG:27700)" if bng else ""
        return problem(
            "not-wgs84",
            f"coordinates run from ({low[0]:g}, {low[1]:g}) to ({high[0]:g}, {high[1]:g}), "
            f"outside WGS84 longitude/latitude{hint}: re-make the pack with "
            "`cdash geography import`, which reprojects (--crs EPSG:27700)",
        ), None
    known = set(pack.areas(level_id)["code"])
    foreign = [c for c in codes if c not in known]
    if foreign:
        line = limits.text_line(text, max(text.find(json.dumps(foreign[0])), 0))[0]
        return problem(
            "unknown-boundary-code",
            f"{len(foreign)} of {len(codes)} shapes have codes that are not {level_id} codes "
            f"of the lookup, e.g. {foreign[0]}: boundaries of another council or vintage?",
            line,
        ), None
    missing = sorted(known - set(codes))
    if missing:
        lookup = yamlio.display(pack.root / pack.spec.lookup)
        col = pack.lookup[f"{level_id}_code"]
        rows = [int(i) + 2 for i in col.index[col.isin(missing)]]
        return [
            Problem(
                lookup,
                rows[0],
                None,
                f"{level_id}_code",
                "no-shape",
                f"{len(missing)} {level_id} code(s) of the lookup have no shape in {shown}, "
                f"e.g. {missing[0]}",
            )
        ], None
    return [], shapes


def _flatten(coords: list[Any]) -> list[float]:
    """Every number of a GeoJSON coordinates array, in order."""
    out: list[float] = []
    stack = [coords]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and not isinstance(item[0], list):
            out.extend(item[:2] if len(item) >= 2 else [float("nan"), float("nan")])
        elif isinstance(item, list):
            stack.extend(reversed(item))
        else:
            raise ValueError("not a coordinate")
    return out
