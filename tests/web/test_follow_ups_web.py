"""The web side of follow-ups and the calendar, through the real server: the consent
checkbox schedules them, the stop link stops them without signing in, the Calendar
button downloads the dates, and a booked next visit replaces the suggested dates."""

from __future__ import annotations

import datetime as dt
import html

import vobject

from handouts.follow_ups.outbox import FollowUpState, Outbox
from tests.support.browser import Smtp
from tools.live_server import Server, csrf_token

PATIENT = "Follow Upton"


def soon() -> str:
    # Follow-ups are only scheduled for dates still ahead of the real clock.
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


def test_consent_schedules_and_the_stop_link_stops(server: Server, smtp: Smtp) -> None:
    server.names_used.append(PATIENT)
    address = "follow.upton@example.org"
    client = server.signed_in()
    fields = {
        "csrf_token": csrf_token(client.get("/").text),
        "clinic": "harbourside",
        "protocol": "microneedling",
        "patient": PATIENT,
        "date": soon(),
        "email": address,
        "follow_ups": "yes",
        "action": "email",
    }
    response = client.post("/handout", data=fields)
    page = html.unescape(response.text)
    assert response.status_code == 200, page
    assert f"Emailed to {address}. 3 follow-up messages scheduled." in page
    with Outbox(server.data) as outbox:
        rows = [r for r in outbox.rows() if r.recipient == address]
    assert [r.key for r in rows] == ["day-1", "day-2", "day-7"]
    assert all(r.state is FollowUpState.SCHEDULED for r in rows)
    token = rows[0].handout

    stranger = server.client()  # the patient, not signed in
    asked = stranger.get(f"/follow-ups/stop/{token}")
    assert asked.status_code == 200 and "Stop the follow-up messages" in asked.text
    with Outbox(server.data) as outbox:  # opening the link alone stops nothing
        states = {r.state for r in outbox.rows() if r.recipient == address}
    assert states == {FollowUpState.SCHEDULED}
    stopped = stranger.post(f"/follow-ups/stop/{token}", data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200 and "no more follow-up messages" in stopped.text
    with Outbox(server.data) as outbox:
        states = {r.state for r in outbox.rows() if r.recipient == address}
    assert states == {FollowUpState.CANCELLED}
    unknown = stranger.post("/follow-ups/stop/not-a-real-token")
    assert unknown.status_code == 200 and unknown.text == stopped.text
    assert PATIENT not in server.log() and address not in server.log()


def test_without_consent_nothing_is_scheduled(server: Server, smtp: Smtp) -> None:
    server.names_used.append(PATIENT)
    address = "no.consent@example.org"
    client = server.signed_in()
    fields = {
        "csrf_token": csrf_token(client.get("/").text),
        "clinic": "harbourside",
        "protocol": "microneedling",
        "patient": PATIENT,
        "date": soon(),
        "email": address,
        "action": "email",
    }
    response = client.post("/handout", data=fields)
    assert response.status_code == 200
    assert "follow-up" not in html.unescape(response.text).split("Emailed to")[1][:80]
    with Outbox(server.data) as outbox:
        assert [r for r in outbox.rows() if r.recipient == address] == []


def test_the_calendar_button_gives_the_dates_and_the_booked_visit(server: Server) -> None:
    server.names_used.append(PATIENT)
    client = server.signed_in()
    fields = {
        "csrf_token": csrf_token(client.get("/").text),
        "clinic": "magnolia",
        "protocol": "micropenning",
        "patient": PATIENT,
        "date": "2026-11-22",
        "next": "2026-12-21T10:30",
        "action": "calendar",
    }
    response = client.post("/handout", data=fields)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert PATIENT not in response.text
    events = {e.summary.value: e for e in vobject.readOne(response.text).vevent_list}
    visit = events["Your next appointment at Magnolia Dermatology & Laser"]
    assert visit.dtstart.value.replace(tzinfo=None) == dt.datetime(2026, 12, 21, 10, 30)
    assert not any("suggested" in summary for summary in events)
    no_date = client.post("/handout", data={**fields, "date": ""})
    assert no_date.status_code == 422
    assert "Calendar: give the procedure date first." in html.unescape(no_date.text)


def test_staff_see_and_stop_what_is_scheduled(server: Server, smtp: Smtp) -> None:
    server.names_used.append("Staff Stopped")
    address = "staff.stopped@example.org"
    client = server.signed_in()
    fields = {
        "csrf_token": csrf_token(client.get("/").text),
        "clinic": "harbourside",
        "protocol": "microneedling",
        "patient": "Staff Stopped",
        "date": soon(),
        "email": address,
        "follow_ups": "yes",
        "action": "email",
    }
    assert client.post("/handout", data=fields).status_code == 200
    listed = client.get("/follow-ups")
    assert listed.status_code == 200
    assert "Staff Stopped" in listed.text and address in listed.text
    with Outbox(server.data) as outbox:
        token = next(r.handout for r in outbox.rows() if r.recipient == address)
    assert server.client().get("/follow-ups").status_code in (302, 303, 401)  # staff only
    stopped = client.post(
        "/follow-ups/cancel", data={"csrf_token": csrf_token(listed.text), "handout": token}
    )
    assert stopped.status_code == 200 and "Stopped 3 messages." in stopped.text
    assert address not in stopped.text.split("Stopped 3 messages.")[1]
    refused = client.post("/follow-ups/cancel", data={"csrf_token": "wrong", "handout": token})
    assert refused.status_code in (400, 403)
