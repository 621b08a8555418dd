"""JSON Schemas of the protocol and branding files, for editors.

The YAML files name these in a ``# yaml-language-server: $schema=`` comment, so
an editor with a YAML plug-in autocompletes keys and underlines mistakes as a
clinic manager types. The schemas come from the models, so they cannot drift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .import_profiles import ImportProfile
from .models import Branding, Protocol

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# File name -> (model, what the file is); the names are the ones the YAML files point at.
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "protocol.schema.json": (Protocol, "An aftercare protocol: protocols/<id>.yaml"),
    "branding.schema.json": (Branding, "A clinic's branding: branding/<id>/clinic.yaml"),
    "import-profile.schema.json": (
        ImportProfile,
        "How to read a booking system's export: imports/<id>.yaml",
    ),
}


def file_schema(model: type[BaseModel], description: str) -> dict[str, Any]:
    """The schema of one YAML file: the model's, without ``id`` (it is the file name)."""
    schema = model.model_json_schema(mode="validation")
    schema["properties"].pop("id", None)
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    return {"$schema": DRAFT, "description": description, **schema}


def schema_text(model: type[BaseModel], description: str) -> str:
    return json.dumps(file_schema(model, description), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (model, description) in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(model, description), encoding="utf-8")
        written.append(path)
    return written
