"""A handout's email: subject and bodies from the templates, as golden files."""

from __future__ import annotations

import pytest

from handouts.content.store import ContentStore
from handouts.deliver.channels import attachment_name, handout_message, print_title
from tests.support.dates import FIXED_DATE

CASES = [(c, p) for c in ("harbourside", "magnolia") for p in ("microneedling", "micropenning")]


@pytest.mark.parametrize(("clinic", "protocol"), CASES)
def test_golden_email(content: ContentStore, clinic: str, protocol: str, golden) -> None:
    from handouts.render.page import resolve_spec

    spec = resolve_spec(content, protocol, clinic, "Zoë O'Brien-Núñez", FIXED_DATE)
    message = handout_message(spec, "zoe@example.org", b"%PDF-1.7 test")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    golden(f"email/{clinic}-{protocol}.txt", f"Subject: {message['Subject']}\n\n{text}")
    golden(f"email/{clinic}-{protocol}.html", html)


def test_no_patient_name_in_what_other_systems_log(content: ContentStore) -> None:
    from handouts.render.page import resolve_spec

    spec = resolve_spec(content, "micropenning", "magnolia", "Quintessa Zelborne", FIXED_DATE)
    message = handout_message(spec, "q@example.org", b"%PDF-1.7 test")
    for seen_elsewhere in (message["Subject"], attachment_name(spec), print_title(spec)):
        assert "Quintessa" not in seen_elsewhere and "Zelborne" not in seen_elsewhere
    assert "Quintessa Zelborne" in message.get_body(("plain",)).get_content()


def test_a_combined_handout_emails_each_procedures_suggested_dates_named(
    content: ContentStore,
) -> None:
    from handouts.render.page import resolve_spec

    spec = resolve_spec(
        content, "microneedling", "harbourside", "A", FIXED_DATE, also=("micropenning",)
    )
    message = handout_message(spec, "a@example.org", b"%PDF-1.7 test")
    # Microneedling's course has no interval, so only micropenning's dates are suggested.
    lines = [
        "Micropenning: Treatment 2, suggested: Tuesday 22 December 2026",
        "Micropenning: Treatment 3, suggested: Friday 22 January 2027",
        "Micropenning: First maintenance, suggested: Thursday 22 July 2027",
    ]
    for body in (("plain",), ("html",)):
        content_text = message.get_body(body).get_content()
        assert all(line in content_text for line in lines), body
