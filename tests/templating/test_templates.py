"""The one template resolver: clinic override, then the root's templates/, then built-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from handouts.content.bundled import BUILTIN_TEMPLATES
from handouts.content.store import ContentStore
from handouts.errors import ResourceRefused
from handouts.render.page import render_html, resolve_spec
from handouts.templating.templates import search_folders, template_environment
from tests.support.content import copy_content
from tests.support.dates import FIXED_DATE


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def page(store: ContentStore, clinic: str = "harbourside") -> str:
    return render_html(resolve_spec(store, "micropenning", clinic, "Ann Lee", FIXED_DATE))


def test_a_root_templates_folder_with_one_partial_replaces_only_that_partial(
    tmp_path: Path,
) -> None:
    before = page(ContentStore(copy_content(tmp_path / "plain")))
    store = ContentStore(copy_content(tmp_path / "root"))
    write(store.templates_dir / "partials" / "contact.html", "<p>CHAIN CONTACT</p>\n")
    after = page(store)
    assert "CHAIN CONTACT" in after
    assert "Questions or concerns?" not in after  # the built-in contact block is replaced
    # Everything else still comes from the built-in templates, unchanged.
    assert before.split('<section class="contact">')[0] == after.split("<p>CHAIN CONTACT")[0]


def test_a_clinic_override_wins_over_the_root_and_only_for_that_clinic(tmp_path: Path) -> None:
    store = ContentStore(copy_content(tmp_path / "root"))
    write(store.templates_dir / "partials" / "contact.html", "<p>CHAIN CONTACT</p>\n")
    clinic_dir = store.branding_dir / "magnolia" / "templates" / "partials"
    write(clinic_dir / "contact.html", "<p>MAGNOLIA CONTACT</p>\n")
    assert "MAGNOLIA CONTACT" in page(store, "magnolia")
    assert "CHAIN CONTACT" in page(store, "harbourside")


def test_an_override_can_extend_the_builtin_file_it_replaces(tmp_path: Path) -> None:
    store = ContentStore(copy_content(tmp_path / "root"))
    write(
        store.branding_dir / "magnolia" / "templates" / "handout.html",
        '{% extends "!builtin/handout.html" %}\n',
    )
    write(
        store.branding_dir / "magnolia" / "templates" / "partials" / "footer.html",
        '<footer class="running-footer">OWN FOOTER</footer>\n'
        '{% include "!builtin/partials/footer.html" %}\n',
    )
    html = page(store, "magnolia")
    assert "OWN FOOTER" in html
    assert "Questions or concerns?" in html  # the built-in page, extended, not replaced
    assert html.count('class="running-footer"') == 2  # own footer plus the built-in one


def test_search_order_is_clinic_then_root_then_builtin(tmp_path: Path) -> None:
    clinic, root = tmp_path / "clinic", tmp_path / "root"
    clinic.mkdir()
    root.mkdir()
    assert search_folders(root, clinic) == [clinic, root, BUILTIN_TEMPLATES]
    assert search_folders(None, None) == [BUILTIN_TEMPLATES]


def test_templates_run_in_the_sandbox(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    write(folder / "x.html", "{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    environment = template_environment(folder, None)
    with pytest.raises(SecurityError) as caught:
        environment.get_template("x.html").render(cycler=object())
    assert "uid=" not in str(caught.value)


def test_a_template_reached_through_a_link_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path / "secret.txt", "SECRET")
    folder = tmp_path / "t" / "partials"
    folder.mkdir(parents=True)
    (folder / "contact.html").symlink_to(outside)
    environment = template_environment(tmp_path / "t", None)
    with pytest.raises(ResourceRefused, match="outside"):
        environment.get_template("partials/contact.html")
