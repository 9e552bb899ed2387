"""What the config and catalogue models share: the strict base model, identifiers, and the
patterns of codes and names. ``template/hooks/pre_gen_project.py`` checks ``cdash new``'s
answers with the same patterns."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: A council's GSS code: S12 + 6 digits in Scotland; E06/E07/E08/E09 (English unitary,
#: district, metropolitan, London borough) or W06 (Welsh unitary) + 6 digits; or X + 8
#: digits for a synthetic council that can never be mistaken for a real one.
GSS_COUNCIL_PATTERN = r"^(S12|E06|E07|E08|E09|W06)[0-9]{6}$|^X[0-9]{8}$"
#: A folder and URL name: lower-case words joined by single hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"

#: Ids of measures, indicators, themes and datasets.
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN, max_length=60)]


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not be ignored); models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
