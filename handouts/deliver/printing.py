"""Print a handout by handing the PDF to CUPS with ``lp``.

CUPS keeps job titles and document names in its logs and job history, and
patient names are health data. So the PDF goes to ``lp`` on standard input
(its file name, which may hold the patient's name, never reaches CUPS) under a
neutral title unless the caller chooses another.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..errors import DeliveryError, InputError

DEFAULT_TITLE = "Aftercare handout"
TIMEOUT_SECONDS = 60


def print_pdf(
    path: Path, *, printer: str | None = None, copies: int = 1, title: str | None = None
) -> str:
    """Queue the PDF on ``printer`` (else the CUPS default) and return the job id."""
    if copies < 1:
        raise InputError(f"the number of copies must be at least 1, not {copies}")
    try:
        pdf = Path(path).read_bytes()
    except OSError as error:
        raise DeliveryError(f"Could not read {path} to print it: {error.strerror}.") from error
    lp = _command("lp")
    argv = [lp, "-n", str(copies), "-t", title or DEFAULT_TITLE]
    if printer:
        argv += ["-d", printer]
    # No file argument: lp reads the PDF from standard input, so no path can pass as an option.
    result = _run(argv, stdin=pdf)
    if result.returncode != 0:
        raise _explain(result.stderr, printer)
    match = re.search(r"request id is (\S+)", result.stdout)
    if match is None:
        raise DeliveryError(f"CUPS accepted the handout but gave no job id ({_tidy(result)}).")
    return match.group(1)


def known_printers() -> list[str]:
    """The print queues CUPS knows, or an empty list if it cannot tell."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return []
    try:
        result = _run([lpstat, "-e"])
    except DeliveryError:
        return []
    return result.stdout.split() if result.returncode == 0 else []


def _command(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DeliveryError(
            f"CUPS is not installed (the {name} command was not found),"
            " so the handout cannot be printed."
        )
    return found


def _run(argv: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    # The CUPS tools answer in the user's language; the failure checks below read English.
    english = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        completed = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            check=False,
            env=english,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise DeliveryError(
            f"CUPS did not answer within {TIMEOUT_SECONDS} seconds; the print service may be stuck."
        ) from None
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
    )


def _explain(stderr: str, printer: str | None) -> DeliveryError:
    # With the scheduler down, lp claims the printer does not exist; ask the scheduler first.
    if not _scheduler_running():
        return DeliveryError(
            "The CUPS print service is not running; start it (for example with"
            " 'sudo systemctl start cups') and try again."
        )
    if printer and "does not exist" in stderr:
        return DeliveryError(f"There is no printer called {printer!r} in CUPS; {_choices()}.")
    if "No default destination" in stderr:
        return DeliveryError(
            f"No printer was chosen and CUPS has no default printer; {_choices()}."
        )
    return DeliveryError(f"CUPS could not print the handout: {_one_line(stderr)}.")


def _scheduler_running() -> bool:
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return True  # cannot tell; let lp's own message speak
    result = _run([lpstat, "-r"])
    return "not running" not in result.stdout + result.stderr


def _choices() -> str:
    printers = known_printers()
    if not printers:
        return "no printers are set up yet"
    return "the printers are: " + ", ".join(printers)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    # lp prefixes its messages with "lp: Error - "; staff need only the part after it.
    return re.sub(r"^lp:\s*(Error\s*-\s*)?", "", text).rstrip(".") or "no reason given"


def _tidy(result: subprocess.CompletedProcess[str]) -> str:
    return _one_line(result.stdout + result.stderr)
