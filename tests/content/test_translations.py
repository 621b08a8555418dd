"""Protocol translations: found beside their protocol, never drifting from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.content.store import CachedContentStore, ContentStore
from handouts.errors import ContentError, NotFound
from handouts.validate import validate_root
from tests.seed_instructions import SEEDS
from tests.support.content import line_of


def test_translations_are_not_protocols_of_their_own(content: ContentStore) -> None:
    ids = content.protocol_ids()
    assert "micropenning" in ids and not [i for i in ids if "." in i]
    assert content.protocol_languages("micropenning") == ["en", "es"]
    assert set(content.translation_paths("microneedling")) == {"es"}


@pytest.mark.parametrize("store_class", [ContentStore, CachedContentStore])
def test_a_protocol_in_each_of_its_languages(content: ContentStore, store_class: type) -> None:
    store = store_class(content.root)
    assert store.protocol("micropenning").language == "en"
    assert store.protocol("micropenning", "en").title == "Micropenning aftercare"
    spanish = store.protocol("micropenning", "es")
    assert (spanish.id, spanish.language) == ("micropenning", "es")
    assert spanish.title == "Cuidados después del micropenning"
    assert store.protocol("micropenning", "ES").title == spanish.title


def test_an_unknown_language_names_the_ones_there_are(content: ContentStore) -> None:
    with pytest.raises(NotFound, match=r"no 'fr' translation\. Its languages: en, es\."):
        content.protocol("micropenning", "fr")


@pytest.mark.parametrize("protocol", ["microneedling", "micropenning"])
def test_spanish_translation_keeps_every_instruction_in_place(
    content: ContentStore, protocol: str
) -> None:
    # The loader refuses a translation whose structure differs; counting the
    # seed's sentences per protocol here guards the overall size as well.
    original, spanish = content.protocol(protocol), content.protocol(protocol, "es")
    for before, after in zip(original.phases, spanish.phases, strict=True):
        assert (len(before.expect), len(before.do), len(before.avoid)) == (
            len(after.expect),
            len(after.do),
            len(after.avoid),
        )
    assert len(SEEDS[protocol]) > 10


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_validate_names_each_drift_with_its_line(content_copy: ContentStore) -> None:
    path = content_copy.protocols_dir / "micropenning.es.yaml"
    edit(path, "    from_day: 8\n", "    from_day: 9\n")
    edit(path, "    - id: repair\n", "    - id: reparar\n")
    edit(path, "  maintenance_interval: {months: 6}", "  maintenance_interval: {months: 5}")
    edit(path, "      - Siga usando protector solar físico todos los días.\n", "")
    edit(path, "language: es", "language: fr")

    problems = validate_root(content_copy).problems

    expected = [
        f"{path}:{line_of(path, 'language: fr')}:11: language: must be 'es'",
        f"{path}:{line_of(path, 'from_day: 9')}:15: phases[3].from_day: differs from "
        "micropenning.yaml, which has from_day: 8",
        f"{path}:{line_of(path, 'Vuelva a usar poco')}:7: phases[3].do: has 2 entries but "
        "micropenning.yaml has 3",
        f"{path}:{line_of(path, '- id: cleanse')}:5: regimen.steps: "
        "step ids cleanse, rescue, reparar",
        f"{path}:{line_of(path, 'maintenance_interval')}:25: series.maintenance_interval: "
        "differs from micropenning.yaml, which has 6 months",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    # The same problems stop a handout in that language, not one in the original.
    with pytest.raises(ContentError):
        content_copy.protocol("micropenning", "es")
    assert content_copy.protocol("micropenning").language == "en"


def test_validate_refuses_stray_translation_files(content_copy: ContentStore) -> None:
    folder = content_copy.protocols_dir
    (folder / "peel.es.yaml").write_text("title: x\n", encoding="utf-8")
    original = (folder / "micropenning.yaml").read_text(encoding="utf-8")
    (folder / "micropenning.old.yaml").write_text(original, encoding="utf-8")
    (folder / "micropenning.fr.yaml").write_text(
        original.replace("language: en", "language: fr"), encoding="utf-8"
    )
    (folder / "micropenning.en.yaml").write_text(original, encoding="utf-8")

    report = validate_root(content_copy)

    assert f"{folder / 'peel.es.yaml'}: translates 'peel', but there is no" in "\n".join(
        report.problems
    )
    assert any("'old' in the file name is not a language code" in p for p in report.problems)
    assert any(
        "micropenning.en.yaml: micropenning.yaml is already in 'en'" in p for p in report.problems
    )
    assert any(
        "micropenning.fr.yaml: there is no 'fr' catalog" in warning for warning in report.warnings
    )
    assert not [i for i in content_copy.protocol_ids() if "." in i]


def test_a_translation_keeps_the_rules_and_the_do_and_dont_box(content_copy: ContentStore) -> None:
    folder = content_copy.protocols_dir
    original = (folder / "dermal-fillers.yaml").read_text(encoding="utf-8")
    path = folder / "dermal-fillers.es.yaml"
    path.write_text(original.replace("language: en", "language: es", 1), encoding="utf-8")
    assert content_copy.protocol("dermal-fillers", "es").language == "es"  # same shape: fine

    edit(
        path,
        "    short: no touching or massage\n    kind: avoid\n    to_hour: 24\n",
        "    short: no touching or massage\n    kind: avoid\n    to_hour: 12\n",
    )
    edit(path, "    - Drink plenty of water.\n", "")

    problems = validate_root(content_copy).problems
    assert any(
        p.startswith(f"{path}:")
        and "rules[0].to_hour: differs from dermal-fillers.yaml, which has to_hour: 24" in p
        for p in problems
    ), problems
    assert any("do_dont.do: has 3 entries but dermal-fillers.yaml has 4" in p for p in problems)


def test_a_translation_is_found_by_any_name_its_protocol_goes_by(content: ContentStore) -> None:
    assert content.protocol("Micro-Needling", "es").title == "Cuidados después de la micropunción"
