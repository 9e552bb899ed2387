"""A digest of everything one council's pages are made from, so that ``cdash build --all``
can skip a council whose inputs have not changed since the site was last built.

The inputs: the council's config folder, its data files, its geography pack, its template
folder, the catalogue, the generator itself (code, templates, static files) and the build
date. Anything that cannot be resolved gives an empty digest, which never matches, so the
council is rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

from generator.errors import CdashError
from generator.ingest.catalogue import Catalogue
from generator.ingest.councils import PACKS_DIR_ENV, ConfigRead, read_config
from generator.paths import METHODS_DOC

GENERATOR = Path(__file__).resolve().parents[1]


def _hash_tree(digest: hashlib._Hash, root: Path, label: str) -> None:
    """Every file under ``root`` (or ``root`` itself), by relative path and content."""
    digest.update(f"\0{label}\0".encode())
    if root.is_file():
        digest.update(_file_digest(root))
        return
    if not root.is_dir():
        digest.update(b"\0absent\0")
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(_file_digest(path))


def _file_digest(path: Path) -> bytes:
    """A file's sha256, read once per process while its size and mtime stay the same (the
    national files every council maps are hashed once, not once per council)."""
    stat = path.stat()
    return _cached_digest(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _cached_digest(path: str, size: int, mtime_ns: int) -> bytes:
    return hashlib.sha256(Path(path).read_bytes()).digest()


@functools.cache
def generator_digest() -> str:
    """The generator's own code, templates and static files, and the methods text that
    every site publishes (docs/methods.md lives outside the package)."""
    digest = hashlib.sha256()
    _hash_tree(digest, GENERATOR, "generator")
    _hash_tree(digest, METHODS_DOC, "methods")
    return digest.hexdigest()


@functools.cache
def _catalogue_digest(catalogue_dir: Path) -> str:
    digest = hashlib.sha256()
    _hash_tree(digest, catalogue_dir, "catalogue")
    return digest.hexdigest()


def inputs_digest(
    config_path: Path,
    *,
    data_dir: Path | None,
    packs_dir: Path | None,
    catalogue: Catalogue,
    catalogue_dir: Path,
    build_date: str,
) -> str:
    """A sha256 of the council's inputs, or "" when they cannot all be found."""
    try:
        read = _read_config(config_path, catalogue, packs_dir)
        folder = read.data_dir(data_dir)
    except (CdashError, OSError):
        return ""
    if read.config is None:
        return ""
    digest = hashlib.sha256()
    digest.update(f"{build_date}\0{generator_digest()}\0".encode())
    digest.update(_catalogue_digest(catalogue_dir.resolve()).encode())
    _hash_tree(digest, read.folder, "config")
    if read.pack_path is not None:
        _hash_tree(digest, read.pack_path, "pack")
    if read.templates_dir is not None:
        _hash_tree(digest, read.templates_dir, "templates")
    if read.config.interventions is not None:  # a log outside the config folder
        log = (read.folder / read.config.interventions).resolve()
        _hash_tree(digest, log, "interventions")
        for study in sorted(log.parent.rglob("*.md")):  # its case studies are beside it
            _hash_tree(digest, study, f"interventions:{study.relative_to(log.parent)}")
    if read.config.notes is not None:
        _hash_tree(digest, (read.folder / read.config.notes).resolve(), "notes")
    files = [ds.file for ds in read.config.datasets]
    if read.config.postcode_lookup is not None:
        files.append(read.config.postcode_lookup.file)
    for name in sorted(set(files)):
        _hash_tree(digest, folder / name, f"data:{name}")
    return digest.hexdigest()


def _read_config(config_path: Path, catalogue: Catalogue, packs_dir: Path | None) -> ConfigRead:
    """``read_config``, or the read ``remember`` was given for this file (YAML is slow)."""
    known = _READ.get(_key(config_path, packs_dir))
    if known is not None:
        return known
    return read_config(config_path, catalogue, packs_dir)


def remember(read: ConfigRead | None) -> None:
    """A config just read for the build, for ``inputs_digest`` to use instead of reading it
    again (while the file stays the same size and mtime)."""
    if read is not None:
        _READ.clear()  # one at a time: a worker builds one council after another
        _READ[_key(read.path, read.packs_dir)] = read


def _key(config_path: Path, packs_dir: Path | None) -> tuple[object, ...]:
    stat = config_path.stat()
    return (str(config_path.resolve()), stat.st_size, stat.st_mtime_ns, packs_dir)


_READ: dict[tuple[object, ...], ConfigRead] = {}
_GEOGRAPHY = re.compile(r"^geography:\s*[\"']?([^\s\"'#]+)", re.M)


def pack_bytes(config_path: Path, packs_dir: Path | None, catalogue: Catalogue) -> int:
    """The size of the council's geography pack: a cheap guess at how long it takes to
    build, so that parallel builds start the largest councils first. Only the config's
    ``geography:`` line is read (no YAML parse: this runs for every council before any
    starts); a config it cannot place counts as 0."""
    try:
        found = _GEOGRAPHY.search(config_path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return 0
    if found is None:
        return 0
    name = found.group(1)
    local = (config_path.parent / name).resolve()
    from_env = os.environ.get(PACKS_DIR_ENV)
    packs = packs_dir or (Path(from_env) if from_env else None)
    pack = (packs / name) if packs and not (local / "pack.yaml").is_file() else local
    if not pack.is_dir():
        return 0
    return sum(p.stat().st_size for p in pack.rglob("*") if p.is_file())
