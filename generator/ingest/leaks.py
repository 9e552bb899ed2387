"""The leak check at validate time: does anything that will be published hold a value from a
record-level extract?

``cdash build`` scans every output file after rendering (``site/tripwire.py``). This is the
same test run in seconds on what the site will be made from, so an analyst learns of a leak
while editing, with a place to act on: the config's own text (titles, notes, aliases: every
string in council.yaml, and the council's own page templates) and the values the data gives
the pages (period labels and breakdown categories).

The secrets are every household key, every value of a dataset's ``identifiers`` columns and
every postcode of a postcode-placed record-level extract. Public geography is not secret:
the pack's area codes and names, ``privacy.public_values``, and every postcode of the public
``postcode_lookup`` (a postcode that is in it says nothing about a household). A finding
names the dataset, column and kind of value, and where it was found; never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.errors import Problem
from generator.ingest.geography import GeographyPack
from generator.ingest.loaders import LoadedDataset
from generator.ingest.yamlio import YamlDocument, display

_TOKEN = re.compile(r"[a-z0-9]+")
#: Values shorter than this match ordinary text too easily (as in the build's tripwire).
MIN_SECRET_LENGTH = 4
#: Files of a council's template folder that are scanned.
TEXT_SUFFIXES = (".html", ".css", ".js", ".txt", ".md")


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(str(text).lower()))


def kind(ds: LoadedDataset, column: str) -> str:
    """What kind of value a secret of ``column`` is, in words."""
    spec = ds.spec
    if spec.key is not None and column == spec.key.column:
        return "household key"
    if column == spec.area.column and spec.area.type == "postcode":
        return "postcode"
    return "identifying value"


def secrets(
    datasets: Iterable[LoadedDataset], public: Iterable[str]
) -> dict[tuple[str, ...], tuple[LoadedDataset, str]]:
    """Tokens of each secret value -> (dataset, column) it came from (first one seen)."""
    public_tokens = {_tokens(p) for p in public}
    public_tokens |= {("".join(t),) for t in public_tokens}  # "ML3 1AA" written "ML31AA"
    out: dict[tuple[str, ...], tuple[LoadedDataset, str]] = {}
    for ds in datasets:
        for value, column in ds.identifying.items():
            tokens = _tokens(value)
            if len("".join(tokens)) < MIN_SECRET_LENGTH or tokens in public_tokens:
                continue
            out.setdefault(tokens, (ds, column))
            if kind(ds, column) == "postcode":  # also found written without its space
                out.setdefault(("".join(tokens),), (ds, column))
    return out


def check(
    doc: YamlDocument,
    templates: Path | None,
    datasets: list[LoadedDataset],
    pack: GeographyPack | None,
    public: Iterable[str],
) -> list[Problem]:
    """Every place a secret value would reach the site, as located errors."""
    public = set(public)
    if pack is not None:
        public |= set(pack.names.keys()) | set(pack.names.values())
    found = secrets(datasets, public)
    if not found:
        return []
    problems: list[Problem] = []
    index = _Index(found)

    def report(hit: tuple[LoadedDataset, str], where: str, make: Any) -> None:
        ds, column = hit
        problems.append(
            make(
                f"{_article(kind(ds, column))} from column {column!r} of record-level dataset "
                f"{ds.spec.id} appears in {where}, which the site publishes; remove it (the "
                "value is not shown here)"
            )
        )

    for path, text in _strings(doc.data, ()):
        hit = index.find(text)
        if hit is not None:
            report(hit, "the config", lambda m, path=path: doc.problem(path, "leak", m))
    for file in (
        sorted(templates.rglob("*")) if templates is not None and templates.is_dir() else []
    ):
        if not file.is_file() or file.suffix not in TEXT_SUFFIXES:
            continue
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for n, line in enumerate(lines, start=1):
            hit = index.find(line)
            if hit is not None:
                report(
                    hit,
                    f"template {file.name}",
                    lambda m, file=file, n=n: Problem(display(file), n, None, "", "leak", m),
                )
    for ds in datasets:
        where = ("datasets", ds.index)
        for label in sorted(set(ds.table["period"].astype(str))) if len(ds.table) else []:
            hit = index.find(label)
            if hit is not None:
                report(
                    hit,
                    f"the period labels of dataset {ds.spec.id}",
                    lambda m, where=where: doc.problem((*where, "period"), "leak", m),
                )
        if ds.breakdowns is not None and len(ds.breakdowns):
            for attr, part in ds.breakdowns.groupby("breakdown", sort=True):
                for category in sorted(set(part["category"].astype(str))):
                    hit = index.find(category.replace("_", " "))
                    if hit is not None:
                        report(
                            hit,
                            f"the {attr} categories of dataset {ds.spec.id}",
                            lambda m, where=where: doc.problem((*where, "breakdowns"), "leak", m),
                        )
    return problems


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


class _Index:
    """Finds a secret's tokens, in order and adjacent, among a text's tokens."""

    def __init__(self, found: dict[tuple[str, ...], tuple[LoadedDataset, str]]) -> None:
        self.found = found
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for tokens in found:
            self.by_first.setdefault(tokens[0], []).append(tokens)

    def find(self, text: str) -> tuple[LoadedDataset, str] | None:
        words = _tokens(text)
        for n, word in enumerate(words):
            for tokens in self.by_first.get(word, ()):
                if words[n : n + len(tokens)] == tokens:
                    return self.found[tokens]
        return None


def _strings(data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in parsed YAML (keys too, located at their value), with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), str(key)
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            yield from _strings(value, (*path, n))
    elif isinstance(data, str):
        yield path, data
