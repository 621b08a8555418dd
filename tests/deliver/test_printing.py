"""Printing through a real CUPS scheduler into a cups-pdf queue."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from weasyprint import HTML

from handouts.deliver.printing import DEFAULT_TITLE, known_printers, print_pdf
from handouts.errors import DeliveryError, InputError
from tests.cups_fixture import CupsQueue, unique_marker


def handout(folder: Path, name: str, marker: str) -> Path:
    path = folder / name
    path.write_bytes(HTML(string=f"<h1>Aftercare</h1><p>{marker}</p>").write_pdf())
    return path


@pytest.mark.cups
def test_a_handout_comes_out_of_the_printer(cups_queue: CupsQueue, tmp_path: Path) -> None:
    marker = unique_marker()
    # A file named after the patient, as the real output folder would have it.
    source = handout(tmp_path, "Ana García - Microneedling.pdf", marker)
    started = time.time() - 1  # file times have coarse resolution on some file systems

    job = print_pdf(source, printer=cups_queue.name)

    assert re.fullmatch(rf"{re.escape(cups_queue.name)}-\d+", job)
    printed = cups_queue.wait_for_pdf(marker, since=started)
    # cups-pdf names its output after the job title: the patient's name must not be in it.
    assert "Ana" not in printed.name
    assert "Garc" not in printed.name
    assert DEFAULT_TITLE.replace(" ", "_") in printed.name


@pytest.mark.cups
def test_two_copies_under_a_chosen_title(cups_queue: CupsQueue, tmp_path: Path) -> None:
    marker = unique_marker()
    source = handout(tmp_path, "-n 5.pdf", marker)  # a name that looks like an lp option
    started = time.time() - 1

    job = print_pdf(source, printer=cups_queue.name, copies=2, title=f"Handout {marker}")

    assert job.startswith(f"{cups_queue.name}-")
    # cups-pdf writes one file whatever the copies; the title shows in its name.
    printed = cups_queue.wait_for_pdf(marker, since=started)
    assert marker in printed.name


@pytest.mark.cups
def test_the_test_queue_is_listed(cups_queue: CupsQueue) -> None:
    assert cups_queue.name in known_printers()


@pytest.mark.cups
def test_an_unknown_printer_is_named(cups_queue: CupsQueue, tmp_path: Path) -> None:
    source = handout(tmp_path, "handout.pdf", unique_marker())

    with pytest.raises(DeliveryError, match="no printer called 'Front Desk Laser'") as caught:
        print_pdf(source, printer="Front Desk Laser")

    assert cups_queue.name in str(caught.value)  # the known printers are listed


def test_a_scheduler_that_is_not_running_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = handout(tmp_path, "handout.pdf", unique_marker())
    # A socket nobody listens on: to lp this is exactly a stopped scheduler.
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "cups.sock"))

    with pytest.raises(DeliveryError, match="print service is not running"):
        print_pdf(source, printer="handouts-test-pdf")


def test_zero_copies_is_an_input_error(tmp_path: Path) -> None:
    source = handout(tmp_path, "handout.pdf", unique_marker())

    with pytest.raises(InputError, match="at least 1"):
        print_pdf(source, copies=0)


def test_without_cups_installed_the_message_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = handout(tmp_path, "handout.pdf", unique_marker())
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    with pytest.raises(DeliveryError, match="CUPS is not installed"):
        print_pdf(source)


def test_a_missing_pdf_is_a_delivery_error(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match=r"Could not read .*gone\.pdf"):
        print_pdf(tmp_path / "gone.pdf")
