"""``cdash scotland``: every council in Scotland from the national open data, in one step.

From the national data zone boundaries (``boundaries/dz2011_scotland.geojson``) and the
statistics.gov.scot data zone lookup it makes one geography pack per council; from the
open-data config template (``template/open-data/council.yaml``) one config per council,
mapping the national datasets (SIMD, population estimates, CiLIF, Universal Credit); then it
builds every council and the Scotland portal. The seed configs in ``council_configs/`` are
three of its outputs (``tests/test_scotland.py`` checks that they match).

The data folder is laid out as ``../shared/data`` is (see ``docs/onboarding.md``, "The
national open data"): ``boundaries/``, ``lookups/``, ``simd/``, ``population/``,
``cilif/``, ``benefits/``.

Packs are imported once into ``<work>/packs`` and reused while the boundaries, the lookup
and the importer are unchanged (a digest in ``<work>/packs/inputs.txt``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from generator.errors import CdashError, UsageError
from generator.paths import OPEN_DATA_TEMPLATE, PROJECT

#: The national files, relative to the data folder.
BOUNDARIES = "boundaries/dz2011_scotland.geojson"
LOOKUP = "lookups/DataZone2011lookup_2022-05-05.csv"
DATASETS = (
    "simd/simd2020v2_dz2011_tidy.csv",
    "population/sape_mid2020_dz2011_children_summary.csv",
    "population/sape_mid2020_dz2011_single_year_by_sex.csv",
    "cilif/cilif_relative_iz2011.csv",
    "benefits/uc_households_iz2011.csv",
)
NEEDED = (BOUNDARIES, LOOKUP, *DATASETS)
VINTAGE = "scotland-dz2011"
#: Every 2011 data zone in Scotland, in 32 councils (the lookup's rows).
DATA_ZONES, COUNCILS = 6976, 32
#: The OS notice every page of a site drawn on these boundaries must show.
BOUNDARY_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Data zone boundaries: Scottish Government. "
    "Contains OS data © Crown copyright and database right."
)


@dataclass(frozen=True)
class Council:
    """One council as the lookup names it."""

    slug: str
    code: str  # LA_Code, e.g. S12000040
    name: str  # LA_Name, e.g. West Lothian

    @property
    def pack(self) -> str:
        return f"{self.slug}-dz2011"

    @property
    def title(self) -> str:
        """The council's name as its pages show it: 'West Lothian Council'."""
        return self.name if self.name.endswith("Council") else f"{self.name} Council"


def slugify(name: str) -> str:
    """'Dumfries & Galloway' -> 'dumfries-and-galloway'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "and")).strip("-")


def missing_files(data: Path) -> list[str]:
    """The national files ``data`` lacks (relative paths), in NEEDED order."""
    return [rel for rel in NEEDED if not (data / rel).is_file()]


def councils_from_lookup(data: Path) -> dict[str, Council]:
    """slug -> Council for every council in the lookup, in name order."""
    import pandas as pd

    frame = pd.read_csv(data / LOOKUP, usecols=["LA_Code", "LA_Name"], dtype=str)
    pairs = frame.drop_duplicates().sort_values(["LA_Name", "LA_Code"])
    out = {}
    for code, name in zip(pairs["LA_Code"], pairs["LA_Name"], strict=True):
        slug = slugify(name)
        if slug in out:
            raise CdashError(f"{data / LOOKUP}: two councils make the slug {slug!r}")
        out[slug] = Council(slug, code, name)
    return out


def select(councils: dict[str, Council], wanted: list[str] | None) -> dict[str, Council]:
    """The councils named (slugs or codes), or all; an unknown name is a usage error."""
    if not wanted:
        return councils
    by_code = {c.code: c for c in councils.values()}
    out = {}
    for name in wanted:
        council = councils.get(name) or by_code.get(name)
        if council is None:
            raise UsageError(
                f"--councils: {name!r} is no council in the lookup; slugs are "
                + ", ".join(sorted(councils))
            )
        out[council.slug] = council
    return dict(sorted(out.items()))


def partition(data: Path, councils: dict[str, Council]) -> dict[str, list[dict]]:
    """The national data zone features, split by council (slug -> features), in file order.

    Every feature goes to exactly one council, by its ``la_code``; a feature of no council
    in ``councils`` is left out."""
    scotland = json.loads((data / BOUNDARIES).read_text(encoding="utf-8"))
    by_code: dict[str, list[dict]] = defaultdict(list)
    for feature in scotland["features"]:
        by_code[feature["properties"]["la_code"]].append(feature)
    return {slug: by_code.get(c.code, []) for slug, c in councils.items()}


def _inputs_digest(data: Path) -> str:
    key = hashlib.sha256()
    for rel in (BOUNDARIES, LOOKUP):
        key.update(hashlib.sha256((data / rel).read_bytes()).digest())
    key.update((PROJECT / "generator" / "ingest" / "geoimport.py").read_bytes())
    key.update(BOUNDARY_ATTRIBUTION.encode())
    return key.hexdigest()[:16]


def import_packs(data: Path, councils: dict[str, Council], packs: Path) -> list[str]:
    """One geography pack per council in ``packs``, from the national boundaries and lookup.

    A pack already there from the same inputs is kept; returns the slugs imported now."""
    from generator.ingest.geoimport import import_pack

    digest = _inputs_digest(data)
    stamp = packs / "inputs.txt"
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() != digest:
        stamp.unlink()  # other inputs: import every pack again
    fresh = stamp.is_file()
    todo = [
        s for s in councils if not (fresh and (packs / councils[s].pack / "pack.yaml").is_file())
    ]
    if not todo:
        return []
    split = packs / "_boundaries"
    split.mkdir(parents=True, exist_ok=True)
    features = partition(data, {s: councils[s] for s in todo})
    for slug in todo:
        council = councils[slug]
        path = split / f"{slug}.geojson"
        body = {"type": "FeatureCollection", "features": features[slug]}
        path.write_text(json.dumps(body), encoding="utf-8")
        import_pack(
            path,
            data / LOOKUP,
            packs / council.pack,
            name=council.pack,
            vintage=VINTAGE,
            code_field="dz_code",
            councils=[council.code],
            attribution=BOUNDARY_ATTRIBUTION,
            description=f"{council.name}: imported by `cdash scotland` from {BOUNDARIES} "
            f"and {LOOKUP}.",
        )
        path.unlink()
    split.rmdir()
    stamp.write_text(digest + "\n", encoding="utf-8")
    return todo


def council_config(council: Council) -> str:
    """The open-data config of one council: the template with its name, code and pack."""
    text = OPEN_DATA_TEMPLATE.read_text(encoding="utf-8")
    for token, value in (
        ("@NAME@", council.title),
        ("@CODE@", council.code),
        ("@SLUG@", council.slug),
        ("@PACK@", council.pack),
    ):
        text = text.replace(token, value)
    return text


def write_configs(councils: dict[str, Council], folder: Path) -> list[Path]:
    """``folder/<slug>/council.yaml`` for each council (rewritten only when it changed)."""
    paths = []
    for slug, council in councils.items():
        target = folder / slug / "council.yaml"
        text = council_config(council)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        paths.append(target)
    return paths


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` made: the configs to build and the packs they name."""

    councils: dict[str, Council]
    configs: list[Path]
    packs: Path
    imported: list[str]


def prepare(data: Path, work: Path, wanted: list[str] | None = None) -> Prepared:
    """Packs and configs for the councils ``wanted`` (default all) under ``work``."""
    missing = missing_files(data)
    if missing:
        raise CdashError(
            f"{data} lacks the national file(s) {', '.join(missing)} "
            "(see docs/onboarding.md, 'The national open data')"
        )
    councils = select(councils_from_lookup(data), wanted)
    packs = work / "packs"
    imported = import_packs(data, councils, packs)
    configs = write_configs(councils, work / "configs")
    return Prepared(councils, configs, packs, imported)


# --- family groups of similar councils ------------------------------------------------------

#: Where the family groups are kept (made by ``family_groups`` from the national files).
FAMILY_GROUPS = PROJECT / "shared_indicators" / "family_groups.yaml"
#: Groups per grouping, as the LGBF makes them: four families of eight councils.
FAMILIES = 4
#: Urban Rural Classification (6-fold) classes counted as rural: accessible and remote rural.
RURAL_UR6 = ("5", "6")


def family_measures(data: Path) -> dict[str, dict[str, float]]:
    """Per council code, the two measures families are made from, in percent:
    ``deprivation``, the share of its population (NRS mid-2020) living in data zones in
    Scotland's most deprived SIMD 2020v2 quintile; ``rurality``, the share living in data
    zones the Scottish Government Urban Rural Classification (6-fold, in the lookup) calls
    accessible or remote rural."""
    import pandas as pd

    pop = pd.read_csv(
        data / DATASETS[1], usecols=["dz_code", "total_population"], dtype={"dz_code": str}
    )
    simd = pd.read_csv(
        data / DATASETS[0], usecols=["dz_code", "simd_quintile"], dtype={"dz_code": str}
    )
    lookup = pd.read_csv(data / LOOKUP, usecols=["DZ2011_Code", "LA_Code", "UR6_Code"], dtype=str)
    lookup = lookup.rename(columns={"DZ2011_Code": "dz_code"})
    frame = lookup.merge(pop, on="dz_code").merge(simd, on="dz_code")
    if len(frame) != len(lookup):
        raise CdashError(f"{data}: the population or SIMD file lacks some data zones of the lookup")
    frame["deprived"] = frame["total_population"].where(frame["simd_quintile"] == 1, 0)
    frame["rural"] = frame["total_population"].where(frame["UR6_Code"].isin(RURAL_UR6), 0)
    sums = frame.groupby("LA_Code")[["total_population", "deprived", "rural"]].sum()
    return {
        str(code): {
            "deprivation": round(100 * float(r.deprived) / float(r.total_population), 1),
            "rurality": round(100 * float(r.rural) / float(r.total_population), 1),
        }
        for code, r in sums.iterrows()
    }


def family_groups(data: Path) -> dict[str, dict[str, int]]:
    """Council code -> {deprivation: 1..4, rurality: 1..4}: the councils ranked by each
    measure (ties by code) and cut into four families of eight, 1 the least deprived (or
    least rural)."""
    measures = family_measures(data)
    out: dict[str, dict[str, int]] = {code: {} for code in measures}
    for key in ("deprivation", "rurality"):
        ranked = sorted(measures, key=lambda c: (measures[c][key], c))
        size = -(-len(ranked) // FAMILIES)
        for i, code in enumerate(ranked):
            out[code][key] = i // size + 1
    return out


def family_groups_yaml(data: Path) -> str:
    """shared_indicators/family_groups.yaml as ``family_groups`` makes it from ``data``."""
    councils = {c.code: c for c in councils_from_lookup(data).values()}
    measures, groups = family_measures(data), family_groups(data)
    lines = [
        "# Family groups of similar councils, for the Scotland comparison pages.",
        "# Made by generator/scotland.py (family_groups) from the national open data; a test",
        "# checks this file against the data. Do not edit by hand.",
        "#",
        "# Method: as the Local Government Benchmarking Framework (Improvement Service) groups",
        "# councils, four families of eight, 1 = least; but computed here from open data, so",
        "# the membership may differ from the LGBF's published families:",
        "#   deprivation: share of the population (NRS small area population estimates,",
        "#     mid-2020) living in data zones in Scotland's most deprived SIMD 2020v2 quintile;",
        "#   rurality: share living in data zones classed accessible or remote rural by the",
        "#     Scottish Government Urban Rural Classification (6-fold, UR6_Code in the",
        "#     statistics.gov.scot data zone lookup).",
        "source: >-",
        "  Computed from SIMD 2020v2 (Scottish Government), small area population estimates",
        "  mid-2020 (National Records of Scotland) and the Urban Rural Classification in the",
        "  statistics.gov.scot data zone lookup, after the LGBF family-group method (four",
        "  groups of eight councils). Contains public sector information licensed under the",
        "  Open Government Licence v3.0.",
        "groupings:",
        "  deprivation: {label: Deprivation family, measure: '% of people in SIMD quintile 1'}",
        "  rurality: {label: Rurality family, measure: '% of people in rural data zones'}",
        "councils:",
    ]
    for code in sorted(groups, key=lambda c: councils[c].name):
        m, g = measures[code], groups[code]
        lines.append(
            f"  {code}: {{name: {json.dumps(councils[code].name)}, "
            f"deprivation: {g['deprivation']}, rurality: {g['rurality']}, "
            f"deprivation_pct: {m['deprivation']}, rurality_pct: {m['rurality']}}}"
        )
    return "\n".join(lines) + "\n"
