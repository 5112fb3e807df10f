"""``auroravault family list | show``, run as an admin runs it: a real process on a vault a real
server filled through the API."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.conftest import Server
from tests.test_cli import run

PASSWORD = "correct horse battery"


def test_family_list_and_show_tell_who_is_in_which_family(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", env={"AURORAVAULT_JOBS__ENABLED": "false"})
    server.start()
    try:
        with httpx.Client(base_url=server.url + "/api/v1") as http:
            tokens = {}
            for name in ("ada", "bob"):
                body = {"email": f"{name}@example.com", "password": PASSWORD, "display_name": name.title()}
                tokens[name] = http.post("/auth/register", json=body).json()["token"]
            ada = {"Authorization": f"Bearer {tokens['ada']}"}
            assert http.post("/family", json={"name": "Lovelace"}, headers=ada).status_code == 201
            assert http.patch("/family", json={"quota_bytes": 5000}, headers=ada).status_code == 200
            invite = http.post("/family/invites", json={"email": "cy@example.com"}, headers=ada)
            assert invite.status_code == 201
    finally:
        server.stop()

    listed = run("family", "list", tmp=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "Lovelace (fa_" in listed.stdout and "1 member(s)" in listed.stdout and "limit 5000 bytes" in listed.stdout
    assert listed.stdout.rstrip().endswith("1 family(ies)")
    shown = run("family", "show", "--email", "ADA@example.com", tmp=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "  owner   ada@example.com  Ada  0 bytes, no limit" in shown.stdout
    assert "  invited cy@example.com  until " in shown.stdout
    nobody = run("family", "show", "--email", "bob@example.com", tmp=tmp_path)
    assert nobody.returncode == 1 and "family_not_found" in nobody.stderr
    unknown = run("family", "show", "--email", "zed@example.com", tmp=tmp_path)
    assert unknown.returncode == 1 and "user_not_found" in unknown.stderr
