"""The data contract report (``cdash validate``) as rich tables: what each dataset gave,
which measures are mapped, which indicators are available and why not. The CLI prints them."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from generator.ingest.report import DataReport


def renderables(r: DataReport) -> list[RenderableType]:
    """The data contract report as rich tables and lines, in the order the CLI prints them."""
    parts: list[RenderableType] = []
    table = Table(
        title=f"Datasets: {r.council} (geography {r.geography or 'not loaded'}"
        f"{', vintage ' + r.geography_vintage if r.geography_vintage else ''})",
        title_justify="left",
    )
    for name, justify in (
        ("dataset", "left"),
        ("rows read", "right"),
        ("used", "right"),
        ("dropped", "right"),
        ("why dropped", "left"),
        ("periods", "left"),
        ("coverage", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for d in r.datasets:
        table.add_row(
            Text(d.id),
            f"{d.rows_read:,}" if d.read_ok else "not read",
            f"{d.rows_used:,}",
            f"{d.rows_dropped:,}",
            Text(", ".join(f"{n:,} {code}" for code, n in d.dropped_by_code.items())),
            Text(span(d.periods)),
            Text(coverage_text(d.coverage)),
        )
    parts.append(table)
    parts.append(Text("Measures mapped: " + (", ".join(r.measures_mapped) or "none")))
    if r.measures_unmapped:
        parts.append(Text("Measures not mapped: " + ", ".join(r.measures_unmapped)))
    ind = Table(
        title=f"Indicators: {len(r.available)} available, {len(r.unavailable)} not",
        title_justify="left",
    )
    ind.add_column("indicator")
    ind.add_column("status")
    ind.add_column("lacks")
    for s in r.indicators:
        lacks = ", ".join(
            s.missing_measures
            + [f"{m} (no values)" for m in s.empty_measures]
            + [f"indicator {i}" for i in s.missing_indicators]
        )
        if not s.selected:
            lacks = (lacks + "; " if lacks else "") + "not in the config's indicator list"
        ind.add_row(Text(s.id), "available" if s.available else "not available", Text(lacks))
    parts.append(ind)
    for f in r.vintage:
        parts.append(
            Text(
                f"Wrong vintage: {f.dataset} ({f.file}) has {f.codes} {f.vintage} "
                f"data-zone code(s), e.g. {', '.join(f.examples)}: {f.suggestion}",
                style="bold yellow",
            )
        )
    return parts


def span(periods: list[str]) -> str:
    """Periods as "first to last (n)"."""
    if len(periods) <= 2:
        return ", ".join(periods) or "none"
    return f"{periods[0]} to {periods[-1]} ({len(periods)})"


def coverage_text(coverage: dict[str, float]) -> str:
    """Coverage per period, shortened: one figure when every period is the same."""
    if not coverage:
        return "none"
    shares = list(coverage.values())
    latest = f"{shares[-1]:.0%}"
    if len(set(round(s, 2) for s in shares)) == 1:
        return latest if len(shares) == 1 else f"{latest} every period"
    low = min(coverage, key=lambda p: coverage[p])
    return f"latest {latest}, lowest {coverage[low]:.0%} ({low})"
