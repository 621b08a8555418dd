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
from pydantic_core import ErrorDetails

from ..errors import ContentError
from ..templating.resource_policy import path_problem
from .assets import font_problem, logo_problem
from .file_names import split_protocol_file
from .models import (
    PATTERN_MESSAGES,
    Branding,
    Phase,
    Protocol,
    dotted,
    phase_order_problems,
    topic_problems,
)
from .translations import matches_original
from .yaml_reading import (
    key_node,
    located_in,
    parse_yaml,
    position,
)

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


def _suggestion(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[str | None, list[str]]:
    """For an unknown key: the field it most likely meant, and the fields known there."""
    owner = _model_at(model, loc)
    known = [name for name in owner.model_fields if name != "id"] if owner else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    return (close[0] if close else None), known


def _describe(error: ErrorDetails, model: type[BaseModel]) -> str:  # noqa: PLR0911 (a table)
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
    located_separately = {"phase_order", "topics"}  # by the checks below, at their lines
    items = [i for i in error.errors() if i["type"] not in located_separately]
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
        target = key_node(located_in(node, loc[:-1]), str(loc[-1])) if loc else None
        if item["type"] != "extra_forbidden" or target is None:
            target = located_in(node, loc)
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
        raise ContentError([f"{position(path, node)}: expected a mapping of 'key: value' lines"])
    problems: list[tuple[Loc, yaml.Node | None, str]] = [
        (loc, key, f"'{loc[-1]}' is given twice; only the last one would count")
        for key, loc in _duplicate_keys(node)
    ]
    if "id" in data:
        hint = f"leave this out; the id is the file name ({identifier})"
        problems.append((("id",), key_node(node, "id"), hint))
        data = {k: v for k, v in data.items() if k != "id"}
    for check in checks:
        problems.extend((loc, located_in(node, loc), text) for loc, text in check(data))
    result: M | None = None
    try:
        result = model.model_validate({**data, "id": identifier})
    except ValidationError as error:
        problems.extend(_validation_problems(error, node, model))
    if problems:
        problems.sort(key=lambda p: _sort_key(p[1]))
        raise ContentError(
            [f"{position(path, target)}: {dotted(loc)}: {text}" for loc, target, text in problems]
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


def _topics(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Rule topics and variant ids used twice, and variants dropping a topic no rule has,
    each at its own line; entries that are not text are the model's to report."""

    def listed(key: str) -> list[tuple[int, dict[str, Any]]]:
        items = data.get(key)
        if not isinstance(items, list):
            return []
        return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]

    topics = [(i, r["topic"]) for i, r in listed("rules") if isinstance(r.get("topic"), str)]
    variants = []
    for index, variant in listed("variants"):
        drop = variant.get("drop")
        # Kept in place (by position); what is not text is the model's to report.
        drops = [t if isinstance(t, str) else "" for t in drop] if isinstance(drop, list) else []
        variant_id = variant.get("id")
        variants.append((index, variant_id if isinstance(variant_id, str) else f"#{index}", drops))
    return topic_problems(topics, variants)


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
    return load_model(path, Protocol, path.stem, checks=[_phase_order, _topics])


def load_translation(path: Path, original: Protocol, original_path: Path) -> Protocol:
    """``protocols/<id>.<language>.yaml``, checked against the original it translates."""
    protocol_id, language = split_protocol_file(path)
    assert language is not None
    checks = [_phase_order, _topics, matches_original(original, original_path, language)]
    return load_model(path, Protocol, protocol_id, checks=checks)


def load_branding(clinic_dir: Path) -> Branding:
    return load_model(
        clinic_dir / "clinic.yaml", Branding, clinic_dir.name, checks=[_clinic_files(clinic_dir)]
    )
