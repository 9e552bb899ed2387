"""The ``cdash`` command line. The only module that prints or chooses an exit code.

Exit codes: 0 all well, 1 the input has problems, 2 the command line is wrong.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import typer
from rich.console import Console

from generator import site
from generator.catalogue import DEFAULT_CATALOGUE, load_catalogue
from generator.config import all_slugs, find_config
from generator.errors import CdashError, ProblemsError, UsageError, format_problems

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build static dashboards of unmet need from council data.")
out = Console()
err = Console(stderr=True)

ConfigsOption = Annotated[Path, typer.Option(
    "--configs", help="Folder holding one sub-folder per council.", show_default=True)]
DataDirOption = Annotated[Path | None, typer.Option(
    "--data-dir", help="Folder holding the council's data files (or set CDASH_DATA_DIR).",
    file_okay=False)]
CatalogueOption = Annotated[Path, typer.Option(
    "--catalogue", help="The shared indicator catalogue folder.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
PacksDirOption = Annotated[Path | None, typer.Option(
    "--packs-dir", help="Folder of geography packs, for configs that name a pack "
    "(or set CDASH_PACKS_DIR).", file_okay=False)]

geography = typer.Typer(no_args_is_help=True, help="Make and inspect geography packs.")
app.add_typer(geography, name="geography")


def _default_configs() -> Path:
    here = Path("council_configs")
    return here if here.is_dir() else DEFAULT_CATALOGUE.parent / "council_configs"


@app.command()
def validate(
    council: Annotated[str, typer.Argument(help="Council slug, folder or council.yaml path.")],
    data_dir: DataDirOption = None,
    configs: ConfigsOption = _default_configs(),  # noqa: B008
    catalogue: CatalogueOption = DEFAULT_CATALOGUE,  # noqa: B008
    packs_dir: PacksDirOption = None,
    debug: DebugOption = False,
) -> None:
    """Check a council's config and data, and report every problem found."""
    with _user_errors(debug):
        path = find_config(council, configs)
        v = site.validate(path, data_dir, load_catalogue(catalogue), packs_dir=packs_dir)
        problems = v.problems
        for line in format_problems(problems):
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        rows = sum(ds.rows_read for ds in v.datasets)
        summary = (f"{v.read.doc.display_path}: {len(v.datasets)} datasets, "
                   f"{rows:,} rows read, {len(problems)} problem(s)")
        if problems:
            err.print(summary, markup=False, highlight=False)
            raise typer.Exit(1)
        out.print(f"{summary}. All clear.", markup=False, highlight=False)


@app.command()
def build(
    councils: Annotated[list[str] | None, typer.Argument(
        help="Council slugs, folders or council.yaml paths.")] = None,
    all_councils: Annotated[bool, typer.Option("--all", help="Build every council.")] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the site.")] = Path(
        "site"),
    data_dir: DataDirOption = None,
    configs: ConfigsOption = _default_configs(),  # noqa: B008
    catalogue: CatalogueOption = DEFAULT_CATALOGUE,  # noqa: B008
    build_date: Annotated[str | None, typer.Option(
        "--build-date", help="Date printed on pages (YYYY-MM-DD); default SOURCE_DATE_EPOCH "
        "or today.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1,
                                      help="Councils built in parallel.")] = min(
        4, os.cpu_count() or 1),
    packs_dir: PacksDirOption = None,
    debug: DebugOption = False,
) -> None:
    """Build the dashboard site for some councils, or --all, into --out."""
    with _user_errors(debug):
        if all_councils == bool(councils):
            raise UsageError("name one or more councils, or pass --all")
        names = all_slugs(configs) if all_councils else list(councils or [])
        if not names:
            raise UsageError(f"no councils found in {configs}")
        paths = [find_config(name, configs) for name in names]
        try:
            date = site.build_date_from_env(build_date)
        except ValueError:
            raise UsageError(f"--build-date {build_date!r} is not a date like 2025-03-31"
                             ) from None
        started = time.perf_counter()
        result = site.build(paths, out_dir, data_dir=data_dir, build_date=date,
                            catalogue_dir=catalogue, jobs=jobs, packs_dir=packs_dir,
                            progress=lambda msg: err.print(f"  {msg}", highlight=False))
        seconds = time.perf_counter() - started
        if result.problems:
            err.print(f"{len(result.problems)} data warning(s); see each council's "
                      "quality page", highlight=False)
        index = (result.out / "index.html").resolve()
        out.print(f"Built {len(result.councils)} council(s), {result.files} files "
                  f"({result.bytes / 1e6:.1f} MB) in {seconds:.1f} s.\n"
                  f"Open {index.as_uri()}", highlight=False, soft_wrap=True)


@geography.command("import")
def geography_import(
    boundaries: Annotated[Path, typer.Argument(
        help="Boundaries of the smallest unit: GeoJSON, zipped shapefile or GeoPackage.")],
    lookup: Annotated[Path, typer.Option(
        "--lookup", help="Lookup CSV from the smallest unit to every higher level (the "
        "statistics.gov.scot data zone lookup works as published).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Pack folder to write.")],
    name: Annotated[str, typer.Option("--name", help="Pack name, e.g. west-lothian-dz2011.")],
    vintage: Annotated[str, typer.Option(
        "--vintage", help="Vintage of the smallest unit, e.g. scotland-dz2011.")],
    code_field: Annotated[str | None, typer.Option(
        "--code-field", help="Field holding each shape's code; found by name if omitted.")
    ] = None,
    name_field: Annotated[str | None, typer.Option(
        "--name-field", help="Field holding each shape's name; default the lookup's.")] = None,
    crs: Annotated[str | None, typer.Option(
        "--crs", help="CRS of a file that does not say, e.g. EPSG:27700.")] = None,
    council: Annotated[list[str] | None, typer.Option(
        "--council", help="Council code(s) to keep; default those the shapes fall in.")
    ] = None,
    tolerance: Annotated[float, typer.Option(
        "--tolerance", min=0, help="Simplification tolerance in metres (0: none).")] = 10.0,
    allow_unmatched: Annotated[bool, typer.Option(
        "--allow-unmatched", help="Leave out lookup rows with no shape and shapes with no "
        "lookup row, instead of refusing.")] = False,
    attribution: Annotated[str, typer.Option(
        "--attribution", help="Licence text every page must show.")] = "",
    debug: DebugOption = False,
) -> None:
    """Turn official boundaries and a lookup into a geography pack, and report it."""
    with _user_errors(debug):
        from generator.geoimport import import_pack

        report = import_pack(boundaries, lookup, out_dir, name=name, vintage=vintage,
                             code_field=code_field, name_field=name_field, crs=crs,
                             councils=council or (), tolerance_m=tolerance,
                             allow_unmatched=allow_unmatched, attribution=attribution)
        for level in report.levels:
            out.print(f"  {level.id:<20} {level.areas:>6,} areas {level.bytes / 1e3:>9.1f} KB",
                      highlight=False)
        out.print(f"Pack {name} ({vintage}) for {', '.join(report.councils)} written to "
                  f"{report.out}; simplification kept {report.ratio:.1%} of "
                  f"{report.vertices_in:,} vertices.", highlight=False, soft_wrap=True)


class _user_errors:
    """Turn user mistakes into messages and exit codes; tracebacks only with --debug."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object
                 ) -> Literal[False]:
        if exc is None or self.debug or isinstance(exc, typer.Exit | SystemExit):
            return False
        if isinstance(exc, ProblemsError):
            for line in format_problems(exc.problems):
                err.print(line, markup=False, highlight=False, soft_wrap=True)
            err.print(f"error: {exc.summary}", markup=False, highlight=False)
            _exit(1)
        if isinstance(exc, UsageError):
            err.print(f"usage error: {exc}", markup=False, highlight=False)
            _exit(2)
        if isinstance(exc, CdashError):
            err.print(f"error: {exc}", markup=False, highlight=False)
            _exit(1)
        return False


def _exit(code: int) -> NoReturn:
    sys.stderr.flush()
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
