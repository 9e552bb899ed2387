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
