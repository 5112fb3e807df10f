"""Fixtures for the client: a real server in a subprocess, the CLI in a subprocess, log counting."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from auroravault.client.scan import sniff_and_hash
from tests.e2e.conftest import Server

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "a long family password"
_PUT = re.compile(r'"PUT /blobs/([^/\s]+)/\S+?\?\S*?sha256=([0-9a-f]{64})\S* HTTP/1\.1" (\d{3})')
_GET_BLOB = re.compile(r'"GET /blobs/([^/\s]+)/\S+/original\?\S* HTTP/1\.1" (\d{3})')


def puts(server: Server, user_id: str, status: int = 200) -> Counter[str]:
    """sha256 -> how many presigned PUTs of it, by this user, the server answered with ``status``.

    Object keys start with the owner's id, so tests sharing one server count only their own.
    """
    return Counter(sha for user, sha, code in _PUT.findall(server.log()) if user == user_id and int(code) == status)


def original_gets(server: Server, user_id: str) -> int:
    """How many originals of this user the server sent through presigned GETs."""
    return sum(1 for user, code in _GET_BLOB.findall(server.log()) if user == user_id and code == "200")


def photo_hashes(folder: Path) -> dict[str, Path]:
    """sha256 -> a file, for every photo (by content) in ``folder``."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            sha, ctype, _, _ = sniff_and_hash(path)
            if sha is not None and ctype is not None:
                found.setdefault(sha, path)
    return found


def server_photos(server: Server, token: str) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = []
    cursor = None
    with httpx.Client(base_url=server.url, timeout=30) as http:
        while True:
            params: dict[str, object] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = http.get("/api/v1/photos", params=params, headers={"Authorization": f"Bearer {token}"}).json()
            listed += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return listed


def stage_counts(state: Path) -> dict[str, int]:
    """Stages in the CLI's state file, read while it runs (WAL allows a concurrent reader)."""
    if not state.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=1)
        try:
            return dict(conn.execute("SELECT stage, COUNT(*) FROM items GROUP BY stage").fetchall())
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return {}  # the schema is not there yet


@dataclass
class Cli:
    """``python -m auroravault`` with HOME and the XDG folders inside the test's tmp_path."""

    home: Path
    server: Server

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AURORAVAULT_", "XDG_"))}
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / "config"),
            XDG_STATE_HOME=str(self.home / "state"),
            AURORAVAULT_SERVER_URL=self.server.url,
            AURORAVAULT_PASSWORD=PASSWORD,
            PYTHONPATH=str(REPO),
        )
        return env

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "auroravault", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def popen(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "auroravault", *args],
            env=self.env,
            cwd=REPO,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def _cred(self) -> dict[str, str]:
        creds = json.loads((self.home / "config" / "auroravault" / "credentials.json").read_text())
        return dict(creds["servers"][self.server.url])

    def token(self) -> str:
        return self._cred()["token"]

    def user_id(self) -> str:
        return self._cred()["user_id"]

    def register(self) -> str:
        email = f"{self.home.parent.name.lower()[-40:]}@example.com"  # unique per test on a shared server
        done = self.run("login", "--email", email, "--register", "--name", "Family")
        assert done.returncode == 0, done.stderr
        return self.token()


ServerFactory = Callable[..., Server]


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[ServerFactory]:
    started: list[Server] = []

    def make(**env: str) -> Server:
        srv = Server(data_dir=tmp_path / "data", env=env)
        srv.start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for a module's tests; each test has its own account (and counts only its own)."""
    srv = Server(data_dir=tmp_path_factory.mktemp("shared") / "data")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def cli(server: Server, tmp_path: Path) -> Cli:
    return Cli(home=tmp_path / "home", server=server)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
