"""Import WeasyPrint without a slow search for its native libraries.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject by trying several
names per library, written for Windows and macOS first. On Linux the first
names never exist, and each miss runs the standard library's
``ctypes.util.find_library``, which starts ``ldconfig``, then ``gcc`` and
``ld`` as subprocesses: 22 lookups, about 0.23 s of a one-handout command
(``python -X importtime -m handouts handout ...``, module
``weasyprint.text.ffi``).

Here the lookups are answered from one reading of the linker's cache
(``ldconfig -p``) while WeasyPrint is imported, then the standard function is
put back. A name the cache does not hold is reported missing, and WeasyPrint
goes on to the next name, the last of which is the plain Linux file name. If
the import still fails, it is tried once more with the standard search, so an
unusual system is never worse off than without this module.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType

# ldconfig's label for libraries of this process's word size and machine, as
# the standard library's find_library reads it; "libc6" is the prefix of all.
_ABI_LABELS = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}

# "	libpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0"
_CACHE_LINE = re.compile(r"^\s+(lib\S+?)\.so(?:\.[^\s]*)?\s+\(([^)]*)\)")


def _abi_label() -> str:
    bits = ctypes.sizeof(ctypes.c_void_p) * 8
    return _ABI_LABELS.get(f"{os.uname().machine}-{bits}", "libc6")


def linker_cache(listing: str, abi_label: str) -> dict[str, str]:
    """``{"libpango-1.0": "libpango-1.0.so.0", ...}`` from ``ldconfig -p`` output.

    The first entry of a name wins, as with the dynamic linker; entries for
    another machine or word size are skipped.
    """
    sonames: dict[str, str] = {}
    for line in listing.splitlines():
        match = _CACHE_LINE.match(line)
        if match is None or not match.group(2).startswith(abi_label):
            continue
        soname = line.split()[0]
        sonames.setdefault(match.group(1), soname)
    return sonames


def _read_linker_cache() -> dict[str, str] | None:
    ldconfig = shutil.which("ldconfig") or shutil.which("ldconfig", path="/sbin:/usr/sbin")
    if ldconfig is None:
        return None
    try:
        listing = subprocess.run(
            [ldconfig, "-p"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=10,
            check=True,
            env={"LC_ALL": "C", "LANG": "C", "PATH": os.environ.get("PATH", "")},
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return linker_cache(listing, _abi_label())


@contextlib.contextmanager
def _find_library_from(sonames: dict[str, str]) -> Iterator[None]:
    standard = ctypes.util.find_library

    def from_sonames(name: str) -> str | None:
        return sonames.get(f"lib{name}")

    ctypes.util.find_library = from_sonames
    try:
        yield
    finally:
        ctypes.util.find_library = standard


def _forget(package: str) -> None:
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


def import_quickly(package: str = "weasyprint") -> ModuleType:
    """Import ``package`` with library lookups answered from the linker cache."""
    if package in sys.modules or not sys.platform.startswith("linux"):
        return importlib.import_module(package)
    sonames = _read_linker_cache()
    if not sonames:
        return importlib.import_module(package)
    try:
        # WeasyPrint prints an installation banner when a library is missing;
        # keep it for the second try, where it is true.
        with _find_library_from(sonames), contextlib.redirect_stdout(io.StringIO()):
            return importlib.import_module(package)
    except OSError:
        _forget(package)
        return importlib.import_module(package)
