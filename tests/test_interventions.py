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


# --- what works: the estimator ----------------------------------------------------------

PERIODS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def _panel(rng, effect: float, n: int = 120, n_treated: int = 15):
    """A published-values table: uptake that trends with need, treated areas of high need,
    and ``effect`` added to them in the last two periods (start 2021-10-01)."""
    import numpy as np
    import pandas as pd

    codes = [f"X01{i:06d}" for i in range(n)]
    need = rng.uniform(5, 45, n)
    base = 70 + 0.4 * need + rng.normal(0, 6, n)
    order = np.argsort(-need + rng.normal(0, 8, n))
    treated = sorted(codes[i] for i in order[:n_treated])
    rows = []
    for i, code in enumerate(codes):
        rows.append(("cilif_share", code, "2019/20", need[i]))
        for t, p in enumerate(PERIODS):
            v = base[i] + (1 + 0.05 * need[i]) * t + rng.normal(0, 3)
            if code in treated and t >= 3:
                v += effect
            rows.append(("scp_uptake", code, p, v))
    frame = pd.DataFrame(rows, columns=["indicator", "area_code", "period", "value"])
    frame["level"] = "datazone"
    frame["suppressed"] = False
    return frame, treated


def _covered(codes, start="2021-10-01", ind="scp_uptake", id_="planted"):
    import datetime as dt

    from generator.ingest.interventions import Covered, Intervention

    entry = Intervention(
        id=id_,
        title="t",
        kind="letters",
        areas=["x"],
        start=dt.date.fromisoformat(start),
        indicators=[ind],
    )
    return Covered(entry, [], list(codes))


def _independent_did(frame, treated, k=5):
    """Difference-in-differences written out again with plain Python: baseline and change
    means, features scaled by their population SD, k nearest by (distance, code)."""
    import statistics

    def mean_over(ind, periods):
        out = {}
        for code in sorted(set(frame["area_code"])):
            vals = [
                float(r.value)
                for r in frame.itertuples()
                if r.indicator == ind and r.area_code == code and r.period in periods
            ]
            if len(vals) == len(periods):
                out[code] = sum(vals) / len(vals)
        return out

    before, after = mean_over("scp_uptake", PERIODS[:2]), mean_over("scp_uptake", PERIODS[3:])
    need = mean_over("cilif_share", ["2019/20"])
    codes = sorted(before)
    change = {c: after[c] - before[c] for c in codes}
    sd_b = statistics.pstdev([before[c] for c in codes])
    sd_n = statistics.pstdev([need[c] for c in codes])
    pool = [c for c in codes if c not in treated]
    diffs = []
    for t in treated:
        dist = sorted(
            (((before[t] - before[c]) / sd_b) ** 2 + ((need[t] - need[c]) / sd_n) ** 2, c)
            for c in pool
        )
        diffs.append(change[t] - sum(change[c] for _, c in dist[:k]) / k)
    return sum(diffs) / len(diffs)


def test_planted_effect_is_found_and_matches_an_independent_computation():
    """A planted rise of 8 points is estimated as the hand computation gives, with a 95%
    interval that excludes 0 and holds 8; an intervention starting in the last period is
    too early."""
    import numpy as np

    from generator.analysis import interventions as ww

    frame, treated = _panel(np.random.default_rng(1), effect=8.0)
    log = [_covered(treated), _covered(treated[:5], start="2023-05-01", id_="late")]
    found, late = ww.what_works(frame, log, "datazone", {"scp_uptake"})
    assert found.verdict == "rose" and found.need == "cilif_share"
    assert found.estimate == pytest.approx(_independent_did(frame, treated), abs=1e-9)
    assert found.lower > 0 and found.lower < 8 < found.upper
    assert (found.before, found.after) == (tuple(PERIODS[:2]), tuple(PERIODS[3:]))
    assert late.verdict == "too_early" and late.estimate is None
    again = ww.what_works(frame, log, "datazone", {"scp_uptake"})[0]
    assert (again.lower, again.upper) == (found.lower, found.upper)  # seeded


def test_null_effect_is_rarely_called_a_change():
    """With no effect, the 95% interval excludes 0 in about 5% of samples (at most 10% of
    200), and with a real one of 8 points in nearly all of them."""
    import numpy as np

    from generator.analysis import interventions as ww

    def calls(effect: float, sims: int) -> float:
        rng = np.random.default_rng(7)
        hits = 0
        for s in range(sims):
            # The panel of _panel, as arrays: the mean of two periods after minus two before.
            n, nt = 120, 15
            need = rng.uniform(5, 45, n)
            base = 70 + 0.4 * need + rng.normal(0, 6, n)
            treated = np.argsort(-need + rng.normal(0, 8, n))[:nt]
            noise = rng.normal(0, 3, (n, 4))
            before = base + (1 + 0.05 * need) * 0.5 + noise[:, :2].mean(1)
            change = (1 + 0.05 * need) * 3 + noise[:, 2:].mean(1) - noise[:, :2].mean(1)
            change[treated] += effect
            feats = ww.standardise(np.column_stack([before, need]))
            is_t = np.isin(np.arange(n), treated)
            low, high = ww.bootstrap(
                change[is_t], feats[is_t], change[~is_t], feats[~is_t], s, replicates=200
            )
            hits += not (low <= 0 <= high)
        return hits / sims

    assert 0.01 <= calls(0.0, 200) <= 0.10  # neither overconfident nor too wide
    assert calls(8.0, 20) >= 0.9


# --- the demo: what works on the page, the bad log through the command line --------------


def _row(html: str, intervention: str) -> str:
    import re

    found = re.search(rf'<tr id="intervention-{intervention}".*?</tr>', html, re.S)
    assert found, intervention
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(0)))


def test_demo_page_reports_the_planted_the_control_and_the_late_intervention(demo_files):
    """interventions.html says the letters raised uptake by more than in similar areas
    with a 95% interval above 0, the control made no detectable change, and the link
    workers, who started in the last period, are too early to judge."""
    import re

    html = demo_files["demo/interventions.html"].decode()
    letters = _row(html, "scp_letters")
    found = re.search(
        r"uptake rose by ([\d.]+) points more than in similar areas \(95% CI ([\d.−]+) to "
        r"([\d.−]+)",
        letters,
    )
    assert found, letters
    size, low, high = (float(g.replace("−", "-")) for g in found.groups())
    assert 0 < low < size < high
    assert "no detectable change" in _row(html, "school_meals_event")
    late = _row(html, "link_workers")
    assert late.count("too early") == 2 and "rose" not in late
    # Reached: 1,240 households are published, 3 families are withheld.
    assert "1,240 households" in letters and "[c] families" in late


def test_bad_log_through_validate_gives_located_errors(tmp_path):
    """`cdash validate` on a council whose log has the three mistakes lists each as
    file:line:col: field [code], and exits 1."""
    import shutil

    from typer.testing import CliRunner

    from generator.cli import app

    folder = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests" / "fixtures" / "tiny-council", folder)
    text = (
        BAD_LOG.read_text()
        .replace("X01000001", "X01900001")
        .replace("Glenvale East", "Tinyton West")
        .replace("X13000002", "X13900001")
    )
    (folder / "interventions.yaml").write_text(text)
    shutil.copy(BAD_LOG.parent / "script.md", folder)
    result = CliRunner().invoke(app, ["validate", str(folder / "council.yaml")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "interventions.yaml:" in line]
    assert [line.split("interventions.yaml:")[1].split(" [")[0] for line in lines] == [
        "6:24: interventions[0].areas[1]",
        "14:5: interventions[1].end",
        "21:18: interventions[2].indicators[0]",
    ]
    assert ["unknown-area" in lines[0], "end-before-start" in lines[1]] == [True, True]


def test_case_study_script_is_inert_text(demo_council, demo_pack):
    """A case study holding <script>, a raw <img> and a javascript: link is published with
    all of them as text: no element, no image fetched, no script link; headings go down a
    level under the page's own h1."""
    import dataclasses

    from generator.site.context import CouncilPages
    from generator.site.pages import interventions
    from generator.site.render import environment

    read = read_log(BAD_LOG, demo_pack, load_catalogue())
    site = dataclasses.replace(demo_council.site, interventions=read.interventions, effects=[])
    pages = CouncilPages(site, environment(None))
    interventions.render(pages)
    page = pages.out["demo/interventions/with_script.html"].decode()
    story = page.split('<article class="case-study">')[1].split("</article>")[0]
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in story
    assert "<script" not in story and "<img" not in story and 'href="javascript' not in story
    assert "[a link](javascript:alert(1))" in story  # shown as the text it is
    assert "<h2>Link workers in the east</h2>" in story
    # 3 families reached: withheld.
    listing = pages.out["demo/interventions.html"].decode()
    assert "[c] families" in _row(listing, "with_script")


def test_cdash_new_writes_a_log_that_validates(tmp_path, demo_pack):
    """The log `cdash new` writes reads without a problem, passes the JSON Schema, and
    its commented example, uncommented, is a valid entry too."""
    from typer.testing import CliRunner

    from generator.cli import app

    args = ["new", "--no-input", "--name", "Northbay Council", "--code", "X12000001"]
    result = CliRunner().invoke(app, [*args, "--configs", str(tmp_path)])
    assert result.exit_code == 0, result.output
    log = tmp_path / "northbay" / "interventions.yaml"
    read = read_log(log, demo_pack, load_catalogue(), required=True)
    assert read.problems == [] and read.interventions == []
    schema = json.loads((ROOT / "schema" / reference.INTERVENTIONS_SCHEMA_NAME).read_text())
    jsonschema.validate(load_yaml(log).data, schema)
    example = [
        line.replace("# ", "", 1)
        for line in log.read_text().splitlines()
        if line.startswith("#   ") or line.startswith("# interventions:")
    ]
    text = "\n".join(example).replace("S13002913, Broxburn", "X13000001, Balmerran - 01")
    (tmp_path / "case-studies").mkdir()
    (tmp_path / "case-studies" / "scp-letters.md").write_text("# A story\n")
    (tmp_path / "example.yaml").write_text(text + "\n")
    read = read_log(tmp_path / "example.yaml", demo_pack, load_catalogue())
    assert read.problems == [] and [c.entry.id for c in read.interventions] == ["scp_letters"]
