"""Errors staff can fix get a plain page and its status; a broken clinic breaks itself only."""

from __future__ import annotations

from collections.abc import Iterator

import jinja2
import pytest
from starlette.testclient import TestClient

from handouts.errors import ContentError, DeliveryError, InputError, NotFound
from handouts.web.problems import describe
from tests.support.content import copy_content
from tests.web.desk_app import running, sign_in
from tools.live_server import MANAGER

BROKEN_YAML = "name: [Magnolia\nphone: 555\n"  # an unclosed list on line 1


@pytest.fixture(scope="module")
def broken_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = copy_content(tmp_path_factory.mktemp("content"))
    (root / "branding" / "magnolia" / "clinic.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    with running(root, tmp_path_factory.mktemp("data")) as client:
        yield client


def test_the_front_page_offers_the_clinics_that_load_and_names_the_broken_one(
    broken_clinic: TestClient,
) -> None:
    sign_in(broken_clinic)
    response = broken_clinic.get("/")
    assert response.status_code == 200
    assert 'value="harbourside"' in response.text
    assert 'value="magnolia"' not in response.text  # not offered...
    assert "Clinic <strong>magnolia</strong>" in response.text  # ...but named, with its file
    assert "magnolia/clinic.yaml:2:6: YAML syntax" in response.text


def test_the_other_clinic_still_makes_its_handout(broken_clinic: TestClient) -> None:
    token = sign_in(broken_clinic)
    form = {"csrf_token": token, "clinic": "harbourside", "protocol": "microneedling"}
    response = broken_clinic.post("/handout", data={**form, "action": "download"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_broken_clinic_says_why_it_cannot_be_used(broken_clinic: TestClient) -> None:
    token = sign_in(broken_clinic)
    form = {"csrf_token": token, "clinic": "magnolia", "protocol": "microneedling"}
    response = broken_clinic.post("/handout", data={**form, "action": "download"})
    assert response.status_code == 422
    assert "magnolia/clinic.yaml:2:6: YAML syntax" in response.text
    assert "Something went wrong" not in response.text


def test_the_days_list_page_keeps_working(broken_clinic: TestClient) -> None:
    sign_in(broken_clinic, MANAGER)
    response = broken_clinic.get("/batch")
    assert response.status_code == 200
    assert 'value="harbourside"' in response.text
    assert "Clinic <strong>magnolia</strong>" in response.text


@pytest.fixture(scope="module")
def broken_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = copy_content(tmp_path_factory.mktemp("content"), templates=True)
    footer = root / "templates" / "partials" / "footer.html"
    footer.write_text("<footer>\n{% if clinic.footer %}\n</footer>\n", encoding="utf-8")
    with running(root, tmp_path_factory.mktemp("data")) as client:
        yield client


def test_a_broken_template_gives_a_page_naming_its_line_not_a_bare_500(
    broken_template: TestClient,
) -> None:
    token = sign_in(broken_template)
    form = {"csrf_token": token, "protocol": "microneedling", "action": "download"}
    response = broken_template.post("/handout", data=form)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>A handout template has a problem</h1>" in response.text
    assert "footer.html:" in response.text
    assert "Something went wrong on the server" not in response.text


def test_a_broken_template_in_the_live_preview_gives_the_preview_fragment(
    broken_template: TestClient,
) -> None:
    token = sign_in(broken_template)
    response = broken_template.post(
        "/preview",
        data={"csrf_token": token, "protocol": "microneedling"},
        headers={"x-requested-with": "preview"},
    )
    assert response.status_code == 500
    assert "<html" not in response.text  # a fragment for the preview area
    assert "No preview:" in response.text
    assert "footer.html:" in response.text


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("no such protocol"), 404),
        (InputError("bad date"), 422),
        (ContentError(["a.yaml:1:1: x: bad"]), 500),
        (jinja2.TemplateSyntaxError("unexpected end", 3, "footer.html"), 500),
        (DeliveryError("printer off"), 502),
        (OSError(28, "No space left on device"), 503),
    ],
)
def test_each_kind_of_error_has_its_status(error: Exception, status: int) -> None:
    assert describe(error)[0] == status


def test_a_template_error_logs_its_type_but_not_the_patient(
    broken_template: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = sign_in(broken_template)
    patient = "Zebedee Quarrington"
    form = {"csrf_token": token, "protocol": "microneedling", "patient": patient}
    broken_template.post("/handout", data={**form, "action": "download"})
    assert "TemplateSyntaxError" in caplog.text
    assert patient not in caplog.text
