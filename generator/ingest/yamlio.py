"""YAML loading that remembers where every node came from.

pydantic reports an error location as a path such as ``("datasets", 2, "measures", "fsm")``.
We keep ruamel's round-trip nodes, which carry line and column, so that path can be turned
back into ``file:line:col`` for the user.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from generator.errors import Problem, ProblemsError


@dataclass
class YamlDocument:
    """A parsed YAML file: plain Python data plus a way to locate any path in it."""

    path: Path
    display_path: str
    root: Any  # ruamel CommentedMap/CommentedSeq tree

    @property
    def data(self) -> Any:
        """The document as plain dicts and lists, for pydantic."""
        return _plain(self.root)

    def locate(self, loc: tuple[str | int, ...]) -> tuple[int | None, int | None]:
        """1-based (line, col) of the deepest node on ``loc`` that exists.

        A key that is present points at the key itself; a missing key points at its parent.
        """
        node = self.root
        line, col = 1, 1
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                k_line, k_col = node.lc.key(part)
                line, col = k_line + 1, k_col + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                i_line, i_col = node.lc.item(part)
                line, col = i_line + 1, i_col + 1
                node = node[part]
            else:
                break
        return line, col

    def problem(
        self, loc: tuple[str | int, ...], code: str, message: str, severity: str = "error"
    ) -> Problem:
        """A Problem located at ``loc`` in this document."""
        line, col = self.locate(loc)
        return Problem(self.display_path, line, col, dotted(loc), code, message, severity)


def dotted(loc: tuple[str | int, ...]) -> str:
    """``("datasets", 2, "file")`` -> ``datasets[2].file``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def display(path: Path) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> YamlDocument:
    """Parse ``path``, raising ProblemsError with the position of any syntax error."""
    shown = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemsError(
            [Problem(shown, None, None, "", "missing-file", "file not found")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ProblemsError(
            [Problem(shown, None, None, "", "bad-encoding", f"not UTF-8 text ({exc.reason})")]
        ) from None
    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        message = " ".join(filter(None, [exc.context, exc.problem]))
        raise ProblemsError([Problem(shown, line, col, "", "yaml-syntax", message)]) from None
    return YamlDocument(path=path, display_path=shown, root=root if root is not None else {})


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def validation_problems(
    doc: YamlDocument,
    error: Any,
    prefix: tuple[str | int, ...] = (),
    *,
    union_tags: Collection[str] = (),
) -> list[Problem]:
    """Turn a pydantic ValidationError into located Problems, one per error.

    pydantic puts the chosen member of a tagged union (e.g. an indicator's method, "rate")
    into an error's location, although the user never wrote it: ``union_tags`` names those
    tags so they are left out of the location."""
    problems = []
    for err in error.errors(include_url=False):
        loc = prefix + tuple(p for p in err["loc"] if not _is_union_tag(p, union_tags))
        code = _PYDANTIC_CODES.get(err["type"], err["type"].replace("_", "-"))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        elif err["type"] == "missing":
            message = f"required key {loc[-1]!r} is missing"
        problems.append(doc.problem(loc, code, message))
    return problems


def _is_union_tag(part: Any, tags: Collection[str]) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or part in tags)


_PYDANTIC_CODES = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "literal_error": "bad-value",
    "enum": "bad-value",
    "union_tag_invalid": "bad-value",
    "string_pattern_mismatch": "bad-value",
    "value_error": "bad-value",
}
