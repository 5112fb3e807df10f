"""Every command the README shows works as written.

The README's fenced ``sh`` blocks are read by section, and each section has its runner here;
a new block in a section without one fails ``test_every_block_has_a_runner``. What the tests
change, and only that, so that the commands run on this machine without touching it:

- the server address ``http://127.0.0.1:8000`` becomes a test server's (a free port);
- ``serve --host 0.0.0.0 --port 8000`` listens on 127.0.0.1 and a free port instead (tests
  bind 127.0.0.1 only), with the same ``public_url`` and config file;
- ``HOME`` is a temporary folder holding the folders the commands name, the data folder is
  temporary (``AURORAVAULT_SERVER__DATA_DIR``), and the password prompt is answered through
  ``AURORAVAULT_PASSWORD``;
- the AWS commands run against SeaweedFS (S3) and moto (DynamoDB, SES) through
  ``AURORAVAULT_*`` variables, which take precedence over ``config/aws.toml``.

``make run`` / ``make test`` (which install a venv and run for minutes) and the docker
commands (no docker here) are checked statically: the targets, files and services they name.
The curl walk-through is run verbatim by ``tests/test_readme.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from auroravault.cli import build_parser
from auroravault.config import load_settings
from tests.e2e.conftest import Server, free_port
from tests.servers.fixtures import unique_bucket
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name
from tests.servers.moto import moto_server as moto_server  # session fixture
from tests.servers.seaweedfs import SeaweedFS

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DEFAULT_URL = "http://127.0.0.1:8000"
PASSWORD = "correct horse battery"


def blocks() -> dict[str, list[str]]:
    """Section title -> the commands of its ``sh`` blocks (comments and blank lines dropped)."""
    found: dict[str, list[str]] = {}
    for section in re.split(r"^## ", README.read_text(), flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        for block in re.findall(r"```sh\n(.*?)```", section, re.S):
            lines = [ln for ln in block.replace("\\\n", " ").splitlines() if ln.strip() and not ln.startswith("#")]
            found.setdefault(title, []).extend(lines)
    return found


def commands(title: str) -> list[str]:
    section = blocks().get(title)
    assert section, f"the README lost its {title!r} commands"
    return section


RUNNERS = {
    "Two commands",
    "Walk-through with curl",
    "Your photos in and out: the command-line client",
    "Home server (docker compose)",
    "Cloud (AWS)",
    "Configuration",
    "Accounts and admins",
}


def test_every_block_has_a_runner() -> None:
    assert set(blocks()) <= RUNNERS, f"README sections with commands no test runs: {set(blocks()) - RUNNERS}"


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A user's shell: ``auroravault`` on PATH (this checkout's), HOME and data in tmp_path."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "auroravault"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m auroravault "$@"\n')
    shim.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AURORAVAULT_", "XDG_"))}
    return {
        **base,
        "PATH": f"{bin_dir}{os.pathsep}{base.get('PATH', '')}",
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path / "home"),
        "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "data"),
        **extra,
    }


def sh(line: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", line],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


# -- static: make and docker ------------------------------------------------------------------------
def test_the_make_commands_name_real_targets(tmp_path: Path) -> None:
    for line in commands("Two commands"):
        argv = shlex.split(line, comments=True)
        assert argv[0] == "make", line
        dry = subprocess.run(
            [*argv, "-n", f"VENV={tmp_path / 'venv'}"], cwd=REPO, capture_output=True, text=True, timeout=60
        )
        assert dry.returncode == 0, dry.stderr


def test_the_docker_commands_name_files_and_services_that_exist() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    parser = build_parser()
    for line in commands("Home server (docker compose)"):
        argv = shlex.split(line, comments=True)
        if argv[0] == "cp":
            assert (REPO / argv[1]).is_file(), line
            assert argv[2] == ".env" and ".env" in (REPO / ".gitignore").read_text().split()
            continue
        assert argv[:2] == ["docker", "compose"], line
        if argv[2] == "up":
            assert "--build" in argv and "build" in compose["services"]["app"]
            build = compose["services"]["app"]["build"]
            context, dockerfile = (
                (build, "Dockerfile")
                if isinstance(build, str)
                else (
                    build.get("context", "."),
                    build.get("dockerfile", "Dockerfile"),
                )
            )
            assert (REPO / context / dockerfile).is_file(), build
        elif argv[2] == "exec":
            service, command = argv[3], argv[4:]
            assert service in compose["services"], line
            assert command[0] == "auroravault"
            parser.parse_args(command[1:])  # exits (SystemExit) on a command the CLI does not have
        else:
            pytest.fail(f"no static check for {line!r}")


# -- run: the configuration commands -----------------------------------------------------------------
def serve_as_written(line: str, env: dict[str, str], tmp_path: Path) -> str:
    """Run a README ``serve`` line on 127.0.0.1 and a free port; what it printed once up."""
    port = free_port()
    line = line.replace("--host 0.0.0.0", "--host 127.0.0.1").replace("--port 8000", f"--port {port}")
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "-c", line],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return log.read_text(errors="replace")
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail(f"{line!r} did not serve:\n{log.read_text(errors='replace')}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


def test_the_configuration_commands_work_as_written(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    for line in commands("Configuration"):
        if " serve " in f" {line} ":
            printed = serve_as_written(line, env, tmp_path)
            assert "AuroraVault on http://192.168.1.20:8000" in printed  # the public_url it was given
            continue
        result = sh(line, env)
        assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
    users = sh("auroravault user create --email you@example.com --name You", {**env, "AURORAVAULT_PASSWORD": PASSWORD})
    assert "email_taken" in users.stderr, "the README's user create made the account"


# -- run: the command-line client ----------------------------------------------------------------------
def test_the_client_commands_work_as_written(tmp_path: Path, photos_dir: Path) -> None:
    home = tmp_path / "home"
    for folder, names in (("Pictures", ["flower.jpg", "hopper.png"]), ("phone-backup/DCIM", ["IMG_5195.HEIC"])):
        (home / folder).mkdir(parents=True)
        for name in names:
            shutil.copy(photos_dir / name, home / folder / name)
    server = Server(data_dir=tmp_path / "server-data")
    server.start()
    try:
        httpx.post(
            f"{server.url}/api/v1/auth/register",
            json={"email": "ada@example.com", "password": PASSWORD, "display_name": "Ada"},
            timeout=30,
        ).raise_for_status()
        env = cli_env(tmp_path, AURORAVAULT_PASSWORD=PASSWORD)
        for line in commands("Your photos in and out: the command-line client"):
            result = sh(line.replace(DEFAULT_URL, server.url), env)
            assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
    finally:
        server.stop()
    exported = sorted(p.name for p in (home / "vault-copy").rglob("*") if p.is_file() and p.suffix != ".json")
    assert sorted(exported) == ["IMG_5195.HEIC", "flower.jpg", "hopper.png"], exported


# -- run: the AWS commands, against SeaweedFS and moto -----------------------------------------------
def test_the_aws_commands_work_as_written(tmp_path: Path, seaweedfs: SeaweedFS, moto_server: str) -> None:
    assert load_settings(REPO / "config" / "aws.toml", environ={}).storage.backend == "s3"
    env = cli_env(
        tmp_path,
        AURORAVAULT_S3__ENDPOINT_URL=seaweedfs.endpoint,
        AURORAVAULT_S3__REGION=seaweedfs.region,
        AURORAVAULT_S3__BUCKET=unique_bucket("readme"),
        AURORAVAULT_S3__ACCESS_KEY=seaweedfs.access_key,
        AURORAVAULT_S3__SECRET_KEY=seaweedfs.secret_key,
        AURORAVAULT_S3__PATH_STYLE="true",
        AURORAVAULT_S3__SECURE="false",
        AURORAVAULT_DYNAMODB__ENDPOINT_URL=moto_server,
        AURORAVAULT_DYNAMODB__REGION=MOTO_REGION,
        AURORAVAULT_DYNAMODB__TABLE=unique_name("readme"),
        AURORAVAULT_DYNAMODB__ACCESS_KEY=MOTO_CREDENTIALS["access_key"],
        AURORAVAULT_DYNAMODB__SECRET_KEY=MOTO_CREDENTIALS["secret_key"],
        AURORAVAULT_SES__ENDPOINT_URL=moto_server,
        AURORAVAULT_SES__REGION=MOTO_REGION,
        AURORAVAULT_SES__ACCESS_KEY=MOTO_CREDENTIALS["access_key"],
        AURORAVAULT_SES__SECRET_KEY=MOTO_CREDENTIALS["secret_key"],
    )
    for line in commands("Cloud (AWS)"):
        result = sh(line, env)
        assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr


# -- run: the account commands (issue 14) ----------------------------------------------------------
def test_the_account_commands_work_as_written(tmp_path: Path) -> None:
    env = cli_env(tmp_path, AURORAVAULT_PASSWORD=PASSWORD)
    for email, name in (("root@example.com", "Root"), ("ada@example.com", "Ada")):
        made = sh(f"auroravault user create --email {email} --name {name}", env)
        assert made.returncode == 0, made.stderr
    for line in commands("Accounts and admins"):
        result = sh(line, env)
        assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
    table = sh("auroravault user list", env).stdout.splitlines()
    ada = next(row for row in table if row.startswith("ada@example.com"))
    assert ada.split()[1:] == ["Ada", "Lovelace", "yes", "yes", "100", "GB", "0", "B"], ada
