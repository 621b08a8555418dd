"""A real CUPS scheduler with a cups-pdf queue, for printing tests.

Uses the system's cupsd: a private one with its own ServerRoot cannot find the
cups-pdf backend's configuration. The daemon is started only if it is not
already running, and then stopped again; the test queue is always removed.
cups-pdf writes each printed job as a PDF into the folder named by ``Out`` in
/etc/cups/cups-pdf.conf (``~/PDF`` of the submitting user on Debian).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.errors import PyPdfError

# One queue per test run: two runs at once (two checkouts) never remove each other's.
QUEUE = f"handouts-test-pdf-{os.getpid()}"
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")
INSTALL_HINT = "run `make test`, which installs cups and printer-driver-cups-pdf"
_ENGLISH = {**os.environ, "LC_ALL": "C", "LANG": "C"}


@dataclass
class CupsQueue:
    """A cups-pdf print queue, and where its printed PDFs appear."""

    name: str
    output_dirs: list[Path]
    printed: list[Path] = field(default_factory=list)

    def wait_for_pdf(self, marker: str, *, since: float, timeout: float = 60) -> Path:
        """The first PDF written after ``since`` whose text contains ``marker``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self._find(marker, since)
            if found is not None:
                self.printed.append(found)
                return found
            time.sleep(0.5)
        looked = ", ".join(str(folder) for folder in self.output_dirs)
        pytest.fail(
            f"cups-pdf wrote no PDF containing {marker!r} within {timeout:.0f} s in {looked}"
        )

    def _find(self, marker: str, since: float) -> Path | None:
        for folder in self.output_dirs:
            for candidate in sorted(folder.glob("*.pdf")) if folder.is_dir() else []:
                if candidate.stat().st_mtime >= since and marker in _pdf_text(candidate):
                    return candidate
        return None


def _pdf_text(path: Path) -> str:
    # cups-pdf may still be writing the file; an unreadable PDF is simply not there yet.
    try:
        return "".join(page.extract_text() for page in PdfReader(path).pages)
    except (PyPdfError, OSError, ValueError):
        return ""


@pytest.fixture(scope="session")
def cups_queue() -> Iterator[CupsQueue]:
    """A running scheduler with a cups-pdf queue of this test run's own."""
    cupsd = _tool("cupsd")
    for name in ("lp", "lpstat", "lpadmin", "lpinfo"):
        _tool(name)
    daemon = None if _scheduler_running() else _start(cupsd)
    try:
        # The default PDF-to-PostScript step drops the fonts' Unicode maps, which leaves the
        # printed PDF's text unreadable to pdftotext and pypdf; pdftocairo keeps it.
        _run(
            "lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-m", _cups_pdf_model(),
            "-o", "pdftops-renderer-default=pdftocairo",
        )  # fmt: skip
        queue = CupsQueue(QUEUE, _output_dirs())
        try:
            yield queue
        finally:
            _run("lpadmin", "-x", QUEUE, check=False)
            for printed in queue.printed:
                printed.unlink(missing_ok=True)
    finally:
        if daemon is not None:
            _stop(daemon)


def _tool(name: str) -> str:
    # cupsd and lpadmin live in /usr/sbin, which is not on every user's PATH.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail(f"{name} is not installed; {INSTALL_HINT}.")
    return found


def _run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [_tool(argv[0]), *argv[1:]],
        capture_output=True,
        text=True,
        env=_ENGLISH,
        timeout=60,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result


def _scheduler_running() -> bool:
    return "scheduler is running" in _run("lpstat", "-r", check=False).stdout


def _start(cupsd: str) -> subprocess.Popen[bytes]:
    if os.geteuid() != 0:
        pytest.fail("CUPS is not running and only root can start it; start cups or run as root.")
    # -f keeps cupsd in the foreground as our child, so we stop exactly the daemon we started.
    # cupsd reports its troubles in its error_log; an unread pipe could fill up and block it.
    daemon = subprocess.Popen(
        [cupsd, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENGLISH
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            pytest.fail(
                f"cupsd exited at start-up with status {daemon.returncode};"
                " see /var/log/cups/error_log"
            )
        if _scheduler_running():
            return daemon
        time.sleep(0.2)
    _stop(daemon)
    pytest.fail("cupsd did not start answering within 30 s")


def _stop(daemon: subprocess.Popen[bytes]) -> None:
    daemon.terminate()
    try:
        daemon.wait(timeout=20)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait(timeout=20)


def _cups_pdf_model() -> str:
    models = _run("lpinfo", "-m").stdout.splitlines()
    names = [line.split()[0] for line in models if line.strip()]
    for wanted in ("CUPS-PDF_noopt.ppd", "CUPS-PDF_opt.ppd"):
        for name in names:
            if name.endswith(wanted):
                return name
    pytest.fail(f"CUPS has no cups-pdf driver (lpinfo -m lists none); {INSTALL_HINT}.")


def _output_dirs() -> list[Path]:
    """Where cups-pdf may put our jobs: its Out folder for this user, and the anonymous one."""
    user = pwd.getpwuid(os.geteuid())
    settings = _cups_pdf_settings()
    out = settings.get("Out", "${HOME}/PDF")
    anonymous = settings.get("AnonDirName", "/var/spool/cups-pdf/ANONYMOUS")
    expanded = out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name)
    return [Path(expanded), Path(anonymous)]


def _cups_pdf_settings() -> dict[str, str]:
    if not CUPS_PDF_CONF.is_file():
        return {}
    settings = {}
    for line in CUPS_PDF_CONF.read_text().splitlines():
        match = re.match(r"\s*(\w+)\s+(.+?)\s*$", line)
        if match and not line.lstrip().startswith("#"):
            settings[match[1]] = match[2]
    return settings


def unique_marker(prefix: str = "printmarker") -> str:
    """A marker to find in a printed PDF's text.

    Digits only: random hex can hold "ff", which the fonts set as a ligature
    that cups-pdf's re-written PDF no longer extracts as two letters.
    """
    return f"{prefix}{uuid.uuid4().int % 10**12:012d}"
