"""Building into a site that already holds councils: only the councils named are rebuilt,
the others stay byte for byte, the portal lists them all; ``--all`` skips councils whose
inputs did not change; parallel builds give the same bytes as serial ones."""

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
from tests.conftest import BUILD_DATE, TINY_CONFIG, shared_folder

runner = CliRunner()


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def portal_links(out: Path) -> list[str]:
    html = (out / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<h3 class="card-heading"><a href="([^"]+)">', html)


def second_tiny(tmp_path: Path, slug: str = "tiny2") -> Path:
    """A copy of the tiny council under another slug and name."""
    folder = tmp_path / slug
    shutil.copytree(TINY_CONFIG.parent, folder)
    config = folder / "council.yaml"
    text = config.read_text().replace("slug: tiny\n", f"slug: {slug}\n")
    config.write_text(text.replace("name: Tinyton Council", "name: Tinyton Two Council"))
    return config


@pytest.fixture(scope="module")
def two_council_build(tmp_path_factory, demo_site) -> Path:
    """The session's demo site, copied, with the tiny council built into it by the command
    line; built once per test run and only read."""

    def make(folder: Path) -> None:
        out = folder / "site"
        shutil.copytree(demo_site, out)
        result = runner.invoke(
            app, ["build", str(TINY_CONFIG), "--out", str(out), "--build-date", BUILD_DATE]
        )
        assert result.exit_code == 0, result.output

    return shared_folder(tmp_path_factory, "demo-and-tiny", make) / "site"


@pytest.fixture
def two_council_site(tmp_path, two_council_build) -> Path:
    """A copy of the two-council site for one test to change."""
    out = tmp_path / "site"
    shutil.copytree(two_council_build, out)
    return out


def test_building_one_council_keeps_the_others_and_lists_both(two_council_build, demo_site):
    """Building tiny into the demo site leaves every demo file byte-identical and the portal
    links both councils."""
    out = two_council_build
    assert digest(out / "demo") == digest(demo_site / "demo")
    assert (out / "tiny" / "index.html").is_file()
    assert portal_links(out) == ["demo/index.html", "tiny/index.html"]  # Glenvale, Tinyton
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]  # no debris


def test_rebuilding_one_council_touches_only_it_and_the_portal(two_council_site, tmp_path):
    """Rebuilding tiny with another build date changes tiny and the portal only."""
    out = two_council_site
    before = digest(out)
    site.build([TINY_CONFIG], out, build_date="2030-01-01", keep_others=True)
    after = digest(out)
    assert after.keys() == before.keys()
    changed = {p for p in after if after[p] != before[p]}
    portal = ("index.html", "compare/")  # the portal: its index and its compare pages
    assert changed and all(p.startswith(("tiny/", *portal)) for p in changed)
    assert not any(p.startswith("demo/") for p in changed)
    assert "Built 2030-01-01" in (out / "index.html").read_text(encoding="utf-8")
    assert portal_links(out) == ["demo/index.html", "tiny/index.html"]


def test_failed_rebuild_of_one_council_leaves_the_site(two_council_site, tmp_path):
    """A council that fails to build leaves the multi-council site exactly as it was."""
    out = two_council_site
    before = digest(out)
    broken = tmp_path / "broken"
    shutil.copytree(TINY_CONFIG.parent, broken)
    (broken / "data" / "fsm.csv").write_text("nothing,useful\n1,2\n")
    with pytest.raises(ProblemsError):
        site.build([broken / "council.yaml"], out, build_date=BUILD_DATE, keep_others=True)
    assert digest(out) == before


def test_fresh_build_drops_the_others(two_council_site):
    """Without keep_others (``--fresh``) the site holds only the councils built now."""
    out = two_council_site
    site.build([TINY_CONFIG], out, build_date=BUILD_DATE)
    assert not (out / "demo").exists()
    assert portal_links(out) == ["tiny/index.html"]


def test_all_skips_unchanged_councils_and_rebuilds_changed_ones(tmp_path):
    """With skip_unchanged (``--all``), a second build keeps both councils as they were; a
    changed data file rebuilds that council only."""
    other = second_tiny(tmp_path)
    out = tmp_path / "site"
    configs = [TINY_CONFIG, other]
    first = site.build(configs, out, build_date=BUILD_DATE, skip_unchanged=True)
    assert first.councils == ["tiny", "tiny2"] and first.kept == []
    before = digest(out)
    again = site.build(configs, out, build_date=BUILD_DATE, skip_unchanged=True)
    assert again.councils == [] and again.kept == ["tiny", "tiny2"]
    assert digest(out) == before
    fsm = other.parent / "data" / "fsm.csv"
    lines = fsm.read_text().splitlines()
    fsm.write_text("\n".join(lines[:-1]) + "\n")  # one row fewer
    third = site.build(configs, out, build_date=BUILD_DATE, skip_unchanged=True)
    assert third.councils == ["tiny2"] and third.kept == ["tiny"]
    after = digest(out)
    assert {p for p in after if p.startswith("tiny/")} == {
        p for p in before if p.startswith("tiny/")
    }
    assert all(after[p] == before[p] for p in after if p.startswith("tiny/"))
    assert any(after[p] != before.get(p) for p in after if p.startswith("tiny2/"))
    assert portal_links(out) == ["tiny/index.html", "tiny2/index.html"]


def test_parallel_build_is_byte_identical_to_serial(tmp_path):
    """-j 2 on two councils writes exactly the files -j 1 writes."""
    configs = [TINY_CONFIG, second_tiny(tmp_path)]
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    site.build(configs, serial, build_date=BUILD_DATE, jobs=1)
    site.build(configs, parallel, build_date=BUILD_DATE, jobs=2)
    assert digest(parallel) == digest(serial)
    assert len(portal_links(serial)) == 2


def test_catalogue_and_templates_are_loaded_once_per_build(tmp_path, monkeypatch):
    """Two councils, one catalogue read and one template compile each."""
    from generator.site import render

    calls = {"catalogue": 0, "compile": 0}
    real_load = site.load_catalogue

    def counting_load(*args, **kwargs):
        calls["catalogue"] += 1
        return real_load(*args, **kwargs)

    render.environment.cache_clear()
    monkeypatch.setattr(site, "load_catalogue", counting_load)
    site.build([TINY_CONFIG, second_tiny(tmp_path)], tmp_path / "out", build_date=BUILD_DATE)
    assert calls["catalogue"] == 1
    env = render.environment(None)
    compiled = len(env.cache or {})
    site.build([TINY_CONFIG], tmp_path / "out2", build_date=BUILD_DATE)
    assert len(env.cache or {}) == compiled > 0  # nothing compiled again


def test_progress_bar_on_a_terminal_lines_otherwise_silent_with_quiet(tmp_path, monkeypatch):
    """A terminal gets the rich bar (councils done, files, elapsed); a pipe gets one line per
    council; --quiet gets neither. The result line is printed every time."""
    import io

    from rich.console import Console

    from generator import cli

    args = ["build", str(TINY_CONFIG), "--build-date", BUILD_DATE, "--out"]
    piped = runner.invoke(app, [*args, str(tmp_path / "a")])
    assert piped.exit_code == 0, piped.output
    assert "tiny: 7 indicators" in piped.stderr and "Built 1 council" in piped.stdout
    quiet = runner.invoke(app, [*args, str(tmp_path / "b"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=120))
    shown = runner.invoke(app, [*args, str(tmp_path / "c")])
    assert shown.exit_code == 0, shown.output
    assert "1/1" in screen.getvalue() and "councils" in screen.getvalue()
    assert "tiny: 7 indicators" not in screen.getvalue()
