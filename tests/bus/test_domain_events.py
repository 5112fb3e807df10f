"""Domain events on EventBridge (moto server): the welcome mail is sent because
``user.registered`` went through the bus's rule to the events queue."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from auroravault.app import create_app
from auroravault.bus.events import USER_REGISTERED
from auroravault.config import load_settings
from tests.api.helpers import register
from tests.asgi import app_client
from tests.bus.cloud import cloud_env, drain_queue, mailed, migrated, queued_bodies
from tests.e2e.conftest import free_port


async def test_the_welcome_mail_goes_through_eventbridge_and_sqs(tmp_path: Path, moto_server: str) -> None:
    settings = await migrated(cloud_env(tmp_path, moto_server, s3_notifications="off"))
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        user = await register(client, email="ada@example.com")
        await services.runner.drain(within=30)
        assert mailed(settings, "ada@example.com") == []  # nothing queued in process: the event is on its way

        assert await drain_queue(client) == 1
        await services.runner.drain(within=30)
        [subject] = mailed(settings, "ada@example.com")
        assert "welcome" in subject.lower()

        # The event again (SQS delivers at least once): still one mail.
        await services.bus.publish(USER_REGISTERED, user_id=user["user"]["id"])
        assert await drain_queue(client) == 1
        await services.runner.drain(within=30)
        assert len(mailed(settings, "ada@example.com")) == 1


async def test_what_reaches_eventbridge_is_ids_only(tmp_path: Path, moto_server: str) -> None:
    settings = await migrated(cloud_env(tmp_path, moto_server, s3_notifications="off"))
    async with app_client(create_app(settings)) as client:
        user = await register(client, email="grace@example.com")
        [body] = queued_bodies(settings)
    event = json.loads(body)
    assert event["source"] == "auroravault"
    assert event["detail-type"] == "user.registered"
    assert event["detail"] == {"user_id": user["user"]["id"]}
    assert "grace" not in body


async def test_eventbridge_unreachable_the_welcome_mail_still_goes(tmp_path: Path, moto_server: str) -> None:
    env = cloud_env(tmp_path, moto_server, s3_notifications="off")
    env["AURORAVAULT_BUS__ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = load_settings(environ=env)
    async with app_client(create_app(settings)) as client:
        await register(client, email="lin@example.com")  # 201: the request never fails on its events
        await client.app.state.services.runner.drain(within=30)
    [subject] = mailed(settings, "lin@example.com")
    assert "welcome" in subject.lower()


async def test_an_app_instance_polls_the_events_queue_by_itself(tmp_path: Path, moto_server: str) -> None:
    env = cloud_env(tmp_path, moto_server, s3_notifications="off")
    env |= {"AURORAVAULT_JOBS__ENABLED": "true", "AURORAVAULT_BUS__WAIT_SECONDS": "1"}
    settings = await migrated(env)
    async with app_client(create_app(settings)) as client:
        await register(client, email="kim@example.com")
        for _ in range(200):  # the runner's periodic long poll, then the mail job
            if mailed(settings, "kim@example.com"):
                break
            await asyncio.sleep(0.1)
    [subject] = mailed(settings, "kim@example.com")
    assert "welcome" in subject.lower()
