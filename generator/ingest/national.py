"""National files read once: every council of a build maps the same national datasets
(SIMD, population, CiLIF...) the same way, so a process parses each only once.

``load_dataset`` is ``loaders.load_dataset`` with a per-process memory for aggregate
datasets marked ``national: true``, keyed by the file (path, size, mtime) and the dataset's
spec. Each caller gets its own copy (tables are copy-on-write in pandas 3, so the copies
share memory until written). A result with a problem located in a config is never reused:
that problem belongs to the config that caused it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator.ingest import loaders
from generator.ingest.datasets import Dataset
from generator.ingest.loaders import LoadedDataset, Pseudonymiser
from generator.ingest.yamlio import YamlDocument, display

#: (file, size, mtime, dataset spec, censored range, path as shown) -> what was read.
_READ: dict[tuple[object, ...], LoadedDataset] = {}
#: How many national datasets a process keeps read (a few MB each at most).
KEEP = 32


def load_dataset(
    doc: YamlDocument,
    index: int,
    spec: Dataset,
    data_dir: Path,
    pseudonymise: Pseudonymiser | None = None,
    censored_range: tuple[int, int] = (1, 4),
) -> LoadedDataset:
    """``loaders.load_dataset``, reading a national aggregate file once per process."""
    key = _key(spec, data_dir, censored_range)
    if key is not None and key in _READ:
        return _fresh(_READ[key], index)
    result = loaders.load_dataset(doc, index, spec, data_dir, pseudonymise, censored_range)
    if key is not None and all(p.file == display(result.path) for p in result.problems):
        if len(_READ) >= KEEP:
            _READ.pop(next(iter(_READ)))
        _READ[key] = _fresh(result, index)
    return result


def _key(
    spec: Dataset, data_dir: Path, censored_range: tuple[int, int]
) -> tuple[object, ...] | None:
    if not spec.national or spec.record_level:
        return None
    path = data_dir / spec.file
    try:
        stat = path.stat()
    except OSError:
        return None
    return (
        str(path.resolve()),
        stat.st_size,
        stat.st_mtime_ns,
        spec.model_dump_json(),
        censored_range,
        display(path),
    )


def _fresh(read: LoadedDataset, index: int) -> LoadedDataset:
    """A copy of a read dataset that its council may change without touching the original."""
    return dataclasses.replace(
        read,
        index=index,
        table=read.table.copy(deep=False),
        problems=list(read.problems),
        breakdowns=None if read.breakdowns is None else read.breakdowns.copy(deep=False),
        dropped={code: set(rows) for code, rows in read.dropped.items()},
        unplaced=[dict(u) for u in read.unplaced],
        identifying=dict(read.identifying),
    )
