"""Rebuild the trimmed plotly.js bundle the site ships, and its record.

The site draws only ``choropleth`` (geo subplot), ``bar`` and ``scatter`` traces, so it does
not need the full 4.8 MB ``plotly.min.js``. This script installs plotly.js, at the version the
installed Python plotly bundles, from the npm registry into a temporary folder (never into the
repo), builds a minified partial bundle with ``scripts/plotly_bundle/build.mjs`` (the
equivalent of plotly.js's ``npm run custom-bundle -- --traces bar,choropleth,scatter --out
cdash``, which needs a git clone of plotly.js; the npm package has no ``tasks/``), and writes

    generator/site/static/plotly-cdash.min.js   the bundle
    generator/site/static/plotly-cdash.json     version, traces, build command, sha256, size

``scripts/plotly_bundle/package.json`` and ``package-lock.json`` pin plotly.js, esbuild and
every transitive package by integrity hash, so a rebuild gives the same bytes.

    .venv/bin/python scripts/build_plotly_bundle.py            # rebuild and rewrite both files
    .venv/bin/python scripts/build_plotly_bundle.py --check    # exit 1 if they are out of date
    .venv/bin/python scripts/build_plotly_bundle.py --plotly-js 4.2.0   # move the pin first

Needs node and npm (Debian: ``apt-get install -y nodejs npm``) and the npm registry.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PINS = REPO / "scripts" / "plotly_bundle"
STATIC = REPO / "generator" / "site" / "static"
BUNDLE = STATIC / "plotly-cdash.min.js"
RECORD = STATIC / "plotly-cdash.json"

#: What the site draws (generator/figures.py). scatter is in plotly.js's core regardless.
TRACES = ["bar", "choropleth", "scatter"]
NAME = "cdash"
COMMAND = "python scripts/build_plotly_bundle.py"
NPM_FLAGS = ["--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]


def python_plotly_js_version() -> str | None:
    """The plotly.js version the installed Python plotly bundles, or None without plotly."""
    try:
        from plotly.offline._plotlyjs_version import __plotlyjs_version__
    except ImportError:
        return None
    return str(__plotlyjs_version__)


def pinned_version() -> str:
    """The plotly.js version pinned in scripts/plotly_bundle/package.json."""
    return json.loads((PINS / "package.json").read_text())["dependencies"]["plotly.js"]


def repin(version: str) -> None:
    """Point package.json at plotly.js ``version`` and regenerate the lockfile from npm."""
    manifest = json.loads((PINS / "package.json").read_text())
    manifest["dependencies"]["plotly.js"] = version
    text = json.dumps(manifest, indent=2) + "\n"
    with tempfile.TemporaryDirectory(prefix="cdash-plotly-pin-") as tmp:
        (Path(tmp) / "package.json").write_text(text)
        subprocess.run(["npm", "install", "--package-lock-only", *NPM_FLAGS], cwd=tmp, check=True)
        shutil.copyfile(Path(tmp) / "package-lock.json", PINS / "package-lock.json")
    (PINS / "package.json").write_text(text)


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def build(workdir: Path) -> tuple[bytes, bytes]:
    """Install the pins into ``workdir`` and build; returns (bundle, record) as bytes."""
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copyfile(PINS / name, workdir / name)
    # npm ci installs exactly the lockfile (integrity-checked) and nothing else.
    subprocess.run(["npm", "ci", *NPM_FLAGS], cwd=workdir, check=True)
    out = workdir / f"plotly-{NAME}.min.js"
    done = subprocess.run(
        ["node", "build.mjs", "--traces", ",".join(TRACES), "--name", NAME, "--out", str(out)],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(done.stdout)
    bundle = out.read_bytes()
    full = (workdir / "node_modules" / "plotly.js" / "dist" / "plotly.min.js").read_bytes()
    lock = json.loads((workdir / "package-lock.json").read_text())
    record = {
        "plotly_js": info["plotly_js"],
        "traces": info["traces"],
        "components": info["components"],
        "build_command": COMMAND,
        "equivalent_official_command": (
            f"npm run custom-bundle -- --traces {','.join(TRACES)} --out {NAME}"
        ),
        "bundler": f"esbuild {info['esbuild']} (scripts/plotly_bundle/build.mjs)",
        "file": BUNDLE.name,
        "sha256": sha256(bundle),
        "size": len(bundle),
        "plotly_js_npm_integrity": lock["packages"]["node_modules/plotly.js"]["integrity"],
        "full_bundle": {
            "file": "plotly.js/dist/plotly.min.js",
            "sha256": sha256(full),
            "size": len(full),
        },
        "bundled_packages": info["bundled_packages"],
    }
    return bundle, (json.dumps(record, indent=2) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or with --check, verify) the bundle and its record. Exit 1 when stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild in a temporary folder and fail if the committed files differ",
    )
    parser.add_argument(
        "--plotly-js",
        metavar="VERSION",
        help="move the pin to this plotly.js version first "
        "(default: the version the installed Python plotly bundles)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary build folder")
    args = parser.parse_args(argv)
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install -y nodejs npm)", file=sys.stderr)
            return 2

    wanted = args.plotly_js or python_plotly_js_version() or pinned_version()
    if wanted != pinned_version():
        if args.check:
            print(
                f"pinned plotly.js {pinned_version()} but Python plotly bundles {wanted}; "
                "run without --check to move the pin",
                file=sys.stderr,
            )
            return 1
        print(f"moving the pin from plotly.js {pinned_version()} to {wanted}", file=sys.stderr)
        repin(wanted)

    tmp = Path(tempfile.mkdtemp(prefix="cdash-plotly-"))
    try:
        bundle, record = build(tmp)
    finally:
        if args.keep:
            print(f"build folder kept: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    if args.check:
        stale = [
            p.relative_to(REPO)
            for p, data in ((BUNDLE, bundle), (RECORD, record))
            if not p.is_file() or p.read_bytes() != data
        ]
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        if not stale:
            print(f"up to date: {BUNDLE.relative_to(REPO)} sha256 {sha256(bundle)}")
        return 1 if stale else 0
    STATIC.mkdir(parents=True, exist_ok=True)
    BUNDLE.write_bytes(bundle)
    RECORD.write_bytes(record)
    print(f"wrote {BUNDLE.relative_to(REPO)} ({len(bundle):,} bytes, sha256 {sha256(bundle)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
