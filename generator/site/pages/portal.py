"""The portal ``index.html`` at the site root, linking every council, and the shared
``assets/`` folder.

Each council's card is an *entry*, a plain dict made from its published values. The entry is
also written into the council's folder (``<slug>/assets/build.json``, see ``site/build.py``)
so that rebuilding one council can list the others without rebuilding them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.ingest.config import DEFAULT_COLOUR
from generator.site.assets import GEO_STUB, shared_assets
from generator.site.context import brand, make_environment, text_colour
from generator.site.council import CouncilSite
from generator.site.data import SiteData, lead_indicator
from generator.site.formatting import format_value
from generator.site.pages import compare
from generator.site.words import period_range


def entry(site: CouncilSite, data: SiteData | None = None) -> dict[str, Any]:
    """One council's card on the portal: only values its own pages already publish.
    ``data``: the council's SiteData if the caller has it already (it takes a while)."""
    data = data or SiteData(site)
    lead = lead_indicator(site.indicators)
    picks = ([lead] if lead else []) + [i for i in site.indicators if i is not lead]
    headlines = []
    for ind in picks[:2]:
        period = data.latest.get(ind.id)
        value = data.council_value(ind.id, period) if period else None
        if value is not None:
            headlines.append(
                {
                    "title": ind.short_title,
                    "period": period,
                    "value": format_value(ind, value),
                    "href": f"{site.slug}/indicators/{ind.id}.html",
                }
            )
    scotland = compare.national_items(site, data)
    return {
        **({"scotland": scotland} if scotland else {}),
        "name": site.name,
        "slug": site.slug,
        "code": site.code,
        "compare": compare.council_items(site, data),
        "href": f"{site.slug}/index.html",
        "synthetic": site.synthetic,
        "colour": brand(site.colour),
        "periods": period_range(site.periods),
        "period_list": list(site.periods),
        "attribution": site.attribution,
        "headlines": headlines,
        "n_indicators": len(site.indicators),
    }


def render(
    sites: list[CouncilSite], build_date: str, *, template_dir: Path | None = None
) -> dict[str, bytes]:
    """The portal ``index.html`` linking every council, and the shared ``assets/``."""
    return render_entries([entry(s) for s in sites], build_date, template_dir=template_dir)


def render_entries(
    entries: list[dict[str, Any]], build_date: str, *, template_dir: Path | None = None
) -> dict[str, bytes]:
    """The portal from councils' entries (``entry``), in name order."""
    env = make_environment(template_dir)
    councils = sorted(entries, key=lambda e: (e["name"], e["slug"]))
    periods = sorted({p for e in councils for p in e["period_list"]})
    attributions = sorted({e["attribution"] for e in councils if e["attribution"]})
    ctx = {
        "page_title": "Child poverty and unmet need: council dashboards",
        "title": "Council dashboards",
        "assets": "assets/",
        "portal": "index.html",
        "council_name": "",
        "nav": [],
        "links": {},
        "brand": DEFAULT_COLOUR,
        "brand_text": text_colour(DEFAULT_COLOUR),
        "page_period": "",
        "charts": False,
        "maps": False,
        "geo_js": "",
        "geo_stub": GEO_STUB,
        "build_date": build_date,
        "data_period": period_range(periods),
        "synthetic": bool(councils) and all(e["synthetic"] for e in councils),
        "any_synthetic": any(e["synthetic"] for e in councils),
        "councils": councils,
        "attributions": attributions,
        "attribution": " ".join(attributions),
    }
    ctx["compare_pages"] = compare.indicator_list(councils)
    out = {"index.html": env.get_template("portal.html").render(**ctx).encode("utf-8")}
    out.update(compare.render(env, councils, ctx))
    out.update(shared_assets())
    return dict(sorted(out.items()))
