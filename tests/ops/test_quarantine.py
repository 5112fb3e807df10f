"""Metadata loss never becomes loss of photos: housekeeping quarantines originals without a row,
``auroravault check`` reports them, and ``auroravault quarantine restore`` brings them back.

On local storage and S3 (SeaweedFS), with SQLite and DynamoDB (moto). The rows are lost behind
the store's back: an older SQLite backup is restored, or the photos' DynamoDB items vanish.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import msgspec
import pytest

from auroravault.app import create_app
from auroravault.config import Settings
from auroravault.ops import run_checks
from auroravault.storage.base import original_key
from tests.api.helpers import auth, file_spec
from tests.asgi import AppClient, app_client
from tests.conftest import REPO, make_settings
from tests.meta.conftest import dynamo_settings
from tests.servers.fixtures import create_bucket, unique_bucket

PASSWORD = "correct horse battery"


@pytest.fixture(params=["local+sqlite", "s3+sqlite", "local+dynamodb"])
def backends(request: pytest.FixtureRequest) -> dict[str, Any]:
    storage, meta = request.param.split("+")
    overrides: dict[str, Any] = {}
    if storage == "s3":
        seaweedfs = request.getfixturevalue("seaweedfs")
        bucket = unique_bucket("q")
        create_bucket(seaweedfs, bucket)
        s3 = {
            "endpoint_url": seaweedfs.endpoint,
            "region": seaweedfs.region,
            "bucket": bucket,
            "access_key": seaweedfs.access_key,
            "secret_key": seaweedfs.secret_key,
            "path_style": True,
            "secure": False,
        }
        overrides |= {"storage": {"backend": "s3"}, "s3": s3}
    if meta == "dynamodb":
        table = dynamo_settings(request.getfixturevalue("moto_server"))
        overrides |= {"meta": {"backend": "dynamodb"}, "dynamodb": msgspec.structs.asdict(table)}
    return overrides


def environment(tmp_path: Path, overrides: dict[str, Any]) -> dict[str, str]:
    """The same settings as ``make_settings(tmp_path, **overrides)``, as AURORAVAULT_* variables."""
    sections: dict[str, dict[str, Any]] = {
        "server": {"data_dir": str(tmp_path / "data"), "public_url": "http://testserver.local"}
    }
    for section, values in overrides.items():
        sections.setdefault(section, {}).update(values)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AURORAVAULT_")}
    for section, values in sections.items():
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            env[f"AURORAVAULT_{section.upper()}__{key.upper()}"] = text
    env["PYTHONPATH"] = str(REPO)
    return env


def cli(tmp_path: Path, overrides: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auroravault.cli", *args],
        env=environment(tmp_path, overrides),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


async def send(client: AppClient, method: str, url: str, **kw: Any) -> httpx.Response:
    """A presigned request: to the app's own /blobs, or straight to S3."""
    if url.startswith(str(client.base_url)):
        return await client.request(method, url, **kw)
    async with httpx.AsyncClient() as direct:
        return await direct.request(method, url, **kw)


async def upload(client: AppClient, token: str, paths: list[Path]) -> list[dict[str, Any]]:
    specs = [file_spec(p) for p in paths]
    init = await client.post("/api/v1/uploads", json={"files": specs}, headers=auth(token))
    assert init.status_code == 201, init.text
    for item, path in zip(init.json()["items"], paths, strict=True):
        req = item["upload"]
        put = await send(client, req["method"], req["url"], content=path.read_bytes(), headers=req["headers"])
        assert put.status_code == 200, put.text
    done = await client.post(f"/api/v1/uploads/{init.json()['batch_id']}/complete", json={}, headers=auth(token))
    items: list[dict[str, Any]] = done.json()["items"]
    assert [i["status"] for i in items] == ["processing", "processing"]
    return items


async def fetch(client: AppClient, token: str, photo_id: str, variant: str) -> bytes:
    """Download a photo's variant through its presigned URL."""
    resp = await client.get(f"/api/v1/photos/{photo_id}/{variant}?redirect=false", headers=auth(token))
    assert resp.status_code == 200, resp.text
    got = await send(client, "GET", resp.json()["url"])
    assert got.status_code == 200
    return got.content


class RowLoss:
    """Loses the rows of photos behind the store's back, the way it happens to each engine:
    SQLite gets an older backup restored; DynamoDB loses the photos' items."""

    def __init__(self, settings: Settings, tmp_path: Path) -> None:
        self.settings = settings
        self.backup = tmp_path / "backup.db"

    def snapshot(self) -> None:
        if self.settings.meta.backend == "sqlite":
            with sqlite3.connect(self.settings.sqlite_path) as live, sqlite3.connect(self.backup) as copy:
                live.backup(copy)

    def lose(self, photo_ids: list[str]) -> None:
        if self.settings.meta.backend == "sqlite":
            db = self.settings.sqlite_path
            for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                path.unlink(missing_ok=True)
            shutil.copyfile(self.backup, db)
            return
        d = self.settings.dynamodb
        client = boto3.client(
            "dynamodb",
            endpoint_url=d.endpoint_url,
            region_name=d.region,
            aws_access_key_id=d.access_key,
            aws_secret_access_key=d.secret_key,
        )
        try:
            lost = 0
            for page in client.get_paginator("scan").paginate(TableName=d.table):
                for item in page["Items"]:
                    text = json.dumps(item)
                    if any(pid in text for pid in photo_ids):
                        client.delete_item(TableName=d.table, Key={"PK": item["PK"], "SK": item["SK"]})
                        lost += 1
            assert lost >= len(photo_ids)
        finally:
            client.close()


async def test_lost_rows_quarantine_originals_and_restore_brings_them_back(
    tmp_path: Path, photos_dir: Path, backends: dict[str, Any]
) -> None:
    settings = make_settings(tmp_path, **backends)
    photos = [photos_dir / "Landscape_1.jpg", photos_dir / "Landscape_2.jpg"]
    rows = RowLoss(settings, tmp_path)

    # 1. Ada registers; a snapshot of the database is taken (SQLite); then she uploads two photos.
    async with app_client(create_app(settings)) as client:
        token = (
            await client.post(
                "/api/v1/auth/register", json={"email": "ada@example.com", "password": PASSWORD, "display_name": "Ada"}
            )
        ).json()["token"]
        rows.snapshot()
        items = await upload(client, token, photos)
        services = client.app.state.services
        await services.runner.drain(within=180)
        lost_ids = [item["photo_id"] for item in items]
        listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
        assert {p["id"] for p in listed} == set(lost_ids) and {p["status"] for p in listed} == {"ready"}
        owner = (await client.get("/api/v1/users/me", headers=auth(token))).json()["id"]

    # 2. The two photos' rows are lost (an older backup restored, items gone); their bytes are not.
    rows.lose(lost_ids)

    # 3. Housekeeping quarantines both originals and deletes their variants.
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        assert await services.sweep.tidy_orphans(older_than=timedelta(0)) == {"quarantined": 2, "deleted": 4}
        keys = sorted([info.key async for info in services.blobs.list("")])
        assert [k for k in keys if k.startswith("u_")] == []
        assert [k for k in keys if k.startswith("quarantine/")] == sorted(
            f"quarantine/{original_key(owner, pid)}" for pid in lost_ids
        )
        for pid, path in zip(lost_ids, photos, strict=True):
            out = tmp_path / f"{pid}.out"
            await services.blobs.download_to(f"quarantine/{original_key(owner, pid)}", out)
            assert out.read_bytes() == path.read_bytes()

    # 4. `auroravault check` says so, and what to do.
    checks = await run_checks(settings)
    [line] = [r for r in checks if r.component == "photos"]
    assert line.status == "warn" and "2 original(s)" in line.message and "quarantine restore" in line.message
    listing = cli(tmp_path, backends, "quarantine", "list")
    assert listing.returncode == 0, listing.stderr
    assert all(pid in listing.stdout for pid in lost_ids)

    # 5. `auroravault quarantine restore` makes them photos of Ada again, processed and ready.
    restored = cli(tmp_path, backends, "quarantine", "restore")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "2 of 2" in restored.stdout
    async with app_client(create_app(settings)) as client:
        login = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
        token = login.json()["token"]
        listed = (await client.get("/api/v1/photos", headers=auth(token))).json()["items"]
        assert len(listed) == 2 and {p["status"] for p in listed} == {"ready"}
        wanted = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in photos}
        assert {p["sha256"] for p in listed} == set(wanted)
        for photo in listed:
            assert await fetch(client, token, photo["id"], "original") == wanted[photo["sha256"]].read_bytes()
            assert (await fetch(client, token, photo["id"], "thumb"))[8:12] == b"WEBP"
        again = await client.post("/api/v1/uploads/check", json={"sha256": list(wanted)}, headers=auth(token))
        assert set(again.json()["existing"]) == set(wanted)  # deduplicated like any upload
    after = [r for r in await run_checks(settings) if r.component == "photos"]
    assert after[0].status == "ok"
