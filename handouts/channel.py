"""How a handout reaches its patient."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """The values are the words the manifest and the delivery records use."""

    EMAIL = "emailed"
    PRINT = "printed"
