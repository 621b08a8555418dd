"""``handouts users``: accounts for the web page, kept owner-only in the data folder."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main
from handouts.web.data import DATABASE_NAME, DataFolder
from handouts.web.users import FORGET_AFTER_SECONDS, Role, SignInRefused, UserStore

PASSWORD = "correct-horse-battery"


def users(data: Path, *args: str, password: str | None = None) -> object:
    stdin = None if password is None else password + "\n"
    return CliRunner().invoke(main, ["users", *args, "--data", str(data)], input=stdin)


def test_add_list_and_remove(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = users(data, "add", "frontdesk", password=PASSWORD)
    assert added.exit_code == 0, added.output
    assert added.output == "added frontdesk (staff)\n"
    assert users(data, "add", "amira", "--manager", password=PASSWORD).exit_code == 0
    listed = users(data, "list")
    lines = [line.split("\t")[:2] for line in listed.output.splitlines()]
    assert lines == [["amira", "manager"], ["frontdesk", "staff"]]
    assert users(data, "remove", "frontdesk").output == "removed frontdesk\n"
    assert [u.name for u in UserStore(DataFolder(data)).list()] == ["amira"]


def test_the_password_from_stdin_signs_in_and_is_stored_hashed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    users(data, "add", "frontdesk", "--manager", password=PASSWORD)
    store = UserStore(DataFolder(data))
    assert store.sign_in("frontdesk", PASSWORD, "127.0.0.1").role is Role.MANAGER
    assert PASSWORD.encode() not in (data / DATABASE_NAME).read_bytes()
    with pytest.raises(SignInRefused, match=r"^That user name and password do not match\.$"):
        store.sign_in("frontdesk", "wrong-password", "127.0.0.1")


def test_the_data_folder_is_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    users(data, "add", "frontdesk", password=PASSWORD)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_mistakes_are_plain_messages_with_status_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    short = users(data, "add", "frontdesk", password="short")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    bad_name = users(data, "add", "Front Desk", password=PASSWORD)
    assert bad_name.exit_code == 1
    assert "cannot be a user name" in bad_name.output
    users(data, "add", "frontdesk", password=PASSWORD)
    twice = users(data, "add", "frontdesk", password=PASSWORD)
    assert twice.exit_code == 1
    assert "already a user 'frontdesk'" in twice.output
    missing = users(data, "remove", "nobody")
    assert missing.exit_code == 1
    assert "no user 'nobody'" in missing.output
    empty = users(data, "add", "other", password="")
    assert empty.exit_code == 1
    assert "no password on standard input" in empty.output


def test_wrong_passwords_make_the_name_and_the_address_wait(tmp_path: Path) -> None:
    store = UserStore(DataFolder(tmp_path / "data"))
    store.add("frontdesk", PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInRefused) as wrong:
            store.sign_in("frontdesk", "wrong-password", "192.0.2.1")
        assert wrong.value.wait == 0
    for client in ("192.0.2.1", "192.0.2.2"):  # the name waits, from any address
        with pytest.raises(SignInRefused, match="Too many wrong passwords") as waiting:
            store.sign_in("frontdesk", PASSWORD, client)
        assert waiting.value.wait > 0


def test_wrong_passwords_are_forgotten_after_a_while(tmp_path: Path) -> None:
    data = DataFolder(tmp_path / "data")
    store = UserStore(data)
    store.add("frontdesk", PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInRefused):
            store.sign_in("frontdesk", "wrong-password", "192.0.2.1")
    with pytest.raises(SignInRefused, match="Too many wrong passwords"):
        store.sign_in("frontdesk", PASSWORD, "192.0.2.1")
    with data.connect() as db:  # as if those tries were made 16 minutes ago
        db.execute("UPDATE failures SET last = last - ?", (FORGET_AFTER_SECONDS + 60,))
    assert store.sign_in("frontdesk", PASSWORD, "192.0.2.1").name == "frontdesk"
    with pytest.raises(SignInRefused) as one_more:  # counting starts again from one
        store.sign_in("frontdesk", "wrong-password", "192.0.2.1")
    assert one_more.value.wait == 0
    with data.connect() as db:
        counts = dict(db.execute("SELECT key, count FROM failures").fetchall())
    assert counts == {"user:frontdesk": 1, "client:192.0.2.1": 1}
