"""The progress display of ``cdash build``: drawn on the console the CLI passes in, so the
CLI stays the one place that decides what is printed."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from generator.site.build import BuildProgress


def build_progress(err: Console, quiet: bool) -> BuildProgress:
    """A rich progress bar on ``err`` when it is a terminal (councils done, files written,
    elapsed time); one line per council when it is not; nothing with --quiet."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    class CliProgress(BuildProgress):
        def __init__(self) -> None:
            self.bar: Progress | None = None
            self.task: Any = None
            self.pages = 0

        def start(self, councils: int, kept: int) -> None:
            if kept and not quiet:
                err.print(f"  {kept} council(s) unchanged, kept as they are", highlight=False)
            if quiet or not err.is_terminal:
                return
            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("councils · {task.fields[pages]} files"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("building", total=councils, pages=0)

        def stage(self, name: str) -> None:
            if self.bar is not None:
                self.bar.update(self.task, description=name)

        def council_done(self, slug: str, files: int, indicators: int) -> None:
            self.pages += files
            if self.bar is not None:
                self.bar.update(self.task, advance=1, pages=self.pages, description=slug)
            elif not quiet:
                err.print(f"  {slug}: {indicators} indicators, {files} files", highlight=False)

        def writing(self, files: int) -> None:
            if self.bar is not None:
                self.bar.update(self.task, description=f"writing {files} files")

        def stop(self) -> None:
            if self.bar is not None:
                self.bar.stop()
                self.bar = None

    return CliProgress()
