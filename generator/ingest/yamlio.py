"""YAML loading that remembers where every node came from.

pydantic reports an error location as a path such as ``("datasets", 2, "measures", "fsm")``.
We keep ruamel's round-trip nodes, which carry line and column, so that path can be turned
back into ``file:line:col`` for the user.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
)
from ruamel.yaml.reader import ReaderError

from generator.errors import Problem, ProblemsError
from generator.ingest import limits


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
    """Parse ``path``, raising ProblemsError with the position of any syntax error.

    Refused before anything is built from it (see ``ingest/limits.py``): a file over 1 MB,
    nesting deeper than 50 levels, aliases expanding past 100,000 nodes, control characters
    such as NUL, and text that is not UTF-8."""
    shown = display(path)

    def refuse(line: int | None, col: int | None, code: str, message: str) -> NoReturn:
        raise ProblemsError([Problem(shown, line, col, "", code, message)]) from None

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        refuse(None, None, "missing-file", "file not found")
    except IsADirectoryError:
        refuse(None, None, "missing-file", "a folder, not a file")
    if len(data) > limits.MAX_YAML_BYTES:
        refuse(
            1,
            1,
            "file-too-large",
            f"{limits.megabytes(len(data))}, over the limit of "
            f"{limits.megabytes(limits.MAX_YAML_BYTES)} for a YAML file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line, bad_col = limits.text_line(data, exc.start)
        refuse(
            bad_line, bad_col, "bad-encoding", f"not UTF-8 text ({exc.reason}); save it as UTF-8"
        )
    yaml = YAML(typ="rt")
    try:
        _check_shape(text)
        root = yaml.load(text)
    except _TooMuch as exc:
        refuse(exc.line, exc.col, exc.code, exc.message)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem]))
        refuse(
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            "yaml-syntax",
            message,
        )
    except ReaderError as exc:  # a control character such as NUL
        at_line, at_col = limits.text_line(text, exc.position)
        refuse(at_line, at_col, "yaml-syntax", f"{exc.reason} (character #x{exc.character:04x})")
    except YAMLError as exc:
        refuse(1, 1, "yaml-syntax", str(exc).splitlines()[0] if str(exc) else "not YAML")
    except RecursionError:  # a backstop: _check_shape refuses deep nesting first
        refuse(1, 1, "yaml-too-deep", "nested too deeply to read")
    return YamlDocument(path=path, display_path=shown, root=root if root is not None else {})


class _TooMuch(Exception):
    def __init__(self, mark: Any, code: str, message: str) -> None:
        super().__init__(message)
        self.line: int = mark.line + 1 if mark else 1
        self.col: int = mark.column + 1 if mark else 1
        self.code, self.message = code, message


def _check_shape(text: str) -> None:
    """Walk the parser's events (no objects are built) and refuse a document nested deeper
    than MAX_YAML_DEPTH, or whose aliases would expand it past MAX_YAML_NODES. The safe
    parser is used: it skips comments, and is twice as fast as the round-trip one."""
    yaml = YAML(typ="safe", pure=True)
    sizes: dict[str, int] = {}  # anchor -> expanded size of its node
    stack: list[list[Any]] = []  # open collections: [anchor, expanded size so far]
    total = 0
    for event in yaml.parse(text):
        if isinstance(event, ScalarEvent | AliasEvent):
            size = sizes.get(event.anchor, 1) if isinstance(event, AliasEvent) else 1
            if isinstance(event, ScalarEvent) and event.anchor:
                sizes[event.anchor] = 1
            total += size
            if stack:
                stack[-1][1] += size
        elif isinstance(event, CollectionStartEvent):
            total += 1
            stack.append([event.anchor, 1])
            if len(stack) > limits.MAX_YAML_DEPTH:
                raise _TooMuch(
                    event.start_mark,
                    "yaml-too-deep",
                    f"nested more than {limits.MAX_YAML_DEPTH} levels deep",
                )
        elif isinstance(event, CollectionEndEvent) and stack:
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
            if stack:
                stack[-1][1] += size
        if total > limits.MAX_YAML_NODES:
            raise _TooMuch(
                event.start_mark,
                "yaml-aliases",
                f"aliases (*name) here expand the document past {limits.MAX_YAML_NODES:,} "
                "values; a config needs few aliases, if any",
            )


def mapping_problem(doc: YamlDocument, what: str) -> Problem | None:
    """A problem when the document is not a mapping of keys (a list, or a lone value)."""
    if isinstance(doc.root, dict):
        return None
    kind = "a list" if isinstance(doc.root, list) else f"a single value ({type(doc.root).__name__})"
    return Problem(
        doc.display_path,
        1,
        1,
        "",
        "not-a-mapping",
        f"{what} must be a mapping of keys (such as 'council:'), but the file is {kind}",
    )


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


Model = TypeVar("Model", bound=BaseModel)


def load_model(
    path: Path, model: type[Model], what: str
) -> tuple[YamlDocument | None, Model | None, list[Problem]]:
    """A YAML file of one mapping, parsed and validated as ``model``: (document, the model,
    []) when valid; (document or None, None, the located problems) when not; and
    (document, None, []) when the file is empty. ``what`` names the file in messages."""
    try:
        doc = load_yaml(path)
    except ProblemsError as exc:
        return None, None, list(exc.problems)
    if doc.root == {} or doc.root is None:
        return doc, None, []
    not_mapping = mapping_problem(doc, what)
    if not_mapping is not None:
        return doc, None, [not_mapping]
    try:
        return doc, model.model_validate(doc.data), []
    except ValidationError as exc:
        return doc, None, validation_problems(doc, exc)
