"""The folder's delivery log: appended to, never forgetting, robust to a cut-short line."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.delivery_log import LOG_NAME, DeliveryLog
from handouts.errors import InputError


def test_deliveries_are_remembered_by_a_new_reader(tmp_path: Path) -> None:
    log = DeliveryLog(tmp_path)
    assert log.delivered("a.pdf") == set()
    log.record("a.pdf", "emailed")
    log.record("a.pdf", "printed")
    log.record("b.pdf", "printed")
    assert log.delivered("a.pdf") == {"emailed", "printed"}
    again = DeliveryLog(tmp_path)
    assert again.delivered("a.pdf") == {"emailed", "printed"}
    assert again.delivered("b.pdf") == {"printed"}
    assert again.delivered("c.pdf") == set()


def test_a_line_cut_short_by_a_kill_counts_for_nothing_and_spoils_nothing(tmp_path: Path) -> None:
    DeliveryLog(tmp_path).record("a.pdf", "emailed")
    path = tmp_path / LOG_NAME
    with path.open("a", encoding="utf-8") as stream:
        stream.write("2026-11-23T10:00:00+00:00,b.pdf,emai")  # no newline: the writer was killed
    DeliveryLog(tmp_path).record("c.pdf", "emailed")
    log = DeliveryLog(tmp_path)
    assert log.delivered("a.pdf") == {"emailed"}
    assert log.delivered("b.pdf") == set()  # not sure it went out: the row says so, not the log
    assert log.delivered("c.pdf") == {"emailed"}
    assert path.read_text(encoding="utf-8").count("\n") == 4  # header, a, cut line, c


def test_a_log_that_cannot_be_read_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / LOG_NAME).write_bytes(b"time,output,delivered\n\xff\xfe,a.pdf,emailed\n")
    with pytest.raises(InputError, match=r"deliveries\.csv: cannot be read \(it is not UTF-8"):
        DeliveryLog(tmp_path)
