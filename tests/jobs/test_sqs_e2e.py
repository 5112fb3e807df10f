"""End to end: a real server with ``jobs.backend = "sqs"`` (moto over HTTP) processes an upload."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from auroravault.jobs.sqs_queue import SqsQueues
from tests.e2e.backends import migrate, put_all, register, specs, wait_until_settled
from tests.e2e.conftest import Server
from tests.jobs.conftest import sqs_settings

pytestmark = pytest.mark.e2e


def test_a_server_on_the_sqs_backend_processes_an_upload(moto_server: str, photos_dir: Path, tmp_path: Path) -> None:
    sqs = sqs_settings(moto_server)
    env = {
        "AURORAVAULT_JOBS__BACKEND": "sqs",
        "AURORAVAULT_SQS__ENDPOINT_URL": moto_server,
        "AURORAVAULT_SQS__REGION": sqs.region,
        "AURORAVAULT_SQS__ACCESS_KEY": "testing",
        "AURORAVAULT_SQS__SECRET_KEY": "testing",
        "AURORAVAULT_SQS__JOBS_QUEUE_URL": sqs.jobs_queue_url,
        "AURORAVAULT_SQS__JOBS_DEAD_LETTER_QUEUE_URL": sqs.jobs_dead_letter_queue_url,
        "AURORAVAULT_SQS__WAIT_SECONDS": "5",
    }
    server = Server(data_dir=tmp_path / "data", env=env)
    migrate(env, server.data_dir)  # creates the queue and its dead-letter queue
    # a job of a kind no handler knows, put on the queue directly: the server must take it from SQS
    queues = SqsQueues(sqs)
    queues.send(json.dumps({"id": "j_x", "kind": "no-such-kind", "payload": {}, "dedupe_key": None, "attempt": 1}))
    server.start()
    try:
        paths = [photos_dir / f"Landscape_{n}.jpg" for n in range(1, 5)]
        headers = register(server.url)
        init = httpx.post(f"{server.url}/api/v1/uploads", json={"files": specs(paths)}, headers=headers, timeout=60)
        assert init.status_code == 201, init.text
        body = init.json()
        put_all(body["items"], paths)
        complete = f"{server.url}/api/v1/uploads/{body['batch_id']}/complete"
        done = httpx.post(complete, json={}, headers=headers, timeout=60).json()["items"]
        assert [i["status"] for i in done] == ["processing"] * 4
        photos = wait_until_settled(server.url, headers, 4, timeout=120)
        assert [p["status"] for p in photos] == ["ready"] * 4, server.log()
        # the follow-up jobs (previews) run through SQS too: the queue empties, nothing is dead
        settled, deadline = {"queued": 0, "running": 0, "dead": 1}, time.monotonic() + 60
        while (counts := queues.counts()) != settled and time.monotonic() < deadline:
            time.sleep(0.5)
        assert counts == settled, server.log()  # and the unknown kind is dead
    finally:
        server.stop()
