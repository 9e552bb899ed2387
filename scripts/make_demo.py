"""Regenerate the synthetic Glenvale demo council under ``demo/``.

Everything it writes is fictional; see ``demo/README.md``. The output is byte-for-byte
reproducible, so after a change to ``scripts/synthetic.py`` run this and commit what
changed. ``--check`` regenerates into a temporary folder and fails if the committed files
differ (for CI).

    .venv/bin/python scripts/make_demo.py            # rewrite demo/
    .venv/bin/python scripts/make_demo.py --check    # exit 1 if demo/ is out of date

Needs shapely and openpyxl (``pip install -e .[geo]``).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from scripts import synthetic  # noqa: E402


def _differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ, are missing or are extra in ``actual``."""
    want = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file()}
    have = {p.relative_to(actual) for p in actual.rglob("*") if p.is_file()}
    out = [f"missing: {p}" for p in sorted(want - have)]
    out += [f"extra: {p}" for p in sorted(have - want)]
    out += [
        f"differs: {p}"
        for p in sorted(want & have)
        if not filecmp.cmp(expected / p, actual / p, shallow=False)
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "demo",
        help="folder to write (default: demo/ in the repository)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=synthetic.DEMO_SEED,
        help=f"random seed (default {synthetic.DEMO_SEED})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and compare with --out",
    )
    args = parser.parse_args(argv)

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            synthetic.write_demo(Path(tmp), seed=args.seed)
            problems = _differences(Path(tmp), args.out)
        for line in problems:
            print(line)
        print(
            "demo is up to date"
            if not problems
            else "demo is out of date: run scripts/make_demo.py and commit the result"
        )
        return 1 if problems else 0

    # Write into a fresh folder and swap it in, so no stale file from an old layout survives.
    # Only a previous demo (it has a manifest) or an empty folder may be replaced.
    if args.out.exists() and any(args.out.iterdir()) and not (args.out / "manifest.json").exists():
        print(f"refusing to replace {args.out}: it is not empty and not a demo folder")
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out.parent) as tmp:
        staged = Path(tmp) / "demo"
        written = synthetic.write_demo(staged, seed=args.seed)
        if args.out.exists():
            shutil.rmtree(args.out)
        staged.rename(args.out)
    for path in sorted(written):
        rel = path.relative_to(staged)
        print(f"{(args.out / rel).stat().st_size:>9,}  {args.out.name}/{rel}")
    manifest = json.loads((args.out / "manifest.json").read_text(encoding="utf-8"))
    print(
        "low-uptake zones:",
        ", ".join(
            f"{z['code']} ({z['name']}, {z['ward_name']})" for z in manifest["low_uptake_zones"]
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
