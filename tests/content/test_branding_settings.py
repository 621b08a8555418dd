"""Front desk settings in clinic.yaml: a wordmark logo, drafts allowed."""

from __future__ import annotations

from handouts import service
from handouts.content.store import ContentStore


def header(store: ContentStore) -> str:
    request = service.HandoutRequest("microneedling", "magnolia", format="html")
    html = service.make_handout(store, request).data.decode("utf-8")
    return html[html.index('<div class="running-header">') :].split("</div>", 1)[0]


def test_a_logo_that_shows_the_name_is_not_followed_by_it_again(
    content_copy: ContentStore,
) -> None:
    assert 'class="clinic-name">Magnolia Dermatology &amp; Laser<' in header(content_copy)
    clinic = content_copy.branding_dir / "magnolia" / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "logo_shows_name: true\n", "utf-8")
    shown = header(ContentStore(content_copy.root))
    assert "clinic-name" not in shown
    assert 'alt="Magnolia Dermatology &amp; Laser logo"' in shown  # still named for screen readers
