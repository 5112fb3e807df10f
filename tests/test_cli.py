"""The command line, run as a user runs it: a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.conftest import Server, free_port


def run(*args: str, env: dict[str, str] | None = None, tmp: Path) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "AURORAVAULT_SERVER__DATA_DIR": str(tmp / "data"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "auroravault", *args], env=full_env, capture_output=True, text=True, timeout=60
    )


def test_migrate_twice(tmp_path: Path) -> None:
    assert run("migrate", tmp=tmp_path).returncode == 0
    again = run("migrate", tmp=tmp_path)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert (tmp_path / "data" / "auroravault.db").exists()


def test_a_bad_config_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[server]\nportt = 1\n")
    result = run("--config", str(cfg), "serve", tmp=tmp_path)
    assert result.returncode == 2
    assert "server.portt" in result.stderr


def test_user_create_bootstraps_an_admin_on_a_closed_server(tmp_path: Path) -> None:
    env = {"AURORAVAULT_AUTH__REGISTRATION": "closed", "AURORAVAULT_PASSWORD": "an admin password"}
    created = run("user", "create", "--email", "root@example.com", "--name", "Root", "--admin", env=env, tmp=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "created admin user root@example.com" in created.stdout
    dup = run("user", "create", "--email", "root@example.com", "--name", "Root", env=env, tmp=tmp_path)
    assert dup.returncode == 1 and "email_taken" in dup.stderr

    server = Server(data_dir=tmp_path / "data", env={"AURORAVAULT_AUTH__REGISTRATION": "closed"})
    server.start()
    try:
        with httpx.Client(base_url=server.url) as http:
            login = http.post("/api/v1/auth/login", json={"email": "root@example.com", "password": "an admin password"})
            assert login.status_code == 200 and login.json()["user"]["is_admin"] is True
            reg = http.post(
                "/api/v1/auth/register", json={"email": "x@example.com", "password": "long enough", "display_name": "X"}
            )
            assert reg.status_code == 403 and reg.json()["code"] == "registration_closed"
    finally:
        server.stop()


def test_serve_prints_where_it_listens(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data")
    server.start()
    try:
        assert f"AuroraVault on http://127.0.0.1:{server.port}" in server.log()
    finally:
        server.stop()


def test_serve_refuses_storage_it_cannot_write_and_says_why(tmp_path: Path) -> None:
    env = {
        "AURORAVAULT_STORAGE__BACKEND": "s3",
        "AURORAVAULT_S3__ENDPOINT_URL": "http://127.0.0.1:1",
        "AURORAVAULT_S3__ACCESS_KEY": "x",
        "AURORAVAULT_S3__SECRET_KEY": "y",
    }
    result = run("serve", "--port", "1", env=env, tmp=tmp_path)
    assert result.returncode != 0
    assert "AuroraVault cannot start" in result.stderr + result.stdout
    assert "storage_unavailable" in result.stderr + result.stdout


def run_clean(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI with no AURORAVAULT_* from this process: only what the command line and ``env`` say."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AURORAVAULT_")}
    return subprocess.run(
        [sys.executable, "-m", "auroravault", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_config_is_accepted_before_and_after_the_subcommand(tmp_path: Path) -> None:
    for n, argv in enumerate((["--config", "{cfg}", "migrate"], ["migrate", "--config", "{cfg}"])):
        data = tmp_path / f"data{n}"
        cfg = tmp_path / f"vault{n}.toml"
        cfg.write_text(f'[server]\ndata_dir = "{data}"\n')
        result = run_clean(*(a.format(cfg=cfg) for a in argv))
        assert result.returncode == 0, result.stderr
        assert (data / "auroravault.db").exists(), argv
    env = {"AURORAVAULT_PASSWORD": "a long password"}
    created = run_clean("user", "create", "--email", "a@example.com", "--name", "A", "--config", str(cfg), env=env)
    assert created.returncode == 0, created.stderr
    checked = run_clean("check", "--config", str(cfg))
    assert f"file {cfg}" in checked.stdout or str(cfg) in checked.stdout, checked.stdout


def test_migrate_and_user_create_say_nothing_on_stderr(tmp_path: Path) -> None:
    migrated = run("migrate", tmp=tmp_path)
    env = {"AURORAVAULT_PASSWORD": "a long password"}
    created = run("user", "create", "--email", "a@example.com", "--name", "A", env=env, tmp=tmp_path)
    assert (migrated.returncode, created.returncode) == (0, 0)
    assert (migrated.stderr, created.stderr) == ("", "")


def test_a_data_folder_that_cannot_be_made_gives_a_plain_message(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    env = {"AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "a-file" / "data"), "AURORAVAULT_PASSWORD": "a long password"}
    for argv in (
        ["serve", "--port", str(free_port())],
        ["migrate"],
        ["user", "create", "--email", "a@example.com", "--name", "A"],
    ):
        result = run(*argv, env=env, tmp=tmp_path)
        assert result.returncode in (1, 2), (argv, result.returncode)
        assert "Traceback" not in result.stderr, result.stderr
        assert str(tmp_path / "a-file" / "data") in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_damaged_database_file_stops_the_command_instead_of_hanging(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "auroravault.db").write_text("this is not a SQLite database\n" * 100)
    result = run("migrate", tmp=tmp_path)  # used to print the error and then never exit
    assert result.returncode == 1
    assert "auroravault.db: file is not a database (meta_unavailable)" in result.stderr
    assert "Event loop is closed" not in result.stderr and "Traceback" not in result.stderr


def test_serve_on_every_interface_without_a_public_url_refuses_with_a_plain_message(tmp_path: Path) -> None:
    result = run("serve", "--host", "0.0.0.0", "--port", str(free_port()), tmp=tmp_path)
    assert result.returncode == 2
    assert "server.public_url" in result.stderr and "AURORAVAULT_SERVER__PUBLIC_URL=" in result.stderr
    assert "Traceback" not in result.stderr
