"""Figures stage: figure dicts and their text summaries, from hand-made published rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from generator.ingest.catalogue import CountIndicator, RateIndicator, ShareIndicator
from generator.site import charts, figures, formatting, maps, summaries

SHARE = ShareIndicator(
    id="cilif_share",
    title="Children in low income families",
    short_title="Low income",
    description="d",
    theme="need",
    polarity="higher_is_worse",
    unit="%",
    decimals=1,
    source="s",
    caveats="c",
    method="share",
    numerator="cilif_children",
    denominator="children_0_15",
)
RATE = RateIndicator(
    id="referrals",
    title="Referrals",
    short_title="Referrals",
    description="d",
    theme="need",
    polarity="higher_is_better",
    unit="per 1,000 children",
    decimals=1,
    source="s",
    caveats="c",
    method="rate",
    numerator="a",
    denominator="b",
    multiplier=1000,
)
COUNT = CountIndicator(
    id="children",
    title="Children",
    short_title="Children",
    description="d",
    theme="context",
    polarity="neutral",
    unit="children",
    decimals=0,
    source="s",
    caveats="c",
    method="count",
    measure="children_0_15",
)

AREAS = pd.DataFrame(
    {"code": ["A1", "A2", "A3", "A4", "A5"], "name": ["Ashfield", "Brook", "Cairn", "Dale", "Eden"]}
)


def rows(**overrides: list) -> pd.DataFrame:
    """Published rows for areas A1..A4 (A5 has no row). A4 is suppressed."""
    data = {
        "area_code": ["A1", "A2", "A3", "A4"],
        "area_name": ["Ashfield", "Brook", "Cairn", "Dale"],
        "period": ["2024/25"] * 4,
        "value": [21.34567, 34.14999, 9.2, float("nan")],
        "lower": [18.0, 30.0, 7.0, float("nan")],
        "upper": [25.0, 38.0, 11.5, float("nan")],
        "comparison": ["similar", "worse", "better", ""],
        "suppressed": [False, False, False, True],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_colour_scales_put_worse_at_the_dark_end() -> None:
    """higher_is_worse: dark at the top; higher_is_better: dark at the bottom; neutral blue."""
    worse = figures.colour_scale("higher_is_worse")
    better = figures.colour_scale("higher_is_better")
    assert worse[-1][1] == better[0][1] == "#440154"  # viridis' darkest
    assert worse[0][1] == better[-1][1] == "#fde725"
    assert figures.colour_scale("neutral")[-1][1] == "#08306b"
    assert figures.colour_scale("neutral")[0][1] == "#deebf7"  # not white: no-data is light grey
    assert worse[0][0] == 0 and worse[-1][0] == 1


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        (SHARE, 21.349, "21.3%"),
        (RATE, 1234.56, "1,234.6 per 1,000 children"),
        (COUNT, 12345.0, "12,345 children"),
        (SHARE, float("nan"), "no data"),
    ],
)
def test_format_value(indicator, value, expected) -> None:
    """Values read with their unit and the indicator's decimals."""
    assert formatting.format_value(indicator, value) == expected


def test_map_places_every_area_once_and_greys_the_rest() -> None:
    """Coloured trace for published areas, grey for withheld, light grey for no row."""
    fig = maps.map_figure(SHARE, rows(), AREAS, geojson="demo-datazone")
    shown, withheld, missing = fig["data"]
    assert [t["geojson"] for t in fig["data"]] == ["demo-datazone"] * 3
    assert all(
        t["type"] == "choropleth"
        and t["featureidkey"] == "id"
        and t["locationmode"] == "geojson-id"
        for t in fig["data"]
    )
    assert shown["locations"] == ["A1", "A2", "A3"]
    assert withheld["locations"] == ["A4"] and missing["locations"] == ["A5"]
    assert withheld["colorscale"][0][1] == figures.SUPPRESSED_COLOUR
    assert withheld["showscale"] is False
    # z carries one decimal more than displayed; hover shows the displayed rounding
    assert shown["z"] == [21.35, 34.15, 9.2]
    assert shown["customdata"][0] == [21.3, 18.0, 25.0, "Similar to council"]
    assert "%{customdata[0]:,.1f}%" in shown["hovertemplate"]
    assert fig["layout"]["geo"] == {
        "fitbounds": "locations",
        "visible": False,
        "projection": {"type": "mercator"},
        "bgcolor": "rgba(0,0,0,0)",
    }
    assert "template" not in fig["layout"]


def test_figures_never_read_numbers_on_suppressed_rows() -> None:
    """A number left on a suppressed row reaches no figure."""
    leaky = rows(
        value=[21.3, 34.1, 9.2, 77.777],
        lower=[18.0, 30.0, 7.0, 70.0],
        upper=[25.0, 38.0, 11.5, 80.0],
    )
    for fig in (
        maps.map_figure(SHARE, leaky, AREAS, geojson="x"),
        charts.bar_figure(SHARE, leaky, council_value=20.0, council_name="C"),
    ):
        assert "77.7" not in json.dumps(fig)


def test_level_summary_names_highest_lowest_and_comparisons() -> None:
    """The sentence names the right areas, counts significant differences and withheld ones."""
    text = summaries.level_summary(
        SHARE,
        rows(),
        AREAS,
        period="2024/25",
        council_name="Glenvale Council",
        council_value=21.3,
        label="Data zone",
        label_plural="Data zones",
    )
    assert text == (
        "In 2024/25 the value for Glenvale Council was 21.3%. Among data zones it was "
        "highest in Brook (34.1%) and lowest in Cairn (9.2%). 1 of 5 data zones was "
        "significantly worse than the council and 1 was significantly better. "
        "1 data zone is withheld to protect privacy."
    )


def test_level_summary_breaks_ties_by_name() -> None:
    """Equal values: the alphabetically first area is named, every time."""
    tied = rows(value=[30.0, 30.0, 9.2, float("nan")], area_name=["Zed", "Abel", "Cairn", "Dale"])
    stats = summaries.level_stats(tied, AREAS)
    assert stats.highest == ("Abel", 30.0) and stats.lowest == ("Cairn", 9.2)
    assert (stats.total, stats.shown, stats.suppressed, stats.missing) == (5, 3, 1, 1)


def test_level_summary_when_everything_is_withheld() -> None:
    """No published value gives a plain statement, not an error."""
    none = rows(suppressed=[True] * 4, value=[float("nan")] * 4)
    text = summaries.level_summary(
        SHARE,
        none,
        AREAS,
        period="2024/25",
        council_name="C",
        council_value=None,
        label="Ward",
        label_plural="Wards",
    )
    assert text == (
        "No value can be published for any of the wards in 2024/25. "
        "4 wards are withheld to protect privacy."
    )


def test_bar_ranks_highest_first_with_ci_and_council_line() -> None:
    """Bars run from highest to lowest, withheld areas are left out, CI whiskers are exact."""
    fig = charts.bar_figure(SHARE, rows(), council_value=21.3, council_name="Glenvale")
    yaxis = fig["layout"]["yaxis"]
    assert yaxis["categoryarray"] == ["Brook", "Ashfield", "Cairn"]
    assert yaxis["autorange"] == "reversed"
    assert fig["layout"]["barmode"] == "overlay"
    by_name = {t["name"]: t for t in fig["data"]}
    assert set(by_name) == {"Worse than council", "Similar to council", "Better than council"}
    worse = by_name["Worse than council"]
    assert worse["y"] == ["Brook"]
    assert worse["error_x"]["array"] == [3.85] and worse["error_x"]["arrayminus"] == [4.15]
    line = fig["layout"]["shapes"][0]
    assert line["x0"] == line["x1"] == 21.3 and line["name"] == "Glenvale: 21.3%"


def test_rank_summary() -> None:
    """The ranking's text says what the chart encodes and how many areas differ."""
    text = summaries.rank_summary(
        SHARE,
        rows(),
        AREAS,
        council_name="Glenvale",
        council_value=21.3,
        label="Ward",
        label_plural="Wards",
    )
    assert text == (
        "Wards are ranked from the highest value to the lowest. The whiskers show 95% "
        "confidence intervals, and the dashed line is the value for Glenvale (21.3%). Of "
        "the 3 wards with a published value, 1 worse than the council, 1 similar to the "
        "council and 1 better than the council. 1 ward withheld to protect privacy is not shown."
    )


def test_trend_draws_council_over_area_lines_in_period_order() -> None:
    """Area lines first (grey, one legend entry), the council last, x in period order."""
    council = pd.DataFrame(
        {
            "period": ["2023/24", "2022/23", "2024/25"],
            "value": [20.0, 18.0, 21.0],
            "lower": [19.0, 17.0, 20.0],
            "upper": [21.0, 19.0, 22.0],
            "suppressed": [False] * 3,
        }
    )
    wards = pd.DataFrame(
        {
            "area_code": ["W1", "W1", "W2", "W2"],
            "area_name": ["North", "North", "South", "South"],
            "period": ["2022/23", "2024/25", "2022/23", "2024/25"],
            "value": [10.0, 12.0, 30.0, float("nan")],
            "suppressed": [False, False, False, True],
        }
    )
    periods = ["2022/23", "2023/24", "2024/25"]
    fig = charts.trend_figure(SHARE, council, wards, periods=periods, council_name="C")
    *areas, main = fig["data"]
    # South keeps one point once its withheld one is dropped: a one-point line draws
    # nothing, so it has no trace (issue 17: no legend entry above no lines).
    assert [t["showlegend"] for t in areas] == [True]
    assert areas[0]["x"] == ["2022/23", "2024/25"]
    assert main["name"] == "C" and main["x"] == periods and main["y"] == [18.0, 20.0, 21.0]
    assert fig["layout"]["xaxis"]["categoryarray"] == periods
    assert summaries.trend_summary(SHARE, council, "C") == (
        "The value for C rose from 18.0% in 2022/23 to 21.0% in 2024/25."
    )


def test_count_indicator_map_has_no_ci_in_hover() -> None:
    """Without an interval the hover shows the value alone."""
    counts = rows(
        value=[120.0, 340.0, 92.0, float("nan")],
        lower=[float("nan")] * 4,
        upper=[float("nan")] * 4,
        comparison=[""] * 4,
    )
    fig = maps.map_figure(COUNT, counts, AREAS, geojson="x")
    assert fig["data"][0]["hovertemplate"] == (
        "<b>%{text}</b><br>%{customdata[0]:,.0f} children<extra></extra>"
    )
    assert fig["data"][0]["colorscale"] == figures.colour_scale("neutral")


def test_to_fragment_is_deterministic_and_uses_the_given_div_id() -> None:
    """Same figure, same bytes; the fragment needs plotly.min.js and loads nothing."""
    fig = maps.map_figure(SHARE, rows(), AREAS, geojson="demo-datazone")
    first = figures.to_fragment(fig, "map-datazone", config=figures.MAP_CONFIG)
    assert first == figures.to_fragment(fig, "map-datazone", config=figures.MAP_CONFIG)
    assert 'id="map-datazone"' in first and "Plotly.newPlot(" in first
    assert "<script src" not in first and "https://" not in first
    assert '"scrollZoom": false' in first and '"displaylogo": false' in first
    assert "height:480px" in first
