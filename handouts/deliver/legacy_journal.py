"""Reading ``deliveries.csv``, the delivery log of earlier versions, once, to carry it over.

That log named each delivery by its output file, which two patients with the
same name on the same day can swap between runs; the records that replace it
(``journal``) name the person. Its lines are still trusted as far as they go:
a folder's history must not be forgotten by an upgrade.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import InputError
from .channel import Channel

LEGACY_NAME = "deliveries.csv"
HEADER = "time,output,delivered"


def read_legacy(path: Path) -> dict[str, set[Channel]]:
    """What each output file was delivered as; empty when there is no old log."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise _unreadable(path, reason) from None
    lines = text.splitlines()
    if not lines:
        return {}
    if lines[0] != HEADER:
        raise _unreadable(path, f"its first line should be {HEADER}")
    done: dict[str, set[Channel]] = {}
    for number, line in enumerate(lines[1:], start=2):
        try:
            fields = next(csv.reader([line], strict=True), [])
        except csv.Error:
            raise _bad_line(path, number) from None
        if len(fields) > 3:
            raise _bad_line(path, number)
        if len(fields) < 3 or not fields[2]:
            continue  # cut short by a kill before it said how: nothing to learn from it
        # A line cut short by a kill ("emai") still counts: lines were written
        # only once the email or print job had gone out.
        matches = [how for how in Channel if how.value.startswith(fields[2])]
        if not matches:
            raise _bad_line(path, number)
        done.setdefault(fields[1], set()).update(matches)
    return done


def _bad_line(path: Path, number: int) -> InputError:
    return _unreadable(path, f"line {number} is not '{HEADER}'")


def _unreadable(path: Path, reason: str) -> InputError:
    return InputError(
        f"{path}: cannot be read ({reason}). It records which handouts in this folder were "
        "already emailed or printed, so nothing is sent until it is restored or the "
        "batch writes to another folder."
    )
