"""Onboarding: the cookiecutter template, `cdash new`, the data contract report, the editor
schema, the catalogue page and the walkthrough in docs/onboarding.md."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from generator import reference
from generator.cli import app
from generator.errors import UsageError
from generator.ingest import report
from generator.ingest.catalogue import load_catalogue
from generator.ingest.config import CouncilConfig
from generator.ingest.validate import validate
from generator.ingest.yamlio import load_yaml
from generator.paths import DEFAULT_SCHEMA
from generator.site import build as site
from tests.conftest import BUILD_DATE, ROOT, TINY_CONFIG

TEMPLATE = ROOT / "template"
DEMO_DATA = ROOT / "demo" / "data"
DEMO_PACK = ROOT / "demo" / "geography"
ONBOARDING = ROOT / "docs" / "onboarding.md"
runner = CliRunner()


def _bake(cookies: Any, **answers: str) -> Any:
    context = {
        "council_name": "Brightwater Council",
        "gss_code": "X12000001",
        "geography_pack": str(DEMO_PACK),
        "contact_email": "data@brightwater.example",
        **answers,
    }
    return cookies.bake(extra_context=context, template=str(TEMPLATE))


@pytest.mark.slow
def test_baked_council_validates_builds_and_joins_the_portal(cookies, tmp_path, demo_site):
    """The template bakes a council that validates and builds on the demo geography and data,
    and appears on the portal beside the demo."""
    result = _bake(cookies)
    assert result.exit_code == 0, result.exception
    folder = Path(result.project_path)
    assert folder.name == "brightwater"
    assert {p.name for p in folder.iterdir()} == {
        "council.yaml",
        "interventions.yaml",
        "notes.yaml",
        "README.md",
    }
    catalogue = load_catalogue()
    v = validate(folder / "council.yaml", DEMO_DATA, catalogue)
    assert v.problems == []
    assert CouncilConfig.model_validate(load_yaml(folder / "council.yaml").data)
    data_report = report.build_report(v, catalogue)
    assert len(data_report.datasets) == 11
    # Every indicator the demo's aggregate exports can feed is available; the rest lack
    # measures that only other sources (national files, household extracts) carry.
    demo = load_yaml(ROOT / "council_configs" / "demo" / "council.yaml").data
    demo_measures = {
        m for ds in demo["datasets"] if not ds.get("record_level") for m in ds.get("measures", {})
    }
    for status in data_report.unavailable:
        assert status.missing_measures and not set(status.missing_measures) & demo_measures

    # The demo site is already built once per run; the baked council is built into a copy.
    out = tmp_path / "site"
    shutil.copytree(demo_site, out)
    baked = site.prepare_council(folder / "council.yaml", DEMO_DATA, catalogue, BUILD_DATE)
    built = site.write_site([baked], out, BUILD_DATE, keep=None)
    assert (built.councils, built.kept) == (["brightwater"], ["demo"])
    portal = (out / "index.html").read_text()
    assert 'href="brightwater/index.html"' in portal and "Brightwater Council" in portal
    assert 'href="demo/index.html"' in portal
    assert "data@brightwater.example" in (out / "brightwater" / "about.html").read_text()


@pytest.mark.slow
def test_baked_council_reads_its_data_folder(cookies, monkeypatch):
    """A baked council's data comes from --data-dir; nothing points into the repository.
    (Building a baked council from a data folder is the onboarding walkthrough's last step.)"""
    result = _bake(cookies, council_name="Eastmuir Council")
    config = Path(result.project_path) / "council.yaml"
    assert "data_dir" not in config.read_text().split("datasets:")[0]
    monkeypatch.delenv("CDASH_DATA_DIR", raising=False)
    with pytest.raises(UsageError, match="no data folder"):
        validate(config, None, load_catalogue())
    assert validate(config, DEMO_DATA, load_catalogue()).problems == []


@pytest.mark.parametrize(
    "answers, expected",
    [
        ({"gss_code": "S1200004"}, "expected S12 followed by 6 digits"),
        ({"gss_code": "E05000001"}, "expected S12 followed by 6 digits"),
        ({"slug": "West Lothian"}, "expected lower-case letters and digits"),
    ],
)
def test_template_hook_refuses_malformed_answers(cookies, capfd, answers, expected):
    """The template's hook refuses a bad GSS code or slug, naming the form expected."""
    result = _bake(cookies, **answers)
    assert result.exit_code != 0
    assert result.project_path is None or not Path(result.project_path).exists()
    assert expected in capfd.readouterr().err


def test_template_accepts_english_welsh_and_scottish_codes(cookies):
    """S12, E06-E09 and W06 council codes are all accepted."""
    for n, code in enumerate(["S12000040", "E06000001", "E09000033", "W06000015"]):
        result = _bake(cookies, council_name=f"Council {n}", gss_code=code)
        assert result.exit_code == 0, (code, result.exception)


def _new(tmp_path: Path, *extra: str) -> Any:
    return runner.invoke(
        app,
        [
            "new",
            "--no-input",
            "--configs",
            str(tmp_path / "configs"),
            "--name",
            "Glenvale Council",
            "--code",
            "X12000001",
            "--geography",
            str(DEMO_PACK),
            *extra,
        ],
    )


def test_new_refuses_to_overwrite_and_leaves_the_first_untouched(tmp_path):
    """`cdash new` twice for one slug: the second run refuses and changes nothing."""
    first = _new(tmp_path)
    assert first.exit_code == 0, first.output
    folder = tmp_path / "configs" / "glenvale"
    (folder / "council.yaml").write_text((folder / "council.yaml").read_text() + "# mine\n")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    second = _new(tmp_path, "--colour", "#000000")
    assert second.exit_code == 1
    assert "already exists" in second.output and "nothing was changed" in second.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_new_refuses_a_bad_gss_code_naming_the_form(tmp_path):
    """A malformed GSS code is refused with the expected form, and nothing is written."""
    result = runner.invoke(
        app,
        [
            "new",
            "--no-input",
            "--configs",
            str(tmp_path / "c"),
            "--name",
            "West Lothian Council",
            "--code",
            "S12-40",
        ],
    )
    assert result.exit_code == 2
    assert "S12 followed by 6 digits" in " ".join(result.output.split())
    assert not (tmp_path / "c" / "west-lothian").exists()


def test_new_interactive_asks_each_question(tmp_path):
    """Without --no-input, `cdash new` prompts; the answers land in the config."""
    answers = (
        "\n".join(["Northbay Council", "X12000002", "", str(DEMO_PACK), "#22577a", "", "10"]) + "\n"
    )
    result = runner.invoke(app, ["new", "--configs", str(tmp_path)], input=answers)
    assert result.exit_code == 0, result.output
    cfg = CouncilConfig.model_validate(load_yaml(tmp_path / "northbay" / "council.yaml").data)
    assert (cfg.council.slug, cfg.council.colour, cfg.disclosure.threshold) == (
        "northbay",
        "#22577a",
        10,
    )
    assert cfg.council.contact_email is None


# --- the editor schema -------------------------------------------------------------------


def test_committed_schema_is_up_to_date():
    """schema/council.schema.json matches the models; regenerate it with `cdash schema`."""
    committed = DEFAULT_SCHEMA.read_text(encoding="utf-8")
    assert committed == reference.config_schema_json(), "run `cdash schema` and commit it"
    result = runner.invoke(app, ["schema", "--check"])
    assert result.exit_code == 0, result.output


def _shipped_configs() -> list[Path]:
    return sorted((ROOT / "council_configs").glob("*/council.yaml"))


@pytest.mark.parametrize("path", _shipped_configs(), ids=lambda p: p.parent.name)
def test_schema_validates_every_shipped_config(path):
    """Every shipped council config passes the JSON Schema and points at it."""
    schema = json.loads(DEFAULT_SCHEMA.read_text())
    jsonschema.validate(load_yaml(path).data, schema)
    assert path.read_text().startswith(
        "# yaml-language-server: $schema=../../schema/council.schema.json\n"
    )


def test_schema_rejects_an_unknown_key():
    """A misspelt key fails the schema, as it fails the models."""
    schema = json.loads(DEFAULT_SCHEMA.read_text())
    data = load_yaml(ROOT / "council_configs" / "demo" / "council.yaml").data
    jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError, match="colur"):
        jsonschema.validate({**data, "council": {**data["council"], "colur": "#000000"}}, schema)
    with pytest.raises(jsonschema.ValidationError, match="indicator"):
        jsonschema.validate({**data, "indicator": "all"}, schema)


def _fields_without_description(model: type[BaseModel], seen: set[type]) -> list[str]:
    """Every field of ``model`` and the models it contains that has no description."""
    if model in seen:
        return []
    seen.add(model)
    missing = []
    for name, info in model.model_fields.items():
        if not (info.description or "").strip():
            missing.append(f"{model.__name__}.{name}")
        for inner in _models_in(info.annotation):
            missing += _fields_without_description(inner, seen)
    return missing


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


def test_every_config_field_has_a_description():
    """Every field of council.yaml, however deep, is described (they feed the schema)."""
    assert _fields_without_description(CouncilConfig, set()) == []


def test_every_catalogue_entry_and_field_has_a_description():
    """Every theme, measure and indicator has a description, and so does every model field."""
    catalogue = load_catalogue()
    empty = [f"measure {m.id}" for m in catalogue.measures.values() if not m.description.strip()]
    empty += [
        f"indicator {i.id}" for i in catalogue.indicators.values() if not i.description.strip()
    ]
    empty += [f"theme {t.id}" for t in catalogue.themes.values() if not t.description.strip()]
    assert empty == []
    models = {type(m) for m in catalogue.measures.values()}
    models |= {type(i) for i in catalogue.indicators.values()}
    models |= {type(t) for t in catalogue.themes.values()}
    seen: set[type] = set()
    assert [f for m in models for f in _fields_without_description(m, seen)] == []


def test_description_walk_finds_an_undescribed_field():
    """The description check itself catches a field without one, nested in a list."""
    from pydantic import Field

    class Inner(BaseModel):
        bare: int = 0

    class Outer(BaseModel):
        items: list[Inner] = Field(default_factory=list, description="Some.")

    assert _fields_without_description(Outer, set()) == ["Inner.bare"]


# --- the catalogue -----------------------------------------------------------------------


def test_committed_catalogue_page_is_up_to_date(tmp_path):
    """docs/indicators.md is what `cdash indicators --markdown` writes."""
    out = tmp_path / "indicators.md"
    result = runner.invoke(app, ["indicators", "--markdown", str(out)])
    assert result.exit_code == 0, result.output
    committed = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, (
        "run `cdash indicators --markdown docs/indicators.md` and commit it"
    )
    for ind in load_catalogue().indicators.values():
        assert f"`{ind.id}`" in committed


def test_indicators_filters_by_theme():
    """--theme lists only that theme's indicators; an unknown theme is a usage error."""
    result = runner.invoke(app, ["indicators", "--theme", "cost_of_living"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "foodbank_referrals_per_1000_children" in result.output
    assert "fsm_p6_p7_share" not in result.output
    bad = runner.invoke(app, ["indicators", "--theme", "nope"])
    assert bad.exit_code == 2 and "cost_of_living" in bad.output


# --- the data contract report ------------------------------------------------------------


def test_validate_json_is_stable_and_documented():
    """`validate --format json` gives the same sorted JSON twice, and every key is documented."""
    args = ["validate", str(TINY_CONFIG), "--format", "json"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert first.stdout == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["report_version"] == report.REPORT_VERSION
    tiny = {d["id"]: d for d in data["datasets"]}
    assert tiny["school_meals"]["rows_read"] == 12
    assert tiny["school_meals"]["coverage"] == {"2023/24": 1.0, "2024/25": 1.0}
    docs = ONBOARDING.read_text()
    keys = (
        set(data)
        | {k for d in data["datasets"] for k in d}
        | {k for i in data["indicators"] for k in i}
    )
    assert sorted(k for k in keys if not re.search(rf"[`.]{k}(\[\])?`", docs)) == []


def test_report_counts_dropped_rows_by_reason():
    """Rows dropped are counted by the problem that dropped them."""
    catalogue = load_catalogue()
    v = validate(ROOT / "tests" / "fixtures" / "bad-rows" / "council.yaml", None, catalogue)
    ds = report.build_report(v, catalogue).datasets[0]
    assert (ds.rows_read, ds.rows_used, ds.rows_dropped) == (5, 4, 1)
    assert ds.dropped_by_code == {"unknown-area": 1}


def test_report_flags_wrong_vintage_codes(tmp_path):
    """2011 data-zone codes against a pack of other zones are flagged with a suggestion."""
    config = tmp_path / "council.yaml"
    config.write_text(
        TINY_CONFIG.read_text().replace(
            "geography: geography", f"geography: {TINY_CONFIG.parent / 'geography'}"
        )
    )
    data = tmp_path / "data"
    shutil.copytree(TINY_CONFIG.parent / "data", data)
    fsm = data / "fsm.csv"
    lines = fsm.read_text().splitlines()
    assert lines[0].split(",")[:2] == ["DZ", "School year"]
    lines += [
        re.sub(r"^[^,]*,", "S01007001,", lines[1]),
        re.sub(r"^[^,]*,", "S01013500,", lines[1]),
    ]
    fsm.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app, ["validate", str(config), "--data-dir", str(data), "--format", "json"]
    )
    assert result.exit_code == 1
    found = json.loads(result.stdout)["vintage"]
    assert [(f["vintage"], f["codes"], f["examples"]) for f in found] == [
        ("2011", 1, ["S01007001"]),
        ("2022", 1, ["S01013500"]),
    ]
    assert "export the data by 2022 data zones" in found[0]["suggestion"]
    table = runner.invoke(
        app, ["validate", str(config), "--data-dir", str(data)], env={"COLUMNS": "200"}
    )
    assert "Wrong vintage" in table.stdout and "S01007001" in table.stdout


def test_dz_vintage_boundaries():
    """The first and last 2011 codes, and the first 2022 code."""
    assert [
        report.dz_vintage(c)
        for c in ["S01006506", "S01013481", "S01013482", "S01006505", "X01000001", "S02001234"]
    ] == ["2011", "2011", "2022", None, None, None]


def test_quality_page_shows_the_report(tiny_site):
    """quality.html lists available and unavailable indicators with what they lack."""
    page = (tiny_site / "tiny" / "quality.html").read_text()
    catalogue = load_catalogue()
    checked = validate(TINY_CONFIG, None, catalogue)
    statuses = report.build_report(checked, catalogue).indicators
    available = sum(1 for s in statuses if s.available)
    assert 0 < available < len(statuses)
    assert f"Indicators ({available} available, {len(statuses) - available} not)" in page
    assert "Not available: no dataset maps scg_awards" in page
    assert "Why dropped" in page


# --- the walkthrough ---------------------------------------------------------------------


def _sh_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


@pytest.mark.slow
def test_onboarding_walkthrough_runs(tmp_path):
    """Every sh block in docs/onboarding.md runs, in order, in an empty folder, and succeeds;
    the result is a built site for the new council."""
    blocks = _sh_blocks(ONBOARDING.read_text())
    assert len(blocks) >= 6
    # The stand-ins for a council's own files (see "Before you start").
    shutil.copytree(DEMO_PACK, tmp_path / "packs" / "glenvale")
    shutil.copytree(DEMO_DATA, tmp_path / "exports")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "120",
    }
    env.pop("CDASH_DATA_DIR", None)
    for n, block in enumerate(blocks, 1):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"block {n}:\n{block}\n{done.stdout}\n{done.stderr}"
    # The fix step was needed: the first validation found the misnamed file.
    shown = re.search(r"^```text\n(council_configs/.*)\n```", ONBOARDING.read_text(), re.M)
    assert shown is not None
    assert shown.group(1) in (tmp_path / "report.txt").read_text().splitlines()
    assert json.loads((tmp_path / "report.json").read_text())["errors"] == 0
    assert (tmp_path / "site" / "glenvale" / "index.html").is_file()
    assert 'href="glenvale/index.html"' in (tmp_path / "site" / "index.html").read_text()
    assert (tmp_path / "schema" / "council.schema.json").is_file()
    assert (tmp_path / "glenvale-site.tar.gz").stat().st_size > 0
