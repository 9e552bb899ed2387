"""cdash validate: every config problem reported at once, located as file:line:col."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.ingest.catalogue import load_catalogue
from generator.ingest.councils import read_config
from generator.site.build import validate
from tests.conftest import FIXTURES, TINY_CONFIG

runner = CliRunner()


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _located(problems):
    return sorted((p.line, p.col, p.field, p.code) for p in problems)


def test_three_mistakes_reported_together(catalogue):
    """An unknown key, an unknown measure and a missing column all appear in one run."""
    v = validate(FIXTURES / "three-mistakes" / "council.yaml", None, catalogue)
    assert _located(v.problems) == [
        (7, 3, "council.colour_scheme", "unknown-key"),
        (17, 7, "datasets[0].measures.pupils_p6_p7", "unknown-column"),
        (18, 7, "datasets[0].measures.fsm_registred_p6_p7", "unknown-measure"),
    ]


def test_validate_cli_prints_locations_and_exits_1():
    """The CLI prints each problem as file:line:col: field [code] message, no traceback."""
    result = runner.invoke(app, ["validate", str(FIXTURES / "three-mistakes")])
    assert result.exit_code == 1
    text = result.stderr
    assert "three-mistakes/council.yaml:7:3: council.colour_scheme [unknown-key]" in text
    assert (
        "council.yaml:17:7: datasets[0].measures.pupils_p6_p7 [unknown-column] column "
        "'P6-7 Roll' not found in fsm.csv (did you mean 'P6-P7 roll'?)" in text
    )
    assert "council.yaml:18:7: datasets[0].measures.fsm_registred_p6_p7 [unknown-measure]" in text
    assert "Traceback" not in text


def test_clean_config_exits_0():
    """The fixture council validates clean."""
    result = runner.invoke(app, ["validate", str(TINY_CONFIG)])
    assert result.exit_code == 0, result.stderr
    assert "All clear" in result.stdout


def test_unknown_council_is_a_usage_error():
    """Naming a council that has no config exits 2 and lists the known ones."""
    result = runner.invoke(app, ["validate", "no-such-council"])
    assert result.exit_code == 2
    assert "no council config" in result.stderr


def test_yaml_syntax_error_located(tmp_path):
    """A YAML syntax error is reported with its line, not a traceback."""
    bad = tmp_path / "council.yaml"
    bad.write_text("council:\n  name: [unclosed\n  code: X12000001\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "[yaml-syntax]" in result.stderr
    assert "Traceback" not in result.stderr


def test_threshold_below_catalogue_minimum(tmp_path, catalogue):
    """A council may raise the disclosure threshold but never lower it."""
    text = TINY_CONFIG.read_text().replace("threshold: 5", "threshold: 3")
    text = text.replace("geography: geography", f"geography: {TINY_CONFIG.parent / 'geography'}")
    path = tmp_path / "council.yaml"
    path.write_text(text)
    codes = [p.code for p in read_config(path, catalogue).problems]
    assert codes == ["threshold-too-low"]


def test_real_council_may_not_keep_data_in_repo(tmp_path, catalogue):
    """Only synthetic councils may name a data folder in their config."""
    text = TINY_CONFIG.read_text().replace("synthetic: true", "synthetic: false")
    text = text.replace("geography: geography", f"geography: {TINY_CONFIG.parent / 'geography'}")
    path = tmp_path / "council.yaml"
    path.write_text(text)
    problems = read_config(path, catalogue).problems
    assert [(p.field, p.code) for p in problems] == [("data_dir", "data-in-repo")]


def test_bad_rows_reported_with_row_numbers(catalogue):
    """Unknown area codes, negative counts and non-numeric cells name their row and column."""
    v = validate(FIXTURES / "bad-rows" / "council.yaml", None, catalogue)
    found = sorted((p.line, p.field, p.code) for p in v.problems if p.line is not None)
    assert found == [
        (3, "DZ", "unknown-area"),
        (4, "P6-P7 FSM", "negative-value"),
        (5, "P6-P7 roll", "non-numeric"),
    ]
    result = runner.invoke(app, ["validate", str(FIXTURES / "bad-rows")])
    assert result.exit_code == 1
    assert "bad-rows/data/fsm.csv:3: DZ [unknown-area, warning] 'S01999999'" in result.stderr
