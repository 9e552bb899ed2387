"""``about.html``: definitions, methods, sources and licences."""

from __future__ import annotations

from generator.site.context import CouncilPages
from generator.site.words import POLARITY_TEXT, method_text, period_range


def render(pages: CouncilPages) -> None:
    """Write the about page."""
    site = pages.site
    inds = [
        {
            "id": ind.id,
            "title": ind.title,
            "description": ind.description,
            "theme": pages.theme_titles.get(ind.theme, ind.theme),
            "method": method_text(ind, site.catalogue),
            "polarity": POLARITY_TEXT[ind.polarity],
            "unit": ind.unit,
            "source": ind.source,
            "caveats": ind.caveats,
            "href": pages.indicator_href("", ind.id),
        }
        for ind in site.indicators
    ]
    ctx = pages.context(
        f"{site.slug}/about.html",
        title="About the data",
        section="about",
        period=period_range(site.periods),
    )
    ctx.update(
        indicators=inds,
        datasets=site.datasets,
        threshold=site.disclosure_threshold,
        pack=site.pack.spec,
        levels=site.pack.levels,
        contact_email=site.contact_email,
        attributions=site.attributions,
        national_name=site.national_name,
        national_source=site.national_source,
        inequality_label=site.inequality_label,
        inequality_zones=f"{site.inequality_zones:,}",
    )
    pages.page("about.html", "about.html", ctx)
