"""Shared fixtures: paths to fixture councils, built sites, and real Chromium."""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

try:
    import fcntl
except ImportError:  # Windows: each xdist worker builds its own copy
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_CONFIG = ROOT / "council_configs" / "demo" / "council.yaml"
TINY_CONFIG = FIXTURES / "tiny-council" / "council.yaml"
# The open data folder beside the repository; CDASH_SHARED_DATA points elsewhere (a git
# worktree that is not beside ../shared, for instance).
SHARED_DATA = Path(os.environ.get("CDASH_SHARED_DATA") or ROOT.parent / "shared" / "data")
BUILD_DATE = "2025-06-30"


# --- builds shared by every xdist worker ---------------------------------------------------
# With `pytest -n 2` each worker is its own process with its own session fixtures, so a session
# fixture would build the demo once per worker. These helpers build once per test run: the
# first worker to ask builds under a file lock (the pattern of pytest-xdist's docs) in the
# run's shared temporary folder, the others wait for it and read the same files.


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_folder(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """A folder that ``make`` fills once per test run and every worker then only reads.
    Without xdist (or without ``fcntl``) it is simply built in this process's temporary
    folder. A ``make`` that fails or skips leaves nothing behind, so the next worker to ask
    tries again and fails or skips the same way."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent / "shared"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / f"{name}.done"
    with _locked(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def shared_object(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[], T]) -> T:
    """The value ``make`` returns, computed once per test run and unpickled by every worker
    (the worker that computed it too, so that all of them hold the same thing)."""

    def write(folder: Path) -> None:
        (folder / "value.pickle").write_bytes(pickle.dumps(make(), protocol=5))

    folder = shared_folder(tmp_path_factory, name, write)
    value: Any = pickle.loads((folder / "value.pickle").read_bytes())
    return value


# --- how `pytest -n 2` shares the work ------------------------------------------------------
# The slow tests (marked slow, and the hypothesis properties) go first, the longest kinds
# first, so that no long test starts last and leaves one worker idle at the end; then whole
# modules, the largest first, so that what is left at the end is small. The scheduler below
# gives each worker one run of consecutive tests of one module at a time, so that a module's
# fixtures are made once and the order above is kept (xdist's `loadgroup` cannot do this:
# with pytest 9 it no longer sees its xdist_group marks).


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n N` (dist `load`): module runs in collection order. An explicit other `--dist`
    is left alone."""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleRuns(LoadScopeScheduling):
        """``loadscope`` whose work units are runs of consecutive tests of one module, sent in
        collection order (not reordered by size)."""

        def schedule(self) -> None:
            if self.collection is None and self.collection_is_completed:
                self.scopes: dict[str, str] = {}
                run, previous = 0, None
                for nodeid in next(iter(self.registered_collections.values())):
                    module = nodeid.split("::", 1)[0]
                    if module != previous:
                        run, previous = run + 1, module
                    self.scopes[nodeid] = f"{run}:{module}"
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            return self.scopes[nodeid]

    config.option.loadscopereorder = False  # keep the collection order of the units
    return ModuleRuns(config, log)


def _heavy(item: pytest.Item) -> int | None:
    """0 for a property test, 1 for a test marked slow, None for the rest."""
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        return 0
    return 1 if item.get_closest_marker("slow") else None


def _module(item: pytest.Item) -> str:
    return Path(item.nodeid.split("::")[0]).stem


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The order the scheduler keeps: slow tests first, a module's second slow test after
    every module's first (so that each is a unit of its own), then the other tests by
    module, the largest module first."""
    size: dict[str, int] = {}
    rank: dict[int, int] = {}
    for n, item in enumerate(items):
        if _heavy(item) is None:
            size[_module(item)] = size.get(_module(item), 0) + 1
        else:
            rank[n] = sum(1 for m in rank if _module(items[m]) == _module(item))
    seen = {name: n for n, name in enumerate(size)}

    def order(pair: tuple[int, pytest.Item]) -> tuple[int, int, int, int]:
        n, item = pair
        heavy = _heavy(item)
        if heavy is not None:
            return (heavy, rank[n], 0, n)
        return (2, -size[_module(item)], seen[_module(item)], n)

    items[:] = [item for _, item in sorted(enumerate(items), key=order)]


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
def demo_council(tmp_path_factory):
    """The demo council up to rendering (``PreparedCouncil``: pages' contract and tripwire
    guard), prepared once per test run and shared read-only."""

    def prepare():
        from generator.ingest.catalogue import load_catalogue
        from generator.site.build import prepare_council

        return prepare_council(DEMO_CONFIG, None, load_catalogue(), BUILD_DATE)

    return shared_object(tmp_path_factory, "demo-council", prepare)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory, demo_council) -> Path:
    """The demo site written once per test run, through the same render, tripwire and
    atomic write as ``cdash build``. Tests only read it."""
    from generator.site.build import write_site

    def write(folder: Path) -> None:
        write_site([demo_council], folder / "site", BUILD_DATE)

    return shared_folder(tmp_path_factory, "demo", write) / "site"


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
    """The six-zone fixture council built once per test run."""
    from generator.site import build as site

    def build(folder: Path) -> None:
        site.build([TINY_CONFIG], folder / "site", build_date=BUILD_DATE)

    return shared_folder(tmp_path_factory, "tiny", build) / "site"


def make_fixture_council(
    tmp_path_factory, fixture: str, boundaries: Path, lookup: str | Path, pack: str
) -> tuple[Path, Path]:
    """(data folder, packs folder) of a fixture council on real geography: its make.py's
    synthetic extracts beside the linked open data, and its pack imported from the official
    ``boundaries`` and ``lookup`` (a path, or a file name make.py writes in the data folder).
    Made once per test run and shared read-only. Skips when the open data are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"open data folder {SHARED_DATA} is absent")

    def build(folder: Path) -> None:
        import importlib.util
        import sys

        from generator.ingest.geoimport import import_pack
        from tests.fixtures import realdata

        source = ROOT / "tests" / "fixtures" / fixture
        spec = importlib.util.spec_from_file_location(
            f"{fixture}_make".replace("-", "_"), source / "make.py"
        )
        assert spec is not None and spec.loader is not None
        make = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = make
        spec.loader.exec_module(make)
        data = folder / "data"
        data.mkdir()
        make.make(SHARED_DATA, data)
        realdata.link_public(SHARED_DATA, data)
        import_pack(
            boundaries,
            lookup if isinstance(lookup, Path) else data / lookup,
            folder / "packs" / pack,
            name=pack,
            vintage="scotland-dz2011",
            code_field="dz_code",
            attribution="Contains public sector information licensed under the "
            "Open Government Licence v3.0.",
        )

    folder = shared_folder(tmp_path_factory, fixture, build)
    return folder / "data", folder / "packs"
