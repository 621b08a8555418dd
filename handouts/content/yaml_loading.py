"""YAML files to validated models, with ``file:line:column`` on every problem.

PyYAML's node tree keeps the position of every key and value, so each pydantic
error can be pointed at the exact spot a clinic manager has to fix.

Content files are small, hand-written and come from clinics, so loading has
limits a clear message names: the file's size, how deeply it nests, and no
aliases (``*name``), which a few lines can use to expand into billions of
values.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ContentError
from .assets import font_problem, logo_problem
from .models import PATTERN_MESSAGES, Branding, Phase, Protocol, phase_order_problems
from .resource_policy import path_problem
from .translations import matches_original, split_protocol_file

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 40  # a protocol needs about 6 levels

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]
# A check on the raw YAML data that pydantic cannot make: (where, message) pairs.
Check = Callable[[dict[str, Any]], list[tuple[Loc, str]]]

# Plain-English wording for pydantic's error types; anything not listed keeps
# pydantic's own message, which is usually clear enough.
_MESSAGES = {
    "missing": "this field is required",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list (lines starting with '- ')",
    "dict_type": "expected a mapping of 'key: value' lines",
    "model_type": "expected a mapping of 'key: value' lines",
    "model_attributes_type": "expected a mapping of 'key: value' lines",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be {ge} or more",
    "less_than_equal": "must be {le} or less",
    "literal_error": "must be one of {expected}",
    "date_type": "expected a date as YYYY-MM-DD, e.g. 2026-11-23",
    "date_parsing": "expected a date as YYYY-MM-DD, e.g. 2026-11-23",
    "date_from_datetime_parsing": "expected a date as YYYY-MM-DD, e.g. 2026-11-23",
    "date_from_datetime_inexact": "expected a date as YYYY-MM-DD, without a time",
}

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


def _located_in(node: yaml.Node | None, loc: Sequence[str | int]) -> yaml.Node | None:
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


def _key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((k for k, _ in node.value if k.value == key), None)
    return None


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that owns the last element of ``loc``, for "did you mean"."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """Unwrap ``X | None``, ``list[X]`` and ``Annotated[X, ...]`` down to X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        elif origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def _dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _suggestion(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[str | None, list[str]]:
    """For an unknown key: the field it most likely meant, and the fields known there."""
    owner = _model_at(model, loc)
    known = [name for name in owner.model_fields if name != "id"] if owner else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    return (close[0] if close else None), known


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:  # noqa: PLR0911 (a table)
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind == "extra_forbidden":
        close, known = _suggestion(model, loc)
        hint = f" Did you mean '{close}'?" if close else ""
        allowed = f" Known fields here: {', '.join(known)}." if known and not close else ""
        return f"'{loc[-1]}' is not a field here.{hint}{allowed}"
    if kind == "string_pattern_mismatch":
        template = PATTERN_MESSAGES.get(context.get("pattern", ""))
        if template:
            if tuple(loc) == ("id",):
                return template.format(value=value) + " (the id is the file or folder name)"
            return template.format(value=value)
    if kind == "string_type" and isinstance(value, dict):
        return "expected text, found 'key: value'; put text that contains ': ' in quotes"
    if kind == "string_type" and isinstance(value, list):
        return "expected text, found a list"
    if value is None and kind.endswith("_type"):
        # `key:` with nothing after it; in YAML an unquoted # also starts a comment.
        if loc and str(loc[-1]) in {"primary", "accent", "text", "warning"}:
            return 'is empty; colours start with #, so put them in quotes: "#0f6e73"'
        return "is empty; give a value or remove the line"
    if kind in _MESSAGES:
        # "more than 0", not "more than 0.0"
        shown = {k: f"{v:g}" if isinstance(v, float) else v for k, v in context.items()}
        return _MESSAGES[kind].format(**shown)
    message: str = error["msg"]
    return message.removeprefix("Value error, ")


def _position(path: Path, node: yaml.Node | None) -> str:
    if node is None:
        return f"{path}:1:1"
    mark = node.start_mark
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def position_of(path: Path, node: yaml.Node | None, loc: Sequence[str | int]) -> str:
    """``path:line:column`` of the value at ``loc`` (or of the nearest parent there is)."""
    return _position(path, _located_in(node, loc))


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


def parse_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file into plain data plus its node tree (for positions)."""
    text = _read_text(path)
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


def _duplicate_keys(node: yaml.Node | None, loc: Loc = ()) -> list[tuple[yaml.Node, Loc]]:
    """Keys written twice in one mapping; YAML would silently keep only the last."""
    found: list[tuple[yaml.Node, Loc]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                found.append((key, (*loc, name)))
            seen.add(name)
            found.extend(_duplicate_keys(value, (*loc, name)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.extend(_duplicate_keys(item, (*loc, index)))
    return found


def _validation_problems(
    error: ValidationError, node: yaml.Node | None, model: type[BaseModel]
) -> list[tuple[Loc, yaml.Node | None, str]]:
    items = [i for i in error.errors() if i["type"] != "phase_order"]  # located separately
    # A misspelt key also makes the field it meant "missing"; say it once, at the typo.
    meant = set()
    for item in items:
        if item["type"] == "extra_forbidden":
            close, _ = _suggestion(model, item["loc"])
            if close:
                meant.add((*item["loc"][:-1], close))
    located = []
    for item in items:
        loc = tuple(item["loc"])
        if item["type"] == "missing" and loc in meant:
            continue
        target = _key_node(_located_in(node, loc[:-1]), str(loc[-1])) if loc else None
        if item["type"] != "extra_forbidden" or target is None:
            target = _located_in(node, loc)
        located.append((loc, target, _describe(item, model)))
    return located


def load_model(path: Path, model: type[M], identifier: str, checks: Sequence[Check] = ()) -> M:
    """Load one YAML file as ``model``; the id comes from the file or folder name.

    ``checks`` run on the raw data even when the model does not validate, so a
    file's problems are all reported in one go.
    """
    data, node = parse_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError([f"{_position(path, node)}: expected a mapping of 'key: value' lines"])
    problems: list[tuple[Loc, yaml.Node | None, str]] = [
        (loc, key, f"'{loc[-1]}' is given twice; only the last one would count")
        for key, loc in _duplicate_keys(node)
    ]
    if "id" in data:
        hint = f"leave this out; the id is the file name ({identifier})"
        problems.append((("id",), _key_node(node, "id"), hint))
        data = {k: v for k, v in data.items() if k != "id"}
    for check in checks:
        problems.extend((loc, _located_in(node, loc), text) for loc, text in check(data))
    result: M | None = None
    try:
        result = model.model_validate({**data, "id": identifier})
    except ValidationError as error:
        problems.extend(_validation_problems(error, node, model))
    if problems:
        problems.sort(key=lambda p: _sort_key(p[1]))
        raise ContentError(
            [f"{_position(path, target)}: {_dotted(loc)}: {text}" for loc, target, text in problems]
        )
    assert result is not None
    return result


def _sort_key(node: yaml.Node | None) -> tuple[int, int]:
    return (node.start_mark.line, node.start_mark.column) if node is not None else (0, 0)


def _phase_order(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Phases out of time order; phases that are invalid on their own are skipped."""
    phases = data.get("phases")
    if not isinstance(phases, list):
        return []
    valid: list[tuple[int, Phase]] = []
    for index, raw in enumerate(phases):
        try:
            valid.append((index, Phase.model_validate(raw)))
        except ValidationError:
            continue
    return [(("phases", index), message) for index, message in phase_order_problems(valid)]


def _clinic_files(clinic_dir: Path) -> Check:
    """Logo and font files must be files inside the clinic's own folder."""

    def check(data: dict[str, Any]) -> list[tuple[Loc, str]]:
        named: list[tuple[Loc, Any]] = [(("logo",), data.get("logo"))]
        font = data.get("font")
        files = font.get("files") if isinstance(font, dict) else None
        if isinstance(files, dict):
            named += [(("font", "files", str(style)), value) for style, value in files.items()]
        found = []
        for loc, value in named:
            # Anything that is not text is reported by the model as a wrong type.
            if isinstance(value, str) and value.strip():
                problem = path_problem(clinic_dir, value.strip())
                if problem is None:
                    # A file the renderer cannot read would be left out without a word.
                    path = clinic_dir / value.strip()
                    problem = logo_problem(path) if loc == ("logo",) else font_problem(path)
                if problem is not None:
                    found.append((loc, problem))
        return found

    return check


def load_protocol(path: Path) -> Protocol:
    return load_model(path, Protocol, path.stem, checks=[_phase_order])


def load_translation(path: Path, original: Protocol, original_path: Path) -> Protocol:
    """``protocols/<id>.<language>.yaml``, checked against the original it translates."""
    protocol_id, language = split_protocol_file(path)
    assert language is not None
    checks = [_phase_order, matches_original(original, original_path, language)]
    return load_model(path, Protocol, protocol_id, checks=checks)


def load_branding(clinic_dir: Path) -> Branding:
    return load_model(
        clinic_dir / "clinic.yaml", Branding, clinic_dir.name, checks=[_clinic_files(clinic_dir)]
    )
