"""The day's list check page in process: each row as understood, fixes in place, plain words.

Nothing here makes a handout (the app's renderers are not started); the
check page, corrections and refusals are all answered before that.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from handouts import service
from handouts.batch.outcome import Outcome, RowStatus
from handouts.channel import Channel
from handouts.content.store import ContentStore
from handouts.inputs import clock
from handouts.web.app import WebSettings, create_app
from handouts.web.list_rows import status_words
from handouts.web.users import Role, UserStore
from tools.live_server import MANAGER, PASSWORD, csrf_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def manager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("HANDOUTS_DATA", str(tmp_path / "data"))
    app = create_app(WebSettings(ROOT, tmp_path / "data", environ={}))
    UserStore(app.state.web.data).add(MANAGER, PASSWORD, Role.MANAGER)
    client = TestClient(app, base_url="http://127.0.0.1")
    token = csrf_token(client.get("/signin").text)
    client.post("/signin", data={"csrf_token": token, "name": MANAGER, "password": PASSWORD})
    return client


def upload(client: TestClient, csv: str, clinic: str = "magnolia") -> tuple[str, str]:
    """The check page's address and its text, after uploading ``csv``."""
    token = csrf_token(client.get("/batch").text)
    response = client.post(
        "/batch",
        data={"csrf_token": token, "clinic": clinic},
        files={"csv": ("list.csv", csv.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, html.unescape(response.text)
    where = response.headers["location"]
    return where, html.unescape(client.get(where).text)


def row(page: str, number: int) -> str:
    """The text of one table row, tags stripped, spaces squeezed."""
    found = re.search(rf'<tr id="row-{number}".*?</tr>', page, re.S)
    assert found, f"no row {number}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def soon(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)  # the pinned day, as the server's


def us(date: dt.date) -> str:
    return f"{date.month:02d}/{date.day:02d}/{date.year}"


def test_each_row_shows_its_protocol_clinic_time_language_and_date_spelled_out(
    manager: TestClient,
) -> None:
    day = soon(10)
    # The Spanish translation is a draft: signed off, so the row can be made.
    service.sign_off(ContentStore(ROOT), "micropenning", "Dr Test", language="es")
    _, page = upload(
        manager,
        "patient,date,time,service,clinic,language\n"
        f"Ana Silva,{us(day)},09:30,Micro-Needling,,\n"
        f"Bo Chen,{day.isoformat()},14:00,micropenning,harbourside,es\n",
    )
    first = row(page, 2)
    assert "Micro-Needling → Micro-Needling aftercare" in first  # as exported → as matched
    assert "Magnolia Dermatology & Laser" in first  # the list's clinic, filled in
    assert "09:30" in first and "English" in first and "Ready" in first
    weekday, month = day.strftime("%A"), day.strftime("%B")
    assert f"{weekday}, {month} {day.day}, {day.year}" in first  # Magnolia writes US dates
    second = row(page, 3)
    assert "Harbourside Skin Clinic" in second and "14:00" in second
    assert "Spanish (español)" in second
    assert f"{weekday} {day.day} {month} {day.year}" in second  # Harbourside: day first


def test_a_past_date_is_flagged_and_must_be_confirmed(manager: TestClient) -> None:
    where, page = upload(
        manager,
        "patient,date,service\nOld Date,2020-01-15,micropenning\n"
        f"New Date,{soon(3)},micropenning\nAlso New,{soon(3)},microneedling\n",
    )
    assert "Check: the date Wednesday, January 15, 2020 is in the past" in row(page, 2)
    assert "Check:" not in row(page, 3)
    assert "1 row has a date to check" in page
    token = csrf_token(page)
    made = manager.post(f"{where}/run", data={"csrf_token": token, "action": "make"})
    text = html.unescape(made.text)
    assert "Nothing was made yet: check the marked dates." in text  # not started
    assert "--dates-ok" not in text  # the command line's words are not the page's


def test_a_bad_row_is_corrected_in_place(manager: TestClient) -> None:
    where, page = upload(
        manager,
        f"patient,date,service\nTypo Date,31/31/2026,micropenning\nGood,{soon(3)},micropenning\n",
    )
    assert "Not made: date:" in row(page, 2)
    fixed = manager.post(
        f"{where}/rows",
        data={"csrf_token": csrf_token(page), "row": "2", "date": soon(3).isoformat(),
              "service": "micropenning", "action": "correct"},
    )  # fmt: skip
    after = html.unescape(fixed.text)
    assert "Ready" in row(after, 2) and "Not made" not in row(after, 2)
    assert "2 rows: 2 ready" in after


def test_a_row_is_left_out_and_put_back(manager: TestClient) -> None:
    where, page = upload(
        manager,
        f"patient,date,service\nLeave Me,{soon(3)},micropenning\nKeep,{soon(3)},micropenning\n",
    )
    token = csrf_token(page)
    left = html.unescape(
        manager.post(
            f"{where}/rows", data={"csrf_token": token, "row": "2", "action": "leave-out"}
        ).text
    )
    assert "Left out by staff" in row(left, 2)
    assert "Make the 1 handout" in left
    back = html.unescape(
        manager.post(
            f"{where}/rows", data={"csrf_token": token, "row": "2", "action": "put-back"}
        ).text
    )
    assert "Ready" in row(back, 2) and "Make all 2 handouts" in back


def test_a_correction_that_names_no_row_is_refused(manager: TestClient) -> None:
    where, page = upload(manager, f"patient,date,service\nOnly,{soon(3)},micropenning\n")
    response = manager.post(
        f"{where}/rows", data={"csrf_token": csrf_token(page), "row": "99", "action": "leave-out"}
    )
    assert "Row 99 was not changed: row 99: there is no such row in the list" in html.unescape(
        response.text
    )


def test_the_upload_page_names_the_dates_it_reads(manager: TestClient) -> None:
    page = html.unescape(manager.get("/batch").text)
    assert "date (YYYY-MM-DD)" not in page
    for example in ("11/23/2026", "23/11/2026", "2026-11-23", "23 November 2026"):
        assert example in page


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (Outcome(2, RowStatus.MADE, delivered=frozenset({Channel.EMAIL})), "Made, emailed"),
        (
            Outcome(3, RowStatus.SKIPPED, delivered=frozenset({Channel.PRINT, Channel.EMAIL})),
            "Made before, emailed and printed",
        ),
        (Outcome(4, RowStatus.MADE), "Made"),
        (Outcome(5, RowStatus.FAILED, error="date: no such day"), "Not made: date: no such day"),
    ],
)
def test_statuses_in_plain_words(outcome: Outcome, words: str) -> None:
    assert status_words(outcome) == words


def test_a_draft_row_says_what_to_do_in_the_page_s_words(manager: TestClient) -> None:
    _, page = upload(manager, f"patient,date,service\nDraft Row,{soon(3)},light-chemical-peel\n")
    text = row(page, 2)
    assert "Not made: Light chemical peel care is a draft no clinician has signed off" in text
    assert "--allow-draft" not in text and "handouts signoff" not in text
