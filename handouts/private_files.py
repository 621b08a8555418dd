"""Private files: atomic, owner-only writes and folders for health data.

Handouts carry health data (a patient's name and procedure), so files are
created readable by their owner only, and folders made for them likewise.
A write goes to a temporary file in the target folder and is renamed into
place, so a crash or a kill never leaves a truncated PDF behind.

A write only ever creates a file or replaces a regular file: a symbolic link,
a device (``/dev/null``), a pipe or a folder at the target is refused, so
nothing planted in an output folder can steer a write somewhere else.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_PREFIX = ".handout-"
TEMP_SUFFIX = ".part"


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and missing parents; new ones are owner-only."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=DIR_MODE)


def check_replaceable(path: Path) -> None:
    """Refuse unless ``path`` is missing or a regular file (not a link, device, pipe, folder)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError(
            f"{path}: is a symbolic link; refusing to write through it (give the real file's path)"
        )
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path}: is not a regular file (a device, folder or pipe); refusing to replace it"
        )


def open_private(path: Path, flags: int) -> int:
    """``os.open`` for writing a file of ours: never through a link, regular files only.

    Returns the descriptor of an owner-only file (a file restored readable by
    others is made private again).
    """
    check_replaceable(path)
    handle = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, FILE_MODE)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise InputError(f"{path}: is not a regular file; refusing to write to it")
        os.set_blocking(handle, True)
        os.fchmod(handle, FILE_MODE)
    except BaseException:
        os.close(handle)
        raise
    return handle


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE) -> Path:
    """Write ``data`` to ``path`` all at once or not at all.

    ``path`` may be missing or a regular file; anything else is refused
    before any byte is written.
    """
    make_private_dirs(path.parent)
    check_replaceable(path)
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX
        )
    except OSError as error:
        # Name the file the user asked for, not our temporary one.
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temp_name).replace(path)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            Path(temp_name).unlink()
        # A full disk or quota names the file the user asked for, not our temporary one.
        raise OSError(error.errno, error.strerror, str(path)) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temp_name).unlink()
        raise
    return path
