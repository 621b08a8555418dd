"""The history page's rows come from the ledger: one row per thing that happened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from handouts import service
from handouts.channel import Channel
from handouts.content.store import ContentStore
from handouts.records import DeliveryKey, Result
from handouts.request import HandoutRequest
from handouts.web.data import DataFolder
from handouts.web.history import Action, History
from tests.support.smtp import Mailbox, StartServer, smtp_env


def test_a_list_uploaded_twice_shows_one_email_per_patient(
    smtp_server: StartServer, content: ContentStore, data_folder: Path, tmp_path: Path
) -> None:
    mailbox = Mailbox()
    settings = smtp_server(mailbox, auth_require_tls=False)
    day = tmp_path / "day.csv"
    day.write_text(
        "patient,date,protocol,email\n"
        "Ana Silva,2026-11-23,micropenning,ana@example.com\n"
        "Bo Chen,2026-11-23,microneedling,bo@example.com\n",
        encoding="utf-8",
    )
    history = History(DataFolder(data_folder))
    request = service.BatchRequest(
        day, tmp_path / "out", email=True, workers=1, by="amira", source=service.Source.DAY_LIST
    )
    for _ in range(2):  # uploaded, made and emailed; uploaded again and run again
        service.run_batch(content, request, environ=smtp_env(settings), ledger=history.ledger)
    assert len(mailbox.received) == 2

    entries = history.day(dt.datetime.now().astimezone().date())
    emailed = [e for e in entries if e.action is Action.EMAILED]
    assert sorted(e.patient or "" for e in emailed) == ["Ana Silva", "Bo Chen"]
    assert {e.user for e in emailed} == {"amira"}
    # Each run made its handouts (the second found them made): the making is shown too.
    assert {e.action for e in entries} == {Action.EMAILED, Action.BATCH}
    entry = history.get(emailed[0].id)
    assert entry is not None and entry.request().email in ("ana@example.com", "bo@example.com")


def test_the_old_history_table_is_read_into_the_ledger_once(data_folder: Path) -> None:
    data = DataFolder(data_folder)
    now = dt.datetime.now().astimezone()
    with data.connect() as db:  # as earlier versions wrote it
        db.execute(
            "INSERT INTO history (at, day, user, action, clinic, protocol, patient,"
            " procedure_date, email, detail) VALUES (?, ?, 'frontdesk', 'emailed', 'magnolia',"
            " 'micropenning', 'Old Patient', '2026-11-23', 'Old@Example.com', '')",
            (now.isoformat(timespec="seconds"), now.date().isoformat()),
        )
    history = History(data)
    History(data)  # opened again: nothing is read twice
    (entry,) = history.day(now.date())
    assert (entry.action, entry.patient, entry.user) == (Action.EMAILED, "Old Patient", "frontdesk")
    key = DeliveryKey.for_handout(
        Channel.EMAIL,
        HandoutRequest("micropenning", patient="old patient", procedure_date=dt.date(2026, 11, 23),
                       email="old@example.com"),
        "magnolia",
    )  # fmt: skip
    holder = history.ledger.holder(key)
    assert holder is not None and holder.result is Result.EMAILED
