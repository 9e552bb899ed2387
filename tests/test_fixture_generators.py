"""The fixture generators on real geography (tests/fixtures/wl-unmet-need and
sl-real-extracts): they reproduce their committed answers byte for byte, the quirks they
promise are really in the files, and the answers agree with the files and the real lookup.

These test the fixtures, not the product: nothing here needs issue 11 or 12 implemented.
Skipped when the open data folder is absent.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import pickle
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from tests.conftest import FIXTURES, SHARED_DATA, shared_folder

pytestmark = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"open data folder {SHARED_DATA} is absent"
)

A, B = "wl-unmet-need", "sl-real-extracts"
#: The tidy lookup: an independent route from data zone to IZ, ward and council (the
#: generators use the official one).
TIDY_LOOKUP = SHARED_DATA / "lookups" / "dz2011_iz_ward_council_lookup.csv"
LEVEL_COLUMNS = {"intermediate_zone": "iz_code", "ward": "ward_code", "council": "la_code"}


def _load(name: str) -> ModuleType:
    """Import tests/fixtures/<name>/make.py under a unique module name."""
    module_name = "fixture_make_" + name.replace("-", "_")
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, FIXTURES / name / "make.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Each fixture generated once per test run into its own temporary data folder (shared
    read-only), with the answers its make() returned."""
    out = {}
    for name in (A, B):

        def make(folder: Path, name: str = name) -> None:
            (folder / "data").mkdir()
            answers = _load(name).make(SHARED_DATA, folder / "data")
            (folder / "answers.pickle").write_bytes(pickle.dumps(answers))

        folder = shared_folder(tmp_path_factory, f"made-{name}", make)
        out[name] = (folder / "data", pickle.loads((folder / "answers.pickle").read_bytes()))
    return out


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    return pd.read_csv(TIDY_LOOKUP, dtype=str).set_index("dz_code")


def _config(name: str) -> dict:
    return YAML(typ="safe").load((FIXTURES / name / "council.yaml").read_text("utf-8"))


def _dataset(name: str, dataset_id: str) -> dict:
    return next(d for d in _config(name)["datasets"] if d["id"] == dataset_id)


def _read_csv(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def _joined_headers(path: Path, upper_row: int) -> list[str]:
    """Column names of a two-header-row sheet as CONTRACTS.md defines them: merged cells
    forward-filled across, upper and lower joined with a space."""
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    upper = [c.value for c in ws[upper_row]]
    lower = [c.value for c in ws[upper_row + 1]]
    for rng in ws.merged_cells.ranges:
        if rng.min_row == upper_row:
            for col in range(rng.min_col, rng.max_col + 1):
                upper[col - 1] = ws.cell(upper_row, rng.min_col).value
    return [" ".join(str(p) for p in (u, low) if p) for u, low in zip(upper, lower, strict=True)]


def _roll_up(
    dz_entries: dict[str, dict[str, object]], lookup: pd.DataFrame, level: str
) -> dict[str, dict[str, object]]:
    """Sum data-zone entries (int, or [low, high]) to ``level`` through the tidy lookup."""
    sums: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for dz, periods in dz_entries.items():
        area = lookup.at[dz, LEVEL_COLUMNS[level]]
        for period, entry in periods.items():
            cell = sums[area][period]
            lo, hi = (entry, entry) if isinstance(entry, int | float) else entry
            cell[0] += lo
            cell[1] += hi
            cell[2] += not isinstance(entry, int | float)
    return {
        area: {p: (lo if not starred else [lo, hi]) for p, (lo, hi, starred) in periods.items()}
        for area, periods in sums.items()
    }


# ---------------------------------------------------------------------------------------------
# Both fixtures
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [A, B])
def test_regenerating_gives_the_committed_answers_and_bytes(made, name):
    """make() reproduces answers.json exactly, including every file's SHA-256."""
    committed = json.loads((FIXTURES / name / "answers.json").read_text("utf-8"))
    folder, answers = made[name]
    assert answers == committed
    for rel in answers["files"]:
        assert (folder / rel).is_file()


@pytest.mark.parametrize("name", [A, B])
def test_config_files_and_columns_exist(made, name):
    """Every dataset file is written by make() or is in the open data, and each column the
    config names is in that file's header (joined two-row header for the xlsx)."""
    folder, answers = made[name]
    for ds in _config(name)["datasets"]:
        rel = ds["file"]
        if rel.startswith("local/"):
            assert rel in answers["files"], rel
            path = folder / rel
        else:
            path = SHARED_DATA / rel
            assert ds.get("national") is True and path.is_file(), rel
        if path.suffix == ".xlsx":
            header = _joined_headers(path, ds["header_rows"][0])
        else:
            enc = "cp1252" if ds.get("encoding") == "cp1252" else "utf-8-sig"
            with path.open(encoding=enc, newline="") as fh:
                header = next(csv.reader(fh))
        columns = [ds["area"]["column"]]
        if "column" in ds["period"]:
            columns.append(ds["period"]["column"])
        for ref in ds.get("measures", {}).values():
            if isinstance(ref, str):
                columns.append(ref)
            elif "sum" in ref:
                columns += ref["sum"]
            else:
                assert 1 <= ref["index"] <= len(header)
        for ref in ds.get("attributes", {}).values():
            columns.append(ref)
        missing = [c for c in columns if c not in header]
        assert not missing, f"{rel}: {missing} not in {header}"


# ---------------------------------------------------------------------------------------------
# Fixture A
# ---------------------------------------------------------------------------------------------


def _a_cells(answers: dict, measure: str) -> dict[str, dict[str, object]]:
    """Data-zone entries of an A measure as the file shows them: true value, or [1, 4]."""
    starred = {(dz, p) for dz, p, _ in answers["starred"].get(measure, [])}
    out = {}
    for dz, values in zip(answers["datazones"], answers["true_counts"][measure], strict=True):
        out[dz] = {
            p: ([1, 4] if (dz, p) in starred else v)
            for p, v in zip(answers["periods"], values, strict=True)
        }
    return out


def test_a_workbook_has_two_header_rows_merged_groups_and_stars(made):
    """The FSM export: 'P6-P7' and 'Secondary' merged over repeated 'Roll | Registered'."""
    from openpyxl import load_workbook

    folder, answers = made[A]
    ws = load_workbook(folder / "local/education/fsm_registrations.xlsx").active
    assert {str(r) for r in ws.merged_cells.ranges} == {"D5:E5", "F5:G5"}
    assert [c.value for c in ws[5]][3:] == ["P6-P7", None, "Secondary", None]
    assert [c.value for c in ws[6]] == [
        "Data Zone",
        "Data Zone Name",
        "School Year",
        "Roll",
        "Registered",
        "Roll",
        "Registered",
    ]
    rows = list(ws.iter_rows(min_row=7, values_only=True))
    assert len(rows) == 239 * 7
    stars = Counter(i for row in rows for i, v in enumerate(row) if v == "*")
    assert set(stars) == {4, 6}  # only the Registered columns, never the rolls
    codes = answers["datazones"]
    for k, row in enumerate(rows):
        i, j = k % 239, k // 239
        assert row[0] == codes[i] and row[2] == answers["periods"][j]
        for col, measure in (
            (3, "pupils_p6_p7"),
            (4, "fsm_registered_p6_p7"),
            (5, "pupils_secondary"),
            (6, "fsm_registered_secondary"),
        ):
            true = answers["true_counts"][measure][i][j]
            assert row[col] == ("*" if row[col] == "*" else true)
            assert (row[col] == "*") == (measure.startswith("fsm") and 1 <= true <= 4)


def test_a_stars_are_widespread_and_next_to_planted_zones(made, lookup):
    """A few dozen zones or more have stars, and so do planted zones' IZ neighbours."""
    _, answers = made[A]
    starred = {dz for cells in answers["starred"].values() for dz, _, v in cells}
    assert all(1 <= v <= 4 for cells in answers["starred"].values() for *_, v in cells)
    assert len(starred) >= 36
    for dz in answers["planted"]:
        neighbours = set(lookup.index[lookup["iz_code"] == lookup.at[dz, "iz_code"]]) - {dz}
        assert neighbours & starred, dz


def test_a_csvs_are_by_data_zone_with_the_true_counts(made):
    """Clothing grants: cp1252 with an en dash in the header; CTR: UTF-8."""
    folder, answers = made[A]
    raw = (folder / "local/benefits/school_clothing_grants.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    for rel, enc, measure, dz_col, period_col in (
        ("local/benefits/school_clothing_grants.csv", "cp1252", "scg_awards", 1, 0),
        (
            "local/revenues/ctr_households_with_children.csv",
            "utf-8",
            "ctr_households_with_children",
            0,
            1,
        ),
    ):
        rows = _read_csv(folder / rel, enc)
        if enc == "cp1252":
            assert rows[0][2] == "Awards made – P1 to S6"
        got = {(r[dz_col], r[period_col]): int(r[2]) for r in rows[1:]}
        want = {
            (dz, p): v
            for dz, values in zip(
                answers["datazones"], answers["true_counts"][measure], strict=True
            )
            for p, v in zip(answers["periods"], values, strict=True)
        }
        assert got == want


def test_a_sums_agree_with_the_data_zones_through_the_real_lookup(made, lookup):
    """Every IZ, ward and council sum is the sum of its data zones: exact where no star is
    involved, [known + 1 x stars, known + 4 x stars] where one is; the true sum within."""
    _, answers = made[A]
    for measure in answers["true_counts"]:
        for level in LEVEL_COLUMNS:
            assert (
                _roll_up(_a_cells(answers, measure), lookup, level)
                == answers["sums"][measure][level]
            ), (measure, level)
    for measure, by_level in answers["sums_true"].items():
        true = {
            dz: dict(zip(answers["periods"], v, strict=True))
            for dz, v in zip(answers["datazones"], answers["true_counts"][measure], strict=True)
        }
        for level, areas in by_level.items():
            assert _roll_up(true, lookup, level) == areas
            for code, periods in areas.items():
                for period, value in periods.items():
                    shown = answers["sums"][measure][level][code][period]
                    lo, hi = (shown, shown) if isinstance(shown, int) else shown
                    assert lo <= value <= hi


def test_a_eligible_shares_out_the_real_cilif_exactly(made, lookup):
    """Each IZ's true eligible units add up to its real CiLIF count x the conversion, and
    the carried-forward years follow the trend."""
    module = _load(A)
    _, answers = made[A]
    cilif = pd.read_csv(SHARED_DATA / "cilif" / "cilif_relative_iz2011.csv", dtype=str)
    cilif = cilif[cilif["la_code"] == module.COUNCIL_CODE].set_index(["iz_code", "period"])
    iz = lookup.loc[answers["datazones"], "iz_code"].to_numpy()
    for measure, spec in answers["model"]["receipts"].items():
        table = np.array(answers["true_eligible"][measure])
        for j, period in enumerate(answers["periods"]):
            source = min(period, "2021/22")
            factor = answers["model"]["trend"].get(period, 1.0)
            for code in set(iz):
                need = int(cilif.at[(code, source), "children_relative_low_income"])
                carried = need if factor == 1.0 else round(need * factor)
                assert table[iz == code, j].sum() == round(carried * spec["units_per_child"])


def test_a_planted_zones_have_half_the_uptake_only_from_2019(made):
    """Planted zones' receipts per eligible unit are about half the rest's from 2019/20,
    and not low before: the plant is real and only where it should be."""
    _, answers = made[A]
    planted = np.isin(answers["datazones"], answers["planted"])
    assert planted.sum() == 6
    late = np.array([p >= "2019/20" for p in answers["periods"]])
    for measure in ("scg_awards", "ctr_households_with_children"):
        received = np.array(answers["true_counts"][measure], dtype=float)
        eligible = np.array(answers["true_eligible"][measure], dtype=float)

        def ratio(zones, years, received=received, eligible=eligible):
            return received[np.ix_(zones, years)].sum() / eligible[np.ix_(zones, years)].sum()

        relative_late = ratio(planted, late) / ratio(~planted, late)
        relative_early = ratio(planted, ~late) / ratio(~planted, ~late)
        assert 0.35 < relative_late < 0.65, measure
        assert 0.8 < relative_early < 1.25, measure


def test_a_feasibility_check_holds_with_margin(made, lookup):
    """The independent check lists the planted zones (6/6, must be >= 5) with few others
    (<= 4, must be <= 8); the planted zones are in different IZs with enough need."""
    _, answers = made[A]
    feas = answers["feasibility"]
    assert feas["planted_found"] == 6 and feas["others_flagged"] <= 4
    assert set(answers["planted"]) <= set(feas["priority_list"])
    assert len(feas["priority_list"]) == feas["planted_found"] + feas["others_flagged"]
    assert lookup.loc[answers["planted"], "iz_code"].nunique() == 6


def test_a_feasibility_flags_nothing_without_a_plant():
    """The check is not a rubber stamp: the same zones with no plant are not flagged, and
    a zone at 0.4 of expected is, on Poisson counts with expected 100."""
    module = _load(A)
    e = np.full(200, 100.0)
    rng = np.random.default_rng(1)
    observed = rng.poisson(e).astype(float)
    phi = module.overdispersion(observed, e)
    limit = e - np.sqrt(phi) * (e - module.poisson_lower_limit(e))
    assert not (observed < limit).any()
    assert 40 < limit[0] < 80


# ---------------------------------------------------------------------------------------------
# Fixture B
# ---------------------------------------------------------------------------------------------


def _resolver(dataset: dict, names: dict[str, str]):
    """Name -> code by the CONTRACTS.md normalisation, or by the config's aliases; None for
    an alias to null. Raises KeyError for a name that resolves to nothing."""
    norm = _load(B).realdata.normalise_name
    by_norm: dict[str, list[str]] = defaultdict(list)
    for code, name in names.items():
        by_norm[norm(name)].append(code)
    aliases = dataset["area"].get("aliases", {})

    def resolve(typed: str) -> str | None:
        if typed in aliases:
            target = aliases[typed]
            return None if target is None else by_norm[norm(target)][0]
        (code,) = by_norm[norm(typed)]
        return code

    return resolve, aliases


def _sl_names(level: str) -> dict[str, str]:
    zones = _load(B).realdata.council_zones(SHARED_DATA, "S12000029")
    return dict(zip(zones[f"{level}_code"], zones[f"{level}_name"], strict=True))


def test_b_foodbank_names_typed_by_hand_resolve_and_sum(made):
    """Ward names, not codes, in every messy form promised; each resolves by normalisation
    or an alias to one real ward; re-adding the file gives the answers' totals."""
    folder, answers = made[B]
    info = answers["datasets"]["foodbank_referrals"]
    rows = _read_csv(folder / info["file"])[1:]
    typed = {r[1] for r in rows}
    assert not any(re.search(r"S13\d{6}", t) for t in typed)
    assert any(t.isupper() for t in typed) and any(t.islower() for t in typed)
    assert any("&" in t for t in typed) and any(t != t.strip() for t in typed)
    assert any("  " in t.strip() for t in typed) and any("-" in t for t in typed)
    assert {"Larkhal", "Blantrye", "Not known"} <= typed
    resolve, aliases = _resolver(_dataset(B, "foodbank_referrals"), _sl_names("ward"))
    norm = _load(B).realdata.normalise_name
    wards = {norm(n) for n in _sl_names("ward").values()}
    assert {"Larkhal", "Blantrye"} <= {t for t in typed if norm(t) not in wards} <= set(aliases)
    module = _load(B)
    months = sorted({r[0] for r in rows}, key=lambda m: pd.to_datetime(m, format="%b-%y"))
    assert len(months) == 23 and "Nov-22" not in months and months[0] == "Apr-22"
    totals: Counter = Counter()
    unplaced: Counter = Counter()
    for month, name, value in rows:
        year = module.financial_year(pd.to_datetime(month, format="%b-%y").date())
        code = resolve(name)
        (totals if code else unplaced)[(code, year)] += int(value)
    want = {(c, p): v for c, periods in info["totals"]["ward"].items() for p, v in periods.items()}
    assert dict(totals) == want
    assert {p: v for (_, p), v in unplaced.items()} == info["unplaced"]["value"]
    council = info["totals"]["council"]["S12000029"]
    assert council == {p: sum(v for (_, q), v in totals.items() if q == p) for p in council}
    assert info["incomplete_periods"] == {
        "2022/23": {"months_present": 11, "months_missing": ["2022-11"]}
    }


def test_b_advice_names_in_capitals_resolve_and_sum(made):
    """IZ names in capitals with '&', 'SAINT' for 'St' and double spaces; quarterly."""
    folder, answers = made[B]
    info = answers["datasets"]["advice_contacts"]
    raw = (folder / info["file"]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _read_csv(folder / info["file"], "utf-8-sig")[1:]
    typed = {r[1] for r in rows}
    assert all(t == t.upper() for t in typed)
    assert any("&" in t for t in typed) and any("  " in t for t in typed)
    assert {"SAINT LEONARDS NORTH", "SAINT LEONARDS SOUTH"} <= {" ".join(t.split()) for t in typed}
    assert all(re.fullmatch(r"20\d\d/\d\d Q[1-4]", r[0]) for r in rows)
    assert len({r[0] for r in rows}) == 8
    resolve, _ = _resolver(_dataset(B, "advice_contacts"), _sl_names("intermediate_zone"))
    totals: Counter = Counter()
    for quarter, name, value in rows:
        totals[(resolve(name), quarter[:7])] += int(value)
    assert len({c for c, _ in totals}) == 82
    assert dict(totals) == {
        (c, p): v
        for c, periods in info["totals"]["intermediate_zone"].items()
        for p, v in periods.items()
    }


def test_b_workbook_has_two_header_rows_and_stars(made, lookup):
    """Two header rows with merged groups; stars only on 1..4; sums consistent."""
    folder, answers = made[B]
    info = answers["datasets"]["school_meals"]
    path = folder / info["file"]
    assert _joined_headers(path, 4) == [
        "Data Zone",
        "School Year",
        "P6-P7 Roll",
        "P6-P7 Registered",
        "Secondary Roll",
        "Secondary Registered",
    ]
    from openpyxl import load_workbook

    rows = list(load_workbook(path).active.iter_rows(min_row=6, values_only=True))
    true = {(m, dz, p): v for m, cells in info["censored_cells"].items() for dz, p, v in cells}
    for dz, period, *values in rows:
        for measure, value in zip(info["measures"], values, strict=True):
            if value == "*":
                assert 1 <= true.pop((measure, dz, period)) <= 4
            else:
                assert info["totals"][measure]["datazone"][dz][period] == value
                assert not (1 <= value <= 4 and measure.startswith("fsm"))
    assert not true  # every censored cell is a star in the file
    for by_level in info["totals"].values():
        for level in LEVEL_COLUMNS:
            assert _roll_up(by_level["datazone"], lookup, level) == by_level[level]


def _normalise(postcode: str) -> str:
    squashed = re.sub(r"\s+", "", postcode.upper())
    return squashed[:-3] + " " + squashed[-3:]


def test_b_ctr_extract_is_cp1252_placed_by_messy_postcodes(made, lookup):
    """One row per household, no data zone column, cp1252, postcodes in five styles, a
    few not in the lookup; counting distinct households by data zone gives the answers."""
    folder, answers = made[B]
    info = answers["datasets"]["ctr_households"]
    raw = (folder / info["file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "’".encode("cp1252") in raw
    rows = _read_csv(folder / info["file"], "cp1252")
    header, body = rows[0], rows[1:]
    assert not any("zone" in h.lower() or h.lower() == "dz" for h in header)
    postcodes = [r[header.index("Postcode")] for r in body]
    assert any(p != p.strip() for p in postcodes)
    assert any(" " not in p for p in postcodes) and any(p.islower() for p in postcodes)
    assert any(re.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}", p) for p in postcodes)
    surnames = {r[header.index("Claimant Name")].split(" ", 1)[1] for r in body}
    assert surnames <= set(_load(B)._SURNAMES)
    placement = dict(_read_csv(folder / info["postcode_lookup"]["file"])[1:])
    unmatched = [r for r in body if _normalise(r[3]) not in placement]
    assert len(unmatched) == info["postcodes_unmatched"]["rows"]
    households = {
        (r[0], r[4]): placement[_normalise(r[3])] for r in body if _normalise(r[3]) in placement
    }
    assert len(body) - len(unmatched) - len(households) == info["duplicate_rows"]["rows"]
    counts: Counter = Counter((dz, year) for (_, year), dz in households.items())
    want = {
        (dz, p): v
        for dz, periods in info["totals"]["datazone"].items()
        for p, v in periods.items()
        if v
    }
    assert dict(counts) == want
    for level in LEVEL_COLUMNS:
        assert _roll_up(info["totals"]["datazone"], lookup, level) == info["totals"][level]


def test_b_housing_benefit_is_a_monthly_stock(made, lookup):
    """24 monthly snapshots 'YYYY-MM'; the year's 'last' is March and 'mean' the average."""
    folder, answers = made[B]
    info = answers["datasets"]["hb_caseload"]
    rows = _read_csv(folder / info["file"])[1:]
    months = sorted({r[0] for r in rows})
    assert len(months) == 24 and months[0] == "2022-04" and months[-1] == "2024-03"
    by_zone: dict[tuple[str, str], list[int]] = defaultdict(list)
    for month, dz, value in rows:
        year = _load(B).financial_year(pd.to_datetime(month).date())
        by_zone[(dz, year)].append(int(value))
    for (dz, year), values in by_zone.items():
        assert info["totals"]["last"]["datazone"][dz][year] == values[-1]
        assert info["totals"]["mean"]["datazone"][dz][year] == pytest.approx(sum(values) / 12)
    for level in LEVEL_COLUMNS:
        assert (
            _roll_up(info["totals"]["last"]["datazone"], lookup, level)
            == info["totals"]["last"][level]
        )
        mean = _roll_up(info["totals"]["mean"]["datazone"], lookup, level)
        assert mean.keys() == info["totals"]["mean"][level].keys()
        for code, periods in mean.items():
            assert periods == pytest.approx(info["totals"]["mean"][level][code])


def test_b_scp_markers_are_censored_small_counts(made, lookup):
    """'c', '..' and '<5' all occur, only where the true count is 1..4."""
    folder, answers = made[B]
    info = answers["datasets"]["scp"]
    rows = _read_csv(folder / info["file"])[1:]
    markers = {(r[0], r[1]): r[2] for r in rows if not r[2].isdigit()}
    assert set(markers.values()) == {"c", "..", "<5"}
    assert markers == {(dz, p): m for dz, p, m, _ in info["censored_cells"]}
    assert all(1 <= v <= 4 for *_, v in info["censored_cells"])
    for dz, period, value in rows:
        want = info["totals"]["datazone"][dz][period]
        assert want == ([1, 4] if (dz, period) in markers else int(value))
    for level in LEVEL_COLUMNS:
        assert _roll_up(info["totals"]["datazone"], lookup, level) == info["totals"][level]
    hidden = {(dz, p): v for dz, p, _, v in info["censored_cells"]}
    true: Counter = Counter()
    for dz, period, value in rows:
        true[period] += hidden[(dz, period)] if (dz, period) in hidden else int(value)
    assert info["true_council_totals"]["S12000029"] == dict(true)


def test_b_pack_imports_from_the_council_only_lookup(made, tmp_path):
    """The pack inputs hold the official lookup's 431 South Lanarkshire rows and nothing
    else, and today's importer makes a pack of them whose national code list is the
    council's alone (so the national CiLIF file's other rows are unknown to it)."""
    pytest.importorskip("shapely")
    pytest.importorskip("pyogrio")
    from generator.ingest.geoimport import import_pack

    folder, answers = made[B]
    path = folder / answers["pack_inputs"]["lookup"]
    frame = pd.read_csv(path, dtype=str)
    assert len(frame) == 431 and set(frame["LA_Code"]) == {"S12000029"}
    official = (SHARED_DATA / "lookups" / "DataZone2011lookup_2022-05-05.csv").read_bytes()
    assert path.read_bytes().splitlines()[0] == official.splitlines()[0]
    assert all(line in official for line in path.read_bytes().splitlines()[1:])
    pack = tmp_path / "south-lanarkshire-dz2011"
    import_pack(
        SHARED_DATA / "boundaries" / "dz2011_south_lanarkshire.geojson",
        path,
        pack,
        name="south-lanarkshire-dz2011",
        vintage="scotland-dz2011",
        code_field="dz_code",
    )
    national = pd.read_csv(pack / "national.csv", dtype=str)
    izs = set(national.loc[national["level"] == "intermediate_zone", "code"])
    assert len(izs) == answers["datasets"]["cilif_national"]["intermediate_zones"] == 82
    cilif = pd.read_csv(SHARED_DATA / "cilif" / "cilif_relative_iz2011.csv", dtype=str)
    info = answers["datasets"]["cilif_national"]
    assert (~cilif["iz_code"].isin(izs)).sum() == info["rows_other_councils"] > 0
    mine = cilif[cilif["iz_code"].isin(izs)]
    assert info["totals"]["council"]["S12000029"] == {
        p: int(v)
        for p, v in pd.to_numeric(mine["children_relative_low_income"])
        .groupby(mine["period"])
        .sum()
        .items()
    }
