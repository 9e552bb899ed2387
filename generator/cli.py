"""The ``cdash`` command line. The only module that prints or chooses an exit code.

Exit codes: 0 all well, 1 the input has problems, 2 the command line is wrong.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from generator.errors import CdashError, ProblemsError, UsageError, format_problems
from generator.paths import DEFAULT_CATALOGUE, DEFAULT_CONFIGS, DEFAULT_SCHEMA

if TYPE_CHECKING:
    from generator.ingest.report import DataReport

# The pipeline (pandas, scipy, plotly) is imported inside each command, so that
# `cdash --help` and a mistyped option answer at once.

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Build static dashboards of unmet need from council data.",
)
out = Console()
err = Console(stderr=True)

ConfigsOption = Annotated[
    Path,
    typer.Option("--configs", help="Folder holding one sub-folder per council.", show_default=True),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder holding the council's data files, or one sub-folder per council slug "
        "(or set CDASH_DATA_DIR).",
        file_okay=False,
    ),
]
CatalogueOption = Annotated[
    Path, typer.Option("--catalogue", help="The shared indicator catalogue folder.")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
PacksDirOption = Annotated[
    Path | None,
    typer.Option(
        "--packs-dir",
        help="Folder of geography packs, for configs that name a pack (or set CDASH_PACKS_DIR).",
        file_okay=False,
    ),
]

geography = typer.Typer(no_args_is_help=True, help="Make and inspect geography packs.")
app.add_typer(geography, name="geography")


def _default_configs() -> Path:
    here = Path("council_configs")
    return here if here.is_dir() else DEFAULT_CONFIGS


@app.command()
def validate(
    council: Annotated[str, typer.Argument(help="Council slug, folder or council.yaml path.")],
    data_dir: DataDirOption = None,
    configs: ConfigsOption = _default_configs(),  # noqa: B008
    catalogue: CatalogueOption = DEFAULT_CATALOGUE,  # noqa: B008
    fmt: Annotated[
        Literal["table", "json"],
        typer.Option(
            "--format",
            help="table: the report as tables; json: the report as stable JSON on "
            "stdout (documented in docs/onboarding.md).",
        ),
    ] = "table",
    packs_dir: PacksDirOption = None,
    debug: DebugOption = False,
) -> None:
    """Check a council's config and data: print the data contract report and every problem.

    Exits 1 when there is any problem, so a clean run means clean data."""
    with _user_errors(debug):
        from generator.ingest import report
        from generator.ingest.catalogue import load_catalogue
        from generator.ingest.councils import find_config
        from generator.ingest.validate import validate as validate_council

        path = find_config(council, configs)
        cat = load_catalogue(catalogue)
        v = validate_council(path, data_dir, cat, packs_dir=packs_dir)
        data_report = report.build_report(v, cat)
        problems = v.problems
        if fmt == "json":
            sys.stdout.write(data_report.to_json())
            sys.stdout.flush()
            if problems:
                raise typer.Exit(1)
            return
        _print_report(data_report)
        for line in format_problems(problems):
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        rows = sum(ds.rows_read for ds in v.datasets)
        summary = (
            f"{v.read.doc.display_path}: {len(v.datasets)} datasets, "
            f"{rows:,} rows read, {len(problems)} problem(s)"
        )
        if problems:
            err.print(summary, markup=False, highlight=False)
            raise typer.Exit(1)
        out.print(f"{summary}. All clear.", markup=False, highlight=False)


def _print_report(r: DataReport) -> None:
    """The data contract report as rich tables on stdout."""
    from generator.ingest.report_view import renderables

    for part in renderables(r):
        out.print(part)


@app.command()
def schema(
    out_file: Annotated[
        Path, typer.Option("--out", help="Where to write the JSON Schema.")
    ] = DEFAULT_SCHEMA,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 if the file is missing or out of date."
        ),
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Write the JSON Schemas of council.yaml and interventions.yaml (beside it), for
    editors (VS Code's YAML extension)."""
    with _user_errors(debug):
        from generator.atomic import write_file_atomically
        from generator.reference import (
            INTERVENTIONS_SCHEMA_NAME,
            NOTES_SCHEMA_NAME,
            config_schema_json,
            interventions_schema_json,
            notes_schema_json,
        )

        # The interventions log's schema goes beside the config's.
        for target, text in (
            (out_file, config_schema_json()),
            (out_file.parent / INTERVENTIONS_SCHEMA_NAME, interventions_schema_json()),
            (out_file.parent / NOTES_SCHEMA_NAME, notes_schema_json()),
        ):
            current = target.read_text(encoding="utf-8") if target.is_file() else None
            if check:
                if current != text:
                    err.print(f"{target} is out of date: run `cdash schema`", highlight=False)
                    raise typer.Exit(1)
                out.print(f"{target} is up to date.", highlight=False)
                continue
            if current != text:
                write_file_atomically(target, text.encode("utf-8"))
            out.print(f"Wrote {target}", highlight=False)


@app.command()
def indicators(
    theme: Annotated[
        str | None,
        typer.Option("--theme", help="Show only this theme (its id, e.g. social_security)."),
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option(
            "--markdown", help="Also write the catalogue as a Markdown page to this file."
        ),
    ] = None,
    catalogue: CatalogueOption = DEFAULT_CATALOGUE,  # noqa: B008
    debug: DebugOption = False,
) -> None:
    """List the catalogue's indicators: what each shows and which measures it needs."""
    with _user_errors(debug):
        from generator.atomic import write_file_atomically
        from generator.ingest.catalogue import load_catalogue
        from generator.reference import catalogue_markdown

        cat = load_catalogue(catalogue)
        if theme is not None and theme not in cat.themes:
            raise UsageError(
                f"--theme {theme!r} is not a theme; themes are: " + ", ".join(cat.themes)
            )
        table = Table(
            title="Indicators" + (f": {cat.themes[theme].title}" if theme else ""),
            title_justify="left",
        )
        table.add_column("indicator", no_wrap=True)
        for name in ("title", "theme", "method", "measures"):
            table.add_column(name)
        for ind in cat.indicators.values():
            if theme is None or ind.theme == theme:
                table.add_row(
                    Text(ind.id),
                    Text(ind.title),
                    Text(ind.theme),
                    Text(ind.method),
                    Text(", ".join(ind.measures())),
                )
        out.print(table)
        if markdown is not None:
            write_file_atomically(markdown, catalogue_markdown(cat, theme).encode("utf-8"))
            out.print(f"Wrote {markdown}", highlight=False)


@app.command()
def new(
    name: Annotated[str | None, typer.Option("--name", help="Council name.")] = None,
    code: Annotated[
        str | None,
        typer.Option("--code", help="GSS code: S12 + 6 digits (X + 8 digits for synthetic)."),
    ] = None,
    slug: Annotated[
        str | None,
        typer.Option("--slug", help="Folder and URL name; default derived from the name."),
    ] = None,
    geography: Annotated[
        str | None,
        typer.Option(
            "--geography", help="Geography pack folder, relative to the new council's folder."
        ),
    ] = None,
    colour: Annotated[str | None, typer.Option("--colour", help="Brand colour, #rrggbb.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Contact email.")] = None,
    threshold: Annotated[
        int | None, typer.Option("--threshold", help="Disclosure threshold (5 or more).")
    ] = None,
    no_input: Annotated[
        bool,
        typer.Option("--no-input", help="Ask nothing: use the options given and the defaults."),
    ] = False,
    configs: Annotated[
        Path, typer.Option("--configs", help="Folder of council configs to add the new council to.")
    ] = Path("council_configs"),
    debug: DebugOption = False,
) -> None:
    """Start a new council: council_configs/<slug>/ from the cookiecutter template.

    Asks for each answer unless --no-input. Never overwrites an existing council."""
    with _user_errors(debug):
        from generator import scaffold

        given = {
            "council_name": name,
            "gss_code": code,
            "slug": slug,
            "geography_pack": geography,
            "brand_colour": colour,
            "contact_email": email,
            "disclosure_threshold": None if threshold is None else str(threshold),
        }
        context = {k: v for k, v in given.items() if v is not None}
        target = scaffold.new_council(configs, context, no_input=no_input)
        out.print(
            f"Created {target}\nNext: put the council's files in a data folder and run "
            f"`cdash validate {target.name} --data-dir <folder>`",
            highlight=False,
        )


@app.command()
def build(
    councils: Annotated[
        list[str] | None, typer.Argument(help="Council slugs, folders or council.yaml paths.")
    ] = None,
    all_councils: Annotated[bool, typer.Option("--all", help="Build every council.")] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the site.")] = Path("site"),
    data_dir: DataDirOption = None,
    configs: ConfigsOption = _default_configs(),  # noqa: B008
    catalogue: CatalogueOption = DEFAULT_CATALOGUE,  # noqa: B008
    build_date: Annotated[
        str | None,
        typer.Option(
            "--build-date",
            help="Date printed on pages (YYYY-MM-DD); default SOURCE_DATE_EPOCH or today.",
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Councils built in parallel.")
    ] = min(4, os.cpu_count() or 1),
    packs_dir: PacksDirOption = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Rebuild every council named and drop any other from the site, instead of "
            "keeping councils already built (named builds) or unchanged (--all).",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress; only problems and the result.")
    ] = False,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="The build to compare with for 'what changed since the last refresh': a "
            "site folder, or a saved indicator_values.csv with its priority_areas.csv; "
            "default the site already in --out.",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Build the dashboard site for some councils, or --all, into --out.

    Naming councils rebuilds only those in an existing site (and its portal); the others stay
    byte for byte. --all rebuilds the councils whose inputs changed and drops councils that
    have no config any more."""
    with _user_errors(debug):
        from generator.ingest.councils import all_slugs, find_config
        from generator.site import build as site_build

        if all_councils == bool(councils):
            raise UsageError("name one or more councils, or pass --all")
        names = all_slugs(configs) if all_councils else list(councils or [])
        if not names:
            raise UsageError(f"no councils found in {configs}")
        paths = [find_config(name, configs) for name in names]
        try:
            date = site_build.build_date_from_env(build_date)
        except ValueError:
            raise UsageError(f"--build-date {build_date!r} is not a date like 2025-03-31") from None
        started = time.perf_counter()
        from generator.site.progress import build_progress

        progress = build_progress(err, quiet)
        try:
            result = site_build.build(
                paths,
                out_dir,
                data_dir=data_dir,
                build_date=date,
                catalogue_dir=catalogue,
                jobs=jobs,
                packs_dir=packs_dir,
                progress=progress,
                keep_others=not all_councils and not fresh,
                skip_unchanged=all_councils and not fresh,
                record_inputs=True,
                previous=previous or out_dir,
            )
        finally:
            progress.stop()
        seconds = time.perf_counter() - started
        if result.problems:
            err.print(
                f"{len(result.problems)} data warning(s); see each council's quality page",
                highlight=False,
            )
        index = (result.out / "index.html").resolve()
        kept = f"; kept {len(result.kept)} unchanged" if result.kept else ""
        out.print(
            f"Built {len(result.councils)} council(s){kept}, {result.files} files "
            f"({result.bytes / 1e6:.1f} MB) in {seconds:.1f} s.\n"
            f"Open {index.as_uri()}",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def scotland(
    data_dir: Annotated[
        Path,
        typer.Option("--data-dir", help="The national open data, laid out as ../shared/data."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the site.")] = Path("site"),
    councils: Annotated[
        str | None, typer.Option("--councils", help="Only these: slugs or codes, comma-separated.")
    ] = None,
    work: Annotated[
        Path, typer.Option("--work", help="Where the generated packs/ and configs/ are kept.")
    ] = Path("scotland"),
    build_date: Annotated[str | None, typer.Option("--build-date", help="YYYY-MM-DD.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1)] = min(4, os.cpu_count() or 1),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
    debug: DebugOption = False,
) -> None:
    """Every council in Scotland from the national open data: geography packs, configs, the
    sites and the Scotland portal, in one step (generator/scotland.py)."""
    with _user_errors(debug):
        from generator import scotland as national
        from generator.site import build as site_build
        from generator.site.progress import build_progress

        try:
            date = site_build.build_date_from_env(build_date)
        except ValueError:
            raise UsageError(f"--build-date {build_date!r} is not a date like 2025-03-31") from None
        started = time.perf_counter()
        wanted = [c.strip() for c in (councils or "").split(",") if c.strip()]
        prepared = national.prepare(data_dir, work, wanted)
        progress = build_progress(err, quiet)
        try:
            result = site_build.build(
                prepared.configs, out_dir, data_dir=data_dir, build_date=date, jobs=jobs,
                packs_dir=prepared.packs, progress=progress, record_inputs=True,
            )  # fmt: skip
        finally:
            progress.stop()
        out.print(
            f"Imported {len(prepared.imported)} geography pack(s) into {prepared.packs}; built "
            f"{len(result.councils)} council(s), {result.files} files in "
            f"{time.perf_counter() - started:.1f} s; configs in {work / 'configs'}.\n"
            f"Open {(result.out / 'index.html').resolve().as_uri()}",
            highlight=False,
            soft_wrap=True,
        )


@geography.command("import")
def geography_import(
    boundaries: Annotated[
        Path,
        typer.Argument(
            help="Boundaries of the smallest unit: GeoJSON, zipped shapefile or GeoPackage."
        ),
    ],
    lookup: Annotated[
        Path,
        typer.Option(
            "--lookup",
            help="Lookup CSV from the smallest unit to every higher level (the "
            "statistics.gov.scot data zone lookup works as published).",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Pack folder to write.")],
    name: Annotated[str, typer.Option("--name", help="Pack name, e.g. west-lothian-dz2011.")],
    vintage: Annotated[
        str, typer.Option("--vintage", help="Vintage of the smallest unit, e.g. scotland-dz2011.")
    ],
    code_field: Annotated[
        str | None,
        typer.Option(
            "--code-field", help="Field holding each shape's code; found by name if omitted."
        ),
    ] = None,
    name_field: Annotated[
        str | None,
        typer.Option("--name-field", help="Field holding each shape's name; default the lookup's."),
    ] = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS of a file that does not say, e.g. EPSG:27700.")
    ] = None,
    council: Annotated[
        list[str] | None,
        typer.Option(
            "--council", help="Council code(s) to keep; default those the shapes fall in."
        ),
    ] = None,
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", min=0, help="Simplification tolerance in metres (0: none)."),
    ] = 10.0,
    allow_unmatched: Annotated[
        bool,
        typer.Option(
            "--allow-unmatched",
            help="Leave out lookup rows with no shape and shapes with no "
            "lookup row, instead of refusing.",
        ),
    ] = False,
    attribution: Annotated[
        str, typer.Option("--attribution", help="Licence text every page must show.")
    ] = "",
    debug: DebugOption = False,
) -> None:
    """Turn official boundaries and a lookup into a geography pack, and report it."""
    with _user_errors(debug):
        from generator.ingest.geoimport import import_pack

        report = import_pack(
            boundaries,
            lookup,
            out_dir,
            name=name,
            vintage=vintage,
            code_field=code_field,
            name_field=name_field,
            crs=crs,
            councils=council or (),
            tolerance_m=tolerance,
            allow_unmatched=allow_unmatched,
            attribution=attribution,
        )
        for level in report.levels:
            out.print(
                f"  {level.id:<20} {level.areas:>6,} areas {level.bytes / 1e3:>9.1f} KB",
                highlight=False,
            )
        out.print(
            f"Pack {name} ({vintage}) for {', '.join(report.councils)} written to "
            f"{report.out}; simplification kept {report.ratio:.1%} of "
            f"{report.vertices_in:,} vertices.",
            highlight=False,
            soft_wrap=True,
        )


class _user_errors:
    """Turn user mistakes into messages and exit codes; tracebacks only with --debug."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> Literal[False]:
        if exc is None or self.debug or isinstance(exc, typer.Exit | SystemExit):
            return False
        if isinstance(exc, ProblemsError):
            for line in format_problems(exc.problems):
                err.print(line, markup=False, highlight=False, soft_wrap=True)
            err.print(f"error: {exc.summary}", markup=False, highlight=False)
            _exit(1)
        if isinstance(exc, UsageError):
            err.print(f"usage error: {exc}", markup=False, highlight=False, soft_wrap=True)
            _exit(2)
        if isinstance(exc, CdashError):
            err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            _exit(1)
        return False


def _exit(code: int) -> NoReturn:
    sys.stderr.flush()
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
