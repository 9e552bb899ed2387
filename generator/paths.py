"""Where the project's own files are: the catalogue, the schema, the template, the configs.

Kept apart (and free of imports) so the command line can name its defaults without loading
the pipeline.
"""

from __future__ import annotations

from pathlib import Path

#: The project folder this package runs from (an editable install or a checkout).
PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOGUE = PROJECT / "shared_indicators"
DEFAULT_SCHEMA = PROJECT / "schema" / "council.schema.json"
TEMPLATE_DIR = PROJECT / "template"
DEFAULT_CONFIGS = PROJECT / "council_configs"
METHODS_DOC = PROJECT / "docs" / "methods.md"  # also published as each site's methods.html
#: The open-data config every council gets from ``cdash scotland`` (generator/scotland.py)
OPEN_DATA_TEMPLATE = TEMPLATE_DIR / "open-data" / "council.yaml"
