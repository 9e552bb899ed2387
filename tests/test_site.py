"""Whole builds: deterministic, atomic, and self-contained."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import ProblemsError
from generator.site import build as site
from tests.conftest import BUILD_DATE, DEMO_CONFIG, TINY_CONFIG

runner = CliRunner()


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_build_is_byte_identical(tmp_path, demo_site):
    """Building the demo again gives byte-identical output."""
    again = tmp_path / "again"
    site.build([DEMO_CONFIG], again, build_date=BUILD_DATE)
    assert digest(again) == digest(demo_site)


def test_build_date_from_source_date_epoch(monkeypatch):
    """SOURCE_DATE_EPOCH fixes the build date when no option is given."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751241600")
    assert site.build_date_from_env(None) == "2025-06-30"
    assert site.build_date_from_env("2024-01-02") == "2024-01-02"


def test_failed_build_leaves_old_site(tmp_path):
    """A build that fails on a bad dataset leaves the existing site exactly as it was."""
    out = tmp_path / "site"
    site.build([TINY_CONFIG], out, build_date=BUILD_DATE)
    before = digest(out)
    broken = tmp_path / "broken"
    shutil.copytree(TINY_CONFIG.parent, broken)
    (broken / "data" / "fsm.csv").write_text("nothing,useful\n1,2\n")
    with pytest.raises(ProblemsError) as caught:
        site.build([TINY_CONFIG, broken / "council.yaml"], out, build_date="2030-01-01")
    assert any(p.code == "unknown-column" for p in caught.value.problems)
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "site"]  # no debris


def test_cli_build_reports_where_to_open(tmp_path):
    """`cdash build` writes the site and says where to open it."""
    out = tmp_path / "site"
    result = runner.invoke(
        app,
        ["build", str(TINY_CONFIG), "--out", str(out), "--build-date", BUILD_DATE, "--jobs", "1"],
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert (out / "index.html").resolve().as_uri() in result.stdout.replace("\n", "")


def test_cli_build_needs_councils_or_all():
    """`cdash build` with neither councils nor --all is a usage error."""
    assert runner.invoke(app, ["build"]).exit_code == 2


def test_site_layout(demo_site):
    """The demo site has the portal, overview, indicator, ward, about and data pages."""
    demo = demo_site / "demo"
    assert (demo_site / "index.html").is_file()
    assert (demo_site / "assets" / "plotly-cdash.min.js").is_file()
    assert not (demo_site / "assets" / "plotly.min.js").exists()
    for page in (
        "index.html",
        "about.html",
        "quality.html",
        "assets/geo.js",
        "data/indicator_values.csv",
    ):
        assert (demo / page).is_file(), page
    assert len(list((demo / "indicators").glob("*.html"))) >= 10
    assert len(list((demo / "areas" / "ward").glob("*.html"))) >= 6


def test_no_request_leaves_the_site(demo_site):
    """No page or script of ours names an outside URL to load (links in text are allowed)."""
    loads = re.compile(
        r"""<(?:script|img|link|iframe|source|embed|object)\b[^>]*"""
        r"""(?:src|href|data)\s*=\s*["'](?:https?:)?//""",
        re.I,
    )
    css_urls = re.compile(r"url\(\s*['\"]?(?:https?:)?//", re.I)
    for path in demo_site.rglob("*"):
        if path.suffix in (".html", ".css") or path.name in ("site.js", "geo.js"):
            text = path.read_text(encoding="utf-8")
            assert not loads.search(text), path
            assert not css_urls.search(text), path
