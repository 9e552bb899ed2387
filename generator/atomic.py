"""Atomic writes: readers see the old file (or site) or the new one, never half of either.

Used by the last stage of a build and by ``cdash geography import``; it sits below every
stage so that neither has to import the other.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write one file through a temporary sibling and a rename."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(out: Path, files: Mapping[str, bytes], *, carry: Iterable[str] = ()) -> None:
    """Write ``files`` (path relative to ``out`` -> bytes) into a fresh folder, then swap it
    in for ``out`` in one rename. On any failure ``out`` is left exactly as it was.

    ``carry`` names folders of the current ``out`` (relative paths) that the new one keeps
    as they are: hard-linked where the file system allows, else copied with their times, so
    their files stay byte-identical. ``files`` must not write inside them."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel in sorted(set(carry)):
            shutil.copytree(out / rel, staging / rel, copy_function=_link_or_copy)
        for rel in sorted(files):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
        os.chmod(staging, 0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
