"""Words that match the picture (issue 17): what each page says is drawn from what it shows,
and nothing on the build machine (its paths) reaches the published site."""

from __future__ import annotations

import re

from generator.errors import Problem
from generator.site.pages.quality import public_file, public_problems
from tests.conftest import ROOT

ABSOLUTE = re.compile(rb"(?<![\w.:/])/(?:home|work|tmp|Users|srv|var|root|opt|mnt)/[\w.-]+")


def test_no_build_machine_path_in_any_published_file(demo_files, demo_site):
    """No file of the demo site names the repository's folder, the folder it was written
    to, or any absolute path under the usual roots."""
    found = {
        path
        for path, body in demo_files.items()
        if str(ROOT).encode() in body
        or str(demo_site).encode() in body
        or (not path.endswith(".js") and ABSOLUTE.search(body))
    }
    assert found == set()


def test_quality_page_keeps_only_folder_and_name_of_an_absolute_path():
    """A problem found in a file given by absolute path is published with its folder and
    name only; relative paths and Windows paths are handled the same way."""
    assert public_file("/srv/secure/glasgow/council.yaml") == "glasgow/council.yaml"
    assert public_file("C:\\data\\fsm\\x.xlsx") == "fsm/x.xlsx"
    assert public_file("education/fsm.xlsx") == "education/fsm.xlsx"
    assert public_file("/x.csv") == "x.csv"
    problem = Problem("/home/analyst/data/ctr.csv", 3, 1, "area", "unknown-area", "no such zone")
    (public,) = public_problems([problem])
    assert public.file == "data/ctr.csv" and public.message == problem.message
    assert "/home/" not in str(public)


def test_period_words_never_run_two_kinds_of_year_together():
    """ "Data available" and "Latest data" keep financial and calendar years apart, and
    say "by indicator" when the headline cards differ."""
    from generator.site.pages.overview import latest_text
    from generator.site.words import period_range

    assert period_range(["2020", "2020/21", "2024/25"]) == (
        "2020/21 to 2024/25; calendar years 2020"
    )
    assert period_range(["2020/21", "2024/25"]) == "2020/21 to 2024/25"
    assert latest_text(["2024/25"]) == "2024/25"
    assert latest_text(["2021/22", "2023/24"]) == "2021/22 to 2023/24, by indicator"
    assert latest_text(["2020", "2024/25"]) == "2024/25 (calendar-year data: 2020)"


def test_trend_title_follows_the_points_drawn_and_one_point_draws_no_area_lines(demo_council):
    """ "Trend, X to Y" needs two drawn points; a single point is named as such, and an
    area with one point gets no line (so no "Wards" legend above an empty chart)."""
    import pandas as pd

    from generator.site import charts
    from generator.site.pages.indicator import trend_title

    rows = pd.DataFrame(
        {
            "area_code": ["A", "A"],
            "area_name": ["A", "A"],
            "period": ["2014/15", "2021/22"],
            "suppressed": [False, False],
            "value": [float("nan"), 20.0],
            "lower": [float("nan")] * 2,
            "upper": [float("nan")] * 2,
        }
    )
    assert trend_title(rows) == "Over time: 2021/22 only, so no trend yet"
    assert trend_title(rows.assign(value=[10.0, 20.0])) == "Trend, 2014/15 to 2021/22"
    ind = demo_council.site.indicators[0]
    one = charts.trend_figure(ind, rows, rows, periods=["2014/15", "2021/22"], council_name="C")
    assert [t["name"] for t in one["data"]] == ["C"]


def test_score_and_population_words(demo_council):
    """An index reads "score 26" (never "26 score"); filters name who is counted."""
    from generator.site.formatting import format_value
    from generator.site.words import population

    site = demo_council.site
    by_id = {i.id: i for i in site.indicators}
    assert format_value(by_id["family_hardship_index"], 26) == "score 26"
    assert population(by_id["cilif_share"], site.catalogue) == "children"
    assert population(by_id["ctr_school_age_no_scg"], site.catalogue) == "households"
    assert population(by_id["fsm_p6_p7_uptake"], site.catalogue) == "pupils"
