"""The SQS backend's own behaviour: delays past SQS's cap, the lease heartbeat, the redrive
policy, and the Lambda handler (recorded-shape SQS events, partial batch failures)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from auroravault.aws import jobs_handler
from auroravault.errors import PermanentJobError
from auroravault.jobs.queue import JobQueue
from auroravault.jobs.sqs import SqsJobRunner
from auroravault.jobs.sqs_admin import SqsJobView
from auroravault.jobs.sqs_queue import SqsQueues
from auroravault.meta.sqlite import SqliteMetaStore
from tests.jobs.conftest import fast, sqs_settings


@pytest.fixture
async def outbox(tmp_path: Path):
    store = SqliteMetaStore(tmp_path / "outbox.db")
    await store.migrate()
    yield store
    await store.close()


async def queues_for(moto_server: str, **over: Any) -> SqsQueues:
    queues = SqsQueues(sqs_settings(moto_server, **over))
    await asyncio.to_thread(queues.create)
    return queues


def lambda_record(message: dict[str, Any], queue_name: str) -> dict[str, Any]:
    """What Lambda's SQS event source hands the function for ``message`` (its documented shape)."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": message["Attributes"]["ApproximateReceiveCount"],
            "SentTimestamp": message["Attributes"]["SentTimestamp"],
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": message["Attributes"]["ApproximateFirstReceiveTimestamp"],
        },
        "messageAttributes": {
            k: {"stringValue": v["StringValue"], "dataType": v["DataType"]}
            for k, v in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{queue_name}",
        "awsRegion": "us-east-1",
    }


async def test_a_delay_longer_than_the_sqs_cap_is_sent_again_until_it_is_due(moto_server: str, outbox) -> None:
    queues = await queues_for(moto_server, max_delay_seconds=1)  # a small fake cap for SQS's 900 s
    ran: list[float] = []

    async def work(payload: dict[str, Any]) -> None:
        ran.append(time.time())

    runner = SqsJobRunner(outbox, fast(), queues.settings, {"work": work}, queues=queues)
    sent = time.time()
    body = json.dumps({"id": "j_1", "kind": "work", "payload": {}, "dedupe_key": None, "attempt": 2})
    await asyncio.to_thread(queues.send, body, delay=3.5)
    await asyncio.sleep(1.3)
    assert await runner.pump() == 1  # back after the capped delay, seen to be early...
    await asyncio.wait(runner._inflight)
    assert ran == []  # ...and sent again with the rest of its delay, not run
    await runner.drain(within=20)
    assert len(ran) == 1 and ran[0] >= sent + 3.4


async def test_counts_are_not_fooled_by_one_reading_that_misses_a_message(moto_server: str, outbox) -> None:
    """SQS's counts are approximate: moto reads the visible and the delayed number at two instants,
    so a message turning visible between them is in neither. ``counts`` (what ``drain``, the admin
    view and the e2e waits read) must not call the queue empty on one such answer."""
    queues = await queues_for(moto_server)
    real = queues.client

    class OneBlindAnswer:  # the real client, whose first answer about a busy jobs queue misses it
        blind = 1

        def get_queue_attributes(self, **kwargs: Any) -> dict[str, Any]:
            answer = real.get_queue_attributes(**kwargs)
            numbers = answer["Attributes"]
            if self.blind and kwargs["QueueUrl"] == queues.url and any(int(v) for v in numbers.values()):
                self.blind -= 1
                answer = {**answer, "Attributes": {k: "0" for k in numbers}}
            return answer

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    body = json.dumps({"id": "j_2", "kind": "work", "payload": {}, "dedupe_key": None, "attempt": 1})
    await asyncio.to_thread(queues.send, body, delay=5)
    queues.client = client = OneBlindAnswer()
    counts = await asyncio.to_thread(queues.counts)
    assert client.blind == 0  # the blind answer was given...
    assert counts["queued"] == 1  # ...and the delayed message is still counted


async def test_a_long_job_keeps_its_lease_so_no_one_else_runs_it(moto_server: str, outbox) -> None:
    queues = await queues_for(moto_server)
    runs: list[str] = []

    async def slow(payload: dict[str, Any]) -> None:
        runs.append(payload["n"])
        await asyncio.sleep(8)  # longer than the 5 s lease; the heartbeat extends it

    one = SqsJobRunner(outbox, fast(), queues.settings, {"slow": slow}, queues=queues, owner="a")
    other = SqsJobRunner(outbox, fast(), queues.settings, {"slow": slow}, queues=queues, owner="b")
    await JobQueue(outbox, fast()).enqueue("slow", {"n": "x"})
    await one.pump()
    for _ in range(8):
        await asyncio.sleep(1)
        await other.pump()
    await one.drain(within=20)
    assert runs == ["x"]


async def test_jobs_received_too_often_without_an_outcome_are_dead_by_the_redrive_policy(
    moto_server: str, outbox
) -> None:
    queues = await queues_for(moto_server, max_receives=2)
    await asyncio.to_thread(queues.send, json.dumps({"id": "j_9", "kind": "k", "payload": {}, "attempt": 1}))
    for _ in range(2):  # two workers take it and die
        assert len(await asyncio.to_thread(queues.receive, 1, 1, 1)) == 1
        await asyncio.sleep(1.2)
    assert await asyncio.to_thread(queues.receive, 1, 0, 1) == []  # moved on the third receive
    [job] = await SqsJobView(outbox, queues).list_jobs("dead", 10)
    assert job.id == "j_9" and job.last_error is not None and job.last_error.startswith("lease_expired")


async def test_the_lambda_handler_reports_only_the_records_whose_outcome_was_not_recorded(
    moto_server: str, outbox
) -> None:
    queues = await queues_for(moto_server)
    ran: list[str] = []

    async def work(payload: dict[str, Any]) -> None:
        ran.append(payload["n"])
        if payload["n"] == "bad":
            raise PermanentJobError("corrupt_image", "not a picture")

    runner = SqsJobRunner(outbox, fast(), queues.settings, {"work": work}, queues=queues)
    for n in ("ok", "bad", "stale"):
        body = json.dumps({"id": f"j_{n}", "kind": "work", "payload": {"n": n}, "dedupe_key": None, "attempt": 1})
        await asyncio.to_thread(queues.send, body)
    messages: list[dict[str, Any]] = []
    while len(messages) < 3:
        messages += await asyncio.to_thread(queues.receive, 10, 1, 30)
    name = queues.url.rsplit("/", 1)[-1]
    records = [lambda_record(m, name) for m in messages]
    stale = next(r for r in records if "stale" in r["body"])
    stale["receiptHandle"] = "a-receipt-handle-the-queue-no-longer-knows"
    answer = await jobs_handler.batch(runner, records)
    assert answer == {"batchItemFailures": [{"itemIdentifier": stale["messageId"]}]}
    assert sorted(ran) == ["bad", "ok", "stale"]
    [dead] = await SqsJobView(outbox, queues).list_jobs("dead", 10)
    assert dead.id == "j_bad" and dead.last_error == "corrupt_image: not a picture"
    counts = await asyncio.to_thread(queues.counts)
    assert counts["running"] == 1  # only the stale one is left to come back


def test_the_lambda_handler_builds_services_once_from_the_environment(
    moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = sqs_settings(moto_server)
    queues = SqsQueues(settings)
    queues.create()
    env = {
        "SERVER__DATA_DIR": str(tmp_path / "data"),
        "JOBS__BACKEND": "sqs",
        "SQS__ENDPOINT_URL": moto_server,
        "SQS__REGION": settings.region,
        "SQS__ACCESS_KEY": "testing",
        "SQS__SECRET_KEY": "testing",
        "SQS__JOBS_QUEUE_URL": settings.jobs_queue_url,
        "SQS__JOBS_DEAD_LETTER_QUEUE_URL": settings.jobs_dead_letter_queue_url,
    }
    for key, value in env.items():
        monkeypatch.setenv(f"AURORAVAULT_{key}", value)
    jobs_handler.reset()
    try:
        body = json.dumps({"id": "j_m", "kind": "no-such-kind", "payload": {}, "dedupe_key": None, "attempt": 1})
        queues.send(body)
        [message] = queues.receive(1, 1, 30)
        name = queues.url.rsplit("/", 1)[-1]
        assert jobs_handler.handler({"Records": [lambda_record(message, name)]}) == {"batchItemFailures": []}
        built = jobs_handler._state["services"]
        assert jobs_handler.handler({"Records": []}) == {"batchItemFailures": []}
        assert jobs_handler._state["services"] is built  # warm container: not built again
        assert queues.counts()["dead"] == 1  # an unknown kind is dead with its reason
    finally:
        jobs_handler.reset()
