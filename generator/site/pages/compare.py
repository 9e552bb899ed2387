"""The Scotland comparison pages at the portal: ``compare/index.html`` and one page per
indicator, ``compare/<id>.html``, with every council's value and 95% interval against
Scotland and each council within its family group of similar councils
(``shared_indicators/family_groups.yaml``, method and source stated there and on the page).

They are made from the councils' portal entries only (``portal.entry``), so kept councils
are compared without being rebuilt. A council with a dashboard in the site shows the value
its own pages publish (``council_items``, through its disclosure control), linked to its
page. Every other council of Scotland shows its value computed from the national open files
(``national_items``: the rows of the files marked ``national``, never a record-level
extract, summed over its areas with the indicator's own method and interval), unlinked. The
two agree for a built council whose indicator comes from those files; where they could
differ (a council's own extract), the council's own published value is the one shown.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from jinja2 import Environment

from generator.analysis.compute import compare as judge
from generator.ingest.families import FamilyGroups, load_family_groups
from generator.paths import DEFAULT_CATALOGUE
from generator.site import spine
from generator.site.data import SiteData
from generator.site.formatting import format_ci, format_value, is_missing
from generator.site.words import national_label

#: Methods compared across councils: a count is compared too, but not with Scotland.
COMPARED = ("share", "rate", "count")
FAMILY_FILE = DEFAULT_CATALOGUE / "family_groups.yaml"


def council_items(site: Any, data: SiteData) -> list[dict[str, Any]]:
    """One council's latest published council-level value of each compared indicator."""
    items = []
    for ind in site.indicators:
        if ind.method not in COMPARED:
            continue
        period = data.latest.get(ind.id)
        row = data.council_row(ind.id, period) if period else None
        if row is None or row["suppressed"] or is_missing(row["value"]):
            continue
        national = row.get("national")
        items.append(
            {
                "id": ind.id,
                "title": ind.title,
                "unit": ind.unit,
                "polarity": ind.polarity,
                "period": period,
                "value": float(row["value"]),
                "lower": _float(row.get("lower")),
                "upper": _float(row.get("upper")),
                "value_text": format_value(ind, row["value"]),
                "ci_text": format_ci(ind, row.get("lower"), row.get("upper")),
                "national": None if national is None or is_missing(national) else float(national),
                "national_text": "" if is_missing(national) else format_value(ind, national),
                "comparison": str(row.get("national_comparison") or ""),
                "national_name": site.national_name,
                "href": f"{site.slug}/indicators/{ind.id}.html",
            }
        )
    return items


def national_items(site: Any, data: SiteData) -> dict[str, dict[str, Any]]:
    """Indicator id -> every council's value in the council's latest period of it, from the
    national open files (``CouncilSite.council_values``) with its 95% interval and how it
    stands against the nation: ``{"period", "councils": {code: {...}}}``. Empty without
    computed national values (a demo or a council whose pack knows only itself)."""
    values = site.council_values
    if values is None or values.empty or "lower" not in values.columns:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for ind in site.indicators:
        period = data.latest.get(ind.id)
        if ind.method not in ("share", "rate") or not period:
            continue
        part = values[(values["indicator"] == ind.id) & (values["period"] == period)]
        part = part.sort_values("council")
        if part.empty:
            continue
        row = data.council_row(ind.id, period)
        nation = None if row is None else _float(row.get("national"))
        said = judge(
            part["lower"], part["upper"], np.full(len(part), nation or np.nan), ind.polarity
        )
        councils = {}
        for (_, r), word in zip(part.iterrows(), said, strict=True):
            if is_missing(r["value"]):
                continue
            councils[str(r["council"])] = {
                "value": float(r["value"]),
                "lower": _float(r["lower"]),
                "upper": _float(r["upper"]),
                "value_text": format_value(ind, r["value"]),
                "ci_text": format_ci(ind, r["lower"], r["upper"]),
                "national": nation,
                "national_text": "" if nation is None else format_value(ind, nation),
                "comparison": str(word),
            }
        out[ind.id] = {"period": str(period), "councils": councils}
    return out


def _national_source(councils: list[dict[str, Any]], ind_id: str) -> tuple[dict, dict]:
    """The first council (in the portal's order) whose entry carries every council's value
    of ``ind_id`` from the national files, and that part of its entry; ({}, {}) if none."""
    for c in councils:
        part = c.get("scotland", {}).get(ind_id)
        if part and part["councils"]:
            return c, part
    return {}, {}


def _float(value: Any) -> float | None:
    return None if value is None or is_missing(value) else float(value)


def indicator_list(councils: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The indicators the councils publish, in first-seen order; none for a lone council
    in no family group (a demo or test council: nothing to compare it with)."""
    families = load_family_groups(FAMILY_FILE)
    if len(councils) < 2 and not any(c.get("code") in families.councils for c in councils):
        return []
    seen: dict[str, dict[str, Any]] = {}
    codes: dict[str, set[str]] = {}
    for c in councils:
        for item in c.get("compare", []):
            seen.setdefault(item["id"], {"id": item["id"], "title": item["title"]})
            codes.setdefault(item["id"], set()).add(c.get("code") or c["slug"])
    built = {c.get("code") for c in councils}
    for k in seen:
        codes[k] |= set(_national_source(councils, k)[1].get("councils", {})) - built
    return [{**v, "href": f"compare/{k}.html", "councils": len(codes[k])} for k, v in seen.items()]


def _rows(councils: list[dict[str, Any]], ind_id: str, families: FamilyGroups) -> list[dict]:
    rows = []
    for c in councils:
        item = next((i for i in c.get("compare", []) if i["id"] == ind_id), None)
        if item is None:
            continue
        groups = families.councils.get(c.get("code", ""), {})
        rows.append(
            {
                **item,
                "name": c["name"],
                "code": c.get("code", ""),
                "href": f"../{item['href']}",
                "slug": c["slug"],
                "families": groups,
                "versus": national_label(item["comparison"], item["national_name"]),
            }
        )
    rows += _national_rows(councils, ind_id, families)
    rows.sort(key=lambda r: (-r["value"] if not math.isnan(r["value"]) else math.inf, r["name"]))
    ends = [
        v
        for r in rows
        for v in (r["value"], r.get("lower"), r.get("upper"), r["national"])
        if v is not None and not math.isnan(v)
    ]
    scale = (min(ends), max(ends)) if ends else (0.0, 1.0)
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
        words = f"{r['name']}: {r['value_text']}"
        if r["ci_text"]:
            words += f" (95% interval {r['ci_text']})"
        if r["national_text"]:
            words += f"; {r['national_name']} {r['national_text']}"
        r["chart"] = spine.interval_svg(
            r["value"],
            r.get("lower"),
            r.get("upper"),
            r["national"],
            scale,
            r["comparison"],
            words,
        )
    return rows


def _national_rows(
    councils: list[dict[str, Any]], ind_id: str, families: FamilyGroups
) -> list[dict[str, Any]]:
    """The rows of the councils not built here, from the national files (``national_items``
    of the first entry that has them), unlinked."""
    source, part = _national_source(councils, ind_id)
    template = next((i for i in source.get("compare", []) if i["id"] == ind_id), None)
    if template is None:
        return []
    built = {c.get("code") for c in councils}
    rows = []
    for code, item in part["councils"].items():
        if code in built:  # a built council: only its own published value is shown
            continue
        rows.append(
            {
                **item,
                "unit": template["unit"],
                "period": part["period"],
                "national_name": template["national_name"],
                "name": families.names.get(code, code),
                "code": code,
                "href": "",
                "slug": "",
                "families": families.councils.get(code, {}),
                "versus": national_label(item["comparison"], template["national_name"]),
            }
        )
    return rows


def _families(rows: list[dict], families: FamilyGroups) -> list[dict[str, Any]]:
    """Per grouping, per family: its councils in value order, each with its place."""
    out = []
    for gid, label in families.labels.items():
        groups = []
        for number in sorted({r["families"][gid] for r in rows if gid in r["families"]}):
            members = [r for r in rows if r["families"].get(gid) == number]
            groups.append(
                {
                    "number": number,
                    "members": [{**r, "place": i} for i, r in enumerate(members, start=1)],
                }
            )
        out.append(
            {"id": gid, "label": label, "measure": families.measures.get(gid, ""), "groups": groups}
        )
    return out


def render(
    env: Environment, councils: list[dict[str, Any]], base: dict[str, Any]
) -> dict[str, bytes]:
    """``compare/index.html`` and a page per indicator any council publishes."""
    pages = indicator_list(councils)
    if not pages:
        return {}
    families = load_family_groups(FAMILY_FILE)
    slugs = {c.get("code", ""): c["slug"] for c in councils}
    out = {}
    standing: dict[str, list[dict[str, Any]]] = {c["slug"]: [] for c in councils}
    common = {
        **base,
        "assets": "../assets/",
        "portal": "../index.html",
        "families_source": families.source,
    }
    for page in pages:
        rows = _rows(councils, page["id"], families)
        national = next((r for r in rows if r["national_text"]), None)
        ctx = {
            **common,
            "page_title": f"{page['title']}: every council compared",
            "title": page["title"],
            "indicator": page,
            "rows": rows,
            "national": national,
            "family_sections": _families(rows, families),
            "family_labels": families.labels,
        }
        for section in ctx["family_sections"]:
            for g in section["groups"]:
                for m in g["members"]:
                    if not m["slug"]:
                        continue
                    standing[m["slug"]].append(
                        {
                            "title": page["title"],
                            "href": f"{page['id']}.html",
                            "family": f"{section['label']} {g['number']}",
                            "place": f"{m['place']} of {len(g['members'])}",
                            "value": m["value_text"],
                        }
                    )
        html = env.get_template("compare.html").render(**ctx)
        out[f"compare/{page['id']}.html"] = html.encode("utf-8")
    ctx = {
        **common,
        "page_title": "Councils compared",
        "title": "Councils compared",
        "pages": [{**p, "href": f"{p['id']}.html"} for p in pages],
        "family_labels": families.labels,
        "family_councils": [
            {
                "name": families.names.get(code, code),
                "slug": slugs.get(code, ""),
                "families": groups,
                "standing": standing.get(slugs.get(code, ""), []),
            }
            for code, groups in sorted(
                families.councils.items(), key=lambda kv: families.names.get(kv[0], kv[0])
            )
        ],
    }
    out["compare/index.html"] = env.get_template("compare_index.html").render(**ctx).encode("utf-8")
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def standing(site: Any, data: SiteData) -> dict[str, list[dict[str, str]]]:
    """Grouping id -> where the council's latest value of each rate and share places it
    among the councils of its family, from every council's value computed from the national
    files (``CouncilSite.council_values``); {} without them."""
    values = site.council_values
    families = load_family_groups(FAMILY_FILE)
    mine = families.councils.get(site.code)
    if values is None or values.empty or not mine:
        return {}
    out: dict[str, list[dict[str, str]]] = {}
    for gid, number in mine.items():
        members = {c for c, g in families.councils.items() if g.get(gid) == number}
        rows = []
        for ind in site.indicators:
            period = data.latest.get(ind.id)
            part = values[
                (values["indicator"] == ind.id)
                & (values["period"] == period)
                & values["council"].isin(members)
            ].sort_values(["value", "council"], ascending=[False, True])
            codes = part["council"].tolist()
            if site.code not in codes or len(codes) < 2:
                continue
            value = part.loc[part["council"] == site.code, "value"].iloc[0]
            rows.append(
                {
                    "title": ind.title,
                    "href": f"indicators/{ind.id}.html",
                    "period": str(period),
                    "value": format_value(ind, value),
                    "place": f"{_ordinal(codes.index(site.code) + 1)} highest of {len(codes)}",
                }
            )
        out[gid] = rows
    return out


def family_view(
    code: str, slug: str, places: dict[str, list[dict[str, str]]] | None = None
) -> dict[str, Any] | None:
    """A council's family groups for its overview, with a link to where it stands among
    them; None for a council in no family (outside Scotland, synthetic)."""
    families = load_family_groups(FAMILY_FILE)
    mine = families.councils.get(code)
    if not mine:
        return None
    names = families.names
    groups = []
    for gid, number in mine.items():
        others = sorted(
            names.get(c, c)
            for c, g in families.councils.items()
            if g.get(gid) == number and c != code
        )
        groups.append(
            {
                "label": f"{families.labels.get(gid, gid)} {number}",
                "measure": families.measures.get(gid, ""),
                "value": families.values.get(code, {}).get(gid),
                "others": others,
                "standing": (places or {}).get(gid, []),
            }
        )
    return {"groups": groups, "href": f"../compare/index.html#{slug}", "source": families.source}
