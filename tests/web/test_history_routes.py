"""The history pages in-process: search, a patient's page, again from the archive, and refusals."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from handouts import service
from handouts.channel import Channel
from handouts.content.combining import PractitionerWords, SpanChange
from handouts.content.store import ContentStore
from handouts.records import Ledger, NewHandout, Result, Search
from handouts.request import HandoutRequest
from handouts.web.routes.history import visible_search
from handouts.web.users import Role, User
from tests.cups_fixture import CupsQueue
from tests.pdfcheck import pdf_text
from tests.support.content import copy_content
from tests.support.smtp import Mailbox, running_smtp_server
from tests.web.desk_app import LIMITED, Clock, running, sign_in
from tools.live_server import MANAGER, STAFF

NOW = dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC)


@dataclass
class Desk:
    client: TestClient
    root: Path
    ledger: Ledger
    clock: Clock
    mailbox: Mailbox
    ids: dict[str, int]


def _give(
    store: ContentStore, ledger: Ledger, clock: Clock, at: dt.datetime, request: HandoutRequest
) -> int:
    clock.now = at
    given = service.give(store, request, ledger=ledger, by=STAFF, source=service.Source.WEB)
    assert given.handout_id is not None
    return given.handout_id


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = copy_content(tmp_path_factory.mktemp("content"))
    data = tmp_path_factory.mktemp("data")
    clock = Clock(NOW)
    ledger = Ledger(data, clock=clock.moment)
    store = ContentStore(root)
    day = dt.date(2026, 11, 24)
    ids = {
        "sam-magnolia": _give(
            store,
            ledger,
            clock,
            dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
            HandoutRequest("micropenning", "magnolia", "Sam Lee", day, email="sam@example.com"),
        ),
        "sam-harbourside": _give(
            store,
            ledger,
            clock,
            dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC),
            HandoutRequest("microneedling", "harbourside", "sam  LEE", day),
        ),
        "ann": _give(
            store,
            ledger,
            clock,
            dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC),
            HandoutRequest("microneedling", "harbourside", "Ann Other", day),
        ),
    }
    # The first email bounced, the second went: both are the record.
    clock.now = dt.datetime(2026, 11, 20, 9, 5, tzinfo=dt.UTC)
    ledger.record_delivery(
        ids["sam-magnolia"],
        Result.FAILED,
        STAFF,
        channel=Channel.EMAIL,
        recipient="sam@example.com",
        reason="the mail server said: mailbox full",
    )
    clock.now = dt.datetime(2026, 11, 20, 9, 7, tzinfo=dt.UTC)
    ledger.record_delivery(
        ids["sam-magnolia"],
        Result.EMAILED,
        STAFF,
        channel=Channel.EMAIL,
        recipient="sam@example.com",
    )
    clock.now = NOW
    with running_smtp_server() as smtp:
        environ = {
            "HANDOUTS_SMTP_HOST": smtp.host,
            "HANDOUTS_SMTP_PORT": str(smtp.port),
            "HANDOUTS_SMTP_SECURITY": "none",
        }
        with running(root, data, clock, **environ) as client:
            yield Desk(client, root, ledger, clock, smtp.mailbox, ids)


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/history"),
        ("POST", "/history"),
        ("GET", "/history/handouts/1"),
        ("POST", "/history/handouts/1/again"),
    ],
)
def test_staff_are_refused_the_history(desk: Desk, method: str, path: str) -> None:
    token = sign_in(desk.client, STAFF)
    response = desk.client.request(method, path, data={"csrf_token": token, "action": "print"})
    assert response.status_code == 403
    assert "For managers only" in response.text
    assert "Sam Lee" not in response.text


def test_the_history_opens_on_todays_handouts(desk: Desk) -> None:
    sign_in(desk.client, MANAGER)
    response = desk.client.get("/history")
    assert response.status_code == 200
    assert "Handouts made today (2026-11-22)" in response.text
    assert "Ann Other" in response.text
    assert "Sam Lee" not in response.text  # made on other days


def test_a_search_by_name_is_posted_and_never_in_a_link(desk: Desk) -> None:
    token = sign_in(desk.client, MANAGER)
    response = desk.client.post("/history", data={"csrf_token": token, "patient": "sam l"})
    assert response.status_code == 200
    assert response.url.path == "/history" and not response.url.query
    assert "2 handouts found" in response.text
    assert "<td>failed, emailed</td>" in response.text  # what was done, at a glance
    assert "Ann Other" not in response.text
    links = _links(response.text)
    assert f"/history/handouts/{desk.ids['sam-magnolia']}" in links
    assert all("sam" not in link.casefold() for link in links)


def test_a_search_by_email_finds_the_handout_it_went_to(desk: Desk) -> None:
    token = sign_in(desk.client, MANAGER)
    response = desk.client.post("/history", data={"csrf_token": token, "patient": "SAM@EXAMPLE"})
    assert "1 handout found" in response.text
    assert "Micro-Penning" in response.text or "micropenning" in response.text


@pytest.mark.parametrize(
    ("fields", "found"),
    [
        ({"since": "2026-11-21", "until": "2026-11-21"}, ["sam-harbourside"]),
        ({"since": "2026-11-21"}, ["ann", "sam-harbourside"]),
        ({"until": "2026-11-20"}, ["sam-magnolia"]),
        ({"clinic": "magnolia"}, ["sam-magnolia"]),
        ({"protocol": "microneedling"}, ["ann", "sam-harbourside"]),
        ({"protocol": "microneedling", "patient": "sam"}, ["sam-harbourside"]),
    ],
)
def test_search_by_dates_clinic_and_procedure(
    desk: Desk, fields: dict[str, str], found: list[str]
) -> None:
    token = sign_in(desk.client, MANAGER)
    response = desk.client.post("/history", data={"csrf_token": token, **fields})
    assert response.status_code == 200
    shown = re.findall(r'href="/history/handouts/(\d+)"', response.text)
    assert shown == [str(desk.ids[name]) for name in found]  # newest first


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"since": "22/11/2026"}, "From: &#39;22/11/2026&#39; is not a date"),
        ({"since": "2026-11-22", "until": "2026-11-01"}, "The From date is after the To date"),
    ],
)
def test_a_search_with_bad_dates_says_what_is_wrong(
    desk: Desk, fields: dict[str, str], message: str
) -> None:
    token = sign_in(desk.client, MANAGER)
    response = desk.client.post("/history", data={"csrf_token": token, **fields})
    assert response.status_code == 422
    assert message in response.text


def test_a_search_without_the_forms_token_is_refused(desk: Desk) -> None:
    sign_in(desk.client, MANAGER)
    response = desk.client.post("/history", data={"patient": "sam"})
    assert response.status_code == 403
    assert "Sam Lee" not in response.text


def test_the_patients_page_lists_everything_with_version_who_and_each_delivery(desk: Desk) -> None:
    sign_in(desk.client, MANAGER)
    response = desk.client.get(f"/history/handouts/{desk.ids['sam-harbourside']}")
    assert response.status_code == 200
    text = response.text
    assert "Patient: <bdi>sam LEE</bdi>" in text
    assert "2 handouts given" in text  # "Sam Lee" and "sam  LEE" are one person
    assert "Ann Other" not in text
    magnolia = desk.ledger.handout(desk.ids["sam-magnolia"])
    assert magnolia is not None
    assert magnolia.handout.content_version[:12] in text
    assert magnolia.handout.pdf_sha256[:12] in text
    assert "made Fri 20 Nov 2026 09:00 by frontdesk" in text
    assert "mail server said: mailbox full" in text  # the failed attempt is shown
    assert text.count("<td>failed</td>") == 1 and "<td>emailed</td>" in text


@pytest.mark.parametrize("handout", ["999999", "0", "9" * 30])
def test_unknown_and_huge_ids_are_not_found(desk: Desk, handout: str) -> None:
    token = sign_in(desk.client, MANAGER)
    assert desk.client.get(f"/history/handouts/{handout}").status_code == 404
    again = desk.client.post(
        f"/history/handouts/{handout}/again", data={"csrf_token": token, "action": "print"}
    )
    assert again.status_code == 404


def test_a_manager_limited_to_a_clinic_sees_only_its_records(desk: Desk) -> None:
    token = sign_in(desk.client, LIMITED)
    found = desk.client.post("/history", data={"csrf_token": token, "patient": "sam"})
    shown = re.findall(r'href="/history/handouts/(\d+)"', found.text)
    assert shown == [str(desk.ids["sam-harbourside"])]
    other = desk.client.get(f"/history/handouts/{desk.ids['sam-magnolia']}")
    assert other.status_code == 404
    own = desk.client.get(f"/history/handouts/{desk.ids['sam-harbourside']}")
    assert "1 handout given" in own.text
    assert "mailbox full" not in own.text
    asked = desk.client.post("/history", data={"csrf_token": token, "clinic": "magnolia"})
    assert asked.status_code == 422


def test_again_without_the_forms_token_is_refused(desk: Desk) -> None:
    sign_in(desk.client, MANAGER)
    before = desk.ledger.handout(desk.ids["ann"])
    response = desk.client.post(
        f"/history/handouts/{desk.ids['ann']}/again", data={"action": "email"}
    )
    assert response.status_code == 403
    assert desk.ledger.handout(desk.ids["ann"]) == before


def test_print_again_on_a_printer_cups_does_not_know_is_refused(desk: Desk) -> None:
    token = sign_in(desk.client, MANAGER)
    response = desk.client.post(
        f"/history/handouts/{desk.ids['ann']}/again",
        data={"csrf_token": token, "action": "print", "printer": "NoSuchPrinter"},
    )
    assert response.status_code == 422
    assert "There is no printer called &#39;NoSuchPrinter&#39;" in response.text
    history = desk.ledger.handout(desk.ids["ann"])
    assert history is not None and history.deliveries == []


def _attachment(message: Message) -> bytes:
    for part in message.walk():
        if part.get_content_type() == "application/pdf":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            return data
    raise AssertionError("no PDF attached")


def test_email_again_sends_the_archived_bytes_after_the_protocol_changed(desk: Desk) -> None:
    handout_id = desk.ids["sam-magnolia"]
    record = desk.ledger.handout(handout_id)
    assert record is not None
    protocol = desk.root / "protocols" / "micropenning.yaml"
    protocol.write_text(protocol.read_text("utf-8").replace("title:", "title: Changed", 1), "utf-8")
    token = sign_in(desk.client, MANAGER)
    desk.clock.now = NOW + dt.timedelta(minutes=5)
    response = desk.client.post(
        f"/history/handouts/{handout_id}/again", data={"csrf_token": token, "action": "email"}
    )
    # Shown by a redirect to the patient's page, so reloading it sends nothing again.
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/history/handouts/{handout_id}?delivery=")
    sent_count = len(desk.mailbox.received)
    response = desk.client.get(response.headers["location"])
    assert response.status_code == 200, response.text
    assert desk.client.get(response.url).status_code == 200
    assert len(desk.mailbox.received) == sent_count
    assert "Emailed again to sam@example.com, as first given." in response.text
    [envelope] = [e for e in desk.mailbox.received if "sam@example.com" in e.rcpt_tos]
    assert isinstance(envelope.content, bytes)
    sent = _attachment(email.message_from_bytes(envelope.content))
    assert hashlib.sha256(sent).hexdigest() == record.handout.pdf_sha256
    after = desk.ledger.handout(handout_id)
    assert after is not None
    last = after.deliveries[-1]
    assert (last.result, last.again, last.by) == (Result.EMAILED, True, MANAGER)
    assert '<strong class="again">again</strong>' in response.text


def test_print_again_prints_the_archived_copy_on_the_chosen_printer(
    desk: Desk, cups_queue: CupsQueue
) -> None:
    handout_id = desk.ids["sam-harbourside"]
    protocol = desk.root / "protocols" / "microneedling.yaml"
    protocol.write_text(protocol.read_text("utf-8").replace("title:", "title: Renamed", 1), "utf-8")
    token = sign_in(desk.client, MANAGER)
    page = desk.client.get(f"/history/handouts/{handout_id}").text
    assert f'<option value="{cups_queue.name}">' in page  # the printers CUPS knows
    since = time.time()
    response = desk.client.post(
        f"/history/handouts/{handout_id}/again",
        data={"csrf_token": token, "action": "print", "printer": cups_queue.name},
    )
    assert response.status_code == 303
    response = desk.client.get(response.headers["location"])
    assert response.status_code == 200, response.text
    assert re.search(
        rf"Printed again, as first given: CUPS job \S+ on {cups_queue.name}\.", response.text
    )
    printed = pdf_text(cups_queue.wait_for_pdf("sam LEE", since=since).read_bytes())
    assert "Micro-Needling" in printed and "Renamed" not in printed
    history = desk.ledger.handout(handout_id)
    assert history is not None
    last = history.deliveries[-1]
    assert (last.result, last.again, last.channel) == (Result.PRINTED, True, Channel.PRINT)
    assert cups_queue.name in last.detail


def test_a_manager_of_several_clinics_pages_through_theirs_only(tmp_path: Path) -> None:
    clock = Clock(NOW)
    ledger = Ledger(tmp_path / "data", clock=clock.moment)
    for n in range(150):
        clock.now = NOW + dt.timedelta(minutes=n)
        clinic = ("harbourside", "magnolia", "elsewhere")[n % 3]
        request = HandoutRequest("micropenning", clinic, f"Person {n}", dt.date(2026, 11, 22))
        ledger.record_handout(NewHandout(request, STAFF, "web", "e" * 64, "c" * 64, "reviewed"))
    user = User("two-clinics", Role.MANAGER, "", frozenset({"harbourside", "magnolia"}))
    everyone = ledger.search(Search(per_page=200)).records
    theirs = [r.id for r in everyone if r.clinic != "elsewhere"]
    pages = [visible_search(ledger, Search(page=n, per_page=40), user) for n in (1, 2, 3)]
    assert [r.id for p in pages for r in p.records] == theirs  # newest first, none left out
    assert [p.more for p in pages] == [True, True, False]


def test_the_patients_page_shows_what_was_set_for_them(desk: Desk) -> None:
    # The practitioner's words and a changed span, kept with the record (issue 22's history).
    words = PractitionerWords(
        practitioner="Dr Ana Reyes",
        note="Keep the cool pack on tonight.",
        changes=(SpanChange("heat", hours=72),),
    )
    request = HandoutRequest(
        "light-chemical-peel",
        "harbourside",
        "Pat Words",
        dt.date(2026, 11, 24),
        words=words,
        allow_draft=True,
    )
    handout_id = _give(ContentStore(desk.root), desk.ledger, desk.clock, NOW, request)
    sign_in(desk.client, MANAGER)
    page = desk.client.get(f"/history/handouts/{handout_id}")
    assert page.status_code == 200
    text = page.text.replace("&#39;", "'")
    assert "Dr Ana Reyes" in text
    assert "Keep the cool pack on tonight." in text
    assert "heat=72h" in text
