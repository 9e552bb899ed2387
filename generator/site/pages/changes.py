"""What changed since the last refresh: ``data/changes.json``, the ``data/priority_areas.csv``
snapshot that the next build compares with, and the overview's section listing areas that
entered or left the priority list and council values that moved significantly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from generator.analysis import changes
from generator.ingest import previous as prev
from generator.site.context import CouncilPages
from generator.site.council import CouncilSite
from generator.site.data import published
from generator.site.formatting import format_value

CHANGES_JSON = "data/changes.json"
PRIORITY_CSV = f"data/{prev.PRIORITY_CSV}"


def since(previous: Path, site: CouncilSite) -> changes.Changes | None:
    """The changes from the build published at ``previous`` (a site folder, a council's data
    folder or a saved indicator_values.csv) to ``site``; None when there is none to read."""
    folder = prev.find(previous, site.slug)
    found = prev.read(folder) if folder is not None else None
    if found is None:
        return None
    top = site.pack.levels[-1].id
    return changes.compare(
        found.values,
        found.priority,
        published(site.values),
        changes.priority_frame(site.priority),
        top,
        site.code,
    )


def priority_csv(site: CouncilSite) -> bytes:
    """This build's priority lists (level, rank, code, name): public already on the
    unmet-need page, saved so that the next build can say which areas entered or left."""
    frame = changes.priority_frame(site.priority)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False))
    return buf.getvalue().encode("utf-8")


def view(pages: CouncilPages, root: str) -> dict[str, Any] | None:
    """The changes as the overview shows them; None when there was no previous build."""
    site, found = pages.site, pages.site.changes
    if found is None:
        return None
    levels = {lv.id: lv for lv in site.pack.levels}
    titles = {i.id: i for i in site.indicators}

    def area(a: changes.AreaChange) -> dict[str, str]:
        return {
            "name": a.name,
            "code": a.code,
            "level": levels[a.level].label if a.level in levels else a.level,
            "href": pages.area_href(root, a.level, a.code),
        }

    return {
        "areas_known": found.areas_known,
        "entered": [area(a) for a in found.areas if a.change == "entered"],
        "left": [area(a) for a in found.areas if a.change == "left"],
        "moves": [
            {
                "title": titles[m.indicator].title,
                "href": pages.indicator_href(root, m.indicator),
                "direction": m.direction,
                "before": format_value(titles[m.indicator], m.before),
                "before_period": m.before_period,
                "after": format_value(titles[m.indicator], m.after),
                "after_period": m.after_period,
            }
            for m in found.moves
            if m.indicator in titles
        ],
        "json_href": root + CHANGES_JSON,
    }


def write(pages: CouncilPages) -> None:
    """data/priority_areas.csv always; data/changes.json when there was a previous build."""
    site = pages.site
    pages.out[f"{site.slug}/{PRIORITY_CSV}"] = priority_csv(site)
    found = site.changes
    if found is None:
        return
    data = {
        "priority_areas": {
            "compared": found.areas_known,
            "entered": [
                {"level": a.level, "area_code": a.code, "area_name": a.name}
                for a in found.areas
                if a.change == "entered"
            ],
            "left": [
                {"level": a.level, "area_code": a.code, "area_name": a.name}
                for a in found.areas
                if a.change == "left"
            ],
        },
        "moved_significantly": [
            {
                "indicator": m.indicator,
                "direction": m.direction,
                "before": {"period": m.before_period, "value": round(m.before, 6)},
                "after": {"period": m.after_period, "value": round(m.after, 6)},
            }
            for m in found.moves
        ],
    }
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    pages.out[f"{site.slug}/{CHANGES_JSON}"] = text.encode("utf-8")
