"""Refuse answers that would make a broken council config, before any file is written.

Runs as a script inside cookiecutter (the cookiecutter placeholders below are filled
in first). ``cdash new`` also imports the ``check_*`` functions, so the rules live here once.
"""

from __future__ import annotations

import re
import sys

# The patterns are the config's own (generator/ingest/models.py), so an answer the hook
# accepts is one the config accepts. The template is always baked by this package's
# cookiecutter (cdash new, or cookiecutter from the same environment).
from generator.ingest.models import (  # noqa: E402
    COLOUR_PATTERN,
    EMAIL_PATTERN,
    GSS_COUNCIL_PATTERN,
    SLUG_PATTERN,
)

GSS = re.compile(GSS_COUNCIL_PATTERN)
SLUG = re.compile(SLUG_PATTERN)
COLOUR = re.compile(COLOUR_PATTERN)
EMAIL = re.compile(EMAIL_PATTERN)


def check_gss(code: str) -> str | None:
    """A message if ``code`` is not a council GSS code, else None."""
    if GSS.match(code):
        return None
    return (
        f"GSS code {code!r} is not a council code: expected S12 followed by 6 digits "
        "(e.g. S12000040 for West Lothian), E06/E07/E08/E09/W06 + 6 digits for an English "
        "or Welsh authority, or X + 8 digits for a synthetic council"
    )


def check_slug(slug: str) -> str | None:
    """A message if ``slug`` cannot be a folder and URL name, else None."""
    if SLUG.match(slug):
        return None
    return (
        f"slug {slug!r} is not valid: expected lower-case letters and digits, words "
        "joined by single hyphens (e.g. west-lothian)"
    )


def check_colour(colour: str) -> str | None:
    """A message if ``colour`` is not a #rrggbb hex colour, else None."""
    return (
        None
        if COLOUR.match(colour)
        else (f"brand colour {colour!r} is not valid: expected # and 6 hex digits (e.g. #1d5c8c)")
    )


def check_email(email: str) -> str | None:
    """A message if ``email`` is neither blank nor an email address, else None."""
    return (
        None
        if not email or EMAIL.match(email)
        else (f"contact email {email!r} is not valid: expected name@example.org, or blank")
    )


def check_threshold(threshold: str) -> str | None:
    """A message if ``threshold`` is not a whole number of at least 5, else None."""
    if threshold.isdigit() and int(threshold) >= 5:
        return None
    return f"disclosure threshold {threshold!r} is not valid: expected a whole number of 5 or more"


def check_all(gss: str, slug: str, colour: str, email: str, threshold: str) -> list[str]:
    """Every message for a set of answers; empty when all is well."""
    found = [
        check_gss(gss),
        check_slug(slug),
        check_colour(colour),
        check_email(email),
        check_threshold(threshold),
    ]
    return [m for m in found if m]


if __name__ == "__main__":
    messages = check_all(
        "{{ cookiecutter.gss_code }}",
        "{{ cookiecutter.slug }}",
        "{{ cookiecutter.brand_colour }}",
        "{{ cookiecutter.contact_email }}",
        "{{ cookiecutter.disclosure_threshold }}",
    )
    for message in messages:
        print(f"error: {message}", file=sys.stderr)
    sys.exit(1 if messages else 0)
