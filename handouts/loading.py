"""YAML files to validated models, with ``file:line:column`` on every problem.

PyYAML's node tree keeps the position of every key and value, so each pydantic
error can be pointed at the exact spot a clinic manager has to fix.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ContentError
from .models import Branding, Protocol

M = TypeVar("M", bound=BaseModel)

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
}


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


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        known = [name for name in owner.model_fields if name != "id"] if owner else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        allowed = f" Known fields here: {', '.join(known)}." if known and not close else ""
        return f"'{loc[-1]}' is not a field here.{hint}{allowed}"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    message: str = error["msg"]
    return message.removeprefix("Value error, ")


def _position(path: Path, node: yaml.Node | None) -> str:
    if node is None:
        return f"{path}:1:1"
    mark = node.start_mark
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def parse_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file into plain data plus its node tree (for positions)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ContentError([f"{path}: cannot read: {error.strerror}"]) from None
    except UnicodeDecodeError:
        raise ContentError([f"{path}:1:1: the file is not UTF-8 text"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = error.problem or "not valid YAML"
        context = f" ({error.context})" if error.context else ""
        raise ContentError([f"{where}: YAML syntax: {problem}{context}"]) from None
    except yaml.YAMLError as error:
        raise ContentError([f"{path}: YAML syntax: {error}"]) from None
    return data, node


def load_model(path: Path, model: type[M], identifier: str) -> M:
    """Load one YAML file as ``model``; the id comes from the file or folder name."""
    data, node = parse_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError([f"{_position(path, node)}: expected a mapping of 'key: value' lines"])
    if "id" in data:
        key = _key_node(node, "id")
        raise ContentError(
            [f"{_position(path, key)}: id: leave this out; the id is the file name ({identifier})"]
        )
    try:
        return model.model_validate({**data, "id": identifier})
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = item["loc"]
            target = _key_node(_located_in(node, loc[:-1]), str(loc[-1])) if loc else None
            if item["type"] != "extra_forbidden" or target is None:
                target = _located_in(node, loc)
            problems.append(f"{_position(path, target)}: {_dotted(loc)}: {_describe(item, model)}")
        raise ContentError(problems) from None


def load_protocol(path: Path) -> Protocol:
    return load_model(path, Protocol, path.stem)


def load_branding(clinic_dir: Path) -> Branding:
    return load_model(clinic_dir / "clinic.yaml", Branding, clinic_dir.name)
