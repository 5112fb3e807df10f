"""``auroravault.aws.events_handler.handler`` called as Lambda calls it: an SQS batch of the
records moto put on the events queue (S3 notifications, EventBridge events), answered
with the records that failed (partial batch failures)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from auroravault.aws import events_handler
from auroravault.config import Settings
from tests.api.helpers import register
from tests.asgi import app_client
from tests.bus.cloud import cloud_env, mailed, migrated, put_without_complete, queued_bodies
from tests.e2e.conftest import free_port


def _records(bodies: list[str], ids: list[str] | None = None) -> dict[str, Any]:
    """The event Lambda's SQS trigger hands the function."""
    ids = ids or [str(uuid.uuid4()) for _ in bodies]
    return {
        "Records": [
            {
                "messageId": mid,
                "receiptHandle": f"handle-{mid}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:events",
                "awsRegion": "us-east-1",
            }
            for mid, body in zip(ids, bodies, strict=True)
        ]
    }


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    events_handler.reset()
    yield monkeypatch
    events_handler.reset()


def _as_lambda(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], event: dict[str, Any]) -> dict[str, Any]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    events_handler.reset()  # a cold start with this environment
    return events_handler.handler(event, None)


async def _upload_state(settings: Settings, upload_id: str) -> tuple[str, str | None]:
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        upload = await services.meta.get_upload(upload_id)
        await services.runner.drain(within=60)
        photo = await services.meta.get_photo(upload.photo_id)
        return upload.state, photo.status if photo else None


def test_the_lambda_handler_confirms_uploads_and_sends_the_welcome(
    tmp_path: Path, moto_server: str, photos_dir: Path, lambda_env: pytest.MonkeyPatch
) -> None:
    env = cloud_env(tmp_path, moto_server, s3_notifications="sqs")
    settings = asyncio.run(migrated(env))

    async def arrive(name: str) -> dict[str, Any]:
        async with app_client(create_app(settings)) as client:
            token = (await register(client, email=f"{name}@example.com"))["token"]
            return await put_without_complete(client, token, photos_dir / "Landscape_5.jpg")

    item = asyncio.run(arrive("ada"))
    bodies = queued_bodies(settings)  # the test event, user.registered, the original's notification
    assert len(bodies) == 3
    answer = _as_lambda(lambda_env, env, _records(bodies))
    assert answer == {"batchItemFailures": []}
    assert asyncio.run(_upload_state(settings, item["upload_id"])) == ("processing", "ready")
    [subject] = mailed(settings, "ada@example.com")
    assert "welcome" in subject.lower()

    # Storage unreachable from the function: the notification fails and comes back later;
    # the domain event of the same batch is done.
    other = asyncio.run(arrive("bob"))
    bodies = queued_bodies(settings)  # also ada's photo.ready, published when it was processed
    assert any('"photo.ready"' in b for b in bodies)
    [registered] = [b for b in bodies if '"user.registered"' in b]
    [notification] = [b for b in bodies if '"Records"' in b]
    broken = {**env, "AURORAVAULT_S3__ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    answer = _as_lambda(lambda_env, broken, _records([registered, notification], ["good", "bad"]))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert asyncio.run(_upload_state(settings, other["upload_id"]))[0] == "pending"
    assert len(mailed(settings, "bob@example.com")) == 1

    # The same record once storage is back (its redelivery): confirmed.
    answer = _as_lambda(lambda_env, env, _records([notification]))
    assert answer == {"batchItemFailures": []}
    assert asyncio.run(_upload_state(settings, other["upload_id"])) == ("processing", "ready")
