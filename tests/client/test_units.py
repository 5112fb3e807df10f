"""The client's pieces without a server: sniffing, scanning, the state file, errors, config, display."""

from __future__ import annotations

import asyncio
import io
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from auroravault.client import config, triage
from auroravault.client.api import ApiError, AuroraClient, TransportFailure, error_of
from auroravault.client.models import PresignedRequest
from auroravault.client.progress import Progress, human_bytes, human_duration
from auroravault.client.retry import RetryPolicy
from auroravault.client.scan import scan_paths, sniff, sniff_and_hash
from auroravault.client.state import Item, StateLocked, StateStore
from auroravault.client.uploader import Uploader, _expiry, _Url


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("flower.jpg", "image/jpeg"),
        ("hopper.png", "image/png"),
        ("flower.webp", "image/webp"),
        ("IMG_5195.HEIC", "image/heic"),
        ("pug.heic", "image/heic"),
        ("truncated_jpeg.jpg", "image/jpeg"),
        ("not_an_image.jpg", None),
        ("notjpeg.jpg", None),
        ("README.md", None),
    ],
)
def test_sniff_samples_by_content(photos_dir: Path, name: str, expected: str | None) -> None:
    assert sniff((photos_dir / name).read_bytes()[:64]) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"GIF89a\x01\x00", "image/gif"),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "image/avif"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1miaf", "image/heif"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "video/quicktime"),
        (b"\x00\x00\x00\x08wide\x00\x10\x00\x00mdat", "video/quicktime"),  # QuickTime without ftyp
        (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42", None),  # audio only
        (b"RIFF\x00\x00\x00\x00AVI LIST", None),
        (b"", None),
    ],
)
def test_sniff_magic_bytes(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_scan_skips_hidden_and_sidecars_but_not_named_files(tmp_path: Path) -> None:
    (tmp_path / ".thumbnails").mkdir()
    (tmp_path / ".thumbnails" / "a.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "@eaDir").mkdir()
    (tmp_path / "@eaDir" / "b.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "sub").mkdir()
    for name in ("c.jpg", "c.jpg.xmp", "IMG_1.AAE", "c.json", ".DS_Store", "Thumbs.db", "notes.txt"):
        (tmp_path / "sub" / name).write_bytes(b"x")
    os.link(tmp_path / "sub" / "c.jpg", tmp_path / "sub" / "hardlink.jpg")
    explicit = tmp_path / ".explicit.jpg"
    explicit.write_bytes(b"x")
    result = scan_paths([tmp_path, explicit, tmp_path / "gone"])
    assert sorted(c.path.name for c in result.files) == [".explicit.jpg", "c.jpg", "notes.txt"]
    assert result.ignored == 8  # 2 folders, 5 sidecars or clutter, .explicit.jpg met in the walk
    assert [m[0] for m in result.missing] == [str(tmp_path / "gone")]


def test_sniff_and_hash(photos_dir: Path) -> None:
    sha, ctype, size, _ = sniff_and_hash(photos_dir / "flower.webp")
    assert ctype == "image/webp" and size == (photos_dir / "flower.webp").stat().st_size and len(sha or "") == 64
    assert sniff_and_hash(photos_dir / "not_an_image.jpg")[:2] == (None, None)


async def test_hash_cache_skips_unchanged_files(
    tmp_path: Path, photos_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes((photos_dir / "flower.jpg").read_bytes())
    calls: list[Path] = []
    real = triage.sniff_and_hash

    def counting(path: Path) -> tuple[str | None, str | None, int, int]:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(triage, "sniff_and_hash", counting)
    state = StateStore.open(tmp_path / "state.sqlite")
    try:
        for expected_calls in (1, 1):  # the second pass reads nothing
            engine = Uploader(AuroraClient("http://127.0.0.1:9"), state)
            (cand,) = scan_paths([photo]).files
            hashed = await engine._hash_chunk([cand])
            assert [h[2] for h in hashed] == ["image/jpeg"] and len(calls) == expected_calls
        os.utime(photo, ns=(time.time_ns(), time.time_ns() + 10**9))  # touched: read again
        (cand,) = scan_paths([photo]).files
        await Uploader(AuroraClient("http://127.0.0.1:9"), state)._hash_chunk([cand])
        assert len(calls) == 2
    finally:
        state.close()


def test_state_queue_round_trip_and_lock(tmp_path: Path) -> None:
    path = tmp_path / "s" / "state.sqlite"
    state = StateStore.open(path)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with pytest.raises(StateLocked):
            StateStore.open(path)
        item = Item(sha256="a" * 64, size=3, content_type="image/jpeg", filename="x.jpg", path="/x.jpg", stage="hashed")
        state.add([item])
        item.stage, item.upload_id, item.batch_id = "initiated", "up_1", "b_1"
        state.save([item])
        state.add([Item(sha256="a" * 64, size=3, content_type="image/jpeg", filename="y", path="/y", stage="hashed")])
        got = state.get("a" * 64)
        assert got is not None and (got.stage, got.upload_id, got.path) == ("initiated", "up_1", "/x.jpg")
        assert state.counts() == {"initiated": 1}
    finally:
        state.close()
    StateStore.open(path).close()  # the lock went with the first store


def test_errors_from_problem_json_and_s3_xml() -> None:
    problem = httpx.Response(
        503,
        headers={"content-type": "application/problem+json", "retry-after": "7"},
        content=b'{"status":503,"code":"storage_unavailable","title":"Unavailable","detail":"down"}',
    )
    err = error_of(problem, problem.content)
    assert (err.status, err.code, err.detail, err.retry_after, err.transient) == (
        503,
        "storage_unavailable",
        "down",
        7.0,
        True,
    )
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
        b"<Message>Request has expired</Message></Error>"
    )
    s3 = httpx.Response(403, headers={"content-type": "application/xml"}, content=xml)
    err = error_of(s3, s3.content)
    assert err.code == "url_expired" and err.url_expired and not err.transient
    gateway = httpx.Response(502, headers={"content-type": "text/html"}, content=b"<html>Bad gateway</html>")
    assert error_of(gateway, gateway.content).transient
    assert not ApiError(422, "checksum_mismatch", "x").transient
    assert ApiError(429, "too_many_attempts", "x").transient
    assert TransportFailure("reset").transient


async def test_put_presigned_sends_exact_headers_and_length_without_token(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        seen.append(request)
        return httpx.Response(200)

    body = tmp_path / "f.bin"
    body.write_bytes(b"x" * 2_700_000)
    sent: list[int] = []
    async with AuroraClient("http://server", "secret-token", transport=httpx.MockTransport(handler)) as client:
        request = PresignedRequest(method="PUT", url="http://storage/k?sig=1", headers={"Content-Type": "image/jpeg"})
        await client.put_presigned(request, body, 2_700_000, on_progress=sent.append)
    (req,) = seen
    assert req.headers["content-length"] == "2700000" and req.headers["content-type"] == "image/jpeg"
    assert "authorization" not in req.headers and "transfer-encoding" not in req.headers
    assert req.content == body.read_bytes() and sum(sent) == 2_700_000 and len(sent) == 3  # streamed, 1 MiB at a time


def test_credentials_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv(config.TOKEN_ENV, raising=False)
    monkeypatch.delenv(config.SERVER_ENV, raising=False)
    with pytest.raises(config.NotLoggedIn):
        config.resolve(None)
    path = config.remember(config.Credential(server="http://a:1", token="t1", email="e@x", user_id="u_1"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert config.resolve(None).token == "t1"
    monkeypatch.setenv(config.TOKEN_ENV, "t2")
    assert config.resolve("a:1/").token == "t2"
    assert config.forget("http://a:1") and config.load_credentials().default is None


def test_state_path_per_server_and_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    a = config.default_state_path("http://127.0.0.1:8000", "u_1")
    assert a.parent == tmp_path / "auroravault"
    assert (
        len(
            {
                a,
                config.default_state_path("http://127.0.0.1:8000", "u_2"),
                config.default_state_path("https://x", "u_1"),
            }
        )
        == 3
    )


def test_retry_policy_full_jitter_and_retry_after() -> None:
    policy = RetryPolicy(attempts=5, base=1.0, cap=4.0)
    delays = [policy.delay(n) for n in range(6) for _ in range(50)]
    assert all(0 <= d <= 4.0 for d in delays) and max(delays) > 2
    assert policy.delay(0, retry_after=3.0) >= 3.0


def test_url_staleness() -> None:
    now = datetime.now(UTC)
    asked = time.time()
    long = _Url(PresignedRequest(method="PUT", url="u"), _expiry(now + timedelta(seconds=3600), asked), 3600)
    assert not long.stale(3.0)
    short = _Url(PresignedRequest(method="PUT", url="u"), _expiry(now + timedelta(seconds=4), asked), 4)
    assert not short.stale(3.0), "a margin close to the TTL must not make fresh URLs stale"
    dead = _Url(PresignedRequest(method="PUT", url="u"), _expiry(now - timedelta(seconds=5), asked), -5)
    assert dead.expires is None and not dead.stale(3.0), "clocks that disagree: rely on the 403"


async def test_progress_live_and_plain() -> None:
    assert (human_bytes(999), human_bytes(1_500_000), human_duration(3725)) == ("999 B", "1.5 MB", "1h02m")
    plain = io.StringIO()
    progress = Progress(plain, live=False, plain_interval=0.01)
    progress.add_total(2, 2_000_000)
    progress.start()
    progress.transferred(1_000_000)
    progress.file_done("uploaded", 1_000_000)
    progress.message("failed: x: boom")
    await asyncio.sleep(0.05)
    await progress.stop()
    text = plain.getvalue()
    assert "\r" not in text and "1/2 files" in text and "failed: x: boom\n" in text
    live = io.StringIO()
    progress = Progress(live, live=True, interval=0.01)
    progress.add_total(1, 10)
    progress.start()
    await asyncio.sleep(0.03)
    progress.file_done("failed", 10)
    progress.message("failed: y")
    await progress.stop()
    out = live.getvalue()
    assert "\r\x1b[2K0/1 files" in out and "failed: y\n" in out and out.endswith("\n") and "1 failed" in out
