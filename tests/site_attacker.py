"""An attacker who reads only what a built site publishes, and solves linear programs for
every withheld count.

It reads every published number that is a count (or an amount) of some measure:

* the CSV download (``indicator_values.csv``): each indicator's numerator and denominator,
  by the catalogue's public definitions of which measure each is;
* the view data of every indicator page (the JSON the level, breakdown and period
  controls swap in, inside the page or in view scripts beside it): the same for every
  breakdown category and period;
* the SIMD quintile and decile tables of every indicator page, with each zone's group
  worked out from the SIMD ranks the site publishes (``simd_rank``) and the public number
  of zones in Scotland;
* the unmet-need CSV (``unmet_need.csv``): observed receipt, the bounds of counts censored
  at source, and the pooled observed receipt over a run of periods.

and every relation between them it can know: a parent area is the sum of its children
(every nested pair of levels, in every category), an area's total is the sum of the
categories of each breakdown, a SIMD group is the sum of its zones, a pooled count is the
sum of its periods; a count is never negative and a share's numerator never exceeds its
denominator. A withheld cell then has a feasible range; the test requires it to be at least
the threshold wide.

Cheap where it can be: the cells split into independent blocks (connected through shared
relations), only blocks holding a withheld cell are solved, and every solution the solver
returns widens the range seen at *every* withheld cell of its block, so a cell whose range
is already wide enough needs no program of its own.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import scipy.sparse
from scipy.optimize import linprog

try:  # HiGHS's model object, as scipy ships it (private: see _Program)
    from scipy.optimize._highspy import _core
except ImportError:  # pragma: no cover
    _core = None

from generator.ingest.catalogue import Catalogue, load_catalogue
from generator.ingest.geography import GeographyPack

CATALOGUE = load_catalogue()
#: Half the rounding base: a count published as v (rounded to 5) is one of v-2..v+2.
ROUNDING_SLACK = {False: 0.0, True: 2.0}
MARK = "[c]"
#: (measure, period, level, area, category): category "" is the total, else
#: "breakdown.category"; a SIMD group is level "quintile" or "decile", area its number.
Key = tuple[str, str, str, str, str]
_VIEW = re.compile(r'<script type="application/json" id="view-data">(.*?)</script>', re.S)


@dataclass
class Knowledge:
    """Everything the attacker has read: cell bounds (None = withheld) and relations."""

    rounded: bool
    cells: dict[Key, tuple[float, float] | None] = field(default_factory=dict)
    #: a withheld cell's own published bounds (a count censored at source: 1 to 4)
    censored: dict[Key, tuple[float, float]] = field(default_factory=dict)
    equations: list[dict[Key, float]] = field(default_factory=list)
    #: sum(coef * cell) <= 0
    inequalities: list[dict[Key, float]] = field(default_factory=list)
    #: cells that are amounts (pounds), not counts of people
    amounts: set[str] = field(default_factory=set)

    def see(self, key: Key, text: str) -> None:
        """One published cell's text: a number, or the withheld mark."""
        text = text.strip().replace(",", "")
        if text == MARK:
            self.cells.setdefault(key, None)
            return
        if text == "":
            return
        v = float(text)
        slack = ROUNDING_SLACK[self.rounded]
        bound = (max(v - slack, 0.0), v + slack)
        old = self.cells.get(key)
        if old is None:
            self.cells[key] = bound
        else:  # the same cell published twice: both hold
            self.cells[key] = (max(old[0], bound[0]), min(old[1], bound[1]))


def _pairs(ind_id: str, catalogue: Catalogue) -> list[tuple[str, int]]:
    """(measure, column) of the counts an indicator row publishes: column 1 numerator,
    2 denominator (as in the view data's cells)."""
    ind = catalogue.indicators.get(ind_id)
    if ind is None or ind.method == "index":
        return []
    if ind.method == "count":
        return [(ind.measure, 1)]
    if ind.method == "uptake":
        return [(ind.receipt, 1)]
    return [(ind.numerator, 1), (ind.denominator, 2)]


def read_csv(k: Knowledge, data: bytes, catalogue: Catalogue = CATALOGUE) -> None:
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        for measure, col in _pairs(row["indicator"], catalogue):
            key = (measure, row["period"], row["level"], row["area_code"], "")
            k.see(key, row["numerator" if col == 1 else "denominator"])


def read_views(k: Knowledge, page: str, ind_id: str, catalogue: Catalogue = CATALOGUE) -> None:
    """The view data of one indicator page: every breakdown category and period."""
    m = _VIEW.search(page)
    if not m:
        return
    views = json.loads(m.group(1))["views"]
    pairs = _pairs(ind_id, catalogue)
    for name, view in views.items():
        category, period = name.split("|", 1)
        for table, rows in view["cells"].items():
            level = table.removeprefix("table-")
            for row in rows:
                for measure, col in pairs:
                    k.see((measure, period, level, row[0], category), row[col])


def read_view_scripts(
    k: Knowledge, folder: Path, ind_id: str, catalogue: Catalogue = CATALOGUE
) -> None:
    """The views an indicator page loads as scripts of their own (``indicators/views/
    <indicator>/<n>.js``, each ``CdashView({"key": ..., "view": ...});``), where the site
    keeps them beside the page rather than inside it."""
    for script in sorted((folder / "views" / ind_id).glob("*.js")):
        text = script.read_text(encoding="utf-8").strip()
        body = json.loads(text[text.index("(") + 1 : text.rindex(")")])
        page = json.dumps({"views": {body["key"]: body["view"]}})
        read_views(k, f'<script type="application/json" id="view-data">{page}</script>', ind_id)


class _Tables(HTMLParser):
    """The SIMD group tables of an indicator page: section id -> title, rows of cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, tuple[str, list[list[str]]]] = {}
        self._section: str | None = None
        self._title = ""
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and (a.get("id") or "").startswith("table-simd"):
            self._section, self._rows, self._title = a["id"], [], ""
        elif self._section and tag == "h3":
            self._in_title = True
        elif self._section and tag == "tr":
            self._rows.append([])
        elif self._section and tag in ("td", "th") and self._rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in_title = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "section" and self._section:
            self.tables[self._section] = (self._title, self._rows)
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title += data
        if self._cell is not None:
            self._cell.append(data)


def read_groups(
    k: Knowledge, page: str, ind_id: str, catalogue: Catalogue = CATALOGUE
) -> list[tuple[str, str, str]]:
    """The SIMD group tables of one page; returns (grouping, group, period) read."""
    parser = _Tables()
    parser.feed(page)
    seen = []
    for section, (title, rows) in parser.tables.items():
        grouping = "decile" if section.endswith("decile") else "quintile"
        period = title.rsplit(",", 1)[-1].strip()
        for row in rows:
            if len(row) < 4 or not row[0].split()[-1:]:
                continue
            number = re.search(r"\d+", row[0])
            if number is None:
                continue
            group = number.group(0)
            for measure, col in _pairs(ind_id, catalogue):
                k.see((measure, period, grouping, group, ""), row[1 + col])
            seen.append((grouping, group, period))
    return seen


def read_unmet_need(k: Knowledge, data: bytes, catalogue: Catalogue = CATALOGUE) -> None:
    """Observed receipt, censored bounds and pooled receipt from the unmet-need CSV."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    by_area: dict[tuple[str, str, str], dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        ind = catalogue.indicators.get(row["indicator"])
        if ind is None or ind.method != "uptake":
            continue
        key = (ind.receipt, row["period"], row["level"], row["area_code"], "")
        k.see(key, row["observed"])
        if row["observed"] == "" and row["observed_low"] not in ("", MARK):
            k.cells.setdefault(key, None)
            k.censored[key] = (float(row["observed_low"]), float(row["observed_high"]))
        by_area[(ind.receipt, row["level"], row["area_code"])][row["period"]] = row
    for (measure, level, area), periods in by_area.items():
        order = sorted(periods)
        for period, row in periods.items():
            first, pooled = row["pooled_from"], row["pooled_observed"]
            if not first or pooled in ("", MARK):
                continue
            # the pool counts the periods of the window whose expected count is published
            # (or withheld: the attacker cannot tell, and assumes it counts)
            window = [p for p in order if first <= p <= period and periods[p]["expected"] != ""]
            pool_key = (measure, period, level, area, "pooled")
            k.see(pool_key, pooled)
            eq = {pool_key: 1.0}
            for p in window:
                cell = (measure, p, level, area, "")
                k.cells.setdefault(cell, None)
                eq[cell] = eq.get(cell, 0.0) - 1.0
            k.equations.append(eq)


def read_site(
    site: Path,
    slug: str,
    rounded: bool,
    simd_zones: int | None = None,
    catalogue: Catalogue = CATALOGUE,
    ranks: bytes | None = None,
) -> Knowledge:
    """Everything one council's built site publishes, as cells (no relations yet).

    ``ranks``: a CSV with the zones' exact SIMD ranks (public: the Scottish Government
    publishes them), for a site that rounds its counts, ranks included."""
    k = Knowledge(rounded)
    k.amounts = {m for m, s in catalogue.measures.items() if not s.counts_people}
    folder = site / slug
    values = (folder / "data" / "indicator_values.csv").read_bytes()
    read_csv(k, values, catalogue)
    groups: list[tuple[str, str, str]] = []
    for page in sorted((folder / "indicators").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        read_views(k, text, page.stem, catalogue)
        read_view_scripts(k, folder / "indicators", page.stem, catalogue)
        groups += read_groups(k, text, page.stem, catalogue)
    need = folder / "data" / "unmet_need.csv"
    if need.is_file():
        read_unmet_need(k, need.read_bytes(), catalogue)
    if groups and simd_zones:
        k.groups_of = simd_membership(ranks or values, simd_zones)  # type: ignore[attr-defined]
    merge_unsplit(k)
    return k


def merge_unsplit(k: Knowledge) -> None:
    """A category view of an indicator whose denominator is not split by that breakdown
    (children in low income by family type over all children) shows the total denominator
    in every category. The attacker reads such a measure as the total it is: where every
    category of a (measure, period, breakdown) has the total's own published value in each
    area, in at least one area, its category cells are the total cell."""
    tables: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for key in k.cells:
        if key[4] and not key[4].startswith("pooled"):
            tables[(key[0], key[1], key[4].split(".", 1)[0])].append(key)
    for keys in tables.values():
        if len({key[4] for key in keys}) < 2:
            continue
        pairs = [
            (k.cells[key], k.cells.get((*key[:4], ""))) for key in keys if k.cells[key] is not None
        ]
        if not pairs or any(total is None or mine != total for mine, total in pairs):
            continue
        for key in keys:
            bound = k.cells.pop(key)
            total = (*key[:4], "")
            if bound is not None:
                k.cells[total] = bound
            else:
                k.cells.setdefault(total, None)


def simd_membership(values: bytes, zones: int) -> dict[tuple[str, str], list[str]]:
    """(grouping, group) -> the zones in it, from the SIMD ranks the CSV publishes:
    group = ceil(rank / zones x n), as the SIMD itself defines quintiles and deciles."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(values.decode("utf-8"))):
        if row["indicator"] != "simd_rank" or row["numerator"] in ("", MARK):
            continue
        rank = float(row["numerator"].replace(",", ""))
        for grouping, n in (("quintile", 5), ("decile", 10)):
            out[(grouping, str(math.ceil(rank / zones * n)))].append(row["area_code"])
    return out


def nested(pack: GeographyPack) -> list[tuple[str, str, dict[str, str]]]:
    """(child level, parent level, child -> parent) for each exactly nested pair."""
    out = []
    for child in pack.levels:
        for parent in pack.levels:
            if parent.rank <= child.rank:
                continue
            pairs = pack.lookup[[f"{child.id}_code", f"{parent.id}_code"]].drop_duplicates()
            if pairs[f"{child.id}_code"].is_unique:
                out.append((child.id, parent.id, dict(pairs.itertuples(index=False))))
    return out


def add_relations(
    k: Knowledge,
    pack: GeographyPack,
    categories: dict[str, dict[str, set[str]]] | None = None,
    catalogue: Catalogue = CATALOGUE,
) -> None:
    """Every relation the public geography and definitions imply between the cells read.

    ``categories``: measure -> breakdown -> its categories, when the attacker knows them
    (the site names every category it shows; one it never shows is an unknown cell)."""
    hierarchy = nested(pack)
    base = pack.levels[0].id
    by_table: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for key in list(k.cells):
        by_table[(key[0], key[1], key[4])].append(key)
    # parent = sum of children, in every table and category
    for (measure, period, cat), keys in list(by_table.items()):
        if cat == "pooled":
            continue
        present = {(key[2], key[3]) for key in keys}
        for child, parent, parent_of in hierarchy:
            kids: dict[str, list[str]] = defaultdict(list)
            for code, p in parent_of.items():
                kids[p].append(code)
            for p, members in kids.items():
                if (parent, p) not in present:
                    continue
                eq: dict[Key, float] = {(measure, period, parent, p, cat): 1.0}
                for code in members:
                    cell = (measure, period, child, code, cat)
                    k.cells.setdefault(cell, None)  # never published: an unknown
                    eq[cell] = -1.0
                k.equations.append(eq)
    # total = sum of categories, for every breakdown, in every area (in the periods the
    # breakdown is published for)
    seen: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for measure, period, cat in by_table:
        if cat and cat != "pooled":
            bd, name = cat.split(".", 1)
            seen[(measure, period, bd)].add(name)
    for (measure, period, bd), names in sorted(seen.items()):
        if categories is not None:
            names = names | categories.get(measure, {}).get(bd, set())
        areas = {(key[2], key[3]) for key in by_table[(measure, period, "")]}
        areas |= {
            (key[2], key[3])
            for cat in (f"{bd}.{name}" for name in names)
            for key in by_table.get((measure, period, cat), [])
        }
        for level, area in sorted(areas):
            if level in ("quintile", "decile"):
                continue
            total = (measure, period, level, area, "")
            k.cells.setdefault(total, None)
            eq = {total: 1.0}
            for name in sorted(names):
                cell = (measure, period, level, area, f"{bd}.{name}")
                k.cells.setdefault(cell, None)
                eq[cell] = -1.0
            k.equations.append(eq)
    # a SIMD group = the sum of its zones
    groups_of = getattr(k, "groups_of", {})
    for key in [key for key in k.cells if key[2] in ("quintile", "decile")]:
        measure, period, grouping, group, _ = key
        eq = {key: 1.0}
        for zone in groups_of.get((grouping, group), []):
            cell = (measure, period, base, zone, "")
            k.cells.setdefault(cell, None)
            eq[cell] = -1.0
        if len(eq) > 1:
            k.equations.append(eq)
    # a share's numerator never exceeds its denominator
    for ind in catalogue.indicators.values():
        if ind.method != "share" or ind.numerator == ind.denominator:
            continue
        for key in [key for key in k.cells if key[0] == ind.numerator]:
            other = (ind.denominator, *key[1:])
            if other in k.cells:
                k.inequalities.append({key: 1.0, other: -1.0})


def narrowest(k: Knowledge) -> Iterable[tuple[Key, float, float]]:
    """(cell, lowest, highest) of every withheld cell, block by block."""
    keys = sorted(k.cells)
    col = {key: n for n, key in enumerate(keys)}
    relations = [(eq, True) for eq in k.equations] + [(ineq, False) for ineq in k.inequalities]
    parent = list(range(len(keys)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for rel, _ in relations:
        cols = [col[c] for c in rel]
        root = find(cols[0])
        for c in cols[1:]:
            parent[find(c)] = root
    blocks: dict[int, list[int]] = defaultdict(list)
    for n in range(len(keys)):
        blocks[find(n)].append(n)
    rel_of: dict[int, list[int]] = defaultdict(list)
    for r, (rel, _) in enumerate(relations):
        rel_of[find(col[next(iter(rel))])].append(r)
    for root, members in sorted(blocks.items()):
        unknown = [n for n in members if k.cells[keys[n]] is None]
        if not unknown:
            continue
        if not rel_of[root]:
            for n in unknown:
                lo, hi = k.censored.get(keys[n], (0.0, math.inf))
                yield keys[n], lo, hi
            continue
        yield from _solve_block(k, keys, members, unknown, [relations[r] for r in rel_of[root]])


def _solve_block(
    k: Knowledge,
    keys: list[Key],
    members: list[int],
    unknown: list[int],
    relations: list[tuple[dict[Key, float], bool]],
) -> Iterable[tuple[Key, float, float]]:
    local = {n: i for i, n in enumerate(members)}
    key_index = {keys[n]: i for i, n in enumerate(members)}
    eq_rows, ub_rows = [], []
    for rel, is_eq in relations:
        (eq_rows if is_eq else ub_rows).append(rel)

    def matrix(rows: list[dict[Key, float]]) -> scipy.sparse.csr_matrix | None:
        if not rows:
            return None
        r = [i for i, rel in enumerate(rows) for _ in rel]
        c = [key_index[key] for rel in rows for key in rel]
        v = [coef for rel in rows for coef in rel.values()]
        return scipy.sparse.csr_matrix((v, (r, c)), shape=(len(rows), len(members)))

    a_eq, a_ub = matrix(eq_rows), matrix(ub_rows)
    bounds = []
    for n in members:
        b = k.cells[keys[n]]
        if b is None:
            lo, hi = k.censored.get(keys[n], (0.0, math.inf))
            bounds.append((lo, None if math.isinf(hi) else hi))
        else:
            bounds.append(b)
    lp = _Program(a_eq, a_ub, bounds)
    idx = np.array([local[n] for n in unknown])
    low_seen = np.full(len(unknown), math.inf)
    high_seen = np.full(len(unknown), -math.inf)
    need = {keys[n]: _need(k, keys[n]) for n in unknown}

    def solve(c: np.ndarray) -> float | None:
        x, fun = lp.solve(c)
        if x is not None:
            np.minimum(low_seen, x[idx], out=low_seen)
            np.maximum(high_seen, x[idx], out=high_seen)
        return fun

    # Two programs over every withheld cell at once often show most of them wide enough;
    # every later solution widens the ranges seen too.
    # Random directions spread the solutions out (seeded: the test is deterministic).
    # (On a small block, straight to each cell's own programs.)
    rng = np.random.default_rng(13)
    n_random = 4 if len(idx) > 12 else 0
    starts = [np.ones(len(idx)), *rng.choice([-1.0, 1.0], size=(n_random, len(idx)))]
    for weights in starts if len(idx) > 2 else []:
        c = np.zeros(len(members))
        c[idx] = weights
        solve(c)
        solve(-c)
    for j, n in enumerate(unknown):
        key = keys[n]
        if high_seen[j] - low_seen[j] >= need[key] - 1e-6:
            yield key, float(low_seen[j]), float(high_seen[j])
            continue
        c = np.zeros(len(members))
        c[local[n]] = 1.0
        low = solve(c)
        lo = low if low is not None else 0.0
        if high_seen[j] - lo >= need[key] - 1e-6:
            yield key, lo, float(high_seen[j])
            continue
        high = solve(-c)
        yield key, lo, -high if high is not None else math.inf


class _Program:
    """One block's linear program, built once; only the objective changes between solves.

    Through HiGHS's own model object (the one ``scipy.optimize.linprog`` drives), so that
    each solve starts from the previous optimal basis: a new objective over the same
    constraints is a few simplex pivots, not a solve from scratch. Where that object is not
    available (another scipy), ``linprog`` solves each program afresh: the same answers."""

    def __init__(
        self,
        a_eq: scipy.sparse.csr_matrix | None,
        a_ub: scipy.sparse.csr_matrix | None,
        bounds: list[tuple[float, float | None]],
    ) -> None:
        self.kwargs = {
            "A_eq": a_eq,
            "b_eq": np.zeros(a_eq.shape[0]) if a_eq is not None else None,
            "A_ub": a_ub,
            "b_ub": np.zeros(a_ub.shape[0]) if a_ub is not None else None,
            "bounds": bounds,
            "method": "highs",
        }
        self.highs = None if _core is None else self._model(a_eq, a_ub, bounds)

    @staticmethod
    def _model(
        a_eq: scipy.sparse.csr_matrix | None,
        a_ub: scipy.sparse.csr_matrix | None,
        bounds: list[tuple[float, float | None]],
    ) -> object:
        assert _core is not None
        n = len(bounds)
        blocks = [m for m in (a_eq, a_ub) if m is not None]
        a = scipy.sparse.vstack(blocks).tocsc() if blocks else scipy.sparse.csc_matrix((0, n))
        n_eq = a_eq.shape[0] if a_eq is not None else 0
        inf = _core.kHighsInf
        lp = _core.HighsLp()
        lp.num_col_, lp.num_row_ = n, a.shape[0]
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, a.shape[0]
        lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(np.float64)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.array([b[0] for b in bounds], dtype=np.float64)
        lp.col_upper_ = np.array([inf if b[1] is None else b[1] for b in bounds], dtype=float)
        lp.row_lower_ = np.concatenate([np.zeros(n_eq), np.full(a.shape[0] - n_eq, -inf)])
        lp.row_upper_ = np.zeros(a.shape[0])
        highs = _core._Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("presolve", "off")  # keep the basis from one solve to the next
        highs.passModel(lp)
        return highs

    def solve(self, c: np.ndarray) -> tuple[np.ndarray | None, float | None]:
        """(a minimising point, the minimum); (None, None) when unbounded below."""
        if self.highs is None:
            res = linprog(c, **self.kwargs)
            assert res.status in (0, 3), f"published tables are inconsistent: {res.message}"
            return (res.x, float(res.fun)) if res.status == 0 else (None, None)
        h: object = self.highs
        n = len(c)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), c.astype(np.float64))  # type: ignore[attr-defined]
        h.run()  # type: ignore[attr-defined]
        status = h.getModelStatus()  # type: ignore[attr-defined]
        if status == _core.HighsModelStatus.kOptimal:
            x = np.array(h.getSolution().col_value)  # type: ignore[attr-defined]
            return x, float(h.getInfo().objective_function_value)  # type: ignore[attr-defined]
        assert status in (
            _core.HighsModelStatus.kUnbounded,
            _core.HighsModelStatus.kUnboundedOrInfeasible,
        ), f"published tables are inconsistent: {h.modelStatusToString(status)}"  # type: ignore[attr-defined]
        return None, None


def _need(k: Knowledge, key: Key) -> float:
    """How wide a withheld cell's range must stay: the threshold for a count of people,
    one pound for an amount (it must not be pinned down)."""
    return 1.0 if key[0] in k.amounts else 5.0


def attack(k: Knowledge, threshold: int = 5) -> int:
    """Fail on any withheld cell narrowed below its width; returns how many were attacked.

    A withheld cell pinned to exactly 0 passes: zero identifies no one (suppression
    publishes zeros), and a cell that holds nobody can be withheld only as a neighbour. On a
    rounded site, so does one pinned within [0, 2]: that is what a published 0 says there."""
    attacked = 0
    zero = ROUNDING_SLACK[k.rounded] + 1e-9
    for key, low, high in narrowest(k):
        attacked += 1
        width = 1.0 if key[0] in k.amounts else threshold
        assert high - low >= width - 1e-6 or high <= zero, (
            f"{key}: the site narrows a withheld cell to [{low:.2f}, {high:.2f}]"
        )
    return attacked
