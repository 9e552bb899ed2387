"""National files are read once per process (ingest/national.py): a second council gets
the same rows as a fresh read, in a copy of its own, and a changed file is read again."""

from __future__ import annotations

import os
from pathlib import Path

from generator.ingest import loaders, national
from generator.ingest.datasets import Dataset
from generator.ingest.yamlio import YamlDocument


def _spec(**overrides) -> Dataset:
    base = {
        "id": "simd",
        "title": "t",
        "file": "simd.csv",
        "national": True,
        "area": {"column": "dz"},
        "period": {"value": "2020"},
        "measures": {"simd_rank": "rank"},
    }
    return Dataset.model_validate({**base, **overrides})


def _doc(folder: Path) -> YamlDocument:
    return YamlDocument(folder / "council.yaml", "council.yaml", {})


def test_national_file_is_read_once_and_each_council_gets_its_own_copy(tmp_path, monkeypatch):
    (tmp_path / "simd.csv").write_text("dz,rank\nX01,5\nX02,oops\nX03,7\n", encoding="utf-8")
    reads = []
    real = loaders.load_dataset
    monkeypatch.setattr(loaders, "load_dataset", lambda *a, **k: reads.append(1) or real(*a, **k))
    first = national.load_dataset(_doc(tmp_path), 0, _spec(), tmp_path)
    second = national.load_dataset(_doc(tmp_path), 3, _spec(), tmp_path)
    assert len(reads) == 1
    fresh = real(_doc(tmp_path), 3, _spec(), tmp_path)
    assert second.index == 3 and first.index == 0
    assert second.table.equals(fresh.table) and second.problems == fresh.problems
    assert second.dropped == fresh.dropped and second.dropped["non-numeric"] == {3}
    # One council's changes stay its own.
    second.problems.append(second.problems[0])
    second.drop("other-council", [2])
    second.table.loc[0, "value"] = -1.0
    third = national.load_dataset(_doc(tmp_path), 1, _spec(), tmp_path)
    assert third.table.equals(fresh.table) and third.problems == fresh.problems
    assert "other-council" not in third.dropped
    # Another spec, or the file changed, is read again.
    national.load_dataset(_doc(tmp_path), 0, _spec(measures={"r": "rank"}), tmp_path)
    assert len(reads) == 2
    (tmp_path / "simd.csv").write_text("dz,rank\nX01,9\n", encoding="utf-8")
    os.utime(tmp_path / "simd.csv", ns=(1, 1))
    changed = national.load_dataset(_doc(tmp_path), 0, _spec(), tmp_path)
    assert len(reads) == 3 and changed.table["value"].tolist() == [9.0]


def test_a_file_that_is_not_national_is_read_every_time(tmp_path, monkeypatch):
    (tmp_path / "simd.csv").write_text("dz,rank\nX01,5\n", encoding="utf-8")
    reads = []
    real = loaders.load_dataset
    monkeypatch.setattr(loaders, "load_dataset", lambda *a, **k: reads.append(1) or real(*a, **k))
    for _ in range(2):
        national.load_dataset(_doc(tmp_path), 0, _spec(national=False), tmp_path)
    assert len(reads) == 2
