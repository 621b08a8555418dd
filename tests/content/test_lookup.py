"""Clinics and protocols found by the names people use for them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handouts.content.bundled import BUNDLED_ROOT as PROJECT_ROOT
from handouts.content.lookup import Ambiguous, Known, find, name_key, without_qualifier
from handouts.content.store import ContentStore
from handouts.errors import NotFound
from handouts.validate import validate_root
from tests.support.content import add_alias, line_of

NAMES = [
    ("magnolia", "magnolia"),
    ("Magnolia Dermatology & Laser", "magnolia"),
    ("MAGNOLIA DERMATOLOGY & LASER", "magnolia"),
    ("magnolia dermatology and laser", "magnolia"),
    ("Magnolia Dermatology", "magnolia"),  # an alias
    ("Harbourside", "harbourside"),
    ("HARBOURSIDE", "harbourside"),
    ("harbourside skin clinic", "harbourside"),
]


@pytest.mark.parametrize(("name", "ident"), NAMES)
def test_clinics_by_id_name_or_alias(content: ContentStore, name: str, ident: str) -> None:
    assert content.clinic_id_for(name) == ident
    assert content.clinic(name).id == ident


@pytest.mark.parametrize(
    ("name", "ident"),
    [
        ("Micro-Needling", "microneedling"),  # the procedure, and the id without punctuation
        ("micro needling aftercare", "microneedling"),  # the title
        ("Collagen Induction Therapy", "microneedling"),  # an alias
        ("micropenning", "micropenning"),
        ("MICRO-PEN", "micropenning"),
    ],
)
def test_protocols_by_id_title_procedure_or_alias(
    content: ContentStore, name: str, ident: str
) -> None:
    assert content.protocol_id_for(name) == ident
    assert content.protocol(name).id == ident


def test_unknown_names_suggest_the_closest(content: ContentStore) -> None:
    with pytest.raises(
        NotFound, match=re.escape("Unknown clinic 'Magnolya'. Did you mean 'magnolia'?")
    ):
        content.clinic_id_for("Magnolya")


def test_a_name_two_things_answer_to_is_refused_naming_both() -> None:
    known = [
        Known("peel-light", "Light peel aftercare", ("peel-light", "Chemical peel")),
        Known("peel-deep", "Deep peel aftercare", ("peel-deep", "Chemical Peel")),
    ]
    with pytest.raises(Ambiguous) as refused:
        find("chemical-peel", known, "protocol")
    message = str(refused.value)
    assert "'peel-light' (Light peel aftercare)" in message
    assert "'peel-deep' (Deep peel aftercare)" in message
    # An exact id is never ambiguous.
    assert find("peel-deep", known, "protocol") == "peel-deep"


@given(st.text(min_size=1, max_size=30))
def test_case_spacing_and_punctuation_never_matter(name: str) -> None:
    shouted = f"  {name.upper()} -- ".replace(" ", "  ")
    assert name_key(shouted) == name_key(name.upper())
    assert name_key(name.casefold()) == name_key(name.upper().casefold())


@given(
    st.sampled_from([n for n, i in NAMES if n != "Magnolia Dermatology"]),
    st.sampled_from(["", " ", ".", "-", "  ", "!"]),
)
def test_any_spelling_of_a_known_name_finds_it(name: str, noise: str) -> None:
    known = [
        Known(
            "magnolia", "Magnolia Dermatology & Laser", ("magnolia", "Magnolia Dermatology & Laser")
        ),
        Known("harbourside", "Harbourside Skin Clinic", ("harbourside", "Harbourside Skin Clinic")),
    ]
    spelled = noise.join(name.swapcase().split(" "))
    assert find(spelled, known, "clinic") == dict(NAMES)[name]


def test_validate_refuses_an_alias_used_twice(content_copy: ContentStore) -> None:
    penning = content_copy.protocols_dir / "micropenning.yaml"
    text = penning.read_text(encoding="utf-8")
    penning.write_text(
        text.replace(
            "aliases: [Micro-pen, Pen microneedling]",
            "aliases:\n  - Micro-pen\n  - micro NEEDLING aftercare\n  - micro pen\n",
        ),
        encoding="utf-8",
    )
    clinic = content_copy.branding_dir / "harbourside" / "clinic.yaml"
    clinic.write_text(
        clinic.read_text(encoding="utf-8").replace(
            "aliases: [Harbourside Skin]", "aliases: [Magnolia Dermatology & Laser]"
        ),
        encoding="utf-8",
    )
    problems = validate_root(content_copy).problems
    line = line_of(penning, "NEEDLING")
    assert (
        f"{penning}:{line}:5: aliases[1]: 'micro NEEDLING aftercare' is the id, title or "
        "procedure of the protocol 'microneedling', so it leads to that protocol alone; a name "
        "must lead to one place"
    ) in problems
    assert f"{penning}:{line + 1}:5: aliases[2]: 'micro pen' is listed twice" in problems
    assert any(
        p.startswith(f"{clinic}:") and "is the id or name of the clinic 'magnolia'" in p
        for p in problems
    )
    assert len(problems) == 3, problems


def test_clinics_may_not_share_an_alias(content_copy: ContentStore) -> None:
    for clinic_id in ("harbourside", "magnolia"):
        clinic = content_copy.branding_dir / clinic_id / "clinic.yaml"
        text = clinic.read_text(encoding="utf-8")
        clinic.write_text(text.replace("aliases: [", "aliases: [Our Clinic, "), encoding="utf-8")
    problems = validate_root(content_copy).problems
    assert any(
        "aliases[0]: 'Our Clinic' also names the clinic 'magnolia'; a name must lead to one place"
        in p
        for p in problems
    ), problems
    with pytest.raises(Ambiguous, match="could be the clinic 'harbourside'"):
        content_copy.clinic_id_for("our clinic")


def test_an_alias_several_protocols_list_names_them_together(content_copy: ContentStore) -> None:
    add_alias(
        content_copy.protocols_dir, "Microneedling with PRP", "microneedling", "prp-injections"
    )
    assert validate_root(content_copy).problems == []
    for service in ("MICRONEEDLING WITH PRP", "Microneedling with PRP - Face"):
        assert content_copy.protocol_ids_for(service) == ("microneedling", "prp-injections")
    # Each protocol's own names still lead to it alone.
    assert content_copy.protocol_ids_for("PRP") == ("prp-injections",)
    assert content_copy.protocol_ids_for("microneedling") == ("microneedling",)
    # Where one protocol is asked for, the shared name is refused, naming both.
    with pytest.raises(Ambiguous) as refused:
        content_copy.protocol_id_for("Microneedling with PRP")
    assert "'microneedling' (Micro-Needling aftercare)" in str(refused.value)
    assert "'prp-injections' (PRP injection care)" in str(refused.value)


def test_protocols_named_together_must_share_a_language(content_copy: ContentStore) -> None:
    add_alias(
        content_copy.protocols_dir, "Microneedling with PRP", "microneedling", "prp-injections"
    )
    prp = content_copy.protocols_dir / "prp-injections.yaml"
    prp.write_text(
        prp.read_text(encoding="utf-8").replace("\nlanguage: en\n", "\nlanguage: fr\n"),
        encoding="utf-8",
    )
    problems = validate_root(content_copy).problems
    line = line_of(prp, "with PRP")
    assert (
        f"{prp}:{line}:11: aliases[0]: 'Microneedling with PRP' names this protocol ('fr') "
        "together with 'microneedling' ('en'), for one handout of both; protocols named "
        "together must be written in one language"
    ) in problems, problems


def test_a_store_refuses_a_title_two_protocols_share(content_copy: ContentStore) -> None:
    original = content_copy.protocols_dir / "microneedling.yaml"
    copy = content_copy.protocols_dir / "microneedling-body.yaml"
    copy.write_text(
        original.read_text(encoding="utf-8").replace("aliases: [Collagen Induction Therapy]", ""),
        encoding="utf-8",
    )
    with pytest.raises(Ambiguous) as refused:
        content_copy.protocol("Micro-Needling aftercare")
    assert "'microneedling' (Micro-Needling aftercare)" in str(refused.value)
    assert "'microneedling-body' (Micro-Needling aftercare)" in str(refused.value)
    assert content_copy.protocol("microneedling-body").id == "microneedling-body"


@pytest.mark.parametrize(
    ("service", "protocol"),
    [
        ("Botox", "botulinum-toxin"),
        ("BOTOX - Forehead", "botulinum-toxin"),
        ("Botox (20 units)", "botulinum-toxin"),
        ("Dermal Fillers", "dermal-fillers"),
        ("PRP", "prp-injections"),
        ("IPL Photofacial", "ipl-photofacial"),
        ("Micro-Needling", "microneedling"),
        ("Pen microneedling", "micropenning"),
    ],
)
def test_names_as_booking_systems_spell_them(service: str, protocol: str) -> None:
    assert ContentStore(PROJECT_ROOT).protocol_id_for(service) == protocol


def test_a_qualifier_never_turns_an_unknown_service_into_a_guess() -> None:
    with pytest.raises(NotFound):
        ContentStore(PROJECT_ROOT).protocol_id_for("Consultation - Botox")
    assert without_qualifier("Botox - Forehead") == "Botox"
    assert without_qualifier("(none)") == "(none)"
