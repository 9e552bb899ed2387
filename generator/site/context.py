"""What every page of one council shares: the Jinja environment, the page context, links.

A council's pages are rendered by the modules in ``site/pages/``, each given the one
``CouncilPages`` of its council, which holds the published data (``SiteData``), the brand and
the files written so far (``out``: path relative to the site root -> bytes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined
from markupsafe import Markup

from generator.ingest.catalogue import AnyIndicator, UptakeIndicator
from generator.ingest.config import DEFAULT_COLOUR
from generator.site import figures
from generator.site.assets import GEO_STUB
from generator.site.council import CouncilSite
from generator.site.data import SiteData, lead_indicator, safe_name
from generator.site.formatting import lower_label
from generator.site.words import period_range

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


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


def text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour`` (WCAG relative luminance)."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "#0b0c0c"


def brand(colour: str) -> str:
    return colour.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", colour or "") else DEFAULT_COLOUR


class CouncilPages:
    """Renders the pages of one council; holds what every page shares."""

    def __init__(self, site: CouncilSite, env: Environment) -> None:
        self.site = site
        self.env = env
        self.data = SiteData(site)
        self.colour = brand(site.colour)
        self.out: dict[str, bytes] = {}
        self.theme_titles = {t.id: t.title for t in site.catalogue.themes.values()}
        self.map_levels = [
            lv for lv in self.data.sub_levels if site.pack.spec.levels[lv.rank].boundaries
        ]
        self.lead = lead_indicator(site.indicators)
        self.uptake = [i for i in site.indicators if isinstance(i, UptakeIndicator)]
        self._nests: dict[tuple[str, str], bool] = {}

    def context(
        self,
        path: str,
        *,
        title: str,
        section: str,
        charts: bool = False,
        maps: bool = False,
        period: str = "",
    ) -> dict[str, Any]:
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
            "brand_text": text_colour(self.colour),
            "build_date": s.build_date,
            "data_period": period_range(s.periods),
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
        items += [
            ("indicators", "Indicators", "index.html#indicators"),
            ("areas", "Areas", "index.html#areas"),
        ]
        if self.site.interventions:
            items.append(("interventions", "Interventions", "interventions.html"))
        items += [
            ("quality", "Data quality", "quality.html"),
            ("about", "About the data", "about.html"),
            ("report", "Report", "report.html"),
        ]
        # Templates link by key (links.about.href), never by position.
        return [
            {"key": key, "href": root + href, "label": label, "current": key == section}
            for key, label, href in items
        ]

    def page(self, path: str, template: str, ctx: dict[str, Any]) -> None:
        html = self.env.get_template(template).render(**ctx)
        self.out[f"{self.site.slug}/{path}"] = html.encode("utf-8")

    def indicator_href(self, root: str, ind_id: str) -> str:
        return f"{root}indicators/{ind_id}.html"

    def area_href(self, root: str, level_id: str, code: str) -> str:
        return f"{root}areas/{level_id}/{safe_name(code)}.html"

    def fig(
        self,
        fig_id: str,
        title: str,
        figure: dict[str, Any],
        summary: str,
        *,
        table_href: str = "",
        table_text: str = "",
        note: str = "",
        is_map: bool = False,
    ) -> dict[str, Any]:
        config = figures.MAP_CONFIG if is_map else figures.CONFIG
        return {
            "id": fig_id,
            "title": title,
            "summary": summary,
            "note": note,
            "table_href": table_href,
            "table_text": table_text,
            "html": Markup(figures.to_fragment(figure, fig_id, config=config)),
        }

    def nests(self, child: str, parent: str) -> bool:
        """Whether every ``child`` area lies in one ``parent`` area (asked once per pair)."""
        if (child, parent) not in self._nests:
            self._nests[child, parent] = self.site.pack.nests(child, parent)
        return self._nests[child, parent]

    def suppression_note(self, ind: AnyIndicator) -> str:
        light = (
            "Light grey: no data, too few expected to judge (not even none received would "
            "be flagged), or a count starred in the source (known only within a range). "
            "Colours run from purple (below expected) through pale (100%) to orange "
            "(above)."
            if ind.method == "uptake"
            else "Light grey: no data."
        )
        return (
            f"Grey areas: numbers withheld to protect privacy, because a count behind "
            f"them is below {self.site.disclosure_threshold} or could be worked out "
            f"from other published figures. {light}"
        )

    def priority_view(
        self, root: str, limit: int | None = None, priority: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Priority areas per level, largest level first, as the templates show them
        (``priority``: a breakdown category's list instead of the total's)."""
        out = []
        for level in self.data.sub_levels[::-1]:
            found = (self.site.priority if priority is None else priority).get(level.id)
            if not found:
                continue
            out.append(
                {
                    "label": level.label,
                    "label_plural": level.label_plural,
                    "areas": [
                        {
                            "name": a.name,
                            "code": a.code,
                            "n_below": a.n_below,
                            "scale": f"{a.scale:.1f}",
                            "href": self.area_href(root, level.id, a.code),
                            "reasons": [r.text for r in a.reasons],
                            "need": a.need_text,
                        }
                        for a in found[:limit]
                    ],
                }
            )
        return out
