"""Names from data made inert wherever they leave the generator.

Area, council and category names come from council files, so a name may hold anything:
``<!--<script``, ``<a href=...>`` or ``=HYPERLINK(...)``. Three sinks treat parts of text
as code, and each has one function here that every writer uses:

- ``inline_json``: JSON inside a ``<script>`` element of a page. The HTML parser ends the
  element at ``</script`` and enters odd states at ``<!--``, so ``<``, ``>`` and ``&`` are
  written as JSON escapes, and U+2028/U+2029 (line terminators to older JavaScript) too.
- ``plotly_text``: text that plotly.js draws. It renders a subset of HTML in labels, ticks,
  legend entries and hover text (``<a href>`` becomes a live link), so names are
  HTML-escaped before they go into a figure. Markup we add ourselves (``<b>``, ``<br>``)
  goes around the escaped name.
- ``csv_cell``: a text cell of a CSV download. A spreadsheet runs a cell starting ``=``,
  ``+``, ``-`` or ``@`` (or tab or carriage return) as a formula, so such text gets a
  leading ``'`` (OWASP's advice). Numbers are written as numbers and never changed.
"""

from __future__ import annotations

import html
import json
from typing import Any

_JSON_SWAPS = (
    ("&", "\\u0026"),
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inline_json(payload: Any) -> str:
    """``payload`` as compact JSON safe to place inside any ``<script>`` element.

    Keys are sorted (byte-identical builds). The escapes are valid JSON string escapes, so
    ``JSON.parse`` gives back exactly the original text. ``&``, ``<`` and ``>`` only occur
    inside JSON strings, so replacing them everywhere is safe.
    """
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for unsafe, safe in _JSON_SWAPS:
        text = text.replace(unsafe, safe)
    return text


def plotly_text(text: Any) -> str:
    """``text`` as plotly.js should draw it: literally, with no tags or entities active."""
    return html.escape(str(text), quote=False)


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting with a formula character
    gets a leading ``'``. Anything that is not text (numbers, missing values) is returned
    unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
