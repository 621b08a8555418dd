"""YAML text to plain data and its node tree, within limits, fast where it can be.

Content files are written by people, and some by people we do not trust, so
a file is refused when it is over 1 MiB, uses anchors or aliases (an alias
"bomb" of a few lines expands to gigabytes) or nests more than 40 levels.
Every problem is one ``path:line:column: YAML syntax: ...`` line in plain
words. The node tree keeps each value's position, so the model loader
(``yaml_loading``) can point at the exact spot of a problem. Nothing here
needs the validation library, so ``list`` can read files without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 40  # a protocol needs about 6 levels

# PyYAML's parser speaks in tokens ("<block mapping start>"); these say what a
# person editing the file usually did. Matched on the start of PyYAML's problem.
_YAML_PROBLEMS = (
    ("expected <block end>", "this line is indented differently from the lines around it"),
    ("expected '<document start>'", "this line's indentation does not match the lines above it"),
    (
        "mapping values are not allowed here",
        "unexpected ':'; check the indentation, or put text that contains ': ' in quotes",
    ),
    ("could not find expected ':'", "expected 'key: value' here; is a ':' missing?"),
    (
        "found character '\\t' that cannot start any token",
        "a tab is used for indentation; use spaces",
    ),
    ("found unexpected end of stream", "a quote is opened but never closed"),
    (
        "found unknown escape character",
        "unknown escape after '\\'; use single quotes for text with a \\",
    ),
    ("expected ',' or ']'", "a list in [ ] is not closed or is missing a ','"),
    ("expected ',' or '}'", "a mapping in { } is not closed or is missing a ','"),
    ("found undefined alias", "'*' starts an alias; put text starting with '*' in quotes"),
    (
        "found an alias",
        "'*' starts an alias, which content files may not use; write the value out,"
        " or put text starting with '*' in quotes",
    ),
    (
        "found an anchor",
        "'&' starts an anchor, which content files may not use; put text starting"
        " with '&' in quotes",
    ),
    ("nested too deeply", f"the values nest more than {MAX_DEPTH} levels deep"),
    ("could not determine a constructor for the tag", "tags (!something) are not allowed here"),
    ("found character '@' that cannot start any token", "put text starting with '@' in quotes"),
    ("found character '`' that cannot start any token", "put text starting with '`' in quotes"),
    ("found character '%' that cannot start any token", "put text starting with '%' in quotes"),
    ("expected a single document in the stream", "the file holds more than one document ('---')"),
)


def located_in(node: yaml.Node | None, loc: Sequence[str | int]) -> yaml.Node | None:
    """Follow a pydantic error location down the YAML node tree.

    Returns the deepest node reached, so a missing key points at its parent.
    """
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                return node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((k for k, _ in node.value if k.value == key), None)
    return None


def position(path: Path, node: yaml.Node | None) -> str:
    if node is None:
        return f"{path}:1:1"
    mark = node.start_mark
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def position_of(path: Path, node: yaml.Node | None, loc: Sequence[str | int]) -> str:
    """``path:line:column`` of the value at ``loc`` (or of the nearest parent there is)."""
    return position(path, located_in(node, loc))


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and anchors, and with a nesting limit."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "found an alias", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(None, None, "found an anchor", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, "nested too deeply", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ContentError([f"{path}: cannot read: {error.strerror}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(
            [
                f"{path}: the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB; "
                "protocol and branding files are a few KiB of text"
            ]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError([f"{path}:1:1: the file is not UTF-8 text"]) from None


# libyaml's parser, when PyYAML was built with it: about ten times faster than
# the pure-Python one, which made `list` spend most of its time reading YAML.
_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)


class _NeedsSlowParse(Exception):
    """The fast parse met something to refuse; the Python parser says why, in its words."""


def _parse_fast(text: str) -> tuple[Any, yaml.Node | None]:
    """The fast parser, with the same limits as ``_LimitedLoader`` checked on its events."""
    assert _FAST_LOADER is not None
    events = _FAST_LOADER(text)
    try:
        depth = 0
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise _NeedsSlowParse
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _NeedsSlowParse
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        events.dispose()
    loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        return (None if node is None else loader.construct_document(node)), node
    finally:
        loader.dispose()


def parse_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file into plain data plus its node tree (for positions)."""
    text = _read_text(path)
    if _FAST_LOADER is not None:
        try:
            return _parse_fast(text)
        except (_NeedsSlowParse, yaml.YAMLError, RecursionError):
            pass  # parsed again below, so every problem is told in the words we chose
    try:
        # One parse: build the data from the same node tree that gives positions.
        loader = _LimitedLoader(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and (error.problem or "").startswith(
            "found unexpected end of stream"
        ):
            mark = error.context_mark  # where the unclosed quote opens, not the file's end
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ContentError([f"{where}: YAML syntax: {_yaml_problem(error)}"]) from None
    except yaml.YAMLError as error:
        raise ContentError([f"{path}: YAML syntax: {error}"]) from None
    except RecursionError:
        # Flow collections ([[[[...) nest in the scanner, before the limit above.
        raise ContentError([f"{path}: YAML syntax: the values nest too deeply"]) from None
    return data, node


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "not valid YAML"
    for start, plain in _YAML_PROBLEMS:
        if problem.startswith(start):
            return plain
    return problem
