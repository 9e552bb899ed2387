"""Reference material generated from the models: the council.yaml JSON Schema and the
Markdown catalogue page. Both are committed (``schema/``, ``docs/indicators.md``) and tests
fail when they drift from the models, so they are regenerated with ``cdash schema`` and
``cdash indicators --markdown docs/indicators.md``.
"""

from __future__ import annotations

import json

from generator.ingest.catalogue import Catalogue
from generator.ingest.config import CouncilConfig
from generator.ingest.interventions import InterventionsLog
from generator.ingest.notes import NotesFile

#: Where ``cdash schema`` writes by default; configs point at it with a
#: ``# yaml-language-server: $schema=../../schema/council.schema.json`` first line.
SCHEMA_ID = "https://council-dashboards.invalid/schema/council.schema.json"


def config_schema() -> dict[str, object]:
    """JSON Schema (draft 2020-12) of council.yaml, with every field's description."""
    schema = CouncilConfig.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def config_schema_json() -> str:
    """The schema as stable JSON text (sorted keys, trailing newline)."""
    return json.dumps(config_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: The interventions log's schema, written beside the config's.
INTERVENTIONS_SCHEMA_ID = "https://council-dashboards.invalid/schema/interventions.schema.json"
INTERVENTIONS_SCHEMA_NAME = "interventions.schema.json"


NOTES_SCHEMA_NAME = "notes.schema.json"


def interventions_schema_json() -> str:
    """JSON Schema (draft 2020-12) of interventions.yaml, as stable JSON text."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": INTERVENTIONS_SCHEMA_ID,
        **InterventionsLog.model_json_schema(),
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def notes_schema_json() -> str:
    """JSON Schema (draft 2020-12) of notes.yaml, as stable JSON text."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": INTERVENTIONS_SCHEMA_ID.replace("interventions", "notes"),
        **NotesFile.model_json_schema(),
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def catalogue_markdown(catalogue: Catalogue, theme: str | None = None) -> str:
    """The catalogue as a Markdown page: indicators by theme, then every measure."""
    lines = [
        "# Indicator catalogue",
        "",
        "Generated from `shared_indicators/` by "
        "`cdash indicators --markdown docs/indicators.md`; do not edit by hand.",
        "",
        "A council's site shows an indicator when its config maps every measure the "
        "indicator needs (`cdash validate` lists what is missing).",
        "",
    ]
    measures = catalogue.measures
    for th in catalogue.themes.values():
        if theme is not None and th.id != theme:
            continue
        inds = [i for i in catalogue.indicators.values() if i.theme == th.id]
        if not inds:
            continue
        lines += [f"## {th.title}", "", th.description.strip(), ""]
        for ind in inds:
            needs = ", ".join(
                f"`{m}` ({measures[m].label})" for m in ind.measures() if m in measures
            )
            lines += [
                f"### {ind.title}",
                "",
                ind.description.strip(),
                "",
                f"- **id:** `{ind.id}`",
                f"- **method:** {ind.method}; **unit:** {ind.unit}; "
                f"**polarity:** {ind.polarity.replace('_', ' ')}",
                f"- **measures:** {needs}",
                f"- **source:** {ind.source.strip()}",
                f"- **caveats:** {ind.caveats.strip()}",
                "",
            ]
    if theme is None:
        lines += [
            "## Measures",
            "",
            "| id | label | unit | additive | counts people |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| `{m.id}` | {m.label} | {m.unit} | {'yes' if m.additive else 'no'} | "
            f"{'yes' if m.counts_people else 'no'} |"
            for m in measures.values()
        ]
        lines.append("")
    return "\n".join(lines)
