"""The folder's delivery log: appended to, never forgetting, strict about damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.batch.delivery import OnceOnlyDelivery
from handouts.deliver.journal import JOURNAL_NAME, DeliveryJournal
from handouts.errors import InputError


def test_deliveries_are_remembered_by_a_new_reader(tmp_path: Path) -> None:
    log = DeliveryJournal(tmp_path)
    assert log.delivered("a.pdf") == set()
    log.record("a.pdf", "emailed")
    log.record("a.pdf", "printed")
    log.record("b.pdf", "printed")
    assert log.delivered("a.pdf") == {"emailed", "printed"}
    again = DeliveryJournal(tmp_path)
    assert again.delivered("a.pdf") == {"emailed", "printed"}
    assert again.delivered("b.pdf") == {"printed"}
    assert again.delivered("c.pdf") == set()


def test_a_line_cut_short_by_a_kill_still_counts_and_spoils_nothing(tmp_path: Path) -> None:
    DeliveryJournal(tmp_path).record("a.pdf", "emailed")
    path = tmp_path / JOURNAL_NAME
    with path.open("a", encoding="utf-8") as stream:
        stream.write("2026-11-23T10:00:00+00:00,b.pdf,emai")  # no newline: the writer was killed
    DeliveryJournal(tmp_path).record("c.pdf", "emailed")
    log = DeliveryJournal(tmp_path)
    assert log.delivered("a.pdf") == {"emailed"}
    # Lines are written only after sending, so a cut one still means "sent".
    assert log.delivered("b.pdf") == {"emailed"}
    assert log.delivered("c.pdf") == {"emailed"}
    assert path.read_text(encoding="utf-8").count("\n") == 4  # header, a, cut line, c


def test_a_log_that_cannot_be_read_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / JOURNAL_NAME).write_bytes(b"time,output,delivered\n\xff\xfe,a.pdf,emailed\n")
    with pytest.raises(InputError, match=r"deliveries\.csv: cannot be read \(it is not UTF-8"):
        DeliveryJournal(tmp_path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("when,what\n", "its first line should be time,output,delivered"),
        ("time,output,delivered\nx,a.pdf,emailed,extra\n", "line 2 is not"),
        ("time,output,delivered\nx,a.pdf,faxed\nx,b.pdf,emailed\n", "line 2 is not"),
        ('time,output,delivered\nx,"a.pdf,emailed\nx,b.pdf,emailed\n', "line 2 is not"),
        ("time,output,delivered\nx," + "a" * 200_000 + ",emailed\n", "line 2 is not"),
    ],
)
def test_a_damaged_log_is_refused_not_half_read(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / JOURNAL_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=reason):
        DeliveryJournal(tmp_path)


def test_a_log_restored_readable_by_others_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_NAME
    path.write_text("time,output,delivered\n", encoding="utf-8")
    path.chmod(0o644)
    DeliveryJournal(tmp_path).record("a.pdf", "printed")
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_log_that_cannot_be_written_is_a_problem_on_the_row(tmp_path: Path, content) -> None:
    delivery = OnceOnlyDelivery(content, tmp_path)
    (tmp_path / JOURNAL_NAME).mkdir()  # something in the way after the batch started
    (problem,) = delivery._record("a.pdf", "emailed")
    assert "could not record" in problem and "may have it sent again" in problem
