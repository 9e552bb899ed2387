"""Problems found in user input, and the exceptions that carry them.

Library code raises these; only ``cli.py`` turns them into messages and exit codes.
A Problem reads like a compiler diagnostic so editors can jump to it:

    council_configs/demo/council.yaml:14:7: datasets[2].measures.fsm [unknown-column] ...
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: How many problems of one code to print before summarising the rest.
MAX_PER_CODE = 10
#: Longest message printed; the rest is cut (it would only quote the input back).
MAX_MESSAGE = 1000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can.

    ``line`` is 1-based. For tabular data ``line`` holds the row number as the
    user sees it in a spreadsheet (header row included), and ``field`` names the column.
    """

    file: str
    line: int | None
    col: int | None
    field: str
    code: str
    message: str
    severity: str = "error"  # "error" stops a build; "warning" is reported only

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        field = f" {self.field}" if self.field else ""
        tag = self.code if self.severity == "error" else f"{self.code}, warning"
        message = self.message
        if len(message) > MAX_MESSAGE:  # a message quoting a huge input stays readable
            message = f"{message[:MAX_MESSAGE]}... ({len(message) - MAX_MESSAGE:,} more characters)"
        return f"{where}:{field[:200]} [{tag}] {message}"


def shorten(value: object, limit: int = 40) -> str:
    """A value quoted in a message: its repr, cut short (a cell may hold a megabyte)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(value)):,} characters)"


def format_problems(problems: Iterable[Problem], limit: int = MAX_PER_CODE) -> list[str]:
    """Problems as lines, at most ``limit`` per (file, code), then "... and N more"."""
    lines: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for problem in problems:
        key = (problem.file, problem.code)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= limit:
            lines.append(str(problem))
    for (file, code), count in seen.items():
        if count > limit:
            lines.append(f"{file}: [{code}] ... and {count - limit} more like this")
    return lines


class CdashError(Exception):
    """A user-facing failure: printed without a traceback by the CLI (exit 1)."""


class ProblemsError(CdashError):
    """Input had problems that stop this stage. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], summary: str = "") -> None:
        self.problems = sorted(problems, key=sort_key)
        self.summary = summary or f"{len(problems)} problem(s) found"
        super().__init__(self.summary)


def sort_key(p: Problem) -> tuple[str, int, int, str, str, str]:
    """The order problems are reported in: by file, then position, then code. A problem
    with no line (about a whole file) comes first, and never has to be compared with None."""
    return (p.file, p.line or 0, p.col or 0, p.code, p.field, p.message)


class LeakError(CdashError):
    """The leak tripwire found something in the output that must never be published."""


class UsageError(CdashError):
    """The command line itself is wrong (exit 2)."""
