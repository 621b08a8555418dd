"""The content store's default clinic: read from one line per clinic, checked in full when used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handouts.content.store import CachedContentStore, ContentStore
from handouts.errors import ContentError


def clinic_file(root: Path, clinic: str) -> Path:
    return root / "branding" / clinic / "clinic.yaml"


def set_default_line(root: Path, clinic: str, line: str | None) -> None:
    path = clinic_file(root, clinic)
    kept = [x for x in path.read_text("utf-8").splitlines() if not x.startswith("default:")]
    path.write_text("\n".join([*kept, *([line] if line else [])]) + "\n", "utf-8")


def test_the_clinic_marked_default_is_chosen(root: Path) -> None:
    assert ContentStore(root).default_clinic_id == "harbourside"
    set_default_line(root, "harbourside", None)
    set_default_line(root, "magnolia", "default: true")
    assert ContentStore(root).default_clinic_id == "magnolia"


def test_another_clinics_broken_font_does_not_stop_the_default_clinic(root: Path) -> None:
    (root / "branding" / "magnolia" / "fonts" / "Lato-Regular.ttf").write_bytes(b"not a font")
    store = ContentStore(root)
    assert store.clinic().id == "harbourside"
    with pytest.raises(ContentError, match=r"Lato-Regular\.ttf"):
        store.clinic("magnolia")  # still refused when it is the clinic asked for


def test_a_clinic_file_that_cannot_be_read_stops_the_choice_naming_it(root: Path) -> None:
    # It might be the one that says default: true.
    clinic_file(root, "magnolia").write_text("name: [unclosed\n", "utf-8")
    with pytest.raises(ContentError) as raised:
        ContentStore(root).default_clinic_id  # noqa: B018 (the property does the work)
    assert "magnolia/clinic.yaml" in str(raised.value)


def test_a_default_written_other_than_true_or_false_is_the_models_to_judge(root: Path) -> None:
    set_default_line(root, "harbourside", 'default: "yes"')
    assert ContentStore(root).default_clinic_id == "harbourside"  # read as the model reads it
    set_default_line(root, "harbourside", "default: sometimes")
    with pytest.raises(ContentError) as raised:
        ContentStore(root).default_clinic_id  # noqa: B018
    assert "harbourside/clinic.yaml" in str(raised.value)
    assert "default" in str(raised.value)


def test_two_clinics_marked_default_are_both_named(root: Path) -> None:
    set_default_line(root, "magnolia", "default: true")
    with pytest.raises(
        ContentError, match=r"more than one clinic says default: true \(harbourside, magnolia\)"
    ):
        ContentStore(root).default_clinic_id  # noqa: B018


def test_several_clinics_and_none_marked_asks_for_one(root: Path) -> None:
    set_default_line(root, "harbourside", None)
    with pytest.raises(ContentError, match="none says default: true"):
        ContentStore(root).default_clinic_id  # noqa: B018


def test_the_only_clinic_is_the_default_without_saying_so(root: Path) -> None:
    set_default_line(root, "harbourside", None)
    shutil.rmtree(root / "branding" / "magnolia")
    assert ContentStore(root).default_clinic_id == "harbourside"


def test_a_cached_store_keeps_its_parses_and_the_next_store_sees_an_edit(root: Path) -> None:
    first = CachedContentStore(root)
    assert first.protocol("micropenning").title == "Micropenning aftercare"
    path = root / "protocols" / "micropenning.yaml"
    edited = path.read_text("utf-8").replace("title: Micropenning aftercare", "title: Revised")
    path.write_text(edited, "utf-8")
    assert first.protocol("micropenning").title == "Micropenning aftercare"  # kept
    # A new store of the same folder (the next batch run) reads the file again, although
    # the two compare equal.
    second = CachedContentStore(root)
    assert second == first
    assert second.protocol("micropenning").title == "Revised"


def test_the_protocol_list_follows_files_added_renamed_and_removed(root: Path) -> None:
    # The listing is kept between calls; the folder's change time says when it is stale.
    store = ContentStore(root)
    before = store.protocol_ids()
    assert "microneedling" in before and "brow-lamination" not in before
    source = root / "protocols" / "microneedling.yaml"
    added = root / "protocols" / "brow-lamination.yaml"
    shutil.copy(source, added)
    assert "brow-lamination" in store.protocol_ids()
    added.rename(root / "protocols" / "brow-tint.yaml")
    assert "brow-tint" in store.protocol_ids() and "brow-lamination" not in store.protocol_ids()
    (root / "protocols" / "brow-tint.yaml").unlink()
    assert store.protocol_ids() == before
