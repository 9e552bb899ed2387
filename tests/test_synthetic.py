"""The synthetic demo council: its geography pack, its data files, and the planted low uptake.

The committed files under demo/ are checked as they are, then regenerated into a temporary
folder and compared byte for byte. Geometry tests need shapely (the ``geo`` extra).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from scripts import synthetic

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo"
GEO = DEMO / "geography"
DATA = DEMO / "data"
CONFIG = ROOT / "council_configs" / "demo" / "council.yaml"
LATEST = synthetic.DEMO_PERIODS[-1]


def _lookup() -> pd.DataFrame:
    return pd.read_csv(GEO / "lookup.csv", dtype=str, keep_default_na=False)


def _features(level: str) -> list[dict]:
    return json.loads((GEO / f"{level}.geojson").read_text(encoding="utf-8"))["features"]


def _manifest() -> dict:
    return json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))


def _csv(rel: str, encoding: str = "utf-8-sig") -> pd.DataFrame:
    """A demo CSV with every cell as text (codes keep their form; pandas 3 str dtype)."""
    return pd.read_csv(DATA / rel, dtype=str, encoding=encoding, keep_default_na=False)


def _number(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.str.replace(",", "", regex=False))


def _fsm() -> pd.DataFrame:
    return pd.read_excel(
        DATA / synthetic.XLSX_PATH,
        sheet_name=synthetic.XLSX_SHEET,
        header=synthetic.XLSX_HEADER_ROW - 1,
        dtype=str,
    )


def _coords(geometry: dict) -> np.ndarray:
    rings = (
        geometry["coordinates"]
        if geometry["type"] == "Polygon"
        else [ring for poly in geometry["coordinates"] for ring in poly]
    )
    return np.concatenate([np.asarray(r, dtype=float) for r in rings])


# ---- geography pack -------------------------------------------------------------------------


def test_counts_are_in_range():
    """About 150 data zones in 6 to 9 wards and one council."""
    lookup = _lookup()
    assert 120 <= lookup["datazone_code"].nunique() <= 200
    assert 6 <= lookup["ward_code"].nunique() <= 9
    assert lookup[["council_code", "council_name"]].drop_duplicates().values.tolist() == [
        ["X12000001", "Glenvale Council"]
    ]


def test_lookup_has_the_documented_columns():
    """lookup.csv has <level>_code, <level>_name for every level, one row per data zone."""
    lookup = _lookup()
    assert list(lookup.columns) == [
        "datazone_code",
        "datazone_name",
        "ward_code",
        "ward_name",
        "council_code",
        "council_name",
    ]
    assert not lookup["datazone_code"].duplicated().any()
    assert not lookup["datazone_name"].duplicated().any()
    assert (lookup.groupby("ward_code")["ward_name"].nunique() == 1).all()
    assert lookup[["ward_code", "ward_name"]].drop_duplicates()["ward_name"].is_unique


def test_codes_all_start_with_x():
    """Demo codes can never be mistaken for real GSS codes."""
    lookup = _lookup()
    assert lookup["datazone_code"].str.fullmatch(r"X01\d{6}").all()
    assert lookup["ward_code"].str.fullmatch(r"X13\d{6}").all()
    assert (lookup["council_code"] == "X12000001").all()
    for level in ("datazone", "ward", "council"):
        assert all(f["id"].startswith("X") for f in _features(level))


@pytest.mark.parametrize("level", ["datazone", "ward", "council"])
def test_every_code_has_exactly_one_shape_and_vice_versa(level):
    """Each lookup code has one feature, each feature a lookup code, with the same name."""
    areas = _lookup()[[f"{level}_code", f"{level}_name"]].drop_duplicates()
    features = _features(level)
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(areas[f"{level}_code"])
    names = dict(zip(areas[f"{level}_code"], areas[f"{level}_name"], strict=True))
    for f in features:
        assert f["type"] == "Feature"
        assert f["properties"] == {"code": f["id"], "name": names[f["id"]]}
        assert f["geometry"]["type"] == "Polygon"


def test_coordinates_are_rounded_lon_lat_in_scotland():
    """WGS84 lon/lat with 5 decimals, somewhere in central Scotland."""
    for level in ("datazone", "ward", "council"):
        for f in _features(level):
            xy = _coords(f["geometry"])
            assert np.array_equal(xy, xy.round(5))
            assert ((xy[:, 0] > -4.5) & (xy[:, 0] < -2.5)).all()
            assert ((xy[:, 1] > 55.5) & (xy[:, 1] < 56.3)).all()


def test_datazone_geojson_is_small():
    """Small enough to load once per page."""
    assert (GEO / "datazone.geojson").stat().st_size < 250_000


def test_neighbouring_zones_share_borders_without_overlap():
    """Pairs of zones that touch overlap by no area at all, and do share a border."""
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    zones = [shape(f["geometry"]) for f in _features("datazone")]
    assert all(z.is_valid for z in zones)
    tree = shapely.STRtree(zones)
    left, right = tree.query(zones, predicate="intersects")
    pairs = [(a, b) for a, b in zip(left, right, strict=True) if a < b]
    assert len(pairs) > len(zones)  # a tiling: most zones have several neighbours
    overlap = shapely.area(
        shapely.intersection(
            np.array(zones, dtype=object)[[a for a, _ in pairs]],
            np.array(zones, dtype=object)[[b for _, b in pairs]],
        )
    )
    assert overlap.max() < 1e-12  # square degrees; 1 m² is about 1.5e-10
    shared = [zones[a].boundary.intersection(zones[b].boundary).length for a, b in pairs]
    assert sum(length > 0 for length in shared) > 0.8 * len(pairs)


def test_zones_tile_the_council_without_gaps():
    """The union of the zones is the council outline, with no holes inside."""
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    zones = np.array([shape(f["geometry"]) for f in _features("datazone")], dtype=object)
    assert shapely.coverage_is_valid(zones)
    council = shape(_features("council")[0]["geometry"])
    union = shapely.coverage_union_all(zones)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert len(council.interiors) == 0
    assert union.symmetric_difference(council).area < 1e-12
    assert shapely.area(zones).sum() == pytest.approx(council.area, rel=1e-9)


def test_wards_are_contiguous_unions_of_their_zones():
    """Each ward is one polygon, exactly the union of the zones the lookup puts in it."""
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    lookup = _lookup()
    zones = {f["id"]: shape(f["geometry"]) for f in _features("datazone")}
    for f in _features("ward"):
        ward = shape(f["geometry"])
        members = lookup.loc[lookup["ward_code"] == f["id"], "datazone_code"]
        union = shapely.coverage_union_all(np.array([zones[c] for c in members], dtype=object))
        assert ward.geom_type == "Polygon"
        assert ward.symmetric_difference(union).area < 1e-12


def test_regenerating_gives_byte_identical_files(tmp_path):
    """scripts/make_demo.py output is reproducible: the committed files are what it makes."""
    pytest.importorskip("shapely")
    synthetic.write_demo(tmp_path)
    committed = sorted(p.relative_to(DEMO) for p in DEMO.rglob("*") if p.is_file())
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert made == committed
    differ = [str(p) for p in made if (tmp_path / p).read_bytes() != (DEMO / p).read_bytes()]
    assert differ == [], "run scripts/make_demo.py and commit demo/"


# ---- data files -----------------------------------------------------------------------------


def test_config_columns_exist_in_the_files():
    """Every column the demo config names is in its file's header, read as the config says."""
    config = YAML(typ="safe").load(CONFIG)
    data_dir = (CONFIG.parent / config["data_dir"]).resolve()
    assert data_dir == DATA.resolve()
    assert {m for d in config["datasets"] for m in d.get("measures", {})} == {
        "children_0_15",
        "total_population",
        "pupils_p6_p7",
        "pupils_secondary",
        "cilif_children",
        "fsm_registered_p6_p7",
        "fsm_registered_secondary",
        "scg_awards",
        "ctr_households_with_children",
        "hb_households_with_children",
        "uc_households_with_children",
        "scp_children",
        "foodbank_referrals_families",
        "advice_contacts_families",
        "advice_financial_gain_gbp",
        "simd_rank",
    }
    for ds in config["datasets"]:
        path = data_dir / ds["file"]
        if path.suffix == ".xlsx":
            header = pd.read_excel(
                path, sheet_name=ds.get("sheet", 0), header=ds.get("header_row", 1) - 1, nrows=0
            ).columns
        else:
            header = pd.read_csv(
                path,
                encoding=ds.get("encoding", "utf-8-sig"),
                nrows=0,
                skiprows=ds.get("header_row", 1) - 1,
            ).columns
        wanted = [
            ds["area"]["column"],
            *ds.get("measures", {}).values(),
            *ds.get("attributes", {}).values(),
            *ds.get("identifiers", []),
        ]
        if "key" in ds:
            wanted.append(ds["key"]["column"])
        if "column" in ds["period"]:
            wanted.append(ds["period"]["column"])
        assert set(wanted) <= set(header), (ds["id"], sorted(set(wanted) - set(header)))


def test_export_quirks_are_present():
    """The files carry the quirks of real exports: cp1252, a BOM, thousands separators."""
    grants = (DATA / "benefits/school_clothing_grants.csv").read_bytes()
    assert b"\x96" in grants and b"\xa3" in grants  # en dash and £ in cp1252
    with pytest.raises(UnicodeDecodeError):
        grants.decode("utf-8")
    assert (
        (DATA / "revenues/ctr_hb_households_with_children.csv")
        .read_bytes()
        .startswith(b"\xef\xbb\xbf")
    )
    population = (DATA / "population/population_estimates.csv").read_text(encoding="utf-8")
    assert '"1,' in population
    from openpyxl import load_workbook

    sheet = load_workbook(DATA / synthetic.XLSX_PATH)[synthetic.XLSX_SHEET]
    assert sheet["A1"].value.startswith("Glenvale Council")
    assert sheet["A3"].value is None
    assert sheet["A4"].value == "Data Zone"


def test_every_dataset_has_every_zone_in_every_period():
    """Periods 2020/21..2024/25 everywhere (SIMD: one row per zone), so indicators can
    divide one dataset by another."""
    codes = set(_lookup()["datazone_code"])
    tables = {
        "fsm": (_fsm(), "Data Zone", "School Year"),
        "scg": (
            _csv("benefits/school_clothing_grants.csv", "cp1252"),
            "Datazone",
            "Financial Year",
        ),
        "ctr": (_csv("revenues/ctr_hb_households_with_children.csv"), "DZ", "Financial Year"),
        "pop": (_csv("population/population_estimates.csv"), "Data zone code", "Year"),
        "uc": (_csv("benefits/uc_scp.csv"), "Data Zone", "Period"),
        "cilif": (_csv("income/cilif.csv"), "DataZone", "Year"),
        "food": (_csv("third_sector/foodbank_advice.csv"), "Data zone", "Year"),
    }
    for name, (df, area, period) in tables.items():
        assert set(df[period]) == set(synthetic.DEMO_PERIODS), name
        assert set(df[area]) == codes, name
        assert not df.duplicated([area, period]).any(), name
        assert len(df) == len(codes) * len(synthetic.DEMO_PERIODS), name
    simd = _csv("context/simd.csv")
    assert sorted(simd["Data_Zone"]) == sorted(codes)
    ranks = simd["SIMD2020v2_Rank"].astype(int)
    assert ranks.is_unique and ranks.between(1, 6976).all()


def test_magnitudes_are_plausible():
    """Shares of population look like a Scottish council's, and need follows deprivation."""
    pop = _csv("population/population_estimates.csv")
    pop = pop[pop["Year"] == LATEST]
    people, children = _number(pop["All ages"]), _number(pop["Children aged 0 to 15"])
    assert 0.13 < children.sum() / people.sum() < 0.22
    assert people.between(300, 3000).all()
    fsm = _fsm()
    fsm = fsm[fsm["School Year"] == LATEST]
    assert 0.015 < _number(fsm["P6-P7 Roll"]).sum() / people.sum() < 0.03
    assert 0.045 < _number(fsm["S1-S6 Roll"]).sum() / people.sum() < 0.075
    cilif = _csv("income/cilif.csv")
    cilif = cilif[cilif["Year"] == LATEST].set_index("DataZone")
    share = _number(cilif["Children in low income families (relative)"]) / _number(
        pop.set_index("Data zone code")["Children aged 0 to 15"]
    )
    assert share.min() < 0.1 and 0.35 < share.max() < 0.65
    simd = _csv("context/simd.csv").set_index("Data_Zone")["SIMD2020v2_Rank"].astype(int)
    assert share.corr(simd[share.index], method="spearman") < -0.7


# ---- planted low uptake ---------------------------------------------------------------------


def _latest_uptake(
    measure_column: str, table: pd.DataFrame, area: str, period: str
) -> pd.DataFrame:
    """Observed and expected (CiLIF × council-wide receipt per CiLIF child), latest period."""
    cilif = _csv("income/cilif.csv")
    cilif = cilif[cilif["Year"] == LATEST].set_index("DataZone")
    need = _number(cilif["Children in low income families (relative)"])
    table = table[table[period] == LATEST].set_index(area)
    observed = _number(table[measure_column])[need.index]
    expected = need * observed.sum() / need.sum()
    return pd.DataFrame({"observed": observed, "expected": expected})


def test_planted_zones_exist_and_have_low_fsm_uptake():
    """The manifest's zones are real demo zones, in different wards, with substantial need,
    and P6-P7 free school meal registrations well under what their need implies."""
    lookup = _lookup().set_index("datazone_code")
    planted = _manifest()["low_uptake_zones"]
    assert 5 <= len(planted) <= 8
    for zone in planted:
        assert lookup.at[zone["code"], "datazone_name"] == zone["name"]
        assert lookup.at[zone["code"], "ward_code"] == zone["ward"]
        assert set(zone["measures"]) == set(synthetic.PLANTED_MEASURES)
        assert 0.4 <= zone["uptake_factor"] <= 0.6
        assert LATEST in zone["periods"]
    assert len({z["ward"] for z in planted}) >= 4
    uptake = _latest_uptake("P6-P7 FSM Registered", _fsm(), "Data Zone", "School Year")
    codes = [z["code"] for z in planted]
    ratio = uptake["observed"] / uptake["expected"]
    assert (ratio[codes] < 0.7).all(), ratio[codes]
    assert (uptake.loc[codes, "expected"] >= 15).all()


def test_planted_shortfall_is_statistically_detectable():
    """For every planted measure in the latest period, even the upper end of an exact 95%
    Poisson interval of observed ÷ expected stays below 1."""
    chi2 = pytest.importorskip("scipy.stats").chi2
    tables = [
        ("P6-P7 FSM Registered", _fsm(), "Data Zone", "School Year"),
        ("S1-S6 FSM Registered", _fsm(), "Data Zone", "School Year"),
        (
            "Awards made – P1 to S6",
            _csv("benefits/school_clothing_grants.csv", "cp1252"),
            "Datazone",
            "Financial Year",
        ),
        (
            "Children receiving Scottish Child Payment",
            _csv("benefits/uc_scp.csv"),
            "Data Zone",
            "Period",
        ),
        (
            "CTR households with children",
            _csv("revenues/ctr_hb_households_with_children.csv"),
            "DZ",
            "Financial Year",
        ),
    ]
    codes = [z["code"] for z in _manifest()["low_uptake_zones"]]
    for column, table, area, period in tables:
        u = _latest_uptake(column, table, area, period).loc[codes]
        upper = chi2.ppf(0.975, 2 * (u["observed"] + 1)) / 2 / u["expected"]
        assert (upper < 1).all(), (column, upper.round(2).to_dict())


# ---- reuse on any geography -----------------------------------------------------------------


def _zones(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "datazone_code": [f"S01{n:06d}" for n in range(1, n + 1)],
            "ward_code": [f"S13{n % 4:06d}" for n in range(1, n + 1)],
            "deprivation": np.linspace(0.02, 0.97, n),
        }
    )


def test_generate_datasets_works_on_any_zones_and_is_deterministic():
    """Any table of zones with a deprivation score gives complete, non-negative counts, and
    the same seed gives the same numbers."""
    periods = ["2022/23", "2023/24", "2024/25"]
    a = synthetic.generate_datasets(_zones(), periods, np.random.default_rng(7), min_need=0)
    b = synthetic.generate_datasets(_zones(), periods, np.random.default_rng(7), min_need=0)
    assert a.datasets.keys() == b.datasets.keys()
    for name, df in a.datasets.items():
        pd.testing.assert_frame_equal(df, b.datasets[name])
        numbers = df.drop(columns=["datazone_code", "period"], errors="ignore")
        assert (numbers >= 0).all().all(), name
        assert len(df) == 40 * (len(periods) if "period" in df else 1), name
    assert len(a.low_uptake) == 6
    assert a.low_uptake["datazone_code"].isin(_zones()["datazone_code"]).all()
    assert (a.low_uptake["periods"].map(len) == 3).all()
