"""A user limited to some clinics sees and makes only theirs: form, posts, the day's list."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from tests.web.inprocess import Desk, make_desk, token_of

MAGNOLIA = frozenset({"magnolia"})  # not the default clinic (that is harbourside)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    desk = make_desk(tmp_path)
    desk.add("mags", clinics=MAGNOLIA)
    desk.add("mags-lead", manager=True, clinics=MAGNOLIA)
    desk.add("anyone")
    return desk


def clinic_options(html: str) -> list[str]:
    picker = re.search(r'<select id="clinic" name="clinic">(.*?)</select>', html, re.S)
    assert picker, "no clinic picker"
    return re.findall(r'<option value="([^"]*)"', picker.group(1))


def test_the_clinic_picker_shows_only_the_user_s_clinics(desk: Desk) -> None:
    page = desk.signed_in("mags").get("/")
    assert page.status_code == 200
    assert clinic_options(page.text) == ["magnolia"]
    assert 'value="magnolia" selected' in page.text
    assert clinic_options(desk.signed_in("anyone").get("/").text) == ["harbourside", "magnolia"]


def test_a_remembered_clinic_that_is_not_theirs_is_not_chosen(desk: Desk) -> None:
    client = desk.signed_in("mags")
    client.cookies.set("handouts_clinic", "harbourside")
    assert 'value="magnolia" selected' in client.get("/").text


@pytest.mark.parametrize("path", ["/handout", "/preview"])
@pytest.mark.parametrize("clinic", ["harbourside", ""])  # empty: the default, harbourside
def test_a_post_for_another_clinic_is_refused_with_403(desk: Desk, path: str, clinic: str) -> None:
    client = desk.signed_in("mags")
    form = {
        "csrf_token": token_of(client, "/account"),
        "clinic": clinic,
        "protocol": "microneedling",
        "patient": "",
        "action": "download",
    }
    refused = client.post(path, data=form)
    assert refused.status_code == 403
    assert "Not one of your clinics" in refused.text
    assert not refused.content.startswith(b"%PDF")


def csv_upload(client: TestClient, body: str, clinic: str = "magnolia") -> httpx.Response:
    token = token_of(client, "/account")
    response: httpx.Response = client.post(
        "/batch",
        data={"csrf_token": token, "clinic": clinic, "profile": ""},
        files={"csv": ("list.csv", body.encode(), "text/csv")},
    )
    return response


def test_the_day_s_list_offers_only_the_manager_s_clinics(desk: Desk) -> None:
    page = desk.signed_in("mags-lead").get("/batch")
    assert page.status_code == 200
    assert clinic_options(page.text) == ["magnolia"]


def test_a_day_s_list_with_rows_for_another_clinic_is_refused(desk: Desk) -> None:
    client = desk.signed_in("mags-lead")
    body = (
        "patient,date,protocol,clinic\n"
        "Row Two,2026-11-22,microneedling,magnolia\n"
        "Row Three,2026-11-22,microneedling,harbourside\n"
        "Row Four,2026-11-22,microneedling,\n"
    )
    refused = csv_upload(client, body)
    assert refused.status_code == 403
    problem = "Row 3 is for a clinic your account does not cover, so nothing was made."
    assert problem in refused.text


def test_a_day_s_list_for_another_clinic_by_default_is_refused(desk: Desk) -> None:
    client = desk.signed_in("mags-lead")
    body = "patient,date,protocol\nRow Two,2026-11-22,microneedling\n"
    assert csv_upload(client, body, clinic="harbourside").status_code == 403


def test_a_day_s_list_of_their_own_clinic_is_checked(desk: Desk) -> None:
    client = desk.signed_in("mags-lead")
    body = "patient,date,protocol,clinic\nRow Two,2026-11-22,microneedling,magnolia\n"
    checked = csv_upload(client, body)
    assert checked.status_code == 303
    assert checked.headers["location"].startswith("/batch/")
    run = client.get(checked.headers["location"])
    assert run.status_code == 200


def test_another_clinic_s_list_cannot_be_opened_by_its_address(desk: Desk) -> None:
    desk.add("area", manager=True)
    body = "patient,date,protocol,clinic\nRow Two,2026-11-22,microneedling,harbourside\n"
    checked = csv_upload(desk.signed_in("area"), body)
    where = checked.headers["location"]
    lead = desk.signed_in("mags-lead")
    assert lead.get(where).status_code == 403
    assert lead.get(where + "/progress").status_code == 403
    token = token_of(lead, "/account")
    assert lead.post(where + "/run", data={"csrf_token": token}).status_code == 403
