"""Datasets whose areas are given by name (``area: {by: name}``): names as people type them,
matched to the geography pack's names.

Runs between loading and the checks, like the postcode stage. A name matches when it is
the same as a pack name after ``normalise`` (case, spaces, punctuation, "&"/"and",
"St"/"Saint"), or when the config's ``aliases`` say which area it is. A close match is
only ever suggested ("did you mean"), never applied: a wrong guess would move counts to
another area without anyone seeing it. An alias to null marks rows that belong to no area
("Not known"): they are counted as unplaced, without a warning.
"""

from __future__ import annotations

import pandas as pd
from rapidfuzz import fuzz, process

from generator.errors import Problem
from generator.ingest.arearefs import normalise
from generator.ingest.geography import GeographyPack
from generator.ingest.loaders import LoadedDataset, count_households
from generator.ingest.yamlio import YamlDocument, display

#: Similarity (0-100, rapidfuzz WRatio on normalised names) a pack name needs to be
#: suggested for a name that matches nothing.
SUGGEST_SCORE = 70


def assign(doc: YamlDocument, ds: LoadedDataset, pack: GeographyPack) -> None:
    """Replace each row's typed area name by its area code, in place. Rows whose name
    matches nothing are dropped with a located warning per name (with the closest pack
    names); rows aliased to null are dropped and counted on ``ds.unplaced``."""
    spec = ds.spec
    level = spec.area.type
    areas = pack.areas(level)
    by_name: dict[str, str] = {}
    for code, name in zip(areas["code"], areas["name"], strict=True):
        by_name.setdefault(normalise(name), code)
    resolved: dict[str, str | None] = {}
    for typed, target in spec.area.aliases.items():
        if target is None:
            resolved[normalise(typed)] = None
        elif normalise(target) in by_name:
            resolved[normalise(typed)] = by_name[normalise(target)]
        else:
            ds.problems.append(
                doc.problem(
                    ("datasets", ds.index, "area", "aliases", typed),
                    "unknown-area-name",
                    f"alias target {target!r} is not the name of a "
                    f"{level.replace('_', ' ')} in geography pack {pack.spec.name}"
                    + _suggest(normalise(target), areas),
                )
            )
    table = ds.table if not spec.record_level or ds.records is None else ds.records
    typed = table["area_code"].astype(str)
    keys = typed.map(normalise)
    codes = keys.map(lambda k: resolved[k] if k in resolved else by_name.get(k, ""))
    unplaced = codes.isna()
    unmatched = codes.eq("") & ~unplaced
    shown = display(ds.path)
    ds.drop("unknown-area-name", table.loc[unmatched, "row"])
    ds.drop("unplaced", table.loc[unplaced, "row"])
    for key, part in table[unmatched].groupby(keys[unmatched], sort=True):
        rows = sorted(set(part["row"].astype(int)))
        ds.problems.append(
            Problem(
                shown,
                rows[0],
                None,
                spec.area.column,
                "unknown-area-name",
                f"{part['area_code'].iloc[0]!r} ({len(rows)} row(s)) is not the name of a "
                f"{level.replace('_', ' ')} in geography pack {pack.spec.name}"
                + _suggest(str(key), areas)
                + "; rows dropped. If it is one, add it under area.aliases",
                severity="warning",
            )
        )
    if unplaced.any():
        part = table[unplaced]
        ds.unplaced.append(
            {
                "reason": "aliased to null: "
                + ", ".join(sorted({repr(t) for t in part["area_code"]})),
                "rows": int(part["row"].nunique()),
                "by_period": {
                    str(p): int(g["row"].nunique()) for p, g in part.groupby("period", sort=True)
                },
            }
        )
    placed = table[~unplaced & ~unmatched].assign(area_code=codes[~unplaced & ~unmatched])
    if spec.record_level and ds.records is not None:
        ds.records = placed.reset_index(drop=True)
        if spec.count_as is not None:
            ds.table, ds.breakdowns = count_households(
                ds.records, spec.id, spec.count_as, spec.breakdowns
            )
    else:
        ds.table = placed.reset_index(drop=True)


def _suggest(key: str, areas: pd.DataFrame) -> str:
    """' (did you mean 'X'?)' for the closest pack name, or nothing."""
    names = list(areas["name"])
    found = process.extractOne(
        key, [normalise(n) for n in names], scorer=fuzz.WRatio, score_cutoff=SUGGEST_SCORE
    )
    if found is None:
        return ""
    return f" (did you mean {names[found[2]]!r}?)"
