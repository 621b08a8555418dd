"""What the handout form says when what was typed cannot make a handout (plain HTTP)."""

from __future__ import annotations

import html

from tests.web.server import Server, csrf_token


def post(server: Server, **fields: str) -> tuple[int, str]:
    client = server.signed_in()
    token = csrf_token(client.get("/").text)
    response = client.post("/handout", data={"csrf_token": token, **fields})
    return response.status_code, html.unescape(response.text)


def test_a_date_that_cannot_be_read_is_named(server: Server) -> None:
    status, page = post(server, protocol="micropenning", date="22/11/2026", action="download")
    assert status == 422
    assert "Nothing was made: Procedure date:" in page
    assert "22/11/2026" in page


def test_an_unknown_procedure_suggests_the_known_ones(server: Server) -> None:
    status, page = post(server, protocol="micropening", action="preview")
    assert status == 422
    assert "Unknown protocol 'micropening'. Did you mean 'micropenning'?" in page


def test_copies_out_of_range_are_refused_before_printing(server: Server) -> None:
    status, page = post(server, protocol="micropenning", copies="500", action="print")
    assert status == 422
    assert "Copies must be a whole number from 1 to 20." in page
