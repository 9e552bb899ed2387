"""The leak tripwire: after rendering, before the swap, prove nothing private reached the site.

Disclosure control decides what may be published; this stage checks what actually was. It
scans every output file for

1. **identifying values**: every raw household key, and every value of the columns a
   record-level dataset declares as ``identifiers`` (name, address, postcode), matched as
   whole words, case-insensitively, across any punctuation or spacing (so "XX1 2AB" also
   matches "xx1-2ab"). Values that are public geography (area codes and names of the pack,
   ``privacy.public_values``, and later a public postcode lookup) are not secrets.
2. **primary-suppressed counts** shown as an area's value: in the CSV download row and the
   indicator page's table row of that indicator, area and period, no number may equal a
   count that primary suppression withheld. Only those cells are checked: the same small
   number elsewhere on a page is not that area's value, so it is not a leak.
   The same holds for the table cells and chart hover text pre-rendered in an indicator
   page's view data (the JSON the level, breakdown and period controls swap in).
3. **comparators against a withheld council**: where the council row of an indicator and
   period is withheld, no CSV row of that indicator and period may carry a comparator or
   a comparison (comparator x a published denominator is the withheld count).

A hit raises LeakError naming the file and the kind of leak, never the value itself.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pandas as pd

from generator.analysis import suppression
from generator.analysis.disclosure import withheld_councils
from generator.errors import LeakError
from generator.ingest.catalogue import Catalogue
from generator.ingest.loaders import LoadedDataset

_TOKEN = re.compile(r"[a-z0-9]+")
#: Identifying values shorter than this (e.g. a key "7") match too much ordinary text to be
#: checked as words; keys that short cannot be real household references anyway.
MIN_SECRET_LENGTH = 4


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class SuppressedCell:
    """An indicator row withheld because a count behind it was under the threshold."""

    indicator: str
    area_code: str
    period: str
    counts: frozenset[float] = field(repr=False)


@dataclass(frozen=True)
class Guard:
    """What one council's pages must never contain. Held in memory only."""

    slug: str
    secrets: tuple[tuple[str, ...], ...] = field(repr=False)
    cells: tuple[SuppressedCell, ...] = field(repr=False)
    #: (indicator, period) whose council row is withheld: nothing may be compared with it.
    hidden_councils: frozenset[tuple[str, str]] = field(default=frozenset(), repr=False)

    def __repr__(self) -> str:  # never show the secrets, even in a traceback
        return f"Guard({self.slug!r}, {len(self.secrets)} values, {len(self.cells)} cells)"

    @classmethod
    def collect(
        cls,
        *,
        slug: str,
        datasets: Iterable[LoadedDataset],
        values: pd.DataFrame,
        published: pd.DataFrame,
        measures: pd.DataFrame,
        catalogue: Catalogue,
        public: Iterable[str] = (),
    ) -> Guard:
        """The guard for one council: identifying values from the record-level datasets
        (minus public geography), and the primary-suppressed counts behind each withheld
        indicator row (``values`` is compute's table, before publish blanked it)."""
        public_tokens = {tuple(_tokens(p)) for p in public}
        found: set[tuple[str, ...]] = set()
        for ds in datasets:
            for value in ds.identifying:
                tokens = tuple(_tokens(value))
                if len("".join(tokens)) >= MIN_SECRET_LENGTH and tokens not in public_tokens:
                    found.add(tokens)
        totals = suppression.totals(measures)
        primary = totals[totals["note"] == suppression.PRIMARY]
        withheld = {
            (lv, a, p, m): float(v)
            for lv, a, p, m, v in zip(
                primary["level"],
                primary["area_code"],
                primary["period"],
                primary["measure"],
                primary["value"],
                strict=True,
            )
        }
        cells = []
        rows = published[published["note"] == "primary"]
        for ind_id, level, area, period in zip(
            rows["indicator"], rows["level"], rows["area_code"], rows["period"], strict=True
        ):
            counts = frozenset(
                withheld[key]
                for m in catalogue.indicators[ind_id].measures()
                if (key := (level, area, period, m)) in withheld
            )
            if counts:
                cells.append(SuppressedCell(ind_id, area, period, counts))
        return cls(
            slug, tuple(sorted(found)), tuple(cells), frozenset(withheld_councils(published))
        )


def check(
    files: Mapping[str, bytes], guards: Iterable[Guard], verbatim: Mapping[str, bytes] | None = None
) -> None:
    """Raise LeakError on the first file holding a secret value or a withheld count.

    ``verbatim`` maps paths of third-party files copied unchanged (plotly.js) to their
    original bytes: a file identical to its original was not made from any input, so it
    needs no scan, and proving that by comparison is far cheaper than scanning 5 MB.
    """
    guards = list(guards)
    secrets = sorted({s for g in guards for s in g.secrets})
    # Each secret under its first token: a file is only tried against secrets whose first
    # token it holds (many files, thousands of secrets).
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for tokens in secrets:
        if tokens:
            by_first.setdefault(tokens[0], []).append(tokens)
    verbatim = verbatim or {}
    for path in sorted(files):
        if path in verbatim and files[path] == verbatim[path]:
            continue
        text = files[path].decode("utf-8", errors="replace")
        if path.endswith(".html"):
            text = html.unescape(text)
        text = text.lower()
        present = set(_TOKEN.findall(text))
        candidates = [t for first in sorted(present & by_first.keys()) for t in by_first[first]]
        for tokens in candidates:
            if all(t in present for t in tokens) and _whole_words(tokens).search(text):
                raise LeakError(
                    f"leak tripwire: {path} contains an identifying value from a "
                    "record-level dataset (a household key, name, address or "
                    "postcode); the build was stopped and the existing site kept"
                )
    for guard in guards:
        by_indicator: dict[str, list[SuppressedCell]] = {}
        for cell in guard.cells:
            by_indicator.setdefault(cell.indicator, []).append(cell)
        csv_path = f"{guard.slug}/data/indicator_values.csv"
        if csv_path in files:
            _check_csv(csv_path, files[csv_path], guard.cells)
            _check_comparators(csv_path, files[csv_path], guard.hidden_councils)
        for ind_id, cells in by_indicator.items():
            page = f"{guard.slug}/indicators/{ind_id}.html"
            if page in files:
                text = files[page].decode("utf-8")
                _check_tables(page, text, cells)
                _check_view_data(page, text, cells)
            # The page's other views, each a script of its own (site/pages/views.py).
            folder = f"{guard.slug}/indicators/views/{ind_id}/"
            for path in sorted(p for p in files if p.startswith(folder)):
                _check_views(path, _view_file(files[path]), cells)


def _whole_words(tokens: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(map(re.escape, tokens)) + r"(?![a-z0-9])"
    )


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").strip())
    except ValueError:
        return None


def _count_leak(path: str, cell: SuppressedCell) -> LeakError:
    return LeakError(
        f"leak tripwire: {path} shows a primary-suppressed count as the value of "
        f"{cell.indicator} for {cell.area_code} in {cell.period}; the build was "
        "stopped and the existing site kept"
    )


def _check_csv(path: str, data: bytes, cells: Iterable[SuppressedCell]) -> None:
    wanted = {(c.indicator, c.area_code, c.period): c for c in cells}
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        cell = wanted.get(
            (row.get("indicator", ""), row.get("area_code", ""), row.get("period", ""))
        )
        if cell is None:
            continue
        for col in ("numerator", "denominator", "value"):
            if _number(row.get(col) or "") in cell.counts:
                raise _count_leak(path, cell)


def _check_comparators(path: str, data: bytes, hidden: frozenset[tuple[str, str]]) -> None:
    if not hidden:
        return
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        key = (row.get("indicator", ""), row.get("period", ""))
        shown = {row.get("comparator") or "", row.get("comparison") or ""} - {"", "[c]"}
        if key in hidden and shown:
            raise LeakError(
                f"leak tripwire: {path} compares {key[0]} in {key[1]} with a withheld "
                "council value; the build was stopped and the existing site kept"
            )


_VIEW_DATA = re.compile(r'<script type="application/json" id="view-data">(.*?)</script>', re.S)


def _check_view_data(path: str, page: str, cells: list[SuppressedCell]) -> None:
    """No pre-rendered view (table cells, or chart hover text naming the area) of the
    total shows a withheld count as that area's value in that period."""
    found = _VIEW_DATA.search(page)
    if found is None:
        return
    _check_views(path, json.loads(found.group(1)).get("views", {}), cells)


def _view_file(data: bytes) -> dict[str, Any]:
    """A view script (``CdashView({...});``) as {key: view}."""
    text = data.decode("utf-8").strip()
    body = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return {body["key"]: body["view"]}


def _check_views(path: str, views: dict[str, Any], cells: list[SuppressedCell]) -> None:
    by_key = {(c.area_code, c.period): c for c in cells}
    for key, view in views.items():
        variant, _, period = key.partition("|")
        if variant:
            continue  # breakdown variants are judged by their own cells
        for rows in view.get("cells", {}).values():
            for row in rows:
                cell = by_key.get((row[0], period)) if row else None
                if cell is not None and any(_number(str(t)) in cell.counts for t in row[1:4]):
                    raise _count_leak(path, cell)


class _TableRows(HTMLParser):
    """Rows of the data tables on an indicator page: (caption, code cell, cell texts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, str, list[str]]] = []
        self._caption = ""
        self._in_caption = False
        self._cells: list[str] | None = None
        self._code = ""
        self._text: list[str] | None = None
        self._is_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "h3":
            self._in_caption, self._caption = True, ""
        elif tag == "tr":
            self._cells, self._code = [], ""
        elif tag in ("td", "th") and self._cells is not None:
            self._text, self._is_code = [], "code" in classes

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in_caption = False
        elif tag in ("td", "th") and self._cells is not None and self._text is not None:
            text = "".join(self._text).strip()
            self._cells.append(text)
            if self._is_code:
                self._code = text
            self._text = None
        elif tag == "tr" and self._cells is not None:
            self.rows.append((self._caption, self._code, self._cells))
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption += data
        if self._text is not None:
            self._text.append(data)


def _check_tables(path: str, page: str, cells: list[SuppressedCell]) -> None:
    parser = _TableRows()
    parser.feed(page)
    by_area: dict[str, list[SuppressedCell]] = {}
    for cell in cells:
        by_area.setdefault(cell.area_code, []).append(cell)
    for caption, code, texts in parser.rows:
        for cell in by_area.get(code, []):
            # A table states its period in its heading ("Data zones, 2024/25 (42)").
            if cell.period in caption and any(_number(t) in cell.counts for t in texts[2:]):
                raise _count_leak(path, cell)
