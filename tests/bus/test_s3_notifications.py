"""S3 ObjectCreated notifications confirm uploads the moment their bytes land (moto server:
S3 -> SQS, and S3 -> EventBridge -> rule -> SQS), with no ``complete`` from the client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auroravault.app import create_app
from auroravault.bus.s3_events import read_body
from tests.api.helpers import auth, register
from tests.asgi import app_client
from tests.bus.cloud import cloud_env, drain_queue, migrated, put_without_complete, queued_bodies, s3


async def _status(client, token: str, photo_id: str) -> str:  # type: ignore[no-untyped-def]
    resp = await client.get(f"/api/v1/photos/{photo_id}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    status: str = resp.json()["status"]
    return status


@pytest.mark.parametrize(("route", "meta"), [("sqs", "sqlite"), ("eventbridge", "sqlite"), ("sqs", "dynamodb")])
async def test_a_presigned_put_alone_makes_the_photo_ready(
    tmp_path: Path, moto_server: str, photos_dir: Path, route: str, meta: str
) -> None:
    settings = await migrated(cloud_env(tmp_path, moto_server, s3_notifications=route, meta=meta))
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        token = (await register(client))["token"]
        await drain_queue(client)  # the test event and user.registered: not this test's business
        item = await put_without_complete(client, token, photos_dir / "Landscape_1.jpg")
        assert (await services.meta.get_upload(item["upload_id"])).state == "pending"

        assert await drain_queue(client) >= 1  # the notification of the original
        assert (await services.meta.get_upload(item["upload_id"])).state == "processing"
        await services.runner.drain(within=60)
        assert await _status(client, token, item["photo_id"]) == "ready"

        # Processing wrote the thumb and preview: with EventBridge their events reach the queue
        # too (the S3 notification filters them at the bucket). Either way they make no work.
        jobs_before = await services.meta.list_jobs(None, 100)
        await drain_queue(client)
        assert await services.meta.next_job_due() is None
        assert len(await services.meta.list_jobs(None, 100)) == len(jobs_before)
        # complete after the fact is harmless: the upload has moved on already.
        done = await client.post(f"/api/v1/uploads/{item['batch_id']}/complete", json={}, headers=auth(token))
        assert done.status_code == 200, done.text
        assert done.json()["items"][0]["status"] in ("processing", "done", "ready")


async def test_the_test_event_is_skipped_and_odd_keys_are_decoded(tmp_path: Path, moto_server: str) -> None:
    settings = await migrated(cloud_env(tmp_path, moto_server, s3_notifications="sqs"))
    bodies = queued_bodies(settings)  # what configuring the notification sent
    assert any(json.loads(b).get("Event") == "s3:TestEvent" for b in bodies)
    assert all(read_body(b, settings.s3.bucket).test for b in bodies)

    # A key with a space and a plus: S3 (moto) sends it URL-encoded, "+" for the space.
    odd = "u_someone/p_a b+c/original"
    s3(settings).put_object(Bucket=settings.s3.bucket, Key=odd, Body=b"bytes")
    [body] = queued_bodies(settings)
    assert "p_a+b%2Bc" in body
    assert read_body(body, settings.s3.bucket).created == [odd]
    # The same key from another bucket is not ours.
    assert read_body(body, "another-bucket").created == []


async def test_duplicates_unknown_and_variant_keys_make_no_work(
    tmp_path: Path, moto_server: str, photos_dir: Path
) -> None:
    settings = await migrated(cloud_env(tmp_path, moto_server, s3_notifications="sqs"))
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        events = services.events
        token = (await register(client))["token"]
        await drain_queue(client)
        item = await put_without_complete(client, token, photos_dir / "Landscape_2.jpg")
        [notification] = queued_bodies(settings)
        for _ in range(3):  # at least once: the same notification, three times
            assert await events.handle_body(notification)
        jobs = await services.meta.list_jobs(None, 100)
        assert [j.kind for j in jobs].count("process_photo") == 1
        await services.runner.drain(within=60)
        assert await _status(client, token, item["photo_id"]) == "ready"
        assert await events.handle_body(notification)  # long after: still nothing to do
        assert await services.meta.next_job_due() is None

        owner = (await services.meta.get_photo(item["photo_id"])).owner_id
        assert await events.confirm_key(f"{owner}/{item['photo_id']}/thumb.webp") == "ignored"
        assert await events.confirm_key(f"{owner}/{item['photo_id']}/preview.webp") == "ignored"
        assert await events.confirm_key(f"u_nobody/{item['photo_id']}/original") == "unknown"
        assert await events.confirm_key("u_nobody/p_nothing/original") == "unknown"
        assert await services.meta.next_job_due() is None
