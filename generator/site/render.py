"""Stage 9: a council's published values, figures and text into a static site, file by file.

``render_council`` and ``render_portal`` return ``{path relative to the site root: bytes}``
and write nothing; ``site/build.py`` writes the lot at once. Output is byte-identical for
the same input: fixed ``div_id``s, sorted keys, stable row order, and no clock other than
``build_date``.

Templates live in ``site/templates/`` (partials start with ``_``). A council may name its
own folder (``templates:`` in council.yaml), searched first; a template there can extend the
default one with ``{% extends "default:base.html" %}``, as Datasette allows.

Every page works opened from disk: links are relative, and nothing is fetched from
another site. Maps use shared geometry from ``<slug>/assets/geo.js`` and the world_110m
stub (TOOLING.md) so plotly.js never asks a CDN for a world map.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment

from generator.site import assets, downloads
from generator.site.context import CouncilPages, make_environment
from generator.site.council import CouncilSite
from generator.site.pages import (
    about,
    area,
    changes,
    indicator,
    interventions,
    methods,
    overview,
    portal,
    quality,
    unmet_need,
)


def render_council(
    site: CouncilSite, *, template_dir: Path | None = None, pages: CouncilPages | None = None
) -> dict[str, bytes]:
    """Every file of one council's site, keyed by path relative to the site root.

    ``template_dir`` is an optional folder of council templates searched before the
    defaults. Shared assets (plotly-cdash.min.js, site.css, site.js) come from ``render_portal``.
    ``pages``: the council's ``council_pages`` if the caller made them already.
    """
    return render_pages(pages or council_pages(site, template_dir=template_dir))


def council_pages(site: CouncilSite, *, template_dir: Path | None = None) -> CouncilPages:
    """What every page of one council draws on (its published values sliced once)."""
    return CouncilPages(site, environment(template_dir))


def render_pages(pages: CouncilPages) -> dict[str, bytes]:
    """``render_council`` for a council's pages already made."""
    site = pages.site
    drawn = [lv.id for lv in pages.map_levels]
    pages.out[f"{site.slug}/assets/geo.js"] = assets.geo_js(site, drawn)
    pages.out[f"{site.slug}/assets/search.js"] = assets.search_js(site, pages.data)
    if pages.uptake:
        unmet_need.render(pages)
    overview.render(pages)
    for ind in site.indicators:
        indicator.render(pages, ind)
    for level in pages.data.sub_levels:
        frame = pages.data.areas[level.id]
        for code, name in zip(frame["code"], frame["name"], strict=True):
            area.render(pages, level, code, name)
    interventions.render(pages)
    changes.write(pages)
    about.render(pages)
    methods.render(pages)
    quality.render(pages)
    downloads.write(pages)
    return dict(sorted(pages.out.items()))


@functools.cache
def environment(template_dir: Path | None = None) -> Environment:
    """One Jinja environment per template folder and process, so each template is compiled
    once per build rather than once per council. Templates do not change during a build,
    so Jinja need not look at their files again for every page."""
    env = make_environment(template_dir)
    env.auto_reload = False
    return env


def warm_templates() -> None:
    """Compile the default templates now (before worker processes fork, which share them)."""
    env = environment(None)
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        if not name.startswith("default:"):
            env.get_template(name)


def render_portal(
    sites: list[CouncilSite], build_date: str, *, template_dir: Path | None = None
) -> dict[str, bytes]:
    """The portal ``index.html`` linking every council, and the shared ``assets/``."""
    return portal.render(sites, build_date, template_dir=template_dir)


def render_portal_entries(entries: list[dict[str, Any]], build_date: str) -> dict[str, bytes]:
    """The portal from councils' cards (``portal.entry``), some read back from a built site."""
    return portal.render_entries(entries, build_date)
