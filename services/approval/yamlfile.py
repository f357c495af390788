"""Data files an office may replace (the SOP workflow, the evaluation worksheet): YAML validated by a pydantic model,
every problem named by its line.

A file an office edits by hand must fail with a message a person can act on ("line 12: chains.semester[1].role:
unknown role"), not a traceback: `parse()` validates the text against the model and returns it with the lines of
every key and list item, runs the caller's own rules (those pydantic cannot see) and raises the caller's error class
with all problems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Path_ = tuple[str | int, ...]
Problem = tuple[int | None, str]
M = TypeVar("M", bound=BaseModel)


class FileError(ValueError):
    """A data file that cannot be used; `problems` holds (line or None, text), the first line in `line`."""

    what = "file"  # "invalid <what> <source>:" heads the message

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda p: (p[0] is None, p[0] or 0))
        self.line = self.problems[0][0] if self.problems else None
        lines = "\n".join(f"  line {ln}: {text}" if ln else f"  {text}" for ln, text in self.problems)
        super().__init__(f"invalid {self.what} {source}:\n{lines}")


class Lines:
    """The line (1-based) of every key and list item of a YAML document, by path."""

    def __init__(self, node: yaml.Node, problems: list[Problem]) -> None:
        self.lines: dict[Path_, int] = {}
        _index(node, (), self.lines, problems)

    def at(self, path: Path_, text: str) -> Problem:
        """The problem `text` at `path`, on the line of the nearest part of the path the file has."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return self.lines[path[:n]], f"{dotted(path) or '(top)'}: {text}"
        return None, f"{dotted(path)}: {text}"


def read(path: str | Path | None, bundled: Path) -> tuple[str, str]:
    """The text of the file at `path` (the bundled one when None) and its name for messages."""
    p = Path(path) if path is not None else bundled
    return p.read_text(encoding="utf-8"), str(p)


def parse(
    text: str,
    model: type[M],
    error: type[FileError],
    check: Callable[[M], Iterable[tuple[Path_, str]]],
    *,
    source: str,
    shape: str,
) -> M:
    """`text` validated against `model` and then `check` (the rules pydantic cannot see: (path, text) of each).

    Not YAML, not a mapping (`shape` says what the top must hold), duplicate keys, or anything the model or `check`
    refuses raises `error` listing every problem by line.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise error(source, [(line, f"not valid YAML: {e.problem or e.context}")]) from e
    except yaml.YAMLError as e:
        raise error(source, [(None, f"not valid YAML: {e}")]) from e
    if not isinstance(data, dict) or node is None:
        raise error(source, [(1, f"the file must be a mapping with {shape}")])
    problems: list[Problem] = []
    lines = Lines(node, problems)
    try:
        obj = model.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
            problems.append(lines.at(loc, err["msg"]))
        raise error(source, problems) from None
    problems.extend(lines.at(path, text) for path, text in check(obj))
    if problems:
        raise error(source, problems)
    return obj


def _index(node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[Problem]) -> None:
    """Record the line (1-based) of every key and list item, and flag duplicate keys."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            k = key.value
            if k in seen:
                problems.append((key.start_mark.line + 1, f"{dotted((*path, k))}: duplicate key"))
            seen.add(k)
            lines[(*path, k)] = key.start_mark.line + 1
            _index(value, (*path, k), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, problems)


def dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out
