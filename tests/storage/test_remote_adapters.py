"""S3BlobStore and MinioBlobStore against a real S3 server (SeaweedFS, SigV4 enforced).

Every test runs for both adapters. Where their guarantees differ (the minio SDK signs
only the host of a presigned PUT), the test asserts what each one actually gives:

    guarantee of a presigned PUT        s3 (boto3)          minio (SDK)
    expiry, signature, key, method      refused (403)       refused (403)
    other Content-Type                  refused (403)       stored; head() shows it
    body of another size                refused (403)       stored; head().size shows it
    body with another sha256            refused (400)       stored; pipeline re-hashes
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import msgspec
import pytest

from auroravault.errors import ConfigError, Invalid, NotFound, Unavailable
from auroravault.storage.base import BlobStore, PresignedRequest
from auroravault.storage.minio import MinioBlobStore
from auroravault.storage.s3 import S3BlobStore
from tests.servers.fixtures import create_bucket, make_minio_store, make_s3_store, s3_settings, unique_bucket
from tests.servers.seaweedfs import SeaweedFS

Store = S3BlobStore | MinioBlobStore
KINDS = ["s3", "minio"]
JPEG = "image/jpeg"


def build(kind: str, seaweedfs: SeaweedFS, bucket: str, **overrides: object) -> Store:
    factory = make_s3_store if kind == "s3" else make_minio_store
    return factory(seaweedfs, bucket, **overrides)


def unbuilt(kind: str, seaweedfs: SeaweedFS, bucket: str, **overrides: object) -> Store:
    """A store whose bucket is not created (or whose endpoint is elsewhere)."""
    cls = S3BlobStore if kind == "s3" else MinioBlobStore
    return cls(s3_settings(seaweedfs, bucket, **overrides))


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def store(kind: str, seaweedfs: SeaweedFS) -> AsyncIterator[Store]:
    s = build(kind, seaweedfs, unique_bucket(kind))
    yield s
    await s.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def payload(size: int = 256 * 1024) -> tuple[bytes, str]:
    data = os.urandom(size)
    return data, hashlib.sha256(data).hexdigest()


async def presign(
    store: Store, key: str, data: bytes, *, content_type: str = JPEG, expires_in: int = 60
) -> PresignedRequest:
    return await store.presign_put(
        key,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        expires_in=expires_in,
    )


def files_in(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the server itself -----------------------------------------------------------------------


async def test_server_refuses_anonymous_requests(seaweedfs: SeaweedFS, http: httpx.AsyncClient) -> None:
    bucket = unique_bucket("anon")
    create_bucket(seaweedfs, bucket)
    assert (await http.put(f"{seaweedfs.endpoint}/{bucket}/x", content=b"x")).status_code == 403
    assert (await http.get(f"{seaweedfs.endpoint}/{bucket}/x")).status_code == 403


async def test_adapters_satisfy_the_protocol_and_state_their_guarantees(seaweedfs: SeaweedFS) -> None:
    stores: list[BlobStore] = [unbuilt(kind, seaweedfs, "proto") for kind in KINDS]  # mypy checks too
    for blob_store in stores:
        assert isinstance(blob_store, BlobStore)
        await blob_store.close()
    assert (S3BlobStore.enforces_content_type, S3BlobStore.enforces_size, S3BlobStore.enforces_sha256) == (
        True,
        True,
        True,
    )
    assert (
        MinioBlobStore.enforces_content_type,
        MinioBlobStore.enforces_size,
        MinioBlobStore.enforces_sha256,
    ) == (False, False, False)


# -- presigned PUT ---------------------------------------------------------------------------


async def test_presigned_put_then_head_and_download(store: Store, http: httpx.AsyncClient, tmp_path: Path) -> None:
    data, sha = payload()
    req = await store.presign_put("u1/p1/original", content_type=JPEG, size=len(data), sha256=sha, expires_in=60)
    assert req.method == "PUT"
    assert req.headers["Content-Type"] == JPEG
    resp = await http.request(req.method, req.url, content=data, headers=req.headers)
    assert resp.status_code == 200, resp.text

    info = await store.head("u1/p1/original")
    assert info is not None
    assert (info.key, info.size, info.content_type) == ("u1/p1/original", len(data), JPEG)
    assert info.etag == hashlib.md5(data).hexdigest()  # single PUT: the ETag is the MD5
    assert info.last_modified is not None

    target = tmp_path / "down.jpg"
    await store.download_to("u1/p1/original", target)
    assert target.read_bytes() == data
    assert files_in(tmp_path) == ["down.jpg"]  # no temp file left behind


async def test_presigned_put_signs_what_it_must(store: Store) -> None:
    data, _ = payload(10)
    req = await presign(store, "u/p/original", data)
    signed = dict(parse_qsl(urlsplit(req.url).query))["X-Amz-SignedHeaders"].split(";")
    if store.name == "s3":
        assert signed == ["content-length", "content-type", "host", "x-amz-checksum-sha256"]
        assert set(req.headers) == {"Content-Type", "x-amz-checksum-sha256"}
    else:
        assert signed == ["host"]
        assert set(req.headers) == {"Content-Type"}


async def test_tampered_signature_is_refused(store: Store, http: httpx.AsyncClient) -> None:
    data, _ = payload(1000)
    req = await presign(store, "u/p/original", data)
    parts = urlsplit(req.url)
    query = dict(parse_qsl(parts.query))
    sig = query["X-Amz-Signature"]
    query["X-Amz-Signature"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    tampered = urlunsplit(parts._replace(query=urlencode(query)))
    resp = await http.put(tampered, content=data, headers=req.headers)
    assert resp.status_code == 403
    # The signature binds the key too: the same URL cannot write elsewhere.
    other_key = req.url.replace("/u/p/original?", "/u/p/other?")
    assert (await http.put(other_key, content=data, headers=req.headers)).status_code == 403
    assert await store.head("u/p/original") is None
    assert await store.head("u/p/other") is None


async def test_expired_urls_are_refused(store: Store, http: httpx.AsyncClient, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"bytes")
    await store.put_file("u/p/thumb.webp", src, content_type="image/webp")
    get_url = await store.presign_get("u/p/thumb.webp", expires_in=1)
    data, _ = payload(1000)
    req = await presign(store, "u/p/original", data, expires_in=1)
    await asyncio.sleep(2.2)  # SigV4 dates have one-second resolution

    resp = await http.put(req.url, content=data, headers=req.headers)
    assert resp.status_code == 403
    assert "expired" in resp.text.lower()
    assert await store.head("u/p/original") is None
    assert (await http.get(get_url)).status_code == 403


async def test_other_content_type(store: Store, http: httpx.AsyncClient) -> None:
    data, _ = payload(1000)
    req = await presign(store, "u/p/original", data, content_type=JPEG)
    resp = await http.put(req.url, content=data, headers={**req.headers, "Content-Type": "text/html"})
    info = await store.head("u/p/original")
    if store.enforces_content_type:
        assert resp.status_code == 403
        assert info is None
    else:
        # minio: stored as sent; complete() can see the mismatch in head().
        assert resp.status_code == 200
        assert info is not None and info.content_type == "text/html"


@pytest.mark.parametrize("delta", [+1, +4096, -1])
async def test_body_of_other_size(store: Store, http: httpx.AsyncClient, delta: int) -> None:
    declared, _ = payload(8192)
    req = await presign(store, "u/p/original", declared)
    sent = os.urandom(len(declared) + delta)
    resp = await http.put(req.url, content=sent, headers=req.headers)
    info = await store.head("u/p/original")
    if store.enforces_size:
        assert resp.status_code == 403
        assert info is None
    else:
        # minio: stored; complete() compares head().size with the declared size and rejects.
        assert resp.status_code == 200
        assert info is not None and info.size == len(sent) != len(declared)


async def test_body_with_other_sha256(store: Store, http: httpx.AsyncClient) -> None:
    declared, _ = payload(64 * 1024)
    req = await presign(store, "u/p/original", declared)
    tampered = bytearray(declared)
    tampered[-1] ^= 0xFF  # same size, same type, other bytes
    resp = await http.put(req.url, content=bytes(tampered), headers=req.headers)
    info = await store.head("u/p/original")
    if store.enforces_sha256:
        assert resp.status_code == 400
        assert "BadDigest" in resp.text
        assert info is None
    else:
        # minio: stored; the processing pipeline re-hashes after download and rejects.
        assert resp.status_code == 200
        assert info is not None and info.size == len(declared)


async def test_s3_checksum_header_cannot_be_dropped(seaweedfs: SeaweedFS, http: httpx.AsyncClient) -> None:
    store = make_s3_store(seaweedfs, unique_bucket("sha"))
    try:
        data, _ = payload(1000)
        req = await presign(store, "u/p/original", data)
        headers = {k: v for k, v in req.headers.items() if k != "x-amz-checksum-sha256"}
        assert (await http.put(req.url, content=data, headers=headers)).status_code == 403
        assert await store.head("u/p/original") is None
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sha256": "abc"}, "invalid_sha256"),
        ({"sha256": "zz" * 32}, "invalid_sha256"),
        ({"size": -1}, "invalid_size"),
        ({"expires_in": 0}, "invalid_expiry"),
        ({"expires_in": 8 * 24 * 3600}, "invalid_expiry"),
    ],
)
async def test_presign_put_rejects_bad_arguments(store: Store, kwargs: dict[str, object], code: str) -> None:
    args: dict[str, object] = {"content_type": JPEG, "size": 10, "sha256": "ab" * 32, "expires_in": 60}
    args.update(kwargs)
    with pytest.raises(Invalid) as err:
        await store.presign_put("u/p/original", **args)  # type: ignore[arg-type]
    assert err.value.code == code


# -- presigned GET ---------------------------------------------------------------------------


async def test_presigned_get_downloads_with_filename(store: Store, http: httpx.AsyncClient, tmp_path: Path) -> None:
    data, _ = payload()
    src = tmp_path / "src"
    src.write_bytes(data)
    await store.put_file("u/p/original", src, content_type="application/octet-stream")
    url = await store.presign_get("u/p/original", expires_in=60, filename='Été "2024".jpg', content_type=JPEG)
    resp = await http.get(url)
    assert resp.status_code == 200
    assert resp.content == data
    assert resp.headers["content-type"] == JPEG
    disposition = resp.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="_t_ _2024_.jpg"' in disposition
    assert "filename*=UTF-8''%C3%89t%C3%A9%20%222024%22.jpg" in disposition

    plain = await http.get(await store.presign_get("u/p/original", expires_in=60))
    assert plain.content == data
    assert "content-disposition" not in plain.headers


# -- server-side calls -----------------------------------------------------------------------


async def test_head_and_download_of_missing_object(store: Store, tmp_path: Path) -> None:
    assert await store.head("u/p/missing") is None
    with pytest.raises(NotFound):
        await store.download_to("u/p/missing", tmp_path / "x")
    assert not (tmp_path / "x").exists()


async def test_put_file_is_streamed_and_round_trips(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "preview.jpg"
    data = os.urandom(3 * 1024 * 1024 + 17)
    src.write_bytes(data)
    await store.put_file("u/p/preview.jpg", src, content_type=JPEG)
    info = await store.head("u/p/preview.jpg")
    assert info is not None and (info.size, info.content_type) == (len(data), JPEG)
    out = tmp_path / "out.jpg"
    await store.download_to("u/p/preview.jpg", out)
    assert out.read_bytes() == data


async def test_list_by_prefix(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"12345")
    keys = ["u1/p1/original", "u1/p1/thumb.webp", "u1/p2/original", "u10/p3/original", "u2/p4/original"]
    for key in keys:
        await store.put_file(key, src, content_type=JPEG)

    async def listed(prefix: str) -> list[str]:
        return sorted([info.key async for info in store.list(prefix)])

    assert await listed("u1/") == ["u1/p1/original", "u1/p1/thumb.webp", "u1/p2/original"]
    assert await listed("u1/p1/") == ["u1/p1/original", "u1/p1/thumb.webp"]
    assert await listed("") == sorted(keys)
    assert await listed("nobody/") == []
    infos = [info async for info in store.list("u2/")]
    assert [(i.key, i.size) for i in infos] == [("u2/p4/original", 5)]


async def test_delete_is_idempotent(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"x")
    await store.put_file("u/p/original", src, content_type=JPEG)
    await store.delete("u/p/original")
    assert await store.head("u/p/original") is None
    await store.delete("u/p/original")
    await store.delete("u/p/never-existed")


async def test_check_passes_and_leaves_nothing(store: Store) -> None:
    await store.check()
    assert [info.key async for info in store.list("")] == []


@pytest.mark.parametrize("key", ["../x", "/abs", "a\\b", "a\x00b", "a/../b", "a//b", "", "a/./b", "ü/x"])
async def test_unsafe_keys_are_invalid(store: Store, key: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"x")
    calls = [
        store.presign_put(key, content_type=JPEG, size=1, sha256="ab" * 32, expires_in=60),
        store.presign_get(key, expires_in=60),
        store.head(key),
        store.put_file(key, src, content_type=JPEG),
        store.download_to(key, tmp_path / "out"),
        store.delete(key),
    ]
    for call in calls:
        with pytest.raises(Invalid):
            await call


# -- unreachable or misconfigured storage ----------------------------------------------------


async def test_unreachable_endpoint_is_unavailable_quickly(kind: str, seaweedfs: SeaweedFS, tmp_path: Path) -> None:
    dead = unbuilt(kind, seaweedfs, "nowhere", endpoint_url=f"http://127.0.0.1:{free_port()}")
    try:
        for call in (dead.check(), dead.head("u/p/original"), dead.download_to("u/p/x", tmp_path / "x")):
            began = time.monotonic()
            with pytest.raises(Unavailable) as err:
                await call
            assert time.monotonic() - began < 10
            assert err.value.status_code == 503 and err.value.retry_after
            assert "unreachable" in err.value.detail
    finally:
        await dead.close()


async def test_missing_bucket_fails_check_with_a_plain_message(kind: str, seaweedfs: SeaweedFS) -> None:
    store = unbuilt(kind, seaweedfs, unique_bucket("missing"))
    try:
        with pytest.raises(Unavailable) as err:
            await store.check()
        assert "does not exist" in err.value.detail
        assert "auroravault migrate" in err.value.detail
    finally:
        await store.close()


async def test_wrong_credentials_fail_check(kind: str, seaweedfs: SeaweedFS) -> None:
    store = build(kind, seaweedfs, unique_bucket("creds"), secret_key="not-the-secret")
    try:
        with pytest.raises(Unavailable) as err:
            await store.check()
        assert "refused the configured credentials" in err.value.detail
        assert "not-the-secret" not in str(err.value)
    finally:
        await store.close()


@pytest.mark.parametrize(
    "overrides",
    [{"bucket": ""}, {"endpoint_url": "ftp://host:21"}, {"endpoint_url": "http://host:9000/path"}],
)
def test_bad_settings_are_config_errors(kind: str, seaweedfs: SeaweedFS, overrides: dict[str, str]) -> None:
    cls = S3BlobStore if kind == "s3" else MinioBlobStore
    settings = msgspec.structs.replace(s3_settings(seaweedfs, "cfg"), **overrides)
    with pytest.raises(ConfigError, match="s3"):
        cls(settings)


# -- public endpoint -------------------------------------------------------------------------


async def test_public_endpoint_is_used_for_presigned_urls(
    kind: str, seaweedfs: SeaweedFS, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    public = f"http://localhost:{seaweedfs.port}"
    store = build(kind, seaweedfs, unique_bucket("pub"), public_endpoint_url=public)
    try:
        data, _ = payload(4096)
        req = await presign(store, "u/p/original", data)
        assert req.url.startswith(f"{public}/")
        assert (await http.put(req.url, content=data, headers=req.headers)).status_code == 200
        url = await store.presign_get("u/p/original", expires_in=60)
        assert url.startswith(f"{public}/")
        assert (await http.get(url)).content == data
        # Server-side calls still go to endpoint_url.
        await store.check()
        # SigV4 signs the host: the same URL replayed against another host is refused.
        elsewhere = req.url.replace(public, seaweedfs.endpoint)
        assert (await http.put(elsewhere, content=data, headers=req.headers)).status_code == 403
    finally:
        await store.close()


# -- ensure_bucket (auroravault migrate) -----------------------------------------------------


async def test_ensure_bucket_creates_once_and_sets_cors(
    kind: str, seaweedfs: SeaweedFS, http: httpx.AsyncClient
) -> None:
    store = unbuilt(kind, seaweedfs, unique_bucket("mig"))
    try:
        origin = "https://photos.example"
        await store.ensure_bucket([origin])
        await store.ensure_bucket([origin])  # idempotent
        await store.check()
        preflight = await http.options(
            f"{seaweedfs.endpoint}/{store.bucket}/u/p/original",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "content-type,x-amz-checksum-sha256",
            },
        )
        if kind == "s3":
            assert preflight.status_code == 200
            assert preflight.headers["access-control-allow-origin"] == origin
            assert "PUT" in preflight.headers["access-control-allow-methods"]
            assert "ETag" in preflight.headers["access-control-expose-headers"]
            evil = await http.options(
                f"{seaweedfs.endpoint}/{store.bucket}/u/p/original",
                headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
            )
            assert "access-control-allow-origin" not in evil.headers
        # minio: the SDK has no bucket CORS call; ensure_bucket only logs the origins.
    finally:
        await store.close()


# -- restart (own server: the shared one stays up) -------------------------------------------


@pytest.mark.slow
async def test_objects_survive_a_restart_and_outage_is_unavailable(kind: str, tmp_path: Path) -> None:
    with SeaweedFS() as server:
        store = build(kind, server, unique_bucket("rst"))
        try:
            src = tmp_path / "src"
            src.write_bytes(b"kept")
            await store.put_file("u/p/original", src, content_type=JPEG)
            server.stop(kill=True)
            with pytest.raises(Unavailable):
                await store.head("u/p/original")
            server.start()
            info = await store.head("u/p/original")
            assert info is not None and info.size == 4
            await store.check()
        finally:
            await store.close()
