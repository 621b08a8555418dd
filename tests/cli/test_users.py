"""``handouts users``: accounts for the web page, kept owner-only in the data folder."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from handouts.cli import main
from handouts.web.data import DATABASE_NAME, DataFolder
from handouts.web.sessions import SessionStore
from handouts.web.users import FORGET_AFTER_SECONDS, Role, SignInRefused, UserStore

PASSWORD = "correct-horse-battery"


def users(data: Path, *args: str, password: str | None = None) -> Result:
    stdin = None if password is None else password + "\n"
    return CliRunner().invoke(main, ["users", *args, "--data", str(data)], input=stdin)


def test_add_list_and_remove(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = users(data, "add", "frontdesk", password=PASSWORD)
    assert added.exit_code == 0, added.output
    assert added.output == "added frontdesk (staff, every clinic)\n"
    assert users(data, "add", "amira", "--manager", password=PASSWORD).exit_code == 0
    listed = users(data, "list")
    lines = [line.split("\t")[:2] for line in listed.output.splitlines()]
    assert lines == [["amira", "manager"], ["frontdesk", "staff"]]
    assert users(data, "remove", "frontdesk").output == "removed frontdesk; 0 sessions ended\n"
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
    assert "to give them a new password, reset it" in twice.output
    missing = users(data, "remove", "nobody")
    assert missing.exit_code == 1
    assert "no user 'nobody'" in missing.output
    empty = users(data, "add", "other", password="")
    assert empty.exit_code == 1
    assert "no password on standard input" in empty.output


def test_wrong_passwords_make_the_pair_and_the_address_wait_not_the_name(
    tmp_path: Path,
) -> None:
    store = UserStore(DataFolder(tmp_path / "data"))
    store.add("frontdesk", PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInRefused) as wrong:
            store.sign_in("frontdesk", "wrong-password", "192.0.2.1")
        assert wrong.value.wait == 0
    with pytest.raises(SignInRefused, match="Too many wrong passwords") as waiting:
        store.sign_in("frontdesk", PASSWORD, "192.0.2.1")
    assert waiting.value.wait > 0
    # From an address that is not failing, the right password is not kept waiting.
    assert store.sign_in("frontdesk", PASSWORD, "192.0.2.2").name == "frontdesk"


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
    assert counts == {"pair:frontdesk@192.0.2.1": 1, "address:192.0.2.1": 1}


def test_users_limited_to_clinics(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = users(data, "add", "reception2", "--clinic", "magnolia", password=PASSWORD)
    assert added.exit_code == 0, added.output
    assert added.output == "added reception2 (staff, magnolia)\n"
    user = UserStore(DataFolder(data)).get("reception2")
    assert user is not None and user.clinics == frozenset({"magnolia"})
    assert user.may_use("magnolia") and not user.may_use("harbourside")
    both = users(data, "limit", "reception2", "--clinic", "magnolia", "--clinic", "harbourside")
    assert both.output == "reception2 may use harbourside, magnolia\n"
    every = users(data, "limit", "reception2", "--every-clinic")
    assert every.output == "reception2 may use every clinic\n"
    assert users(data, "list").output.rstrip().endswith("\tevery clinic")


def test_an_unknown_clinic_is_named_and_nothing_is_added(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = users(data, "add", "reception2", "--clinic", "nowhere", password=PASSWORD)
    assert result.exit_code == 1
    assert "there is no clinic 'nowhere' (known: harbourside, magnolia)" in result.output
    assert UserStore(DataFolder(data)).list() == []
    neither = users(data, "limit", "reception2")
    assert neither.exit_code == 2
    assert "give --clinic ID (one or more) or --every-clinic" in neither.output


def test_passwd_needs_the_current_password_and_ends_every_session(tmp_path: Path) -> None:
    data = tmp_path / "data"
    users(data, "add", "frontdesk", password=PASSWORD)
    store = UserStore(DataFolder(data))
    store.sign_in("frontdesk", PASSWORD, "192.0.2.1")
    for _ in range(2):
        SessionStore(store.data).start("frontdesk")
    wrong = users(data, "passwd", "frontdesk", password="not-the-password\nbrand-new-password")
    assert wrong.exit_code == 1
    assert "that is not frontdesk's current password" in wrong.output
    changed = users(data, "passwd", "frontdesk", password=f"{PASSWORD}\nbrand-new-password")
    assert changed.exit_code == 0, changed.output
    assert changed.output == "new password set for frontdesk; 2 sessions ended\n"
    assert store.sign_in("frontdesk", "brand-new-password", "192.0.2.1").name == "frontdesk"
    with pytest.raises(SignInRefused):
        store.sign_in("frontdesk", PASSWORD, "192.0.2.9")
    short = users(data, "passwd", "frontdesk", password="brand-new-password\nshort")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    missing = users(data, "passwd", "frontdesk", password="brand-new-password")
    assert missing.exit_code == 1
    assert "no password on standard input (give it as the second line)" in missing.output


def test_reset_sets_a_password_without_the_old_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    users(data, "add", "frontdesk", password=PASSWORD)
    reset = users(data, "reset", "frontdesk", password="reset-by-manager")
    assert reset.exit_code == 0, reset.output
    assert reset.output == "new password set for frontdesk; 0 sessions ended\n"
    store = UserStore(DataFolder(data))
    assert store.sign_in("frontdesk", "reset-by-manager", "192.0.2.1").name == "frontdesk"
    nobody = users(data, "reset", "nobody", password="reset-by-manager")
    assert nobody.exit_code == 1 and "there is no user 'nobody'" in nobody.output


def test_every_users_command_has_help() -> None:
    for command in ("add", "list", "remove", "passwd", "reset", "limit"):
        result = CliRunner().invoke(main, ["users", command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, command


def test_importing_the_users_command_hashes_nothing() -> None:
    # A hash at import took 0.2-0.5 s of every 'users' command; here it would exit 3.
    code = (
        "import sys, argon2\n"
        "argon2.PasswordHasher.hash = lambda *a, **k: sys.exit(3)\n"
        "import handouts.cli.users, handouts.web.users, handouts.web.app\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
