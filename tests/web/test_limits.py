"""Bounded work per request, in process: fields over their limits never reach a renderer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from handouts.inputs import limits
from handouts.web.app import WebSettings, create_app
from handouts.web.routes.waiting import PreviewDropped, unless_client_leaves
from tests.support.loop import run_alone
from tools.live_server import MANAGER, PASSWORD, STAFF, add_user, csrf_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("limits") / "data"
    add_user(data, STAFF)
    # Without ``with``, the app's start-up does not run: no renderer exists,
    # so anything that got past the limits would fail loudly instead.
    client = TestClient(create_app(WebSettings(ROOT, data, workers=1)))
    token = csrf_token(client.get("/signin").text)
    signed = client.post(
        "/signin",
        data={"csrf_token": token, "name": STAFF, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    yield client


def _post(client: TestClient, path: str, **fields: str) -> tuple[int, str]:
    token = csrf_token(client.get("/").text)
    response = client.post(path, data={"csrf_token": token, "protocol": "micropenning", **fields})
    return response.status_code, response.text


@pytest.mark.parametrize("path", ["/preview", "/handout"])
def test_a_long_cjk_name_is_refused_before_rendering(client: TestClient, path: str) -> None:
    status, text = _post(client, path, patient="张" * 5000, action="preview")
    assert status == 422
    assert "The patient's name is 5000 characters long; at most 200 are allowed." in text
    assert "张张" not in text  # the name itself is never echoed


def test_every_field_has_a_limit(client: TestClient) -> None:
    status, text = _post(client, "/preview", email="a" * 250 + "@example.org")
    assert (status, "at most 254" in text) == (422, True)
    status, text = _post(client, "/preview", printer="p" * (limits.TEXT + 1))
    assert (status, "'printer'" in text) == (422, True)
    status, text = _post(client, "/preview", anything="x" * (limits.TEXT + 1))
    assert status == 422


def test_the_page_states_the_limits(client: TestClient) -> None:
    page = client.get("/").text
    assert f'maxlength="{limits.NAME}"' in page
    assert f'maxlength="{limits.EMAIL}"' in page


def test_a_client_that_leaves_cancels_its_waiting_preview() -> None:
    queued: Future[list[bytes]] = Future()  # no worker ever takes it: it waits
    messages = [{"type": "http.disconnect"}]

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(PreviewDropped, match="closed before"):
        run_alone(unless_client_leaves(request, queued))
    assert queued.cancelled()


def test_a_preview_replaced_by_a_newer_one_says_so() -> None:
    queued: Future[list[bytes]] = Future()

    async def receive() -> dict[str, object]:
        await asyncio.Event().wait()  # the client stays
        return {}

    async def wait_and_replace() -> list[bytes]:
        waiting = asyncio.ensure_future(
            unless_client_leaves(Request({"type": "http"}, receive), queued)
        )
        await asyncio.sleep(0)
        queued.cancel()  # what the pool does when the same session asks again
        return await waiting

    with pytest.raises(PreviewDropped, match="newer preview"):
        run_alone(wait_and_replace())


def test_a_huge_record_number_is_not_found(client: TestClient) -> None:
    token = csrf_token(client.get("/").text)
    number = "99999999999999999999999"
    response = client.post(f"/history/handouts/{number}/again", data={"csrf_token": token})
    assert response.status_code == 404
    assert client.get(f"/history/handouts/{number}").status_code == 404


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data = tmp_path_factory.mktemp("tls") / "data"
    tls = TestClient(create_app(WebSettings(ROOT, data, workers=1)), base_url="https://desk")
    response = tls.get("/signin")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookies = response.headers.get_list("set-cookie")
    assert cookies and all("secure" in cookie.lower() for cookie in cookies)
    plain = TestClient(create_app(WebSettings(ROOT, data, workers=1))).get("/signin")
    assert "strict-transport-security" not in plain.headers


def test_an_upload_error_names_the_uploaded_file_and_keeps_no_copy(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data = tmp_path_factory.mktemp("upload") / "data"
    add_user(data, MANAGER, manager=True)
    client = TestClient(create_app(WebSettings(ROOT, data, workers=1)))
    token = csrf_token(client.get("/signin").text)
    client.post(
        "/signin",
        data={"csrf_token": token, "name": MANAGER, "password": PASSWORD},
        follow_redirects=False,
    )
    token = csrf_token(client.get("/batch").text)
    answer = client.post(
        "/batch",
        data={"csrf_token": token},
        files={"csv": ("monday.csv", b"colour,shape\nred,round\n", "text/csv")},
    )
    assert answer.status_code == 422
    assert "monday.csv" in answer.text
    assert "uploads/" not in answer.text
    assert not list((data / "uploads").glob("*"))
