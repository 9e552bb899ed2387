"""Golden output: the fixture council's site, compared file by file with a checked-in copy.

When a change to the output is intended, regenerate the copy and review its diff:

    make golden        # or: CDASH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
    git diff tests/golden

Update mode writes the new copy and then FAILS ("golden updated; review the diff"), so an
update never passes by itself: the next plain run is what passes. Regenerating is legitimate
only when the diff shows exactly the change you meant to make.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden" / "tiny"
#: Third-party files we copy unchanged; comparing them would only test plotly's release.
SKIP = {"assets/plotly-cdash.min.js"}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and str(p.relative_to(folder)) not in SKIP
    }


def test_golden_site(tiny_site):
    """The fixture council builds to exactly the checked-in site."""
    got = _files(tiny_site)
    if os.environ.get("CDASH_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in got.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
        pytest.fail("golden updated; review the diff (git diff tests/golden) and run again")
    want = _files(GOLDEN)
    assert sorted(got) == sorted(want), "files added or removed; see `make golden`"
    for rel in sorted(want):
        if got[rel] != want[rel]:
            diff = difflib.unified_diff(
                want[rel].decode(errors="replace").splitlines(),
                got[rel].decode(errors="replace").splitlines(),
                "golden/" + rel,
                "built/" + rel,
                n=1,
                lineterm="",
            )
            raise AssertionError("\n".join(list(diff)[:40]) + "\n(see `make golden`)")
