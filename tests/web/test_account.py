"""Your own password, and the managers' Users page: every refusal, in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.web.sessions import COOKIE
from tests.web.inprocess import PASSWORD, Desk, cookie_of, make_desk, sign_in, token_of

STAFF, MANAGER = "frontdesk", "boss2"
CHAIN_MANAGER = "area"  # a manager of every clinic
MAGNOLIA_MANAGER = "magnolia-lead"  # a manager limited to one clinic
MAGNOLIA = frozenset({"magnolia"})


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    desk = make_desk(tmp_path)
    desk.add(STAFF)
    desk.add(CHAIN_MANAGER, manager=True)
    desk.add(MAGNOLIA_MANAGER, manager=True, clinics=MAGNOLIA)
    desk.add("mags", clinics=MAGNOLIA)
    return desk


def alive(desk: Desk, cookie: str) -> bool:
    fresh = desk.client()
    fresh.cookies.set(COOKIE, cookie)
    return bool(fresh.get("/account").status_code == 200)


def test_changing_your_password_ends_every_session_yours_too(desk: Desk) -> None:
    client, other = desk.signed_in(STAFF), desk.signed_in(STAFF)
    token = token_of(client, "/account")
    form = {
        "csrf_token": token,
        "current_password": PASSWORD,
        "new_password": "a-brand-new-one",
        "new_password_again": "a-brand-new-one",
    }
    changed = client.post("/account/password", data=form)
    assert changed.status_code == 303
    assert changed.headers["location"] == "/signin?changed=1"
    assert not alive(desk, cookie_of(other))
    assert client.get("/account").status_code == 303  # this browser too
    page = client.get("/signin?changed=1")
    assert "Your password is changed. Sign in with the new one." in page.text
    assert sign_in(desk.client(), STAFF, PASSWORD).status_code == 401
    desk.signed_in(STAFF, "a-brand-new-one")


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("not-my-password", "a-brand-new-one", "a-brand-new-one", "current password is not right"),
        (PASSWORD, "a-brand-new-one", "a-brand-new-two", "The two new passwords differ."),
        (PASSWORD, "short", "short", "at least 10 characters"),
    ],
)
def test_a_password_change_that_cannot_be_made_says_why_and_keeps_the_session(
    desk: Desk, current: str, new: str, again: str, message: str
) -> None:
    client = desk.signed_in(STAFF)
    form = {
        "csrf_token": token_of(client, "/account"),
        "current_password": current,
        "new_password": new,
        "new_password_again": again,
    }
    refused = client.post("/account/password", data=form)
    assert refused.status_code == 422
    assert message in refused.text
    assert alive(desk, cookie_of(client))
    desk.signed_in(STAFF)  # the old password still works


def test_a_password_change_without_the_form_s_token_is_refused(desk: Desk) -> None:
    client = desk.signed_in(STAFF)
    form = {
        "current_password": PASSWORD,
        "new_password": "a-brand-new-one",
        "new_password_again": "a-brand-new-one",
    }
    assert client.post("/account/password", data=form).status_code == 403
    desk.signed_in(STAFF)


def test_staff_cannot_open_the_users_page(desk: Desk) -> None:
    client = desk.signed_in(STAFF)
    assert client.get("/users").status_code == 403
    token = token_of(client, "/account")
    form = {"csrf_token": token, "password": "x" * 12, "password_again": "x" * 12}
    assert client.post(f"/users/{CHAIN_MANAGER}/password", data=form).status_code == 403


def test_a_manager_adds_a_user_for_one_clinic(desk: Desk) -> None:
    client = desk.signed_in(CHAIN_MANAGER)
    form = {
        "csrf_token": token_of(client, "/users"),
        "name": "reception2",
        "password": "reception-pass",
        "password_again": "reception-pass",
        "role": "staff",
        "clinic": "magnolia",
    }
    added = client.post("/users", data=form)
    assert added.status_code == 200
    assert "Added reception2." in added.text
    user = desk.web.users.get("reception2")
    assert user is not None and user.clinics == MAGNOLIA and not user.is_manager
    desk.signed_in("reception2", "reception-pass")


def test_a_manager_s_reset_and_removal_end_the_staff_member_s_sessions_at_once(
    desk: Desk,
) -> None:
    staff = cookie_of(desk.signed_in(STAFF))
    manager = desk.signed_in(CHAIN_MANAGER)
    token = token_of(manager, "/users")
    form = {"csrf_token": token, "password": "reset-by-boss", "password_again": "reset-by-boss"}
    reset = manager.post(f"/users/{STAFF}/password", data=form)
    assert reset.status_code == 200
    assert f"New password set for {STAFF}; they were signed out everywhere." in reset.text
    assert not alive(desk, staff)
    again = cookie_of(desk.signed_in(STAFF, "reset-by-boss"))
    removed = manager.post(f"/users/{STAFF}/remove", data={"csrf_token": token})
    assert removed.status_code == 200 and f"Removed {STAFF}" in removed.text
    assert not alive(desk, again)
    assert desk.web.users.get(STAFF) is None


def test_a_manager_limited_to_a_clinic_manages_only_its_staff(desk: Desk) -> None:
    client = desk.signed_in(MAGNOLIA_MANAGER)
    page = client.get("/users")
    assert page.status_code == 200
    assert "mags" in page.text
    assert f">{STAFF}<" not in page.text and f">{CHAIN_MANAGER}<" not in page.text
    assert 'value="harbourside"' not in page.text  # only their clinics to give
    assert "Every clinic</label>" not in page.text
    token = token_of(client, "/users")
    reset = {"csrf_token": token, "password": "reset-by-lead", "password_again": "reset-by-lead"}
    for person in (STAFF, CHAIN_MANAGER, MAGNOLIA_MANAGER):  # every clinic's, a manager, self
        assert client.post(f"/users/{person}/password", data=reset).status_code == 403
        assert client.post(f"/users/{person}/remove", data={"csrf_token": token}).status_code == 403
    assert client.post("/users/mags/password", data=reset).status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"clinic": "harbourside"}, 403, "Not one of your clinics"),
        ({"all_clinics": "1"}, 422, "Tick at least one clinic"),  # not theirs to give
        ({"clinic": "magnolia", "role": "manager"}, 422, "Only a manager of every clinic"),
    ],
)
def test_a_limited_manager_cannot_give_more_than_they_have(
    desk: Desk, form: dict[str, str], status: int, message: str
) -> None:
    client = desk.signed_in(MAGNOLIA_MANAGER)
    token = token_of(client, "/users")
    posted = {"csrf_token": token, "name": "newbie", "password": "x" * 12, **form}
    posted["password_again"] = posted["password"]
    refused = client.post("/users", data=posted)
    assert refused.status_code == status
    assert message in refused.text
    assert desk.web.users.get("newbie") is None
    limit = client.post("/users/mags/clinics", data={"csrf_token": token, "clinic": "harbourside"})
    assert limit.status_code == 403
    mags = desk.web.users.get("mags")
    assert mags is not None and mags.clinics == MAGNOLIA


def test_a_manager_of_every_clinic_limits_and_frees_a_user(desk: Desk) -> None:
    client = desk.signed_in(CHAIN_MANAGER)
    token = token_of(client, "/users")
    limited = client.post(
        f"/users/{STAFF}/clinics", data={"csrf_token": token, "clinic": "magnolia"}
    )
    assert limited.status_code == 200
    user = desk.web.users.get(STAFF)
    assert user is not None and user.clinics == MAGNOLIA
    freed = client.post(f"/users/{STAFF}/clinics", data={"csrf_token": token, "all_clinics": "1"})
    assert freed.status_code == 200
    user = desk.web.users.get(STAFF)
    assert user is not None and user.clinics is None
    both = {"csrf_token": token, "all_clinics": "1", "clinic": "magnolia"}
    unclear = client.post(f"/users/{STAFF}/clinics", data=both)
    assert unclear.status_code == 422
    assert "Tick either Every clinic or some clinics, not both" in unclear.text
    none_ticked = client.post(f"/users/{STAFF}/clinics", data={"csrf_token": token})
    assert none_ticked.status_code == 422 and "Tick at least one clinic" in none_ticked.text
    user = desk.web.users.get(STAFF)
    assert user is not None and user.clinics is None
    nobody = client.post("/users/nobody/remove", data={"csrf_token": token})
    assert nobody.status_code == 404
