"""Share links in the CLI, end to end: ``link create|list|revoke`` against ``auroravault serve``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.client.conftest import Cli
from tests.client.test_cli_albums import TRIP, albums, folder

pytestmark = pytest.mark.e2e


def test_a_link_is_made_listed_opened_and_revoked_from_the_command_line(
    cli: Cli, photos_dir: Path, tmp_path: Path
) -> None:
    cli.register()
    trip = folder(tmp_path, photos_dir, "Portugal 2019", TRIP)
    assert cli.run("upload", str(trip), "--album", "Summer").returncode == 0
    secret = tmp_path / "link-password"
    secret.write_text("sesame street\n")

    made = cli.run(
        "link", "create", "--album", "summer", "--password-file", str(secret), "--hide-metadata",
        "--expires", "2999-12-31",
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    url = made.stdout.strip()
    assert url.startswith(cli.server.url) and "/#/s/" in url
    key = url.split("/#/s/")[1]
    with httpx.Client(base_url=cli.server.url, timeout=30) as http:
        info = http.get(f"/api/v1/public/{key}").json()
        assert info["title"] == "Summer" and info["locked"] and not info["show_metadata"]
        assert info["expires_at"].startswith("2999-12-31")
        unlocked = http.post(f"/api/v1/public/{key}/unlock", json={"password": "sesame street"})
        assert unlocked.status_code == 200

    listed = cli.run("link", "list")
    assert listed.returncode == 0 and url in listed.stdout
    assert "album “Summer”" in listed.stdout and "password" in listed.stdout and "metadata hidden" in listed.stdout
    link_id = listed.stdout.split()[0]

    assert cli.run("link", "create", "--album", "Nope").returncode == 2
    assert cli.run("link", "create", "--album", "Summer", "--expires", "someday").returncode == 2

    revoked = cli.run("link", "revoke", link_id)
    assert revoked.returncode == 0, revoked.stderr
    with httpx.Client(base_url=cli.server.url, timeout=30) as http:
        assert http.get(f"/api/v1/public/{key}").status_code == 404
    again = cli.run("link", "revoke", link_id)
    assert again.returncode == 1 and "link_not_found" in again.stderr
    assert set(albums(cli)) == {"Summer"}
