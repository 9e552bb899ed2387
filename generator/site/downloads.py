"""The council's downloads: every published value as CSV, the unmet-need CSV, and a
Frictionless data package describing them. Withheld numbers read "[c]"."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pandas as pd

from generator.analysis.disclosure import SUPPRESSED_MARK
from generator.analysis.inequality import GROUP_COLUMNS
from generator.analysis.uptake import UPTAKE_NUMERIC
from generator.ingest.catalogue import AnyIndicator
from generator.site.context import CouncilPages
from generator.site.council import CouncilSite
from generator.site.data import published
from generator.site.escaping import csv_cell
from generator.site.formatting import is_missing

#: Columns of the published CSV, in order.
CSV_COLUMNS = [
    "indicator",
    "level",
    "area_code",
    "area_name",
    "period",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "comparator",
    "comparison",
    "suppressed",
    "national",
    "national_comparison",
]
#: Columns of breakdowns.csv: the values columns with the breakdown and its category.
BREAKDOWN_CSV_COLUMNS = [*CSV_COLUMNS[:4], "breakdown", "category", *CSV_COLUMNS[4:]]
#: Columns of simd_groups.csv: each indicator by national deprivation quintile and decile.
GROUP_CSV_COLUMNS = [c for c in GROUP_COLUMNS if c != "note"]
#: Columns of the unmet-need CSV (uptake rows only).
UNMET_CSV_COLUMNS = [
    "indicator",
    "level",
    "area_code",
    "area_name",
    "period",
    "observed",
    "expected",
    "percent_of_expected",
    "lower",
    "upper",
    "lower_998",
    "upper_998",
    "gap",
    "status",
    "suppressed",
    "observed_low",
    "observed_high",
    "pooled_from",
    "pooled_observed",
    "pooled_observed_low",
    "pooled_observed_high",
    "pooled_expected",
    "overdispersion",
]


def json_text(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def write(pages: CouncilPages) -> None:
    """Write the council's ``data/`` folder."""
    site = pages.site
    pages.out[f"{site.slug}/data/indicator_values.csv"] = values_csv(
        pages.data.values, {i.id: i for i in site.indicators}
    )
    if pages.uptake:
        pages.out[f"{site.slug}/data/unmet_need.csv"] = unmet_csv(
            pages.data.values, [i.id for i in pages.uptake]
        )
    indicators = {i.id: i for i in site.indicators}
    extra = []
    if site.breakdowns is not None and not site.breakdowns.empty:
        pages.out[f"{site.slug}/data/breakdowns.csv"] = values_csv(
            published(site.breakdowns), indicators, BREAKDOWN_CSV_COLUMNS
        )
        extra.append("breakdowns")
    if site.groups is not None and not site.groups.empty:
        pages.out[f"{site.slug}/data/simd_groups.csv"] = groups_csv(site.groups, indicators)
        extra.append("simd_groups")
    if pages.uptake:
        extra.append("unmet_need")
    pages.out[f"{site.slug}/data/datapackage.json"] = json_text(datapackage(site, extra)).encode(
        "utf-8"
    )


def groups_csv(groups: pd.DataFrame, indicators: dict[str, AnyIndicator]) -> bytes:
    """The published SIMD group values (``disclosure.publish_groups``) as CSV."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(GROUP_CSV_COLUMNS)
    part = groups[groups["indicator"].isin(list(indicators))].sort_values(
        ["indicator", "period", "grouping", "group"], kind="mergesort"
    )
    for r in part.to_dict("records"):
        supp = bool(r["suppressed"])
        decimals = indicators[r["indicator"]].decimals + 2
        numbers = (
            [SUPPRESSED_MARK] * 5
            if supp
            else [
                _csv_number(r["numerator"], None),
                _csv_number(r["denominator"], None),
                *(_csv_number(r[c], decimals) for c in ("value", "lower", "upper")),
            ]
        )
        writer.writerow(
            [
                csv_cell(r["indicator"]),
                csv_cell(r["period"]),
                r["grouping"],
                int(r["group"]),
                int(r["zones"]),
                *numbers,
                "true" if supp else "false",
            ]
        )
    return buf.getvalue().encode("utf-8")


def unmet_csv(values: pd.DataFrame, uptake_ids: list[str]) -> bytes:
    """The uptake rows (every level and period) as CSV, suppressed numbers as "[c]"."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(UNMET_CSV_COLUMNS)
    part = values[values["indicator"].isin(uptake_ids)]
    numeric = [
        "numerator",
        "denominator",
        "value",
        "lower",
        "upper",
        "lower_998",
        "upper_998",
        "gap",
    ]
    # observed bounds (a starred source cell), then the pooled judgement (docs/methods.md)
    extra = UPTAKE_NUMERIC
    for r in part.to_dict("records"):
        supp = bool(r["suppressed"])
        nums = [
            SUPPRESSED_MARK if supp else _csv_number(r[c], None if c == "numerator" else 3)
            for c in numeric
        ]
        more = [
            SUPPRESSED_MARK
            if supp
            else _csv_number(r.get(c), 3 if c in ("pool_expected", "phi") else None)
            for c in extra
        ]
        pooled_from = "" if supp else csv_cell(str(r.get("pool_from") or ""))
        # Text cells come from council files: csv_cell keeps a spreadsheet from running
        # them as formulas. Numbers are written as numbers.
        writer.writerow(
            [
                *(csv_cell(r[c]) for c in ("indicator", "level", "area_code", "area_name")),
                csv_cell(r["period"]),
                *nums,
                "" if supp else r["status"],
                "true" if supp else "false",
                *more[:2],
                pooled_from,
                *more[2:],
            ]
        )
    return buf.getvalue().encode("utf-8")


def _csv_number(value: Any, decimals: int | None) -> str:
    if is_missing(value):
        return ""
    value = float(value)
    if decimals is None:
        return str(int(value)) if value.is_integer() else f"{value:.3f}"
    return f"{value:.{decimals}f}"


def values_csv(
    values: pd.DataFrame,
    indicators: dict[str, AnyIndicator],
    columns: list[str] = CSV_COLUMNS,
) -> bytes:
    """Every published value as CSV: suppressed numbers as "[c]", rows in table order.

    Values, intervals and comparators carry two decimals more than the pages show. The
    national value and comparison are empty where there is none (and on withheld rows).
    ``columns``: ``CSV_COLUMNS``, or ``BREAKDOWN_CSV_COLUMNS`` for the breakdown rows.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    n_rows = len(values)
    cols = {c: values[c].tolist() if c in values.columns else [None] * n_rows for c in columns}
    keys = columns[: columns.index("period") + 1]
    for n in range(len(values)):
        ind = indicators[str(cols["indicator"][n])]
        if cols["suppressed"][n]:
            numbers = [SUPPRESSED_MARK] * 6
        else:
            decimals = ind.decimals + 2
            numbers = [
                _csv_number(cols["numerator"][n], None),
                _csv_number(cols["denominator"][n], None),
                *(
                    _csv_number(cols[c][n], decimals)
                    for c in ("value", "lower", "upper", "comparator")
                ),
            ]
        supp = bool(cols["suppressed"][n])
        national = cols["national"][n]
        writer.writerow(
            [
                *(csv_cell(cols[c][n]) for c in keys),
                *numbers,
                cols["comparison"][n],
                "true" if supp else "false",
                "" if supp else _csv_number(national, ind.decimals + 2),
                "" if supp or is_missing(national) else (cols["national_comparison"][n] or ""),
            ]
        )
    return buf.getvalue().encode("utf-8")


_FIELD_DOCS = {
    "indicator": ("string", "Indicator id; see about.html for definitions."),
    "level": ("string", "Geography level of the area, e.g. datazone, ward, council."),
    "area_code": ("string", "Area code."),
    "area_name": ("string", "Area name."),
    "period": ("string", "Period the value refers to, e.g. 2024/25."),
    "numerator": ("number", "Count on top of the ratio, or the count itself."),
    "denominator": ("number", "Count the numerator is divided by; empty for counts."),
    "value": ("number", "The indicator value."),
    "lower": ("number", "Lower bound of the 95% confidence interval."),
    "upper": ("number", "Upper bound of the 95% confidence interval."),
    "comparator": ("number", "The council's value for the same indicator and period."),
    "comparison": (
        "string",
        "better, worse or similar to the council by the confidence "
        "interval (higher/lower when neither is better); empty without "
        "an interval.",
    ),
    "suppressed": (
        "boolean",
        "true when disclosure control withheld this row's numbers, which are then shown as [c].",
    ),
    "national": ("number", "The national value (e.g. Scotland) for the same period, if any."),
    "national_comparison": (
        "string",
        "better, worse or similar to the national value by the confidence interval.",
    ),
}
_BREAKDOWN_DOCS = {
    "breakdown": ("string", "The breakdown, e.g. family_type, tenure, age_band."),
    "category": ("string", "The category of the breakdown this row is for."),
}
_GROUP_DOCS = {
    "indicator": _FIELD_DOCS["indicator"],
    "period": _FIELD_DOCS["period"],
    "grouping": ("string", "quintile or decile of the national deprivation index (SIMD)."),
    "group": ("integer", "1 = the most deprived fifth (or tenth) of zones nationally."),
    "zones": ("integer", "How many of the council's data zones are in the group."),
    "numerator": ("number", "Count on top, summed over the group's zones."),
    "denominator": ("number", "Count below, summed over the group's zones."),
    "value": _FIELD_DOCS["value"],
    "lower": _FIELD_DOCS["lower"],
    "upper": _FIELD_DOCS["upper"],
    "suppressed": _FIELD_DOCS["suppressed"],
}
_UNMET_DOCS = {
    name: (
        "string"
        if name
        in ("indicator", "level", "area_code", "area_name", "period", "status", "pooled_from")
        else "boolean"
        if name == "suppressed"
        else "number",
        "See methods.html: uptake and the funnel flags.",
    )
    for name in UNMET_CSV_COLUMNS
}


def _resource(name: str, docs: dict[str, tuple[str, str]], key: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {"name": field, "type": kind, "description": doc}
                for field, (kind, doc) in docs.items()
            ],
            "missingValues": ["", SUPPRESSED_MARK],
            "primaryKey": key,
        },
    }


def datapackage(site: CouncilSite, extra: list[str] | None = None) -> dict[str, Any]:
    """A minimal Frictionless data package describing ``indicator_values.csv`` and, named in
    ``extra``, ``breakdowns.csv``, ``simd_groups.csv`` and ``unmet_need.csv``."""
    description = (
        f"Published indicator values for {site.name}, by area and period. "
        f"Counts below {site.disclosure_threshold} and figures that would reveal "
        "them are withheld and shown as [c]."
    )
    if site.synthetic:
        description += " SYNTHETIC DEMO DATA: these numbers are invented."
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": re.sub(r"[^a-z0-9._-]", "-", f"{site.slug}-indicator-values".lower()),
        "title": f"{site.name}: child poverty and unmet need indicators",
        "description": description,
        "created": f"{site.build_date}T00:00:00Z",
        "sources": [
            {"title": d.title, "path": d.file}
            if not d.source
            else {"title": d.title, "description": d.source}
            for d in site.datasets
        ],
        "resources": [
            {
                "name": "indicator_values",
                "path": "indicator_values.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": name, "type": kind, "description": doc}
                        for name, (kind, doc) in _FIELD_DOCS.items()
                    ],
                    "missingValues": ["", SUPPRESSED_MARK],
                    "primaryKey": ["indicator", "level", "area_code", "period"],
                },
            }
        ],
    }
    key = ["indicator", "level", "area_code", "period"]
    more = {
        "breakdowns": (
            {
                **{c: _FIELD_DOCS[c] for c in BREAKDOWN_CSV_COLUMNS[:4]},
                **_BREAKDOWN_DOCS,
                **{c: _FIELD_DOCS[c] for c in BREAKDOWN_CSV_COLUMNS[6:]},
            },
            [*key[:3], "breakdown", "category", "period"],
        ),
        "simd_groups": (_GROUP_DOCS, ["indicator", "period", "grouping", "group"]),
        "unmet_need": (_UNMET_DOCS, key),
    }
    for name in extra or []:
        docs, primary = more[name]
        package["resources"].append(_resource(name, docs, primary))
    if site.attribution:
        # Frictionless wants a licence *name* or *path*; free attribution text is neither,
        # so it goes in the description, where a reader of the package will see it.
        package["description"] += f" Attribution: {site.attribution}"
    return package
