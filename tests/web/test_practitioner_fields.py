"""The form's "For this patient" fields: a second procedure, a variant, the practitioner's words."""

from __future__ import annotations

import html

from tests.pdfcheck import pdf_text
from tools.live_server import Server, csrf_token


def test_the_form_offers_a_second_procedure_and_the_variants_there_are(server: Server) -> None:
    page = html.unescape(server.signed_in().get("/").text)
    assert '<label for="also">Second procedure</label>' in page
    assert '<label for="variant">Variant</label>' in page
    assert '<optgroup label="Laser hair removal care">' in page
    assert '<option value="underarms">Underarms</option>' in page
    for field in ("practitioner", "areas", "note", "spans"):
        assert f'name="{field}"' in page


def test_one_handout_for_two_procedures_with_the_practitioners_words(server: Server) -> None:
    client = server.signed_in()
    token = csrf_token(client.get("/").text)
    made = client.post(
        "/handout",
        data={
            "csrf_token": token,
            "clinic": "harbourside",
            "protocol": "microneedling",
            "also": "prp-injections",
            # No patient name: the starter protocols are unsigned drafts, which the
            # desk gives only as blank handouts.
            "date": "2026-12-30",
            "time": "15:30",
            "practitioner": "Dr Rao",
            "areas": "Face",
            "note": "Call me on Friday.",
            "spans": "heat=72h",
            "action": "download",
        },
    )
    assert made.status_code == 200, made.text[:500]
    text = pdf_text(made.content)
    assert "Micro-Needling aftercare and PRP injection care" in text
    assert "From your practitioner Call me on Friday. Dr Rao" in text
    assert "(set for you by your practitioner: 72 hours instead of 24 hours)" in text


def test_a_bad_span_or_variant_is_named_and_nothing_is_made(server: Server) -> None:
    client = server.signed_in()
    token = csrf_token(client.get("/").text)
    base = {"csrf_token": token, "protocol": "laser-hair-removal", "action": "download"}
    bad_span = client.post("/handout", data={**base, "spans": "heat=soon"})
    assert bad_span.status_code == 422
    assert "Changed spans: &#39;soon&#39; is not a span" in bad_span.text
    bad_variant = client.post("/handout", data={**base, "variant": "lips"})
    assert bad_variant.status_code == 422
    assert "has no variant" in html.unescape(bad_variant.text)
