"""Shared fixtures: paths to fixture councils, built sites, and real Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_CONFIG = ROOT / "council_configs" / "demo" / "council.yaml"
TINY_CONFIG = FIXTURES / "tiny-council" / "council.yaml"
# The open data folder beside the repository; CDASH_SHARED_DATA points elsewhere (a git
# worktree that is not beside ../shared, for instance).
SHARED_DATA = Path(os.environ.get("CDASH_SHARED_DATA") or ROOT.parent / "shared" / "data")
BUILD_DATE = "2025-06-30"


def chromium_path() -> str | None:
    """Debian's chromium, or $CHROMIUM_PATH."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's chromium; `playwright install` is never needed."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def demo_council():
    """The demo council up to rendering (``PreparedCouncil``: pages' contract and tripwire
    guard), prepared once per test session and shared read-only."""
    from generator.ingest.catalogue import load_catalogue
    from generator.site.build import prepare_council

    return prepare_council(DEMO_CONFIG, None, load_catalogue(), BUILD_DATE)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory, demo_council) -> Path:
    """The demo site written once per test session, through the same render, tripwire and
    atomic write as ``cdash build``. Tests only read it."""
    from generator.site.build import write_site

    out = tmp_path_factory.mktemp("demo") / "site"
    write_site([demo_council], out, BUILD_DATE)
    return out


@pytest.fixture(scope="session")
def demo_files(demo_site, demo_council) -> dict[str, bytes]:
    """The demo council's rendered files, by path in the site (read-only): what
    ``render_council`` returned, read back from the written site rather than rendered again."""
    slug = demo_council.site.slug
    return {
        p.relative_to(demo_site).as_posix(): p.read_bytes()
        for p in sorted((demo_site / slug).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def tiny_site(tmp_path_factory) -> Path:
    """The six-zone fixture council built once per test session."""
    from generator.site import build as site

    out = tmp_path_factory.mktemp("tiny") / "site"
    site.build([TINY_CONFIG], out, build_date=BUILD_DATE)
    return out


def make_fixture_council(
    tmp_path_factory, fixture: str, boundaries: Path, lookup: str | Path, pack: str
) -> tuple[Path, Path]:
    """(data folder, packs folder) of a fixture council on real geography: its make.py's
    synthetic extracts beside the linked open data, and its pack imported from the official
    ``boundaries`` and ``lookup`` (a path, or a file name make.py writes in the data folder).
    Skips when the open data are absent."""
    import importlib.util
    import sys

    if not SHARED_DATA.is_dir():
        pytest.skip(f"open data folder {SHARED_DATA} is absent")
    from generator.ingest.geoimport import import_pack
    from tests.fixtures import realdata

    folder = ROOT / "tests" / "fixtures" / fixture
    spec = importlib.util.spec_from_file_location(
        f"{fixture}_make".replace("-", "_"), folder / "make.py"
    )
    assert spec is not None and spec.loader is not None
    make = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = make
    spec.loader.exec_module(make)
    data = tmp_path_factory.mktemp(fixture)
    make.make(SHARED_DATA, data)
    realdata.link_public(SHARED_DATA, data)
    packs = tmp_path_factory.mktemp(f"{fixture}-packs")
    import_pack(
        boundaries,
        lookup if isinstance(lookup, Path) else data / lookup,
        packs / pack,
        name=pack,
        vintage="scotland-dz2011",
        code_field="dz_code",
        attribution="Contains public sector information licensed under the "
        "Open Government Licence v3.0.",
    )
    return data, packs
