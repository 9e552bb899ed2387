"""The interventions log (issue 15): located errors, what works against similar areas, the
interventions page, case studies, spans on trend charts and 'not yet reached'."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from generator import reference
from generator.ingest.catalogue import load_catalogue
from generator.ingest.geography import load_pack
from generator.ingest.interventions import read_log
from generator.ingest.yamlio import load_yaml
from tests.conftest import ROOT

BAD_LOG = ROOT / "tests" / "fixtures" / "bad-interventions" / "interventions.yaml"
DEMO_PACK = ROOT / "demo" / "geography"


@pytest.fixture(scope="module")
def demo_pack():
    return load_pack(DEMO_PACK)


def test_bad_log_gives_located_errors(demo_pack):
    """An unknown area, an end before its start and an unknown indicator are each an error
    at the key at fault; the entry with a script in its case study is valid."""
    read = read_log(BAD_LOG, demo_pack, load_catalogue())
    assert [(p.line, p.col, p.field, p.code) for p in read.problems] == [
        (6, 24, "interventions[0].areas[1]", "unknown-area"),
        (14, 5, "interventions[1].end", "end-before-start"),
        (21, 18, "interventions[2].indicators[0]", "unknown-indicator"),
    ]
    assert all(p.file.endswith("bad-interventions/interventions.yaml") for p in read.problems)
    assert "did you mean 'scp_uptake'" in read.problems[2].message
    assert [c.entry.id for c in read.interventions] == ["with_script"]
    assert "<script>" in (read.interventions[0].case_study_text or "")


def test_log_areas_resolve_by_code_or_name_at_any_level(demo_pack, tmp_path):
    """A ward by name covers its data zones; 'all' covers the council; a typo in a key is
    an unknown-key error, and a missing log is an empty one."""
    log = tmp_path / "interventions.yaml"
    log.write_text(
        "interventions:\n"
        "  - {id: a, title: A, kind: letters, areas: [glenvale east], start: 2023-01-01}\n"
        "  - {id: b, title: B, kind: other, areas: [all, X01000003], start: 2023-01-01}\n"
        "  - {id: c, title: C, kind: other, areas: [all], start: 2023-01-01, strat: 1}\n"
    )
    read = read_log(log, demo_pack, load_catalogue())
    assert [(p.field, p.code) for p in read.problems] == [("interventions[2].strat", "unknown-key")]
    read = read_log(Path(str(log).replace(".yaml", "-none.yaml")), demo_pack, load_catalogue())
    assert read.path is None and read.problems == [] and read.interventions == []
    log.write_text(log.read_text().rsplit("  - {id: c", 1)[0])
    read = read_log(log, demo_pack, load_catalogue())
    a, b = read.interventions
    east = demo_pack.lookup[demo_pack.lookup["ward_name"] == "Glenvale East"]
    assert a.areas == [("ward", "X13000001")]
    assert a.base_codes == sorted(east["datazone_code"])
    assert b.areas[0] == ("council", "X12000001") and len(b.base_codes) == len(demo_pack.lookup)


def test_committed_interventions_schema_is_up_to_date_and_checks_logs():
    """schema/interventions.schema.json matches the model and accepts the template's log."""
    committed = (ROOT / "schema" / reference.INTERVENTIONS_SCHEMA_NAME).read_text()
    assert committed == reference.interventions_schema_json(), "run `cdash schema`"
    schema = json.loads(committed)
    # An editor reads YAML 1.2, where 2023-09-01 is text, as the schema says.
    jsonschema.validate(json.loads(json.dumps(load_yaml(BAD_LOG).data, default=str)), schema)
    with pytest.raises(jsonschema.ValidationError, match="strat"):
        jsonschema.validate({"interventions": [{"strat": 1}]}, schema)
