"""What a batch folder has already emailed or printed, kept across runs.

The manifest describes the last run only: one line per row of the CSV that
run was given. Front desks often send every day's list to the same folder
(``out`` by default), so the manifest alone would forget Monday's emails as
soon as Tuesday's list ran, and re-running Monday's list with ``--email``
would write to those patients again. This log is only ever appended to, one
line per email sent or print job queued, so nothing a later run does can make
it forget.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from enum import StrEnum
from pathlib import Path

from ..errors import InputError
from .files import FILE_MODE

JOURNAL_NAME = "deliveries.csv"
COLUMNS = ("time", "output", "delivered")
HEADER = ",".join(COLUMNS)


class Channel(StrEnum):
    """How a handout reached the patient; the values are the words the files use."""

    EMAIL = "emailed"
    PRINT = "printed"


class DeliveryJournal:
    """``deliveries.csv`` in a batch's output folder.

    Read when created, before anything is made: a log that cannot be read
    stops the batch with a clear message rather than letting it guess who
    has already been written to.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / JOURNAL_NAME
        self._done = _read(self.path)

    def delivered(self, output: str) -> set[Channel]:
        """How the handout at ``output`` (relative to the folder) was delivered so far."""
        return set(self._done.get(output, ()))

    def record(self, output: str, how: Channel) -> None:
        """Append one delivery; on disk before the next patient is handled."""
        how = Channel(how)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
        with os.fdopen(handle, "r+", encoding="utf-8", newline="") as stream:
            # It names patients' handouts: owner-only even if restored from a copy.
            os.fchmod(handle, FILE_MODE)
            size = os.fstat(handle).st_size
            # A last line cut short by a kill must not swallow the first one we add.
            unfinished = size > 0 and os.pread(handle, 1, size - 1) != b"\n"
            writer = csv.writer(stream, lineterminator="\n")
            if size == 0:
                writer.writerow(COLUMNS)
            elif unfinished:
                stream.write("\n")
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            writer.writerow([now, output, str(how)])
            stream.flush()
            os.fsync(handle)
        self._done.setdefault(output, set()).add(how)


def _read(path: Path) -> dict[str, set[Channel]]:
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
        # A whole value matches itself; a line cut short by a kill ("emai") is
        # counted too: lines are only written once the email or print job has
        # gone out, and sending twice is the worse mistake.
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
