"""The cloud shape on moto server over HTTP: S3 (storage and notifications), SQS, EventBridge.

``cloud_env`` is the environment of one test's deployment: its own bucket, events queue
and event bus, so tests never see each other's messages. ``migrated`` runs the bus half
of ``auroravault migrate`` on it, as an operator would.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import boto3
import httpx

from auroravault.bus.setup import migrate_bus
from auroravault.config import Settings, load_settings
from tests.api.helpers import auth, content_type_of
from tests.asgi import AppClient
from tests.e2e.backends import dynamodb_env
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name

ACCOUNT = "123456789012"  # moto's default account


def cloud_env(
    tmp_path: Path, moto: str, *, bus: str = "eventbridge", s3_notifications: str = "sqs", meta: str = "sqlite"
) -> dict[str, str]:
    bucket, queue, bus_name = unique_name("b"), unique_name("events"), unique_name("bus")
    boto3.client("s3", endpoint_url=moto, region_name=MOTO_REGION, **_keys()).create_bucket(Bucket=bucket)
    return {
        **(dynamodb_env(moto) if meta == "dynamodb" else {}),
        "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "data"),
        "AURORAVAULT_SERVER__PUBLIC_URL": "http://testserver.local",
        "AURORAVAULT_JOBS__ENABLED": "false",
        "AURORAVAULT_IMAGES__PREVIEW_DELAY_SECONDS": "0",
        "AURORAVAULT_STORAGE__BACKEND": "s3",
        "AURORAVAULT_S3__ENDPOINT_URL": moto,
        "AURORAVAULT_S3__REGION": MOTO_REGION,
        "AURORAVAULT_S3__BUCKET": bucket,
        "AURORAVAULT_S3__ACCESS_KEY": MOTO_CREDENTIALS["access_key"],
        "AURORAVAULT_S3__SECRET_KEY": MOTO_CREDENTIALS["secret_key"],
        "AURORAVAULT_S3__SECURE": "false",
        "AURORAVAULT_BUS__BACKEND": bus,
        "AURORAVAULT_BUS__BUS_NAME": bus_name,
        "AURORAVAULT_BUS__REGION": MOTO_REGION,
        "AURORAVAULT_BUS__ENDPOINT_URL": moto,
        "AURORAVAULT_BUS__ACCESS_KEY": MOTO_CREDENTIALS["access_key"],
        "AURORAVAULT_BUS__SECRET_KEY": MOTO_CREDENTIALS["secret_key"],
        "AURORAVAULT_BUS__EVENTS_QUEUE_URL": f"{moto}/{ACCOUNT}/{queue}",
        "AURORAVAULT_BUS__S3_NOTIFICATIONS": s3_notifications,
        "AURORAVAULT_BUS__WAIT_SECONDS": "0",
    }


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": MOTO_CREDENTIALS["access_key"],
        "aws_secret_access_key": MOTO_CREDENTIALS["secret_key"],
    }


async def migrated(env: dict[str, str]) -> Settings:
    settings = load_settings(environ=env)
    await migrate_bus(settings)
    return settings


def sqs(settings: Settings) -> Any:
    return boto3.client("sqs", endpoint_url=settings.bus.endpoint_url, region_name=MOTO_REGION, **_keys())


def s3(settings: Settings) -> Any:
    return boto3.client("s3", endpoint_url=settings.s3.endpoint_url, region_name=MOTO_REGION, **_keys())


def queued_bodies(settings: Settings) -> list[str]:
    """Take every message now on the events queue (they are deleted), for a test to look at."""
    client, bodies = sqs(settings), []
    while True:
        answer = client.receive_message(QueueUrl=settings.bus.events_queue_url, MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            client.delete_message(QueueUrl=settings.bus.events_queue_url, ReceiptHandle=message["ReceiptHandle"])


async def drain_queue(client: AppClient) -> int:
    """Poll the events queue until it is empty, as an app instance's consumer does; the count."""
    events = client.app.state.services.events
    handled = 0
    while count := await events.poll(wait_seconds=0):
        handled += count
    return handled


async def put_without_complete(client: AppClient, token: str, path: Path) -> dict[str, Any]:
    """Init a one-photo batch and PUT its bytes straight to S3 (moto); no ``complete``."""
    data = await asyncio.to_thread(path.read_bytes)
    spec = {
        "filename": path.name,
        "size": len(data),
        "content_type": content_type_of(path),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    resp = await client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(token))
    assert resp.status_code == 201, resp.text
    item: dict[str, Any] = {**resp.json()["items"][0], "batch_id": resp.json()["batch_id"]}
    upload = item["upload"]
    async with httpx.AsyncClient() as direct:
        put = await direct.request(upload["method"], upload["url"], content=data, headers=upload["headers"])
    assert put.status_code == 200, put.text
    return item


def mailed(settings: Settings, to: str) -> list[str]:
    """Subjects of the mails the log mailer wrote to ``to`` (the outbox), oldest first."""
    from tests.mail.conftest import parse

    outbox = settings.data_path / "outbox"
    found = []
    for eml in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = parse(eml.read_bytes())
        if message["To"] == to:
            found.append(str(message["Subject"]))
    return found
