"""``methods.html``: the uptake method, published from ``docs/methods.md`` so that every
page that flags an area can link to the formulas behind the flag."""

from __future__ import annotations

from functools import cache

from markupsafe import Markup

from generator.paths import METHODS_DOC
from generator.site.context import CouncilPages


@cache
def methods_html() -> Markup:
    """docs/methods.md as HTML; raw HTML in the Markdown is not passed through."""
    from markdown_it import MarkdownIt  # imported when a site is rendered, not at CLI start

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    text = METHODS_DOC.read_text(encoding="utf-8")
    _, _, body = text.partition("\n")  # the page heading is the template's
    return Markup(md.render(body))


def render(pages: CouncilPages) -> None:
    """Write the methods page."""
    ctx = pages.context(f"{pages.site.slug}/methods.html", title="Methods", section="about")
    ctx.update(body=methods_html())
    pages.page("methods.html", "methods.html", ctx)
