"""Pages: a council's published values, figures and text into a static site, file by file.

``render_council`` and ``render_portal`` return ``{path relative to the site root: bytes}``
and write nothing; ``site.py`` writes the lot at once. Output is byte-identical for the
same input: fixed ``div_id``s, sorted keys, stable row order, and no clock other than
``build_date``.

Templates live in ``generator/templates/`` (partials start with ``_``). A council may pass
its own folder, which is searched first; a template there can extend the default one with
``{% extends "default:base.html" %}``, as Datasette allows.

Every page works opened from disk: links are relative, and nothing is fetched from
another site. Maps use shared geometry from ``<slug>/assets/geo.js`` and the world_110m
stub (docs/TOOLING.md) so plotly.js never asks a CDN for a world map.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined
from markupsafe import Markup

from generator import figures
from generator.catalogue import (
    Catalogue,
    CountIndicator,
    IndexIndicator,
    ShareIndicator,
    UptakeIndicator,
)
from generator.compute import NUMERIC_COLUMNS
from generator.disclosure import SUPPRESSED_MARK
from generator.errors import Problem, format_problems
from generator.figures import (
    AnyIndicator,
    format_ci,
    format_number,
    format_value,
    is_missing,
    lower_label,
)
from generator.geography import GeographyPack, Level
from generator.priority import PriorityArea
from generator.report import DataReport

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

#: Runs before geo.js and plotly.min.js. plotly.js fetches world_110m from a CDN for any
#: geo map unless it is already here; an empty topology stops that. It must not replace
#: entries geo.js has set, in case the order ever changes.
GEO_STUB = Markup(
    "window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};"
    "window.PlotlyGeoAssets.topojson=window.PlotlyGeoAssets.topojson||{};"
    'window.PlotlyGeoAssets.topojson.world_110m={"type":"Topology","objects":{},"arcs":[]};'
)

#: Columns of the published CSV, in order.
CSV_COLUMNS = ["indicator", "level", "area_code", "area_name", "period", "numerator",
               "denominator", "value", "lower", "upper", "comparator", "comparison",
               "suppressed"]
_NUMERIC = NUMERIC_COLUMNS  # compute's numeric columns: every one is blanked when withheld
#: Columns of the unmet-need CSV (uptake rows only).
UNMET_CSV_COLUMNS = ["indicator", "level", "area_code", "area_name", "period", "observed",
                     "expected", "percent_of_expected", "lower", "upper", "lower_998",
                     "upper_998", "gap", "status", "suppressed"]
#: How many of an indicator's latest periods its page lets a reader switch between.
PERIOD_VIEWS = 3
#: How many problems of one code the quality page lists before "... and N more".
PROBLEMS_PER_CODE = 100
_DEFAULT_COLOUR = "#1d5c8c"


@dataclass(frozen=True)
class DatasetSummary:
    """One dataset as the quality and about pages describe it."""

    id: str
    title: str
    source: str
    file: str
    rows_read: int
    rows_used: int
    periods: list[str]
    measures: list[str]
    coverage: float  # share (0..1) of the council's base areas with data in the latest period


@dataclass(frozen=True)
class CouncilSite:
    """Everything one council's pages need. Built by ``site.py``."""

    slug: str
    name: str
    code: str
    synthetic: bool
    colour: str  # brand hex, e.g. "#1d5c8c"
    pack: GeographyPack
    catalogue: Catalogue
    indicators: list[AnyIndicator]  # in catalogue order
    values: pd.DataFrame  # published indicator values (docs/internals.md)
    periods: list[str]  # sorted
    build_date: str  # "YYYY-MM-DD"
    datasets: list[DatasetSummary]
    problems: list[Problem]
    disclosure_threshold: int
    attribution: str  # licence text to show (may be "")
    #: level id -> priority areas (generator/priority.py), from the published values
    priority: dict[str, list[PriorityArea]] = field(default_factory=dict)
    #: how priority areas were chosen, in words, for the unmet-need page
    priority_rule_text: str = ""
    report: DataReport | None = None  # the data contract report; shown on quality.html
    contact_email: str = ""  # shown on the about page when given
    #: published values by deprivation group (inequality.GROUP_COLUMNS), or None
    groups: pd.DataFrame | None = None
    #: (indicator, period) -> inequality.SlopeIndex by quintile, from published groups
    slopes: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: name of the deprivation ranking, e.g. "SIMD 2020", and how many zones it ranks
    inequality_label: str = ""
    inequality_zones: int = 0
    #: name of the national comparator ("" when there is none) and where its totals come from
    national_name: str = ""
    national_source: str = ""
    #: index id -> each area's component values and scores (compute.index_components)
    index_components: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: published values per breakdown category (disclosure.publish_breakdowns): the values
    #: columns plus ``breakdown`` and ``category``; None or empty without breakdowns
    breakdowns: pd.DataFrame | None = None
    #: the public postcode lookup {postcode: base area code}, for the find-my-area index
    postcodes: dict[str, str] = field(default_factory=dict)


# --- Jinja ------------------------------------------------------------------------------

def make_environment(template_dir: Path | None = None) -> Environment:
    """The Jinja environment: ``template_dir`` (if any) first, then the defaults.

    The defaults are also reachable as ``default:<name>``, so an override can extend the
    template it replaces.
    """
    default = FileSystemLoader(TEMPLATES_DIR)
    loaders: list[Any] = [FileSystemLoader(template_dir)] if template_dir else []
    loaders += [default, PrefixLoader({"default": default}, delimiter=":")]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["label"] = lower_label
    return env


# --- helpers ------------------------------------------------------------------------------

def safe_name(code: str) -> str:
    """A file name for an area code: anything but letters, digits, ``._-`` becomes ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(code)) or "_"


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour`` (WCAG relative luminance)."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "#0b0c0c"


def _brand(colour: str) -> str:
    return colour.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", colour or "") else _DEFAULT_COLOUR


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _period_range(periods: list[str]) -> str:
    if not periods:
        return "no periods"
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def published(values: pd.DataFrame) -> pd.DataFrame:
    """The values table with every number blanked on suppressed rows.

    ``disclosure.publish`` already does this; doing it again here means a mistake upstream
    cannot put a withheld number on a page.
    """
    df = values.copy()
    for col in _NUMERIC:
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
    df.loc[df["suppressed"], _NUMERIC] = float("nan")
    df.loc[df["suppressed"], ["comparison", "status"]] = ""
    return df


def method_text(ind: AnyIndicator, catalogue: Catalogue) -> str:
    """How an indicator is calculated, in a sentence."""
    def label(measure_id: str) -> str:
        measure = catalogue.measures.get(measure_id)
        return measure.label if measure else measure_id

    if isinstance(ind, UptakeIndicator):
        rate = (f"{ind.expected_rate:g} per unit of need, as the council's config states"
                if ind.expected_rate is not None else
                "the council-wide ratio of the two in the same period")
        return (f"{label(ind.receipt)} as a percentage of the number expected: "
                f"{lower_label(label(ind.need))} times {rate}. The 95% confidence interval "
                "is the exact Poisson interval of the observed count; an area is below or "
                "above expected only when the whole interval is below or above 100%. The gap "
                "is expected minus observed, when positive.")
    if isinstance(ind, IndexIndicator):
        how = ("z-scores across the areas of each level" if ind.normalisation == "zscore"
               else "scores from 0 to 100 between stated best and worst values")
        parts = "; ".join(f"{d.title}: " + ", ".join(
            (catalogue.indicators[c.indicator].short_title
             if c.indicator in catalogue.indicators else c.indicator) for c in d.components)
            for d in ind.dimensions)
        return (f"A composite of published indicators, turned into {how}, averaged by "
                f"weight within each dimension and then across dimensions ({parts}). An area "
                "missing any component gets no score.")
    if isinstance(ind, CountIndicator):
        measure = catalogue.measures.get(ind.measure)
        if measure is not None and not measure.additive:
            return (f"The {label(ind.measure)} of each area, as published. It cannot be "
                    "added up or averaged, so it is shown only for the areas it is given for.")
        text = f"A count of {lower_label(label(ind.measure))}."
        if ind.ci == "poisson_exact":
            text += " The 95% confidence interval is the exact Poisson interval."
        return text
    scale = f"{ind.multiplier:,.0f}"
    if isinstance(ind, ShareIndicator):
        base = (f"{label(ind.numerator)} as a percentage of {lower_label(label(ind.denominator))}"
                if ind.multiplier == 100 else
                f"{label(ind.numerator)} per {scale} {lower_label(label(ind.denominator))}")
        return base + ". The 95% confidence interval is the Wilson score interval."
    return (f"{label(ind.numerator)} per {scale} {lower_label(label(ind.denominator))}. "
            "The 95% confidence interval uses Byars' approximation to the exact Poisson "
            "interval.")


#: "Compared with <nation>" words, followed by the national comparator's name.
_NATIONAL_WORDS = {"worse": "Worse than", "better": "Better than", "similar": "Similar to",
                   "higher": "Higher than", "lower": "Lower than"}


def national_label(key: str, name: str) -> str:
    """E.g. "Worse than Scotland"; "" without a comparison."""
    return f"{_NATIONAL_WORDS[key]} {name}" if key in _NATIONAL_WORDS else ""


_POLARITY_TEXT = {
    "higher_is_worse": "A higher value is worse.",
    "higher_is_better": "A higher value is better.",
    "neutral": "Neither a higher nor a lower value is better in itself.",
}


def lead_indicator(indicators: list[AnyIndicator]) -> AnyIndicator | None:
    """The indicator the overview maps: the CiLIF share if shown, else the first."""
    for ind in indicators:
        if isinstance(ind, ShareIndicator) and "cilif" in ind.numerator:
            return ind
    for ind in indicators:
        if "cilif" in ind.id:
            return ind
    return indicators[0] if indicators else None


# --- a council's values, indexed once -------------------------------------------------------

@dataclass
class _Data:
    """The published values of one council, sliced once for all pages."""

    site: CouncilSite
    values: pd.DataFrame = field(init=False)
    top: Level | None = field(init=False)          # the council level, if the pack has one
    sub_levels: list[Level] = field(init=False)     # every level below the council
    slices: dict[tuple[str, str, str], pd.DataFrame] = field(init=False)
    council: dict[str, pd.DataFrame] = field(init=False)   # indicator -> council rows
    latest: dict[str, str] = field(init=False)             # indicator -> latest period
    areas: dict[str, pd.DataFrame] = field(init=False)     # level -> code, name
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
        values = values.assign(_i=values["indicator"].map(order),
                               _l=values["level"].map(rank).fillna(len(levels)))
        values = values.sort_values(["_i", "_l", "area_code", "period"], kind="mergesort")
        self.values = values.drop(columns=["_i", "_l"]).reset_index(drop=True)
        self.slices = {key: part for key, part in self.values.groupby(
            ["indicator", "level", "period"], sort=False)}
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
                {} if rows is None else {r["period"]: r for r in rows.to_dict("records")})
        return self._council_records[ind_id].get(period)

    def record(self, ind_id: str, level_id: str, period: str, code: str) -> dict[str, Any] | None:
        """One area's row as a dict, or None. Indexes each slice on first use."""
        key = (ind_id, level_id, period)
        if key not in self._records:
            self._records[key] = {r["area_code"]: r
                                  for r in self.rows(*key).to_dict("records")}
        return self._records[key].get(code)

    def council_value(self, ind_id: str, period: str) -> float | None:
        row = self.council_row(ind_id, period)
        if row is None or row["suppressed"] or is_missing(row["value"]):
            return None
        return float(row["value"])

    def has_level(self, ind_id: str, level_id: str) -> bool:
        period = self.latest.get(ind_id)
        return period is not None and (ind_id, level_id, period) in self.slices


# --- rendering one council --------------------------------------------------------------------

class _Pages:
    """Renders pages of one council; holds what every page shares."""

    def __init__(self, site: CouncilSite, env: Environment) -> None:
        self.site = site
        self.env = env
        self.data = _Data(site)
        self.colour = _brand(site.colour)
        self.out: dict[str, bytes] = {}
        self.theme_titles = {t.id: t.title for t in site.catalogue.themes.values()}
        self.map_levels = [lv for lv in self.data.sub_levels
                           if site.pack.spec.levels[lv.rank].boundaries]
        self.lead = lead_indicator(site.indicators)
        self.uptake = [i for i in site.indicators if isinstance(i, UptakeIndicator)]
        # Breakdown variants, sliced once: (indicator, "breakdown.category", level, period).
        self.variants: dict[tuple[str, str, str, str], pd.DataFrame] = {}
        self.variant_periods: dict[str, dict[tuple[str, str], list[str]]] = {}
        if site.breakdowns is not None and not site.breakdowns.empty:
            split = published(site.breakdowns)
            for (ind_id, bd, cat, lv, p), part in split.groupby(
                    ["indicator", "breakdown", "category", "level", "period"], sort=True):
                self.variants[(str(ind_id), f"{bd}.{cat}", str(lv), str(p))] = part
                periods = self.variant_periods.setdefault(str(ind_id), {}).setdefault(
                    (str(bd), str(cat)), [])
                if p not in periods:
                    periods.append(str(p))
        # For area pages: each area's first lookup row (its parents) and its base areas.
        lookup = site.pack.lookup
        base = site.pack.base.id
        self.first_lookup_row: dict[str, dict[str, dict[str, Any]]] = {}
        self.children: dict[str, dict[str, list[tuple[str, str]]]] = {}
        records = lookup.to_dict("records")
        for lv in self.data.sub_levels:
            firsts: dict[str, dict[str, Any]] = {}
            kids: dict[str, set[tuple[str, str]]] = {}
            for rec in records:
                firsts.setdefault(rec[f"{lv.id}_code"], rec)
                kids.setdefault(rec[f"{lv.id}_code"], set()).add(
                    (rec[f"{base}_code"], rec[f"{base}_name"]))
            self.first_lookup_row[lv.id] = firsts
            self.children[lv.id] = {k: sorted(v, key=lambda cn: (cn[1], cn[0]))
                                    for k, v in kids.items()}

    # shared bits
    def context(self, path: str, *, title: str, section: str, charts: bool = False,
                maps: bool = False, period: str = "") -> dict[str, Any]:
        depth = path.count("/")  # "<slug>/x.html" -> 1
        site_root = "../" * depth
        root = "../" * (depth - 1)
        s = self.site
        return {
            "page_title": f"{title} – {s.name}" if title != s.name else title,
            "title": title,
            "section": section,
            "root": root,
            "assets": site_root + "assets/",
            "portal": site_root + "index.html",
            "council_name": s.name,
            "synthetic": s.synthetic,
            "brand": self.colour,
            "brand_text": _text_colour(self.colour),
            "build_date": s.build_date,
            "data_period": _period_range(s.periods),
            "page_period": period,
            "attribution": s.attribution,
            "charts": charts,
            "maps": maps,
            "geo_js": root + "assets/geo.js",
            "geo_stub": GEO_STUB,
            "search_js": root + "assets/search.js",
            "search_postcodes": bool(s.postcodes),
            "nav": (nav := self.nav(root, section)),
            "links": {item["key"]: item for item in nav},
        }

    def nav(self, root: str, section: str) -> list[dict[str, Any]]:
        items = [("overview", "Overview", "index.html")]
        if self.uptake:
            items.append(("unmet", "Unmet need", "unmet-need.html"))
        items += [("indicators", "Indicators", "index.html#indicators"),
                  ("areas", "Areas", "index.html#areas"),
                  ("quality", "Data quality", "quality.html"),
                  ("about", "About the data", "about.html")]
        # Templates link by key (links.about.href), never by position.
        return [{"key": key, "href": root + href, "label": label, "current": key == section}
                for key, label, href in items]

    def page(self, path: str, template: str, ctx: dict[str, Any]) -> None:
        html = self.env.get_template(template).render(**ctx)
        self.out[f"{self.site.slug}/{path}"] = html.encode("utf-8")

    def indicator_href(self, root: str, ind_id: str) -> str:
        return f"{root}indicators/{ind_id}.html"

    def area_href(self, root: str, level_id: str, code: str) -> str:
        return f"{root}areas/{level_id}/{safe_name(code)}.html"

    def fig(self, fig_id: str, title: str, figure: dict[str, Any], summary: str, *,
            table_href: str = "", table_text: str = "", note: str = "",
            is_map: bool = False) -> dict[str, Any]:
        config = figures.MAP_CONFIG if is_map else figures.CONFIG
        return {"id": fig_id, "title": title, "summary": summary, "note": note,
                "table_href": table_href, "table_text": table_text,
                "html": Markup(figures.to_fragment(figure, fig_id, config=config))}

    def suppression_note(self, ind: AnyIndicator) -> str:
        return (f"Grey areas: numbers withheld to protect privacy, because a count behind "
                f"them is below {self.site.disclosure_threshold} or could be worked out "
                f"from other published figures. Light grey: no data.")

    # files
    def render(self) -> dict[str, bytes]:
        self.geo_js()
        self.search_js()
        if self.uptake:
            self.unmet_need()
        self.overview()
        for ind in self.site.indicators:
            self.indicator(ind)
        for level in self.data.sub_levels:
            for code, name in zip(self.data.areas[level.id]["code"],
                                  self.data.areas[level.id]["name"], strict=True):
                self.area(level, code, name)
        self.about()
        self.quality()
        self.downloads()
        return dict(sorted(self.out.items()))

    def geo_js(self) -> None:
        """``assets/geo.js``: each level's boundaries under '<slug>-<level>'."""
        lines = ["window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};"]
        for spec, level in zip(self.site.pack.spec.levels, self.site.pack.levels, strict=True):
            if not spec.boundaries:
                continue
            collection = self.site.pack.boundaries(level.id) or {}
            features = []
            for feat in collection.get("features", []):
                props = feat.get("properties") or {}
                code = feat.get("id", props.get("code"))
                features.append({"type": "Feature", "id": code,
                                 "properties": {"name": props.get("name", "")},
                                 "geometry": feat.get("geometry")})
            features.sort(key=lambda f: str(f["id"]))
            body = json.dumps({"type": "FeatureCollection", "features": features},
                              sort_keys=True, separators=(",", ":"))
            key = json.dumps(f"{self.site.slug}-{level.id}")
            lines.append(f"window.PlotlyGeoAssets[{key}]={body};")
        self.out[f"{self.site.slug}/assets/geo.js"] = ("\n".join(lines) + "\n").encode("utf-8")

    def search_js(self) -> None:
        """``assets/search.js``: the find-my-area index as a global (a page opened from disk
        cannot fetch JSON). Areas are [name, code, level label, href from the council
        folder]; postcodes, from the public lookup, map to base area codes."""
        areas = []
        for level in self.data.sub_levels[::-1]:
            frame = self.data.areas[level.id]
            for code, name in zip(frame["code"], frame["name"], strict=True):
                areas.append([name, code, level.label, self.area_href("", level.id, code)])
        postcodes = {pc.replace(" ", ""): code for pc, code in self.site.postcodes.items()}
        body = json.dumps({"areas": areas, "postcodes": postcodes,
                           "has_postcodes": bool(postcodes)},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        body = body.replace("</", "<\\/")
        self.out[f"{self.site.slug}/assets/search.js"] = (
            f"window.CDASH_SEARCH={body};\n").encode()

    # pages
    def headline(self, ind: AnyIndicator, root: str) -> dict[str, Any]:
        data = self.data
        period = data.latest.get(ind.id, "")
        row = data.council_row(ind.id, period) if period else None
        value = None if row is None else row["value"]
        change = ""
        if period and ind.id in data.council:
            earlier = [p for p in data.council[ind.id]["period"] if p < period]
            if earlier:
                before = data.council_value(ind.id, earlier[-1])
                if before is not None and value is not None and not is_missing(value):
                    a, b = round(before, ind.decimals), round(float(value), ind.decimals)
                    word = "Up from" if b > a else "Down from" if b < a else "Same as"
                    change = f"{word} {format_value(ind, before)} in {earlier[-1]}"
        worse = ""
        base = data.sub_levels[0]
        if period and data.has_level(ind.id, base.id):
            stats = figures.level_stats(data.rows(ind.id, base.id, period), data.areas[base.id])
            n = stats.comparisons.get("worse", 0)
            if n:
                worse = (f"{n} {lower_label(base.label if n == 1 else base.label_plural)} "
                         "significantly worse than the council")
        if row is None:
            levels = [lv for lv in data.sub_levels if period and data.has_level(ind.id, lv.id)]
            shown = (f"By {lower_label(levels[0].label)} only" if len(levels) == 1
                     else "No council value")
        elif row["suppressed"]:
            shown = SUPPRESSED_MARK
        else:
            shown = format_value(ind, value)
        return {"id": ind.id, "title": ind.short_title, "href": self.indicator_href(root, ind.id),
                "value": shown, "ci": "" if row is None else format_ci(ind, row["lower"],
                                                                       row["upper"]),
                "period": period, "change": change, "worse": worse,
                "na": row is None}

    def worst_areas(self, ind: AnyIndicator, level: Level, period: str, root: str,
                    limit: int) -> list[dict[str, Any]]:
        rows = self.data.rows(ind.id, level.id, period)
        rows = rows[~rows["suppressed"] & rows["value"].notna()]
        ascending = ind.polarity == "higher_is_better"
        rows = rows.sort_values(["value", "area_name", "area_code"],
                                ascending=[ascending, True, True], kind="mergesort")
        return [{"name": r.area_name, "code": r.area_code,
                 "href": self.area_href(root, level.id, r.area_code),
                 "value": format_value(ind, r.value)}
                for r in rows.head(limit).itertuples(index=False)]

    def priority_view(self, root: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Priority areas per level, largest level first, as the templates show them."""
        out = []
        for level in self.data.sub_levels[::-1]:
            found = self.site.priority.get(level.id)
            if not found:
                continue
            out.append({"label": level.label, "label_plural": level.label_plural,
                        "areas": [{"name": a.name, "code": a.code, "n_below": a.n_below,
                                   "scale": f"{round(a.scale):,}",
                                   "href": self.area_href(root, level.id, a.code),
                                   "reasons": [r.text for r in a.reasons],
                                   "need": a.need_text}
                                  for a in found[:limit]]})
        return out

    def unmet_need(self) -> None:
        """``unmet-need.html``: priority areas with reasons, status map, funnels, gap table."""
        site, data = self.site, self.data
        root = ""
        base = data.sub_levels[0]
        status_fig = None
        latest = {i.id: data.latest[i.id] for i in self.uptake if i.id in data.latest}
        if base in self.map_levels:
            parts = [data.rows(i, base.id, p) for i, p in latest.items()]
            rows = pd.concat(parts) if parts else data.values.iloc[0:0]
            pub = rows[~rows["suppressed"] & rows["status"].ne("")]
            counts = pub.groupby("area_code").agg(
                n_below=("status", lambda s: int((s == "below").sum())),
                n_published=("status", "size")).reset_index()
            n_any = int((counts["n_below"] > 0).sum())
            status_fig = self.fig(
                "status-map", f"Entitlements below expected, by {lower_label(base.label)}",
                figures.status_map_figure(counts, data.areas[base.id],
                                          geojson=f"{site.slug}-{base.id}",
                                          n_indicators=len(self.uptake)),
                f"In {n_any} of {len(data.areas[base.id])} {lower_label(base.label_plural)}, "
                f"at least one of the {len(self.uptake)} entitlements is significantly below "
                "what need implies. Darker areas fall short on more of them.",
                table_href="#gap-table", table_text="Gap table", is_map=True,
                note="Grey: every figure withheld to protect privacy, or no data.")
        funnels = []
        for ind in self.uptake:
            period = latest.get(ind.id)
            if period is None or not data.has_level(ind.id, base.id):
                continue
            rows = data.rows(ind.id, base.id, period)
            funnels.append(self.fig(
                f"funnel-{ind.id}", f"{ind.short_title}, {period}",
                figures.funnel_figure(ind, rows, label_plural=base.label_plural),
                figures.funnel_summary(ind, rows, label=base.label,
                                       label_plural=base.label_plural),
                table_href=f"{self.indicator_href(root, ind.id)}#table-{base.id}",
                table_text="Table of these values"))
        tables = []
        for level in data.sub_levels:
            trs = []
            for ind in self.uptake:
                period = latest.get(ind.id)
                if period is None:
                    continue
                for r in data.rows(ind.id, level.id, period).itertuples(index=False):
                    supp = bool(r.suppressed)
                    mark = SUPPRESSED_MARK
                    trs.append({
                        "name": r.area_name, "code": r.area_code,
                        "href": self.area_href(root, level.id, r.area_code),
                        "indicator": ind.short_title, "suppressed": supp,
                        "observed": mark if supp else format_count(r.numerator),
                        "expected": mark if supp else _one_decimal(r.denominator),
                        "value": mark if supp else format_value(ind, r.value),
                        "sort": "" if supp or is_missing(r.value) else f"{float(r.value):.6g}",
                        "ci": mark if supp else format_ci(ind, r.lower, r.upper),
                        "gap": mark if supp else _one_decimal(r.gap),
                        "gap_sort": "" if supp or is_missing(r.gap) else f"{float(r.gap):.6g}",
                        "status": r.status,
                        "status_label": mark if supp else figures.STATUS_LABELS.get(r.status,
                                                                                    "")})
            if trs:
                trs.sort(key=lambda t: (t["suppressed"], -float(t["gap_sort"] or 0),
                                        t["name"], t["indicator"]))
                tables.append({"id": f"gap-{level.id}", "label": level.label,
                               "label_plural": level.label_plural, "rows": trs})
        ctx = self.context(f"{site.slug}/unmet-need.html", title="Unmet need",
                           section="unmet", charts=True, maps=status_fig is not None,
                           period=_period_range(sorted(set(latest.values()))))
        ctx.update(priority=self.priority_view(root), status_fig=status_fig, funnels=funnels,
                   tables=tables, rule=site.priority_rule_text,
                   indicators=[{"title": i.title, "href": self.indicator_href(root, i.id),
                                "method": method_text(i, site.catalogue)}
                               for i in self.uptake],
                   threshold=site.disclosure_threshold,
                   csv_href="data/unmet_need.csv")
        self.page("unmet-need.html", "unmet_need.html", ctx)

    def overview(self) -> None:
        site, data = self.site, self.data
        root = ""
        groups: dict[str, list[dict[str, Any]]] = {}
        for ind in site.indicators:
            groups.setdefault(ind.theme, []).append(self.headline(ind, root))
        theme_order = list(site.catalogue.themes)
        themes = [{"id": t, "title": self.theme_titles.get(t, t.replace("_", " ").title()),
                   "description": (site.catalogue.themes[t].description
                                   if t in site.catalogue.themes else ""),
                   "headlines": groups[t]}
                  for t in sorted(groups, key=lambda t: (theme_order.index(t)
                                                         if t in theme_order else 999, t))]
        lead = self.lead
        lead_fig = None
        more_maps: list[dict[str, Any]] = []
        need: list[dict[str, Any]] = []
        period = ""
        base = data.sub_levels[0]
        if lead is not None and lead.id in data.latest:
            period = data.latest[lead.id]
            # The lead's finest map: by intermediate zone when it comes no finer (CiLIF).
            lead_level = next((lv for lv in self.map_levels
                               if data.has_level(lead.id, lv.id)), None)
            if lead_level is not None:
                lead_fig = self.overview_map(lead, lead_level, period, root)
            # A data-zone and a ward map in any case, of another indicator if the lead has
            # none at that level, so the council always sees its smallest areas and wards.
            for level in [lv for lv in self.map_levels if lv.rank == 0 or lv.id == "ward"]:
                if data.has_level(lead.id, level.id):
                    continue
                other = next((i for i in sorted(site.indicators, key=lambda i: isinstance(
                    i, CountIndicator)) if i.id in data.latest
                    and data.has_level(i.id, level.id)), None)
                if other is not None:
                    more_maps.append(self.overview_map(other, level, data.latest[other.id],
                                                       root))
            for level, limit in ((base, 10), *((lv, 5) for lv in data.sub_levels[1:][::-1])):
                if data.has_level(lead.id, level.id):
                    need.append({"label_plural": level.label_plural,
                                 "areas": self.worst_areas(lead, level, period, root, limit)})
        area_lists = [{"level": lv.id, "label_plural": lv.label_plural,
                       "areas": [{"name": n, "code": c, "href": self.area_href(root, lv.id, c)}
                                 for c, n in zip(data.areas[lv.id]["code"],
                                                 data.areas[lv.id]["name"], strict=True)]}
                      for lv in data.sub_levels[1:][::-1]]
        ctx = self.context(f"{site.slug}/index.html", title=site.name, section="overview",
                           charts=lead_fig is not None or bool(more_maps),
                           maps=lead_fig is not None or bool(more_maps), period=period)
        ctx.update(themes=themes, lead=None if lead is None else {
            "title": lead.title, "href": self.indicator_href(root, lead.id),
            "better": "lowest" if lead.polarity == "higher_is_better" else "highest"},
            lead_fig=lead_fig, more_maps=more_maps, need=need, area_lists=area_lists,
            unmet={"href": "unmet-need.html", "priority": self.priority_view(root, 3)}
            if self.uptake else None,
            base_label_plural=base.label_plural, base_count=len(data.areas[base.id]))
        self.page("index.html", "overview.html", ctx)

    def overview_map(self, ind: AnyIndicator, level: Level, period: str, root: str
                     ) -> dict[str, Any]:
        """One indicator's map at one level, as the overview shows it."""
        data, site = self.data, self.site
        rows = data.rows(ind.id, level.id, period)
        figure = figures.map_figure(ind, rows, data.areas[level.id],
                                    geojson=f"{site.slug}-{level.id}")
        summary = figures.level_summary(
            ind, rows, data.areas[level.id], period=period, council_name=site.name,
            council_value=data.council_value(ind.id, period), label=level.label,
            label_plural=level.label_plural)
        return self.fig(
            f"map-{level.id}", f"{ind.title}, by {lower_label(level.label)}, {period}",
            figure, summary, is_map=True, note=self.suppression_note(ind),
            table_href=f"{self.indicator_href(root, ind.id)}#table-{level.id}",
            table_text=f"Table of {lower_label(level.label_plural)} for this indicator")

    def table_rows(self, ind: AnyIndicator, level: Level, period: str, root: str,
                   council_value: float | None, rows: pd.DataFrame | None = None
                   ) -> list[dict[str, Any]]:
        if rows is None:
            rows = self.data.rows(ind.id, level.id, period)
        rows = rows.sort_values(["suppressed", "value", "area_name", "area_code"],
                                ascending=[True, ind.polarity == "higher_is_better", True, True],
                                kind="mergesort", na_position="last")
        out = []
        for r in rows.itertuples(index=False):
            supp = bool(r.suppressed)
            out.append({
                "name": r.area_name, "code": r.area_code,
                "href": self.area_href(root, level.id, r.area_code),
                "suppressed": supp,
                "numerator": SUPPRESSED_MARK if supp else format_count(r.numerator),
                "denominator": SUPPRESSED_MARK if supp else format_count(r.denominator),
                "value": SUPPRESSED_MARK if supp else format_number(ind, r.value),
                "sort": "" if supp or is_missing(r.value) else f"{float(r.value):.6g}",
                "ci": SUPPRESSED_MARK if supp else format_ci(ind, r.lower, r.upper),
                "comparison": r.comparison,
                "comparison_label": (figures.COMPARISON_LABELS.get(r.comparison, r.comparison)
                                     if r.comparison else ""),
            })
        return out

    def indicator(self, ind: AnyIndicator) -> None:
        site, data = self.site, self.data
        root = "../"
        period = data.latest.get(ind.id, "")
        council_value = data.council_value(ind.id, period) if period else None
        council_row = data.council_row(ind.id, period) if period else None
        sections, tables = [], []
        for level in data.sub_levels:
            if not data.has_level(ind.id, level.id):
                continue
            rows = data.rows(ind.id, level.id, period)
            areas = data.areas[level.id]
            table_href = f"#table-{level.id}"
            table_text = f"Table of these values by {lower_label(level.label)}"
            section: dict[str, Any] = {"id": level.id, "label": level.label,
                                       "label_plural": level.label_plural,
                                       "map": None, "bar": None}
            if level in self.map_levels:
                wide = level.rank == 0
                section["map"] = self.fig(
                    f"map-{level.id}", f"Map by {lower_label(level.label)}, {period}",
                    figures.map_figure(ind, rows, areas, geojson=f"{site.slug}-{level.id}",
                                       height=560 if wide else 480),
                    figures.level_summary(
                        ind, rows, areas, period=period, council_name=site.name,
                        council_value=council_value, label=level.label,
                        label_plural=level.label_plural),
                    table_href=table_href, table_text=table_text, is_map=True)
            if level.rank > 0:
                section["bar"] = self.fig(
                    f"bar-{level.id}", f"{level.label_plural} ranked, {period}",
                    figures.bar_figure(ind, rows, council_value=council_value,
                                       council_name=site.name),
                    figures.rank_summary(ind, rows, areas, council_name=site.name,
                                         council_value=council_value, label=level.label,
                                         label_plural=level.label_plural),
                    table_href=table_href, table_text=table_text)
            if section["map"] or section["bar"]:
                sections.append(section)
            table = self.table_rows(ind, level, period, root, council_value)
            tables.append({"id": f"table-{level.id}", "level": level.id,
                           "label": level.label, "label_plural": level.label_plural,
                           "rows": table, "period": period,
                           "compare": any(r["comparison"] for r in table)})
        maps = [sec["map"] for sec in sections if sec["map"]]
        trend = None
        council_rows = data.council.get(ind.id)
        if council_rows is not None and not council_rows.empty:
            line_level = next((lv for lv in data.sub_levels[::-1]
                               if lv.rank > 0 and data.has_level(ind.id, lv.id)), None)
            line_rows = None
            if line_level is not None:
                part = data.values
                line_rows = part[(part["indicator"] == ind.id)
                                 & (part["level"] == line_level.id)]
            ind_periods = sorted(set(data.values.loc[data.values["indicator"] == ind.id,
                                                     "period"]))
            trend = self.fig(
                "trend", f"Trend, {_period_range(ind_periods)}",
                figures.trend_figure(ind, council_rows, line_rows, periods=ind_periods,
                                     council_name=site.name, colour=self.colour,
                                     area_label=line_level.label_plural if line_level else ""),
                figures.trend_summary(ind, council_rows, site.name),
                table_href="#table-trend", table_text="Table of the council value over time")
            trend["rows"] = [{"period": r.period,
                              "value": SUPPRESSED_MARK if r.suppressed
                              else format_number(ind, r.value),
                              "ci": SUPPRESSED_MARK if r.suppressed
                              else format_ci(ind, r.lower, r.upper),
                              "numerator": SUPPRESSED_MARK if r.suppressed
                              else format_count(r.numerator),
                              "denominator": SUPPRESSED_MARK if r.suppressed
                              else format_count(r.denominator)}
                             for r in council_rows.itertuples(index=False)]
        groups = self.inequality_view(ind, period, council_value)
        view = self.view_data(ind, sections, tables, period, bool(trend))
        ctx = self.context(f"{site.slug}/indicators/{ind.id}.html", title=ind.title,
                           section="indicators", charts=bool(sections or trend or groups),
                           maps=bool(maps), period=period)
        ctx.update(
            ind=ind, ratio=not isinstance(ind, CountIndicator),
            theme=self.theme_titles.get(ind.theme, ind.theme),
            only_levels=[lv.label_plural for lv in data.sub_levels
                         if data.has_level(ind.id, lv.id)] if council_row is None else [],
            # Said whenever some level is missing, e.g. CiLIF, published by intermediate
            # zone, has no data-zone or ward figures (and no such maps).
            available_levels=[] if all(data.has_level(ind.id, lv.id)
                                       for lv in site.pack.levels)
            else [lv.label_plural for lv in site.pack.levels if data.has_level(ind.id, lv.id)],
            council_value=("" if council_row is None else SUPPRESSED_MARK
                           if council_row["suppressed"] else format_value(ind, council_value)),
            council_ci="" if council_row is None else format_ci(
                ind, council_row["lower"], council_row["upper"]),
            sections=sections, trend=trend, tables=tables,
            has_ci=bool(ind.ci not in ("none",)),
            method=method_text(ind, site.catalogue),
            polarity=_POLARITY_TEXT[ind.polarity],
            suppression_note=self.suppression_note(ind),
            threshold=site.disclosure_threshold,
            csv_href=root + "data/indicator_values.csv",
            groups=groups,
            national_name=site.national_name,
            national=self.national_view(ind, council_row),
            view=view,
        )
        self.page(f"indicators/{ind.id}.html", "indicator.html", ctx)

    # --- the view controls of an indicator page: level, breakdown and period ---------------

    def variant_rows(self, ind_id: str, key: str, level_id: str, period: str) -> pd.DataFrame:
        """Published rows of one variant ("" = the total, else "breakdown.category")."""
        if not key:
            return self.data.rows(ind_id, level_id, period)
        return self.variants.get((ind_id, key, level_id, period), self.data.values.iloc[0:0])

    def view_data(self, ind: AnyIndicator, sections: list[dict[str, Any]],
                  tables: list[dict[str, Any]], period: str, has_trend: bool
                  ) -> dict[str, Any]:
        """What the level, breakdown and period controls switch between.

        Every variant (breakdown category x period) is pre-rendered here as plain figure
        data and table cells; site.js swaps them into the one map, ranking, trend and table
        of each level (Plotly.react), so the page works from disk with no server."""
        data = self.data
        root = "../"
        levels = [{"id": t["level"], "label": t["label"]} for t in tables]
        council_key = self.data.top.id if self.data.top is not None else ""
        if has_trend and council_key:
            levels.append({"id": council_key, "label": self.data.top.label
                           if self.data.top is not None else ""})
        # The latest few periods only: each is a full set of pre-rendered figures, and open
        # data can run back twenty years (the trend and the CSV still hold every period).
        all_periods = sorted(set(data.values.loc[data.values["indicator"] == ind.id, "period"]))
        all_periods = [p for p in all_periods if p <= period][-PERIOD_VIEWS:]
        keyed = [("", "All", "", all_periods)]
        for (bd, cat), periods in self.variant_periods.get(ind.id, {}).items():
            keyed.append((f"{bd}.{cat}", _unslug(cat), _unslug(bd), periods[-PERIOD_VIEWS:]))
        options = [{"key": k, "label": lab, "group": grp} for k, lab, grp, _ in keyed]
        groups: dict[str, list[dict[str, str]]] = {}
        for o in options[1:]:
            groups.setdefault(o["group"], []).append(o)
        views: dict[str, Any] = {}
        if len(keyed) > 1 or len(all_periods) > 1:
            for key, label, group, periods in keyed:
                for p in periods:
                    views[f"{key}|{p}"] = self.one_view(ind, key, p, sections, tables, root,
                                                        f"{group}: {label}" if key else "")
        payload = {"default": f"|{period}", "views": views,
                   "periods": {k: ps for k, _, _, ps in keyed}}
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return {"levels": levels if len(levels) > 1 else [], "groups": groups,
                "periods": all_periods if len(all_periods) > 1 else [], "period": period,
                "json": Markup(text.replace("</", "<\\/")) if views else ""}

    def one_view(self, ind: AnyIndicator, key: str, period: str,
                 sections: list[dict[str, Any]], tables: list[dict[str, Any]], root: str,
                 label: str) -> dict[str, Any]:
        """One variant's figures, summaries, table cells and council value."""
        site = self.site
        top = self.data.top
        council = (self.variant_rows(ind.id, key, top.id, period) if top is not None
                   else self.data.values.iloc[0:0])
        mine = council[council["area_code"] == site.code] if not council.empty else council
        crow = mine.iloc[0] if len(mine) else None
        cvalue = (None if crow is None or crow["suppressed"] or is_missing(crow["value"])
                  else float(crow["value"]))
        shown = ("" if crow is None else SUPPRESSED_MARK if crow["suppressed"]
                 else format_value(ind, cvalue))
        figs: dict[str, Any] = {}
        summaries: dict[str, str] = {}
        by_level = {lv.id: lv for lv in self.data.sub_levels}
        for sec in sections:
            level = by_level[sec["id"]]
            rows = self.variant_rows(ind.id, key, level.id, period)
            areas = self.data.areas[level.id]
            if sec["map"]:
                figs[sec["map"]["id"]] = figures.map_figure(
                    ind, rows, areas, geojson=f"{site.slug}-{level.id}",
                    height=560 if level.rank == 0 else 480)
                summaries[sec["map"]["id"]] = figures.level_summary(
                    ind, rows, areas, period=period, council_name=site.name,
                    council_value=cvalue, label=level.label, label_plural=level.label_plural)
            if sec["bar"]:
                figs[sec["bar"]["id"]] = figures.bar_figure(
                    ind, rows, council_value=cvalue, council_name=site.name)
                summaries[sec["bar"]["id"]] = figures.rank_summary(
                    ind, rows, areas, council_name=site.name, council_value=cvalue,
                    label=level.label, label_plural=level.label_plural)
        cells: dict[str, list[list[str]]] = {}
        for t in tables:
            level = by_level[t["level"]]
            rows = self.variant_rows(ind.id, key, level.id, period)
            cells[t["id"]] = [[r["code"], r["numerator"], r["denominator"], r["value"], r["sort"],
                               r["ci"], r["comparison"], r["comparison_label"]]
                              for r in self.table_rows(ind, level, period, root, cvalue, rows)]
        if key and top is not None and self.data.council.get(ind.id) is not None:
            periods = self.variant_periods[ind.id][tuple(key.split(".", 1))]  # type: ignore[index]
            trend = pd.concat([self.variant_rows(ind.id, key, top.id, p) for p in periods])
            trend = trend[trend["area_code"] == site.code]
            figs["trend"] = figures.trend_figure(
                ind, trend, None, periods=periods, council_name=f"{site.name}: {label}",
                colour=self.colour)
            summaries["trend"] = figures.trend_summary(ind, trend, f"{site.name} ({label})")
        ci = ("" if crow is None or crow["suppressed"]
              else format_ci(ind, crow["lower"], crow["upper"]))
        return {"council": shown, "ci": f"95% confidence interval {ci}" if ci else "",
                "figs": figs, "summaries": summaries, "cells": cells,
                "label": label, "period": period}

    def national_view(self, ind: AnyIndicator, row: dict[str, Any] | None
                      ) -> dict[str, str] | None:
        """The council against the national value, when there is one."""
        if row is None or is_missing(row.get("national")):
            return None
        key = str(row.get("national_comparison") or "")
        return {"value": format_value(ind, row["national"]), "comparison": key,
                "label": national_label(key, self.site.national_name),
                "name": self.site.national_name, "source": self.site.national_source}

    def inequality_view(self, ind: AnyIndicator, period: str,
                        council_value: float | None) -> dict[str, Any] | None:
        """The SIMD section of an indicator page: quintile chart, tables, SII sentence."""
        groups = self.site.groups
        if groups is None or not period:
            return None
        mine = groups[(groups["indicator"] == ind.id) & (groups["period"] == period)]
        if mine.empty:
            return None
        label = self.site.inequality_label

        def table(rows: pd.DataFrame) -> list[dict[str, Any]]:
            return [{"name": figures.group_name(label, int(r.group), len(rows)),
                     "zones": f"{int(r.zones):,}", "suppressed": bool(r.suppressed),
                     "numerator": SUPPRESSED_MARK if r.suppressed else format_count(r.numerator),
                     "denominator": SUPPRESSED_MARK if r.suppressed
                     else format_count(r.denominator),
                     "value": SUPPRESSED_MARK if r.suppressed else format_number(ind, r.value),
                     "ci": SUPPRESSED_MARK if r.suppressed else format_ci(ind, r.lower, r.upper)}
                    for r in rows.itertuples(index=False)]

        quintiles = mine[mine["grouping"] == "quintile"].sort_values("group")
        deciles = mine[mine["grouping"] == "decile"].sort_values("group")
        # Deciles only "where counts allow": every decile with zones published.
        show_deciles = not deciles.empty and not deciles["suppressed"].astype(bool).any()
        figure = self.fig(
            "simd-quintiles", f"By {label} quintile, {period}",
            figures.group_figure(ind, quintiles, label=f"{label} quintile",
                                 council_value=council_value, council_name=self.site.name),
            figures.group_summary(ind, quintiles, label),
            table_href="#table-simd", table_text=f"Table of values by {label} quintile")
        return {"label": label, "figure": figure, "quintiles": table(quintiles),
                "deciles": table(deciles) if show_deciles else [],
                "slope": figures.slope_sentence(ind, self.site.slopes.get((ind.id, period)),
                                                label)}

    def area(self, level: Level, code: str, name: str) -> None:
        site, data = self.site, self.data
        root = "../../"
        rows = []
        for ind in site.indicators:
            period = data.latest.get(ind.id)
            if period is None or not data.has_level(ind.id, level.id):
                continue
            r = data.record(ind.id, level.id, period, code)
            council_value = data.council_value(ind.id, period)
            if r is None:
                value, ci, comparison, label = "no data", "", "", ""
            else:
                supp = bool(r["suppressed"])
                value = SUPPRESSED_MARK if supp else format_value(ind, r["value"])
                ci = SUPPRESSED_MARK if supp else format_ci(ind, r["lower"], r["upper"])
                comparison = r["comparison"]
                label = figures.COMPARISON_LABELS.get(comparison, comparison) if comparison else ""
            national, n_key = "", ""
            if r is not None and not r["suppressed"] and not is_missing(r.get("national")):
                national = format_value(ind, r["national"])
                n_key = str(r.get("national_comparison") or "")
            rows.append({"national": national, "national_comparison": n_key,
                         "national_label": national_label(n_key, site.national_name),
                         "href": self.indicator_href(root, ind.id), "title": ind.short_title,
                         "theme": self.theme_titles.get(ind.theme, ind.theme),
                         "period": period, "value": value, "ci": ci,
                         "council": "" if council_value is None
                         else format_value(ind, council_value),
                         "comparison": comparison, "comparison_label": label})
        base = site.pack.base
        first = self.first_lookup_row[level.id].get(code)
        parents = []
        if first is not None:
            for lv in data.sub_levels:
                if lv.rank > level.rank:
                    pcode = first[f"{lv.id}_code"]
                    parents.append({"label": lv.label, "name": first[f"{lv.id}_name"],
                                    "code": pcode, "href": self.area_href(root, lv.id, pcode)})
        children = []
        if level.rank > 0:
            children = [{"name": n, "code": c, "href": self.area_href(root, base.id, c)}
                        for c, n in self.children[level.id].get(code, [])]
        path = f"areas/{level.id}/{safe_name(code)}.html"
        ctx = self.context(f"{site.slug}/{path}", title=f"{name} ({lower_label(level.label)})",
                           section="areas", period=_period_range(sorted(
                               {r["period"] for r in rows})) if rows else "")
        ctx.update(area_name=name, area_code=code, level=level, rows=rows, parents=parents,
                   children=children, base=base, national_name=site.national_name,
                   has_national=any(r["national"] for r in rows),
                   indices=self.index_view(level, code, root))
        self.page(path, "area.html", ctx)

    def index_view(self, level: Level, code: str, root: str) -> list[dict[str, Any]]:
        """Each composite index's components for one area in the index's latest period."""
        out = []
        for ind in self.site.indicators:
            if not isinstance(ind, IndexIndicator):
                continue
            comps = self.site.index_components.get(ind.id)
            period = self.data.latest.get(ind.id)
            if comps is None or comps.empty or period is None:
                continue
            mine = comps[(comps["level"] == level.id) & (comps["area_code"] == code)
                         & (comps["period"] == period)]
            if mine.empty:
                continue
            titles = {d.id: d.title for d in ind.dimensions}
            record = self.data.record(ind.id, level.id, period, code) or {}
            rows = []
            for r in mine.itertuples(index=False):
                comp = self.site.catalogue.indicators[r.component]
                gone = is_missing(r.value)
                rows.append({"dimension": titles.get(r.dimension, r.dimension),
                             "title": comp.short_title,
                             "href": self.indicator_href(root, r.component),
                             "weight": f"{r.weight:g}",
                             "value": "missing" if gone else format_value(comp, r.value),
                             "score": "" if gone else f"{r.score:.1f}",
                             "missing": gone})
            missing = [r["title"] for r in rows if r["missing"]]
            out.append({"title": ind.title, "href": self.indicator_href(root, ind.id),
                        "period": period, "value": "" if is_missing(record.get("value"))
                        else format_number(ind, record["value"]),
                        "normalisation": ("0–100 between stated best and worst values"
                                          if ind.normalisation == "bounds"
                                          else "as a z-score across areas")
                        + (", turned so that a higher score is worse, as for the index"
                           if ind.polarity == "higher_is_worse"
                           else ", so that a higher score is better"),
                        "rows": rows, "missing": missing})
        return out

    def about(self) -> None:
        site = self.site
        inds = [{"id": ind.id, "title": ind.title, "description": ind.description,
                 "theme": self.theme_titles.get(ind.theme, ind.theme),
                 "method": method_text(ind, site.catalogue),
                 "polarity": _POLARITY_TEXT[ind.polarity], "unit": ind.unit,
                 "source": ind.source, "caveats": ind.caveats,
                 "href": self.indicator_href("", ind.id)}
                for ind in site.indicators]
        ctx = self.context(f"{site.slug}/about.html", title="About the data", section="about",
                           period=_period_range(site.periods))
        ctx.update(indicators=inds, datasets=site.datasets,
                   threshold=site.disclosure_threshold, pack=site.pack.spec,
                   levels=site.pack.levels, contact_email=site.contact_email,
                   national_name=site.national_name,
                   national_source=site.national_source,
                   inequality_label=site.inequality_label,
                   inequality_zones=f"{site.inequality_zones:,}")
        self.page("about.html", "about.html", ctx)

    def quality(self) -> None:
        site, data = self.site, self.data
        datasets = [{"id": d.id, "title": d.title, "source": d.source, "file": d.file,
                     "rows_read": f"{d.rows_read:,}", "rows_used": f"{d.rows_used:,}",
                     "dropped": f"{d.rows_read - d.rows_used:,}",
                     "periods": _period_range(sorted(d.periods)),
                     "measures": ", ".join(d.measures),
                     "coverage": f"{d.coverage * 100:.0f}%", "why": ""}
                    for d in site.datasets]
        report = site.report
        available: list[dict[str, Any]] = []
        unavailable: list[dict[str, Any]] = []
        vintage: list[dict[str, Any]] = []
        if report is not None:
            datasets = [_report_row(d) for d in report.datasets]
            for status in report.indicators:
                row = {"id": status.id, "title": status.title,
                       "theme": self.theme_titles.get(status.theme, status.theme),
                       "href": self.indicator_href("", status.id)
                       if any(i.id == status.id for i in site.indicators) else "",
                       "why": _unavailable_reason(status)}
                (available if status.available else unavailable).append(row)
            vintage = [{"dataset": f.dataset, "file": f.file, "vintage": f.vintage,
                        "codes": f"{f.codes:,}", "examples": ", ".join(f.examples),
                        "suggestion": f.suggestion} for f in report.vintage]
        suppression = []
        values = data.values
        for ind in site.indicators:
            part = values[values["indicator"] == ind.id]
            notes = part.loc[part["suppressed"], "note"]
            suppression.append({
                "title": ind.short_title, "href": self.indicator_href("", ind.id),
                "rows": f"{len(part):,}",
                "primary": f"{int((notes == 'primary').sum()):,}",
                "secondary": f"{int((notes == 'secondary').sum()):,}",
                "total": f"{int(part['suppressed'].sum()):,}"})
        problems = sorted(site.problems)
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity != "error"]
        ctx = self.context(f"{site.slug}/quality.html", title="Data quality", section="quality",
                           period=_period_range(site.periods))
        ctx.update(datasets=datasets, suppression=suppression, has_report=report is not None,
                   available=available, unavailable=unavailable, vintage=vintage,
                   error_lines=format_problems(errors, PROBLEMS_PER_CODE),
                   warning_lines=format_problems(warnings, PROBLEMS_PER_CODE),
                   n_errors=len(errors), n_warnings=len(warnings),
                   threshold=site.disclosure_threshold, limit=PROBLEMS_PER_CODE)
        self.page("quality.html", "quality.html", ctx)

    def downloads(self) -> None:
        site = self.site
        self.out[f"{site.slug}/data/indicator_values.csv"] = values_csv(
            self.data.values, {i.id: i for i in site.indicators})
        if self.uptake:
            self.out[f"{site.slug}/data/unmet_need.csv"] = unmet_csv(
                self.data.values, [i.id for i in self.uptake])
        self.out[f"{site.slug}/data/datapackage.json"] = _json(
            datapackage(site)).encode("utf-8")


def _unslug(text: str) -> str:
    """A breakdown id or category as words: "three_or_more_children" -> "Three or more
    children"."""
    words = str(text).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _one_decimal(value: Any) -> str:
    return "" if is_missing(value) else f"{float(value):,.1f}"


def unmet_csv(values: pd.DataFrame, uptake_ids: list[str]) -> bytes:
    """The uptake rows (every level and period) as CSV, suppressed numbers as "[c]"."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(UNMET_CSV_COLUMNS)
    part = values[values["indicator"].isin(uptake_ids)]
    numeric = ["numerator", "denominator", "value", "lower", "upper", "lower_998",
               "upper_998", "gap"]
    for r in part.to_dict("records"):
        supp = bool(r["suppressed"])
        nums = [SUPPRESSED_MARK if supp else _csv_number(r[c], None if c == "numerator" else 3)
                for c in numeric]
        writer.writerow([r["indicator"], r["level"], r["area_code"], r["area_name"],
                         r["period"], *nums, "" if supp else r["status"],
                         "true" if supp else "false"])
    return buf.getvalue().encode("utf-8")


def _report_row(d: Any) -> dict[str, Any]:
    """One dataset of the data contract report as a quality-page table row."""
    why = ", ".join(f"{n:,} {code}" for code, n in d.dropped_by_code.items())
    coverage = "; ".join(f"{period}: {share * 100:.0f}%" for period, share in d.coverage.items())
    return {"id": d.id, "title": d.title, "file": d.file,
            "rows_read": f"{d.rows_read:,}" if d.read_ok else "not read",
            "rows_used": f"{d.rows_used:,}", "dropped": f"{d.rows_dropped:,}", "why": why,
            "periods": _period_range(d.periods), "measures": ", ".join(d.measures),
            "coverage": coverage or "none"}


def _unavailable_reason(status: Any) -> str:
    """Why an indicator cannot be shown, in words."""
    parts = []
    if status.missing_measures:
        parts.append("no dataset maps " + ", ".join(status.missing_measures))
    if status.empty_measures:
        parts.append("no usable values for " + ", ".join(status.empty_measures))
    if not status.selected:
        parts.append("not in this council's list of indicators")
    return "; ".join(parts)


def format_count(value: Any) -> str:
    """A count with thousands separators; whole numbers without decimals."""
    if is_missing(value):
        return ""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def _csv_number(value: Any, decimals: int | None) -> str:
    if is_missing(value):
        return ""
    value = float(value)
    if decimals is None:
        return str(int(value)) if value.is_integer() else f"{value:.3f}"
    return f"{value:.{decimals}f}"


def values_csv(values: pd.DataFrame, indicators: dict[str, AnyIndicator]) -> bytes:
    """Every published value as CSV: suppressed numbers as "[c]", rows in table order.

    Values, intervals and comparators carry two decimals more than the pages show.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    cols = {c: values[c].tolist() for c in CSV_COLUMNS}
    for n in range(len(values)):
        ind = indicators[cols["indicator"][n]]
        if cols["suppressed"][n]:
            numbers = [SUPPRESSED_MARK] * 6
        else:
            decimals = ind.decimals + 2
            numbers = [_csv_number(cols["numerator"][n], None),
                       _csv_number(cols["denominator"][n], None),
                       *(_csv_number(cols[c][n], decimals)
                         for c in ("value", "lower", "upper", "comparator"))]
        writer.writerow([cols["indicator"][n], cols["level"][n], cols["area_code"][n],
                         cols["area_name"][n], cols["period"][n], *numbers,
                         cols["comparison"][n], "true" if cols["suppressed"][n] else "false"])
    return buf.getvalue().encode("utf-8")


_FIELD_DOCS = {
    "indicator": ("string", "Indicator id; see about.html for definitions."),
    "level": ("string", "Geography level of the area, e.g. datazone, ward, council."),
    "area_code": ("string", "Area code."),
    "area_name": ("string", "Area name."),
    "period": ("string", "Period the value refers to, e.g. 2024/25."),
    "numerator": ("number", "Count on top of the ratio, or the count itself."),
    "denominator": ("number", "Count the numerator is divided by; empty for counts."),
    "value": ("number", "The indicator value."),
    "lower": ("number", "Lower bound of the 95% confidence interval."),
    "upper": ("number", "Upper bound of the 95% confidence interval."),
    "comparator": ("number", "The council's value for the same indicator and period."),
    "comparison": ("string", "better, worse or similar to the council by the confidence "
                             "interval (higher/lower when neither is better); empty without "
                             "an interval."),
    "suppressed": ("boolean", "true when disclosure control withheld this row's numbers, "
                              "which are then shown as [c]."),
}


def datapackage(site: CouncilSite) -> dict[str, Any]:
    """A minimal Frictionless data package describing ``indicator_values.csv``."""
    description = (f"Published indicator values for {site.name}, by area and period. "
                   f"Counts below {site.disclosure_threshold} and figures that would reveal "
                   "them are withheld and shown as [c].")
    if site.synthetic:
        description += " SYNTHETIC DEMO DATA: these numbers are invented."
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": re.sub(r"[^a-z0-9._-]", "-", f"{site.slug}-indicator-values".lower()),
        "title": f"{site.name}: child poverty and unmet need indicators",
        "description": description,
        "created": f"{site.build_date}T00:00:00Z",
        "sources": [{"title": d.title, "path": d.file} if not d.source else
                    {"title": d.title, "description": d.source} for d in site.datasets],
        "resources": [{
            "name": "indicator_values",
            "path": "indicator_values.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [{"name": name, "type": kind, "description": doc}
                           for name, (kind, doc) in _FIELD_DOCS.items()],
                "missingValues": ["", SUPPRESSED_MARK],
                "primaryKey": ["indicator", "level", "area_code", "period"],
            },
        }],
    }
    if site.attribution:
        # Frictionless wants a licence *name* or *path*; free attribution text is neither,
        # so it goes in the description, where a reader of the package will see it.
        package["description"] += f" Attribution: {site.attribution}"
    return package


def render_council(site: CouncilSite, *, template_dir: Path | None = None) -> dict[str, bytes]:
    """Every file of one council's site, keyed by path relative to the site root.

    ``template_dir`` is an optional folder of council templates searched before the
    defaults. Shared assets (plotly.min.js, site.css, site.js) come from ``render_portal``.
    """
    return _Pages(site, make_environment(template_dir)).render()


def render_portal(sites: list[CouncilSite], build_date: str, *,
                  template_dir: Path | None = None) -> dict[str, bytes]:
    """The portal ``index.html`` linking every council, and the shared ``assets/``."""
    env = make_environment(template_dir)
    councils = []
    for site in sorted(sites, key=lambda s: (s.name, s.slug)):
        data = _Data(site)
        lead = lead_indicator(site.indicators)
        picks = ([lead] if lead else []) + [i for i in site.indicators if i is not lead]
        headlines = []
        for ind in picks[:2]:
            period = data.latest.get(ind.id)
            value = data.council_value(ind.id, period) if period else None
            if value is not None:
                headlines.append({"title": ind.short_title, "period": period,
                                  "value": format_value(ind, value),
                                  "href": f"{site.slug}/indicators/{ind.id}.html"})
        councils.append({"name": site.name, "slug": site.slug, "href": f"{site.slug}/index.html",
                         "synthetic": site.synthetic, "colour": _brand(site.colour),
                         "periods": _period_range(site.periods), "headlines": headlines,
                         "n_indicators": len(site.indicators)})
    periods = sorted({p for s in sites for p in s.periods})
    attributions = sorted({s.attribution for s in sites if s.attribution})
    ctx = {
        "page_title": "Child poverty and unmet need: council dashboards",
        "title": "Council dashboards",
        "assets": "assets/",
        "portal": "index.html",
        "council_name": "",
        "nav": [],
        "links": {},
        "brand": _DEFAULT_COLOUR,
        "brand_text": _text_colour(_DEFAULT_COLOUR),
        "page_period": "",
        "charts": False,
        "maps": False,
        "geo_js": "",
        "geo_stub": GEO_STUB,
        "build_date": build_date,
        "data_period": _period_range(periods),
        "synthetic": bool(sites) and all(s.synthetic for s in sites),
        "any_synthetic": any(s.synthetic for s in sites),
        "councils": councils,
        "attributions": attributions,
        "attribution": " ".join(attributions),
    }
    out = {"index.html": env.get_template("portal.html").render(**ctx).encode("utf-8")}
    out.update(shared_assets())
    return dict(sorted(out.items()))


def verbatim_assets() -> dict[str, bytes]:
    """Third-party files copied into the site unchanged, by their path in the site."""
    return {"assets/plotly.min.js": PLOTLY_JS.read_bytes()}


def shared_assets() -> dict[str, bytes]:
    """``assets/plotly.min.js``, ``assets/site.css`` and ``assets/site.js``."""
    return {
        **verbatim_assets(),
        "assets/site.css": (STATIC_DIR / "site.css").read_bytes(),
        "assets/site.js": (STATIC_DIR / "site.js").read_bytes(),
    }

