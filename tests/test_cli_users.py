"""``auroravault user list|set`` run as an admin runs them: real processes on the server's
data folder, with the server running beside them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from auroravault.errors import Invalid
from auroravault.users_cli import format_size, parse_size
from tests.e2e.conftest import Server
from tests.test_cli import run

PASSWORDS = {"AURORAVAULT_PASSWORD": "a long password"}


def create(tmp: Path, email: str, name: str, *extra: str) -> str:
    created = run("user", "create", "--email", email, "--name", name, *extra, env=PASSWORDS, tmp=tmp)
    assert created.returncode == 0, created.stderr
    return created.stdout


def rows(tmp: Path) -> dict[str, list[str]]:
    listed = run("user", "list", tmp=tmp)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert lines[0].split() == ["EMAIL", "NAME", "ADMIN", "DISABLED", "QUOTA", "USED"]
    return {line.split()[0]: line.split()[1:] for line in lines[1:]}


def test_the_first_account_is_admin_and_the_table_lists_everyone(tmp_path: Path) -> None:
    assert run("user", "list", tmp=tmp_path).stdout.startswith("no accounts yet")
    assert "created admin user root@example.com" in create(tmp_path, "root@example.com", "Root")
    assert "created user bob@example.com" in create(tmp_path, "bob@example.com", "Bob")
    table = rows(tmp_path)
    assert table["root@example.com"] == ["Root", "yes", "no", "53.7", "GB", "0", "B"]
    assert table["bob@example.com"][:3] == ["Bob", "no", "no"]


def test_set_changes_quota_admin_name_and_state(tmp_path: Path) -> None:
    create(tmp_path, "root@example.com", "Root")
    create(tmp_path, "bob@example.com", "Bob")
    changed = run("user", "set", "bob@example.com", "--quota", "10GB", "--admin", "--name", "Robert", tmp=tmp_path)
    assert changed.returncode == 0, changed.stderr
    assert rows(tmp_path)["bob@example.com"] == ["Robert", "yes", "no", "10", "GB", "0", "B"]
    assert run("user", "set", "BOB@example.com", "--disable", "--no-admin", tmp=tmp_path).returncode == 0
    assert rows(tmp_path)["bob@example.com"][:3] == ["Robert", "no", "yes"]
    assert run("user", "set", "bob@example.com", "--enable", "--quota", "1.5GiB", tmp=tmp_path).returncode == 0
    assert rows(tmp_path)["bob@example.com"] == ["Robert", "no", "no", "1.6", "GB", "0", "B"]


def test_set_refuses_what_it_must_and_changes_nothing(tmp_path: Path) -> None:
    create(tmp_path, "root@example.com", "Root")
    before = rows(tmp_path)
    for args, code in (
        (["root@example.com", "--no-admin"], "last_admin"),
        (["root@example.com", "--disable"], "last_admin"),
        (["nobody@example.com", "--disable"], "user_not_found"),
        (["root@example.com", "--quota", "lots"], "invalid_quota"),
        (["root@example.com", "--name", " "], "invalid_display_name"),
        (["root@example.com"], "nothing_to_change"),
    ):
        refused = run("user", "set", *args, tmp=tmp_path)
        assert refused.returncode == 1 and f"({code})" in refused.stderr, (args, refused.stderr)
    both = run("user", "set", "root@example.com", "--disable", "--enable", tmp=tmp_path)
    assert both.returncode == 2  # argparse: not both
    assert rows(tmp_path) == before


def test_disabling_from_the_cli_ends_the_sessions_of_a_running_server(tmp_path: Path) -> None:
    create(tmp_path, "root@example.com", "Root")
    create(tmp_path, "bob@example.com", "Bob")
    server = Server(data_dir=tmp_path / "data")
    server.start()
    try:
        with httpx.Client(base_url=server.url) as http:
            body = {"email": "bob@example.com", "password": PASSWORDS["AURORAVAULT_PASSWORD"]}
            token = http.post("/api/v1/auth/login", json=body).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            assert http.get("/api/v1/users/me", headers=headers).status_code == 200
            assert run("user", "set", "bob@example.com", "--disable", tmp=tmp_path).returncode == 0
            after = http.get("/api/v1/users/me", headers=headers)
            assert after.status_code == 401 and after.json()["code"] == "invalid_token"
            refused = http.post("/api/v1/auth/login", json=body)
            assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("text", "size"),
    [("10GB", 10 * 10**9), ("500 MB", 500 * 10**6), ("1.5GiB", 3 * 2**29), ("0", 0), ("123", 123), ("2tb", 2 * 10**12)],
)
def test_sizes_read_like_people_write_them(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1GB", "10 parsecs", "1e9"])
def test_what_is_not_a_size_is_refused(text: str) -> None:
    with pytest.raises(Invalid):
        parse_size(text)


def test_sizes_are_shown_short() -> None:
    assert [format_size(n) for n in (0, 999, 1000, 12_345_678, 10**10)] == ["0 B", "999 B", "1 kB", "12.3 MB", "10 GB"]
