"""The upload engine in process against a real server, with faults on the wire and expiring URLs.

Faults are injected by an httpx transport in front of the real one: the server and storage
are real, only the network misbehaves (refused connections, answers lost after the server
acted, 503s, tampered URLs).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import httpx
import pytest

from auroravault.client.api import AuroraClient
from auroravault.client.progress import Progress
from auroravault.client.report import UploadOptions
from auroravault.client.retry import RetryPolicy
from auroravault.client.state import StateStore
from auroravault.client.uploader import upload
from tests.client.conftest import PASSWORD, ServerFactory, photo_hashes, puts, server_photos, stage_counts
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
FAST = RetryPolicy(attempts=6, base=0.05, cap=0.5)
_emails = itertools.count()


async def new_account(server: Server) -> tuple[str, str]:
    async with AuroraClient(server.url) as client:
        session = await client.register(f"engine{next(_emails)}@example.com", PASSWORD, "Engine")
    return session.token, session.user.id


def assert_each_photo_once(server: Server, token: str, user_id: str, photos_dir: Path) -> None:
    expected = photo_hashes(photos_dir)
    assert sorted(str(p["sha256"]) for p in server_photos(server, token)) == sorted(expected)
    sent = puts(server, user_id)
    assert set(sent) == set(expected) and set(sent.values()) == {1}, sent


class Faults(httpx.AsyncBaseTransport):
    """Real transport, with faults: each file's first PUT fails in one of four ways, in turn.

    0: the answer is lost *after* storage accepted the bytes (the dangerous one);
    1: the connection is refused before anything is sent;
    2: the URL is tampered with, so storage answers a real 403;
    3: no fault.
    The first check and the first two inits answer 503 with Retry-After.
    """

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.first: dict[str, int] = {}
        self.unavailable = {"/api/v1/uploads/check": 1, "/api/v1/uploads": 2}
        self.injected: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and self.unavailable.get(path, 0) > 0:
            self.unavailable[path] -= 1
            await request.aread()
            self.injected.append(f"503 {path}")
            body = b'{"status": 503, "code": "meta_unavailable", "detail": "injected"}'
            headers = {"content-type": "application/problem+json", "retry-after": "0"}
            return httpx.Response(503, headers=headers, content=body)
        if request.method == "PUT" and path.startswith("/blobs/"):
            sha = request.url.params["sha256"]
            if sha not in self.first:
                self.first[sha] = kind = len(self.first) % 4
                if kind == 0:
                    response = await self.inner.handle_async_request(request)
                    await response.aread()
                    await response.aclose()
                    self.injected.append(f"lost answer {response.status_code}")
                    raise httpx.ReadError("injected: the answer was lost")
                if kind == 1:
                    await request.aread()
                    self.injected.append("refused")
                    raise httpx.ConnectError("injected: connection refused")
                if kind == 2:
                    tampered = request.url.copy_set_param("signature", "0" * 64)
                    self.injected.append("tampered")
                    request = httpx.Request("PUT", tampered, headers=request.headers, stream=request.stream)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_faults_on_the_wire_lose_nothing_and_send_nothing_twice(
    server: Server, photos_dir: Path, tmp_path: Path
) -> None:
    token, user_id = await new_account(server)
    faults = Faults()
    state = StateStore.open(tmp_path / "state.sqlite")
    try:
        async with AuroraClient(server.url, token, transport=faults) as client:
            report = await upload(
                client, state, [photos_dir], UploadOptions(jobs=4, batch_size=10, retry=FAST), Progress(quiet=True)
            )
    finally:
        state.close()
    assert report.ok, report.of("failed")
    assert {"lost answer 200", "refused", "tampered", "503 /api/v1/uploads", "503 /api/v1/uploads/check"} <= set(
        faults.injected
    )
    assert len(report.of("uploaded")) == len(photo_hashes(photos_dir))
    # The lost answers were PUTs storage accepted: the engine probed instead of sending again.
    assert_each_photo_once(server, token, user_id, photos_dir)
    assert puts(server, user_id, 403), "the tampered URLs were refused by the real server"
    assert stage_counts(tmp_path / "state.sqlite") == {"completed": len(photo_hashes(photos_dir))}


async def test_urls_expiring_mid_run_are_asked_again(
    make_server: ServerFactory, photos_dir: Path, tmp_path: Path
) -> None:
    server = make_server(AURORAVAULT_STORAGE__PRESIGN_TTL_SECONDS="10")
    token, user_id = await new_account(server)
    # One batch of every file (~13 MB), one PUT at a time at ~1 MB/s: the run outlives the 10 s URLs.
    # refresh_margin=None turns proactive refresh off, so storage's real 403 is the signal.
    options = UploadOptions(jobs=1, batch_size=50, retry=FAST, limit_rate=1.05e6, refresh_margin=None)
    state = StateStore.open(tmp_path / "state.sqlite")
    try:
        async with AuroraClient(server.url, token) as client:
            report = await upload(client, state, [photos_dir], options)
    finally:
        state.close()
    assert report.ok, report.of("failed")
    assert report.elapsed > 10
    expired = puts(server, user_id, 403)
    assert expired, "some URLs must have expired mid-run"
    assert_each_photo_once(server, token, user_id, photos_dir)
