"""The signature pad's server side in-process: who may sign what, the size limit, and the record."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image, ImageDraw
from starlette.testclient import TestClient

from handouts import service
from handouts.content.store import ContentStore
from handouts.records import Ledger
from handouts.request import HandoutRequest
from handouts.signing import MAX_SIGNATURE_BYTES, signatures_of
from tests.support.content import copy_content
from tests.support.smtp import running_smtp_server
from tests.web.desk_app import LIMITED, Clock, running, sign_in
from tools.live_server import MANAGER, STAFF

NOW = dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)


@dataclass
class Desk:
    client: TestClient
    ledger: Ledger
    clock: Clock
    ids: dict[str, int]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = copy_content(tmp_path_factory.mktemp("content"))
    data = tmp_path_factory.mktemp("data")
    clock = Clock(NOW)
    ledger = Ledger(data, clock=clock.moment)
    store = ContentStore(root)
    made = {
        # name: (made by, minutes before now, clinic)
        "mine": (STAFF, 5, "harbourside"),
        "mine-again": (STAFF, 6, "harbourside"),
        "mine-yesterday": (STAFF, 26 * 60, "harbourside"),
        "colleagues": ("someone-else", 5, "harbourside"),
        "magnolia": (STAFF, 5, "magnolia"),
    }
    ids = {}
    for name, (by, minutes, clinic) in made.items():
        clock.now = NOW - dt.timedelta(minutes=minutes)
        request = HandoutRequest("micropenning", clinic, f"Patient {name}", dt.date(2026, 11, 22))
        given = service.give(store, request, ledger=ledger, by=by, source=service.Source.WEB)
        assert given.handout_id is not None
        ids[name] = given.handout_id
    clock.now = NOW
    with running_smtp_server() as smtp:
        environ = {
            "HANDOUTS_SMTP_HOST": smtp.host,
            "HANDOUTS_SMTP_PORT": str(smtp.port),
            "HANDOUTS_SMTP_SECURITY": "none",
        }
        with running(root, data, clock, **environ) as client:
            yield Desk(client, ledger, clock, ids)


def drawn(width: int = 900, height: int = 300) -> str:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(50, 200), (300, 80), (700, 220)], fill=(17, 26, 68, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _sign(desk: Desk, name: str, signature: str, user: str = STAFF) -> tuple[int, str]:
    token = sign_in(desk.client, user)
    response = desk.client.post(
        f"/handouts/{desk.ids[name]}/sign", data={"csrf_token": token, "signature": signature}
    )
    return response.status_code, response.text


def _kept(desk: Desk, name: str) -> int:
    return len(signatures_of(desk.ledger, [desk.ids[name]])[desk.ids[name]])


def test_staff_open_the_pad_for_the_handout_they_just_made(desk: Desk) -> None:
    sign_in(desk.client, STAFF)
    response = desk.client.get(f"/handouts/{desk.ids['mine']}/sign")
    assert response.status_code == 200
    assert '<canvas id="signature-pad"' in response.text
    assert '<script src="/static/signature.js" defer></script>' in response.text
    assert "<script>" not in response.text  # the page's policy allows no inline script
    assert "Patient mine" in response.text


def test_a_signature_is_recorded_with_the_time_and_the_handouts_hash(desk: Desk) -> None:
    desk.clock.now = NOW + dt.timedelta(minutes=1)
    status, _ = _sign(desk, "mine", drawn())
    assert status == 303
    [kept] = signatures_of(desk.ledger, [desk.ids["mine"]])[desk.ids["mine"]]
    record = desk.ledger.handout(desk.ids["mine"])
    assert record is not None
    assert kept.pdf_sha256 == record.handout.pdf_sha256
    assert kept.signed_at == NOW + dt.timedelta(minutes=1)
    assert kept.witnessed_by == STAFF
    shown = desk.client.get(f"/handouts/{desk.ids['mine']}/sign").text
    assert "Signed. Thank you." in shown
    # The manager's page for this patient shows it, inline, with its time and hash.
    sign_in(desk.client, MANAGER)
    page = desk.client.get(f"/history/handouts/{desk.ids['mine']}").text
    assert page.count('src="data:image/png;base64,') == 1
    assert "Signed Sun 22 Nov 2026 15:01, with frontdesk at the desk" in page
    assert f"<code>{record.handout.pdf_sha256[:12]}</code> (this one)" in page
    desk.clock.now = NOW


@pytest.mark.parametrize(
    ("name", "user", "status"),
    [
        ("colleagues", STAFF, 403),  # staff sign only what they made
        ("mine-yesterday", STAFF, 403),  # ...during the visit
        ("mine-yesterday", MANAGER, 200),  # a manager may, later
        ("magnolia", LIMITED, 404),  # another clinic's record does not exist for them
    ],
)
def test_who_may_open_the_pad(desk: Desk, name: str, user: str, status: int) -> None:
    sign_in(desk.client, user)
    response = desk.client.get(f"/handouts/{desk.ids[name]}/sign")
    assert response.status_code == status
    if status != 200:
        assert f"Patient {name}" not in response.text


def test_staff_cannot_sign_a_colleagues_handout(desk: Desk) -> None:
    status, _ = _sign(desk, "colleagues", drawn())
    assert status == 403
    assert _kept(desk, "colleagues") == 0


@pytest.mark.parametrize("handout", ["424242", "0", "9" * 40])
def test_unknown_and_huge_ids_are_not_found(desk: Desk, handout: str) -> None:
    token = sign_in(desk.client, STAFF)
    assert desk.client.get(f"/handouts/{handout}/sign").status_code == 404
    posted = desk.client.post(
        f"/handouts/{handout}/sign", data={"csrf_token": token, "signature": drawn()}
    )
    assert posted.status_code == 404


def test_a_signature_over_the_limit_is_refused_413(desk: Desk) -> None:
    # Past the decoded limit but under the body limit: refused after reading the form.
    padding = "A" * (MAX_SIGNATURE_BYTES * 4 // 3 + 100)
    status, text = _sign(desk, "mine-again", "data:image/png;base64," + padding)
    assert status == 413
    assert "too large" in text
    # A body far over the limit is refused by its length, unread.
    status, text = _sign(desk, "mine-again", "data:image/png;base64," + "A" * 600_000)
    assert status == 413
    assert _kept(desk, "mine-again") == 0


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("", "Nothing was drawn"),
        ("data:image/gif;base64,R0lGODlh", "Nothing was drawn"),
        ("data:image/png;base64,not base64!", "did not arrive as an image"),
        ("data:image/png;base64," + base64.b64encode(b"GIF89a" + b"\0" * 40).decode(), "PNG"),
    ],
)
def test_what_is_not_a_drawing_is_refused_422(desk: Desk, signature: str, message: str) -> None:
    status, text = _sign(desk, "mine-again", signature)
    assert status == 422
    assert message in text
    assert _kept(desk, "mine-again") == 0


def test_a_blank_pad_is_refused(desk: Desk) -> None:
    image = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    blank = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    status, text = _sign(desk, "mine-again", blank)
    assert status == 422
    assert "Nothing was drawn" in text


def test_a_signature_without_the_forms_token_is_refused(desk: Desk) -> None:
    sign_in(desk.client, STAFF)
    response = desk.client.post(
        f"/handouts/{desk.ids['mine-again']}/sign", data={"signature": drawn()}
    )
    assert response.status_code == 403
    other = desk.client.post(
        f"/handouts/{desk.ids['mine-again']}/sign",
        data={"csrf_token": "guessed", "signature": drawn()},
    )
    assert other.status_code == 403
    assert _kept(desk, "mine-again") == 0


def test_the_patient_name_is_never_in_a_link(desk: Desk) -> None:
    sign_in(desk.client, STAFF)
    html = desk.client.get(f"/handouts/{desk.ids['mine-again']}/sign").text
    assert all("Patient" not in link for link in re.findall(r'href="([^"]+)"', html))


def test_after_emailing_from_the_front_page_the_desk_offers_the_pad(desk: Desk) -> None:
    token = sign_in(desk.client, STAFF)
    form = {
        "csrf_token": token,
        "clinic": "harbourside",
        "protocol": "microneedling",
        "patient": "Robin Desk",
        "date": "2026-11-22",
        "email": "robin@example.com",
        "action": "email",
    }
    response = desk.client.post("/handout", data=form)
    assert response.status_code == 200, response.text
    assert "Emailed to robin@example.com." in response.text
    [handout_id] = re.findall(r'href="/handouts/(\d+)/sign">Patient signs on screen', response.text)
    pad = desk.client.get(f"/handouts/{handout_id}/sign")
    assert pad.status_code == 200
    assert "Robin Desk" in pad.text
