"""The command line, run as a user runs it: a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.conftest import Server


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
