"""Only what the clinic approved reaches a patient: drafts refused, sign-offs that lapse.

Sign-offs live in the data folder; each test has its own (HANDOUTS_DATA).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts import service
from handouts.cli import main
from handouts.content.approval import (
    DraftRefused,
    approval_of,
    sign_off,
    signoff_file,
)
from handouts.content.listing import list_content
from handouts.content.store import ContentStore
from handouts.errors import InputError
from handouts.validate import validate_root
from tests.pdfcheck import pdf_text

DAY = dt.date(2026, 11, 23)
BOTOX = "botulinum-toxin"  # a starter draft


@pytest.fixture(autouse=True)
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("HANDOUTS_DATA", str(folder))
    return folder


def named(protocol: str, **extra: object) -> service.HandoutRequest:
    return service.HandoutRequest(
        protocol,
        "harbourside",
        "Ana Silva",
        DAY,
        **extra,  # type: ignore[arg-type]
    )


def test_a_draft_is_refused_for_a_patient_until_a_clinician_signs_it_off(
    content_copy: ContentStore, data: Path
) -> None:
    with pytest.raises(DraftRefused, match="'botulinum-toxin' is a draft not yet signed off"):
        service.make_handout(content_copy, named(BOTOX))
    record = service.sign_off(content_copy, BOTOX, "Dr Ana Ruiz", today=DAY)
    assert (record.protocol, record.language, record.signed_on) == (BOTOX, "en", DAY)
    made = service.make_handout(content_copy, named(BOTOX))
    text = pdf_text(made.data)
    assert "Ana Silva" in text and "Draft: not yet reviewed" not in text
    # Kept per content root in the data folder, owner-only like everything there.
    stored = signoff_file(content_copy.root)
    assert stored.parent.parent == data and stored.stat().st_mode & 0o777 == 0o600
    assert json.loads(stored.read_text())["signoffs"][0]["clinician"] == "Dr Ana Ruiz"


def test_a_sign_off_lapses_when_the_file_changes(content_copy: ContentStore) -> None:
    sign_off(content_copy, BOTOX, "Dr Ana Ruiz", today=DAY)
    assert approval_of(content_copy, BOTOX).approved
    path = content_copy.protocol_path(BOTOX)
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    fresh = ContentStore(content_copy.root)
    approval = approval_of(fresh, BOTOX)
    assert not approval.approved and approval.lapsed is not None
    assert approval.status == "draft (sign-off lapsed)"
    with pytest.raises(DraftRefused, match="the sign-off by Dr Ana Ruiz lapsed"):
        service.make_handout(fresh, named(BOTOX))


def test_blank_handouts_and_allowed_runs_are_made_with_the_draft_mark(
    content: ContentStore,
) -> None:
    blank = service.make_handout(content, service.HandoutRequest(BOTOX, "harbourside"))
    assert "Draft: not yet reviewed" in pdf_text(blank.data)
    allowed = service.make_handout(content, named(BOTOX, allow_draft=True))
    assert "Draft: not yet reviewed" in pdf_text(allowed.data)


def test_a_clinic_that_allows_drafts(content_copy: ContentStore) -> None:
    clinic = content_copy.branding_dir / "harbourside" / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "allow_drafts: true\n", "utf-8")
    made = service.make_handout(ContentStore(content_copy.root), named(BOTOX))
    assert made.pages


def test_a_translation_is_signed_off_on_its_own(content_copy: ContentStore) -> None:
    spanish = named("micropenning", language="es")
    with pytest.raises(DraftRefused, match="the es translation of 'micropenning'"):
        service.make_handout(content_copy, spanish)
    sign_off(content_copy, "micropenning", "Dr Ana Ruiz", language="es", today=DAY)
    assert service.make_handout(content_copy, spanish).pages
    assert not approval_of(content_copy, "micropenning").draft  # the English is reviewed


def test_a_batch_row_of_a_draft_fails_naming_the_way_out(
    content: ContentStore, tmp_path: Path
) -> None:
    export = tmp_path / "day.csv"
    export.write_text("Client,Date,Service\nAna Silva,2026-11-23,Botox\n", encoding="utf-8")
    plan = service.plan_batch(content, service.BatchRequest(export))
    (bad,) = plan.bad_rows
    assert "handouts signoff botulinum-toxin --clinician NAME" in bad.reason
    allowed = service.plan_batch(content, service.BatchRequest(export, allow_draft=True))
    assert [(job.request.protocol, job.draft) for job in allowed.planned] == [(BOTOX, True)]


def test_the_cli_signs_off_and_list_and_validate_show_it(content_copy: ContentStore) -> None:
    root = str(content_copy.root)
    refused = CliRunner().invoke(
        main, ["--root", root, "handout", BOTOX, "--patient", "Ana Silva", "-o", "x.pdf"]
    )
    assert refused.exit_code == 1 and "--allow-draft" in refused.output
    signed = CliRunner().invoke(
        main, ["--root", root, "signoff", "Botox", "--clinician", "Dr Ana Ruiz"]
    )
    assert signed.exit_code == 0, signed.output
    assert signed.output.startswith("botulinum-toxin [en]: signed off by Dr Ana Ruiz on ")
    listed = CliRunner().invoke(main, ["--root", root, "list"])
    assert "en: signed off by Dr Ana Ruiz" in listed.output
    assert "es: DRAFT, not signed off by a clinician" in listed.output
    shown = CliRunner().invoke(main, ["--root", root, "validate"])
    assert "botulinum-toxin      en    signed off by Dr Ana Ruiz" in shown.output
    protocols = {p.id: p for p in list_content(content_copy).protocols}
    assert not protocols[BOTOX].draft and protocols["dermal-fillers"].draft
    empty = CliRunner().invoke(main, ["--root", root, "signoff", BOTOX, "--clinician", " "])
    assert empty.exit_code == 1 and "give the name of the clinician" in empty.output


def test_a_damaged_record_is_named_not_ignored(content_copy: ContentStore) -> None:
    stored = signoff_file(content_copy.root)
    stored.parent.mkdir(parents=True)
    stored.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="the record of sign-offs cannot be read"):
        approval_of(content_copy, BOTOX)
    assert any("sign-offs cannot be read" in p for p in validate_root(content_copy).problems)


# --- one language per page ---


def without_spanish_wording(content: ContentStore) -> ContentStore:
    clinic = content.branding_dir / "harbourside" / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    clinic.write_text(text[: text.index("# The clinic's own words on Spanish")], "utf-8")
    return ContentStore(content.root)


def test_a_spanish_handout_needs_the_clinics_spanish_words(content_copy: ContentStore) -> None:
    store = without_spanish_wording(content_copy)
    blank = service.HandoutRequest("micropenning", "harbourside", language="es")
    with pytest.raises(InputError, match="add after_hours, footer under 'languages: es:'"):
        service.make_handout(store, blank)
    report = validate_root(store)
    (warning,) = [w for w in report.warnings if "languages: es" in w]
    assert warning.startswith(str(store.branding_dir / "harbourside" / "clinic.yaml"))
    strict = CliRunner().invoke(main, ["--root", str(store.root), "validate", "--strict"])
    assert strict.exit_code == 1
    # The English handout, and the other clinic's Spanish one, are unaffected.
    assert service.make_handout(store, service.HandoutRequest("micropenning", "harbourside"))
    assert service.make_handout(
        store, service.HandoutRequest("micropenning", "magnolia", language="es")
    )


def test_a_batch_row_in_spanish_for_that_clinic_fails_alone(content_copy: ContentStore) -> None:
    store = without_spanish_wording(content_copy)
    export = store.root / "day.csv"
    export.write_text(
        "Client,Date,Service,Language\nAna Silva,2026-11-23,Micropenning,es\n"
        "Bo Chen,2026-11-23,Micropenning,\n",
        encoding="utf-8",
    )
    plan = service.plan_batch(store, service.BatchRequest(export, allow_draft=True))
    assert [job.row for job in plan.planned] == [3]
    assert [bad.reason.split(";")[0] for bad in plan.bad_rows] == [
        "language: the clinic 'harbourside' has no 'es' wording for the after-hours line and "
        "the footer, so the page would mix languages"
    ]


def test_validate_warns_about_a_font_neither_installed_nor_shipped(
    content_copy: ContentStore,
) -> None:
    clinic = content_copy.branding_dir / "magnolia" / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    start, end = text.index("font:\n"), text.index("  size_pt")
    clinic.write_text(text[:start] + "font:\n  family: Nowhere Grotesk\n" + text[end:], "utf-8")
    report = validate_root(ContentStore(content_copy.root))
    assert any("font.family 'Nowhere Grotesk' is not installed" in w for w in report.warnings)
    clinic.write_text(text[:start] + "font:\n  family: DejaVu Sans\n" + text[end:], "utf-8")
    report = validate_root(ContentStore(content_copy.root))
    assert not any("is not installed" in w for w in report.warnings)


def test_a_combined_handout_shows_a_sign_off_only_when_every_procedure_has_one(
    content_copy: ContentStore,
) -> None:
    # Botox signed off, dermal fillers still a draft (made with leave): one draft
    # on the page keeps the draft mark, whoever signed the other procedure.
    sign_off(content_copy, BOTOX, "Dr Ana Ruiz", today=DAY)
    store = ContentStore(content_copy.root)
    mixed = service.make_handout(store, named(BOTOX, also=("dermal-fillers",), allow_draft=True))
    assert "Draft: not yet reviewed" in pdf_text(mixed.data)

    sign_off(content_copy, "dermal-fillers", "Dr Ana Ruiz", today=DAY)
    both = service.make_handout(
        ContentStore(content_copy.root), named(BOTOX, also=("dermal-fillers",))
    )
    assert "Draft: not yet reviewed" not in pdf_text(both.data)
