"""The downloads hold everything published (issue 17): every number a page shows, in its
tables, cards and the views its controls switch to (breakdowns, every period, SIMD groups,
the national figure), is a number in the council's CSV downloads."""

from __future__ import annotations

import bisect
import csv
import html
import io
import json
import re

from generator.site.pages import views

NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
NUM_CELL = re.compile(r'<td class="num"[^>]*>(.*?)</td>', re.S)
VIEW = re.compile(r'<script type="application/json" id="view-data">(.*?)</script>', re.S)
#: Tables whose numbers are not published values: index weights and scores (derived on the
#: page), the quality page's row counts, and the data zones in a SIMD group are checked apart.
SKIPPED_TABLE = re.compile(r'<section class="panel index-components".*?</section>', re.S)


def _numbers(text: str) -> list[tuple[float, int]]:
    """Every number in ``text`` with its shown decimals ("24.4–25.5" gives two)."""
    out = []
    words = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for token in NUMBER.findall(re.sub(r"per [\d,]+", "", words)):  # a unit, not a value
        clean = token.replace(",", "")
        out.append((float(clean), len(clean.split(".")[1]) if "." in clean else 0))
    return out


def _published(demo_files: dict[str, bytes]) -> list[tuple[str, str, str, float]]:
    """Every number in every CSV download: (indicator, level, area code, number)."""
    found = []
    for path, body in demo_files.items():
        if not (path.startswith("demo/data/") and path.endswith(".csv")):
            continue
        for row in csv.DictReader(io.StringIO(body.decode("utf-8"))):
            keys = (row.get("indicator", ""), row.get("level", "simd"), row.get("area_code", ""))
            for name, cell in row.items():
                if name in ("area_code", "area_name", "period", "group"):
                    continue
                try:
                    found.append((*keys, float(cell)))
                except ValueError:
                    continue
    return found


def _index(rows: list[tuple[str, str, str, float]]) -> dict[str, list[float]]:
    """Published numbers by indicator ("i:<id>"), area ("a:<code>") and level ("l:<id>")."""
    out: dict[str, set[float]] = {}
    for ind, level, code, value in rows:
        for key in (f"i:{ind}", f"a:{code}", f"l:{level}"):
            out.setdefault(key, set()).add(value)
    return {k: sorted(v) for k, v in out.items()}


def _for_page(path: str, index: dict[str, list[float]]) -> list[float]:
    """The published numbers a page may show: an indicator page's own indicator; an area
    profile's own area and the council (with its national values); the report's council and
    ward values."""
    name = path.rsplit("/", 1)[-1].removesuffix(".html")
    if "/indicators/" in path:
        keys = [f"i:{name}"]
    elif "/areas/" in path:
        keys = [f"a:{name}", "l:council"]
    else:
        keys = ["l:council", "l:ward"]
    return sorted({v for k in keys for v in index.get(k, [])})


def _in(published: list[float], number: tuple[float, int]) -> bool:
    """Whether a number shown at ``decimals`` is a published value rounded to them (the
    CSV carries more decimals, themselves rounded: half a unit of each is allowed)."""
    value, decimals = number
    slack = 0.5 * 10**-decimals + 0.0005 + 1e-9
    i = bisect.bisect_left(published, value - slack)
    return i < len(published) and published[i] <= value + slack


def _shown(demo_files: dict[str, bytes]) -> dict[str, list[tuple[float, int]]]:
    """The numbers each indicator, area and report page shows or can switch to."""
    shown: dict[str, list[tuple[float, int]]] = {}
    for path, body in demo_files.items():
        if not path.endswith(".html") or not (
            "/indicators/" in path or "/areas/" in path or path.endswith("report.html")
        ):
            continue
        page = SKIPPED_TABLE.sub("", body.decode("utf-8"))
        numbers = [n for cell in NUM_CELL.findall(page) for n in _numbers(cell)]
        council = re.search(r'id="council-value">(.*?)</span>', page)
        if council:
            numbers += _numbers(council.group(1))[:1]
        national = re.search(r'id="national-value">(.*?)</span>', page)
        if national:
            numbers += _numbers(national.group(1))[:1]
        view = VIEW.search(page)
        if view:
            payload = json.loads(view.group(1).replace("<\\/", "</"))
            folder = path.rsplit("/", 1)[0]
            loaded = [
                views.read_view_script(demo_files[f"{folder}/{href}"])["view"]
                for href in payload.get("files", {}).values()
            ]
            for v in [*payload["views"].values(), *loaded]:
                for rows in v["cells"].values():
                    for r in rows:  # code, numerator, denominator, value, sort, ci, ...
                        numbers += [n for c in (r[1], r[2], r[3], r[5]) for n in _numbers(c)]
                for rows in v.get("rows", {}).values():  # SIMD tables: name, zones, ...
                    numbers += [n for r in rows for c in r[2:] for n in _numbers(c)]
                numbers += _numbers(v["council"])[:1]
                if v.get("national"):
                    numbers += _numbers(v["national"]["value"])[:1]
        shown[path] = numbers
    return shown


def test_every_number_shown_is_in_the_downloads(demo_files):
    """Each number in a table cell, card or switchable view of an indicator page, an area
    profile or the report is a value in one of the CSVs, at the decimals shown."""
    index = _index(_published(demo_files))
    shown = _shown(demo_files)
    assert sum(len(v) for v in shown.values()) > 10_000
    missing = {}
    for path, numbers in shown.items():
        published = _for_page(path, index)
        missing[path] = sorted({n for n in numbers if not _in(published, n)})[:5]
    missing = {p: m for p, m in missing.items() if m}
    assert missing == {}


def test_breakdowns_groups_and_national_values_are_downloaded(demo_files):
    """The breakdown rows, the SIMD groups and the national values are in the downloads and
    the data package describes each file."""
    data = {p.rsplit("/", 1)[-1]: b.decode() for p, b in demo_files.items() if "/data/" in p}
    assert {"breakdowns.csv", "simd_groups.csv", "indicator_values.csv"} <= set(data)
    values = list(csv.DictReader(io.StringIO(data["indicator_values.csv"])))
    assert any(r["national"] for r in values if r["level"] == "council")
    assert all(not r["national"] for r in values if r["suppressed"] == "true")
    assert {r["breakdown"] for r in csv.DictReader(io.StringIO(data["breakdowns.csv"]))}
    groups = list(csv.DictReader(io.StringIO(data["simd_groups.csv"])))
    assert {r["grouping"] for r in groups} == {"quintile", "decile"}
    package = json.loads(data["datapackage.json"])
    paths = {r["path"] for r in package["resources"]}
    assert {"indicator_values.csv", "breakdowns.csv", "simd_groups.csv", "unmet_need.csv"} <= paths
