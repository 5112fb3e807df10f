"""Several stateless app instances on one S3 (SeaweedFS) and one DynamoDB (moto), and storage faults."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.backends import (
    create_admin,
    download,
    dynamodb_env,
    fifty_photos,
    login,
    migrate,
    put_all,
    register,
    s3_env,
    specs,
    wait_until_settled,
)
from tests.e2e.conftest import Server
from tests.servers.seaweedfs import SeaweedFS

pytestmark = pytest.mark.e2e

FAST_JOBS = {
    "AURORAVAULT_JOBS__BACKOFF_BASE": "0.2",
    "AURORAVAULT_JOBS__BACKOFF_CAP": "2",
    "AURORAVAULT_JOBS__POLL_SECONDS": "1",
    "AURORAVAULT_JOBS__SWEEP_SECONDS": "1",
    "AURORAVAULT_JOBS__MAX_ATTEMPTS": "50",
    "AURORAVAULT_UPLOADS__FIRST_CHECK_SECONDS": "1",
}


def admin_jobs(url: str, headers: dict[str, str]) -> list[dict]:
    resp = httpx.get(f"{url}/api/v1/admin/jobs", params={"limit": 500}, headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["items"])


@pytest.fixture
def two_instances(tmp_path: Path, seaweedfs: SeaweedFS, moto_server: str) -> Iterator[tuple[Server, Server]]:
    env = {**s3_env(seaweedfs, "s3"), **dynamodb_env(moto_server), **FAST_JOBS}
    migrate(env, tmp_path / "a")
    create_admin(env, tmp_path / "a")
    servers = (Server(data_dir=tmp_path / "a", env=env), Server(data_dir=tmp_path / "b", env=env))
    for server in servers:
        server.start()
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_two_instances_share_the_work_and_process_each_photo_once(
    two_instances: tuple[Server, Server], photos_dir: Path, tmp_path: Path
) -> None:
    a, b = two_instances
    headers = register(a.url)
    paths = fifty_photos(photos_dir, tmp_path)
    completed, abandoned = paths[:40], paths[40:]
    # init on A, complete on B: the instances share nothing but S3 and DynamoDB
    init = httpx.post(f"{a.url}/api/v1/uploads", json={"files": specs(paths)}, headers=headers, timeout=60).json()
    put_all(init["items"], paths)
    ids = [i["upload_id"] for i in init["items"][: len(completed)]]
    done = httpx.post(
        f"{b.url}/api/v1/uploads/{init['batch_id']}/complete", json={"upload_ids": ids}, headers=headers, timeout=60
    )
    assert done.status_code == 200 and {i["status"] for i in done.json()["items"]} == {"processing"}
    # the last 10 are never completed by the client: both instances' sweeps find them
    photos = wait_until_settled(b.url, headers, 50)
    assert len({p["id"] for p in photos}) == 50
    assert all(p["status"] in ("ready", "failed") for p in photos)

    admin = login(a.url, "admin@example.com")
    jobs = [j for j in admin_jobs(a.url, admin) if j["kind"] == "process_photo"]
    assert len(jobs) == 50, "one job per photo, whoever confirmed it"
    assert {j["state"] for j in jobs} == {"done"}
    assert all(j["attempts"] == 1 for j in jobs), "no photo was processed twice"
    for log in (a.log(), b.log()):
        assert "Traceback" not in log
    for photo in photos:
        assert (
            download(b.url, headers, photo["id"]) == next(p for p in paths if p.name == photo["filename"]).read_bytes()
        )
    assert abandoned  # the sweep confirmed these: their uploads are no longer pending
    pending = httpx.get(f"{a.url}/api/v1/uploads", params={"state": "pending"}, headers=headers, timeout=30).json()
    assert pending["items"] == []


def test_storage_down_mid_import_then_back_loses_nothing(tmp_path: Path, moto_server: str, photos_dir: Path) -> None:
    storage = SeaweedFS(tmp_path / "seaweed")
    storage.start()
    env = {
        **s3_env(storage, "s3"),
        **dynamodb_env(moto_server),
        **FAST_JOBS,
        "AURORAVAULT_JOBS__CONCURRENCY": "1",
        "AURORAVAULT_JOBS__SWEEP_SECONDS": "3600",
    }
    server = Server(data_dir=tmp_path / "data", env=env)
    try:
        migrate(env, server.data_dir)
        create_admin(env, server.data_dir)
        server.start()
        url = server.url
        headers = register(url)
        big = [photos_dir / n for n in ("pug.heic", "IMG_5195.HEIC", "arrow.heic", "42_IndexError.jpg")]
        first = httpx.post(f"{url}/api/v1/uploads", json={"files": specs(big)}, headers=headers, timeout=60).json()
        put_all(first["items"], big)
        small = [photos_dir / n for n in ("flower.jpg", "starfish.jpg", "dsc_09827.jpg")]
        second = httpx.post(f"{url}/api/v1/uploads", json={"files": specs(small)}, headers=headers, timeout=60).json()
        put_all(second["items"], small)
        done = httpx.post(f"{url}/api/v1/uploads/{first['batch_id']}/complete", json={}, headers=headers, timeout=60)
        assert done.status_code == 200
        storage.stop(kill=True)  # storage dies while the photos wait to be processed

        resp = httpx.post(f"{url}/api/v1/uploads/{second['batch_id']}/complete", json={}, headers=headers, timeout=60)
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["code"] == "storage_unavailable" and int(resp.headers["retry-after"]) > 0
        ready = httpx.get(f"{url}/readyz", timeout=30)
        assert ready.status_code == 503

        admin = login(url, "admin@example.com")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            retried = [
                j for j in admin_jobs(url, admin) if j["last_error"] and "storage_unavailable" in j["last_error"]
            ]
            if retried:
                break
            time.sleep(0.5)
        assert retried, "processing jobs must fail softly and back off while storage is down"
        assert all(j["state"] in ("queued", "running") for j in retried)

        storage.start()  # back on the same ports and data
        again = httpx.post(f"{url}/api/v1/uploads/{second['batch_id']}/complete", json={}, headers=headers, timeout=60)
        assert again.status_code == 200
        photos = wait_until_settled(url, headers, len(big) + len(small))
        assert sorted(p["filename"] for p in photos) == sorted(p.name for p in big + small)
        assert {p["status"] for p in photos} == {"ready"}
        for photo in photos:
            original = next(p for p in big + small if p.name == photo["filename"])
            assert download(url, headers, photo["id"]) == original.read_bytes()
        jobs = [j for j in admin_jobs(url, admin) if j["kind"] == "process_photo"]
        assert len(jobs) == len(big) + len(small) and {j["state"] for j in jobs} == {"done"}
    finally:
        server.stop()
        storage.cleanup()
