"""Areas as people type them: codes or names, at any level of a geography pack.

``normalise`` makes names comparable (case, spacing, punctuation, "&"/"and", "St"/"Saint");
``area_index`` and ``resolve_area`` find an area typed in the interventions log, the notes
or a target. Kept apart from ``areanames`` (datasets given by name), which needs the
loaders, so that the config's models can use it without an import cycle.
"""

from __future__ import annotations

import difflib
import re

from generator.ingest.geography import GeographyPack


def normalise(name: str) -> str:
    """A name with case, spacing, punctuation, '&'/'and' and 'St'/'Saint' made uniform:
    'UPPER & LOWER  MILLTOWN', 'Upper and Lower Milltown' and 'upper-and-lower milltown'
    all give 'upper and lower milltown'."""
    text = str(name).casefold().replace("&", " and ")
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = re.sub(r"\bsaint\b", "st", text)
    return " ".join(text.split())


def did_you_mean(typed: str, known: list[str]) -> str:
    close = difflib.get_close_matches(typed, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def area_index(pack: GeographyPack) -> dict[str, list[tuple[str, str]]]:
    """Normalised code or name -> every (level, code) it names."""
    index: dict[str, list[tuple[str, str]]] = {}
    for level in pack.levels:
        areas = pack.areas(level.id)
        for code, name in zip(areas["code"], areas["name"], strict=True):
            for key in {normalise(str(code)), normalise(str(name))}:
                if (level.id, str(code)) not in index.setdefault(key, []):
                    index[key].append((level.id, str(code)))
    return index


def resolve_area(
    typed: str, pack: GeographyPack, index: dict[str, list[tuple[str, str]]]
) -> tuple[str, str] | str:
    """(level, code) for an area as typed, or why not: "unknown" or "ambiguous"."""
    if typed.strip().lower() == "all":
        top = pack.levels[-1]
        return (top.id, str(pack.areas(top.id)["code"].iloc[0]))
    exact = [hit for hit in index.get(normalise(typed), []) if hit[1] == typed.strip()]
    hits = exact or index.get(normalise(typed), [])
    if not hits:
        return "unknown"
    return hits[0] if len(hits) == 1 else "ambiguous"


def area_problem(why: str, typed: str, pack: GeographyPack) -> tuple[str, str]:
    if why == "ambiguous":
        return (
            "ambiguous-area",
            f"{typed!r} names more than one area of geography pack {pack.spec.name}: give its code",
        )
    return (
        "unknown-area",
        f"{typed!r} is neither the code nor the name of an area of geography pack "
        f"{pack.spec.name} (at any level)",
    )
