"""The cloud row end to end, every cloud piece on at once, on moto server over HTTP.

Real uvicorn servers (``auroravault serve``) with S3 storage, SQS jobs, EventBridge domain
events, S3 ``ObjectCreated`` notifications to the events queue and SES mail, all on the
session's moto server, after ``auroravault migrate`` created the queues, bus, rule and bucket
notification. moto's long poll blocks moto itself, so the polls are short (wait 0).

Two servers sharing one jobs queue: each photo is processed at least once. moto's receive is
not guaranteed atomic under concurrent requests (a duplicate delivery was seen once in 500),
and SQS itself delivers at least once, so the test does not assert exactly once: it asserts
that duplicates change nothing (one photo row each, every photo with the same variants).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.ses.models import ses_backends

from auroravault.config import SqsSettings
from auroravault.jobs.sqs_queue import SqsQueues
from auroravault.services.notifications import SEND_EMAIL
from tests.bus.cloud import ACCOUNT, cloud_env
from tests.e2e.backends import create_admin, login, migrate, register, specs, wait_until_settled
from tests.e2e.conftest import Server
from tests.jobs.conftest import sqs_settings
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name

pytestmark = pytest.mark.e2e

SES_DOMAIN = "cloud-e2e.example.com"
MAX_ATTEMPTS = 3


def _client(service: str, moto: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=moto,
        region_name=MOTO_REGION,
        aws_access_key_id=MOTO_CREDENTIALS["access_key"],
        aws_secret_access_key=MOTO_CREDENTIALS["secret_key"],
    )


@pytest.fixture
def cloud(tmp_path: Path, moto_server: str) -> Iterator[dict[str, str]]:
    """One deployment's environment, migrated: S3 + SQS jobs + EventBridge + S3 events + SES."""
    sqs = sqs_settings(moto_server)
    _client("ses", moto_server).verify_domain_identity(Domain=SES_DOMAIN)
    env = cloud_env(tmp_path, moto_server, bus="eventbridge", s3_notifications="sqs")
    env |= {
        "AURORAVAULT_JOBS__ENABLED": "true",
        "AURORAVAULT_JOBS__BACKEND": "sqs",
        "AURORAVAULT_JOBS__MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "AURORAVAULT_JOBS__BACKOFF_BASE": "0.05",
        "AURORAVAULT_JOBS__BACKOFF_CAP": "0.2",
        "AURORAVAULT_JOBS__LEASE_SECONDS": "30",
        "AURORAVAULT_SQS__ENDPOINT_URL": moto_server,
        "AURORAVAULT_SQS__REGION": MOTO_REGION,
        "AURORAVAULT_SQS__ACCESS_KEY": MOTO_CREDENTIALS["access_key"],
        "AURORAVAULT_SQS__SECRET_KEY": MOTO_CREDENTIALS["secret_key"],
        "AURORAVAULT_SQS__JOBS_QUEUE_URL": sqs.jobs_queue_url,
        "AURORAVAULT_SQS__JOBS_DEAD_LETTER_QUEUE_URL": sqs.jobs_dead_letter_queue_url,
        "AURORAVAULT_SQS__WAIT_SECONDS": "0",
        "AURORAVAULT_MAIL__BACKEND": "ses",
        "AURORAVAULT_MAIL__FROM_ADDRESS": f"AuroraVault <{unique_name('vault')}@{SES_DOMAIN}>",
        "AURORAVAULT_SES__ENDPOINT_URL": moto_server,
        "AURORAVAULT_SES__REGION": MOTO_REGION,
        "AURORAVAULT_SES__ACCESS_KEY": MOTO_CREDENTIALS["access_key"],
        "AURORAVAULT_SES__SECRET_KEY": MOTO_CREDENTIALS["secret_key"],
    }
    migrate(env, Path(env["AURORAVAULT_SERVER__DATA_DIR"]))
    yield env


def _server(env: dict[str, str], data_dir: Path) -> Server:
    # The env names the data dir; two servers of one deployment share its SQLite meta file.
    return Server(data_dir=data_dir, env=env)


def _sent_to(to: str) -> list[dict[str, Any]]:
    """SES messages moto accepted for ``to`` (moto's own record of SendRawEmail calls).

    The moto server runs in this process, so its SES backend is read directly: dumping every
    backend over ``/moto-api/data.json`` is slow once other tests left tables behind."""
    backend = ses_backends[ACCOUNT][MOTO_REGION]
    return [{"source": m.source, "raw": m.raw_data} for m in backend.sent_messages if to in m.destinations]


def _queues(cloud: dict[str, str]) -> SqsQueues:
    return SqsQueues(
        SqsSettings(
            region=MOTO_REGION,
            endpoint_url=cloud["AURORAVAULT_SQS__ENDPOINT_URL"],
            jobs_queue_url=cloud["AURORAVAULT_SQS__JOBS_QUEUE_URL"],
            jobs_dead_letter_queue_url=cloud["AURORAVAULT_SQS__JOBS_DEAD_LETTER_QUEUE_URL"],
            **MOTO_CREDENTIALS,
        )
    )


def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.25)
    raise AssertionError(f"{what} after {timeout}s")


def _put_without_complete(base: str, headers: dict[str, str], paths: list[Path]) -> list[dict[str, Any]]:
    init = httpx.post(f"{base}/api/v1/uploads", json={"files": specs(paths)}, headers=headers, timeout=60)
    assert init.status_code == 201, init.text
    items: list[dict[str, Any]] = init.json()["items"]
    with httpx.Client(timeout=60) as plain:
        for item, path in zip(items, paths, strict=True):
            up = item["upload"]
            resp = plain.request(up["method"], up["url"], headers=up["headers"], content=path.read_bytes())
            assert resp.status_code == 200, resp.text
    return items


def test_register_sends_the_welcome_mail_through_eventbridge_sqs_and_ses(cloud: dict[str, str]) -> None:
    server = _server(cloud, Path(cloud["AURORAVAULT_SERVER__DATA_DIR"]))
    server.start()
    try:
        register(server.url, email="ada@cloud.example.com")
        [sent] = _wait(lambda: _sent_to("ada@cloud.example.com"), 60, f"no welcome mail\n{server.log()}")
        assert sent["source"] in cloud["AURORAVAULT_MAIL__FROM_ADDRESS"]
        assert "welcome" in sent["raw"].lower()
        time.sleep(2)  # a second delivery of the event would send a second mail by now
        assert len(_sent_to("ada@cloud.example.com")) == 1
    finally:
        server.stop()


def test_a_presigned_put_alone_brings_the_photo_to_ready(cloud: dict[str, str], photos_dir: Path) -> None:
    server = _server(cloud, Path(cloud["AURORAVAULT_SERVER__DATA_DIR"]))
    server.start()
    try:
        headers = register(server.url, email="grace@cloud.example.com")
        paths = [photos_dir / "Landscape_1.jpg", photos_dir / "Landscape_2.jpg"]
        _put_without_complete(server.url, headers, paths)  # and never POST .../complete
        photos = wait_until_settled(server.url, headers, 2, timeout=120)
        assert [p["status"] for p in photos] == ["ready", "ready"], server.log()
        # processed by jobs received from SQS (each logged once its message is deleted, just after ready)
        _wait(lambda: server.log().count("job process_photo ") == 2, 30, f"two SQS jobs\n{server.log()}")
    finally:
        server.stop()


def test_a_poisoned_job_goes_dead_and_an_admin_redrives_it(cloud: dict[str, str]) -> None:
    data_dir = Path(cloud["AURORAVAULT_SERVER__DATA_DIR"])
    create_admin(cloud, data_dir)
    queues = _queues(cloud)
    # a mail job with no template: its handler fails every time (a KeyError, not a permanent error)
    poison = {"id": "j_poison", "kind": SEND_EMAIL, "payload": {}, "dedupe_key": None, "attempt": 1}
    queues.send(json.dumps(poison))
    server = _server(cloud, data_dir)
    server.start()
    try:
        admin = login(server.url, "admin@example.com")
        dead_url = f"{server.url}/api/v1/admin/jobs"

        def dead() -> list[dict[str, Any]]:
            body = httpx.get(dead_url, params={"state": "dead"}, headers=admin, timeout=30).json()
            return [j for j in body["items"] if j["id"] == "j_poison"]

        [job] = _wait(dead, 60, f"the poisoned job never went dead\n{server.log()}")
        assert job["kind"] == SEND_EMAIL
        assert job["attempts"] == MAX_ATTEMPTS
        assert "KeyError" in job["last_error"]
        assert len(re.findall(r"job send_email j_poison attempt \d", server.log())) == MAX_ATTEMPTS

        retried = httpx.post(f"{dead_url}/j_poison/retry", headers=admin, timeout=30)
        assert retried.status_code == 200, retried.text
        assert retried.json()["state"] == "queued"
        # redriven as attempt 1: it runs MAX_ATTEMPTS times more, then is dead again
        _wait(
            lambda: len(re.findall(r"job send_email j_poison attempt \d", server.log())) == 2 * MAX_ATTEMPTS,
            60,
            f"the redriven job did not run again\n{server.log()}",
        )
        [again] = _wait(dead, 60, "the redriven job did not go dead again")
        assert again["attempts"] == MAX_ATTEMPTS
    finally:
        server.stop()


def test_two_servers_share_one_jobs_queue_and_bring_a_batch_to_ready(
    cloud: dict[str, str], photos_dir: Path, tmp_path: Path
) -> None:
    data_dir = Path(cloud["AURORAVAULT_SERVER__DATA_DIR"])
    first, second = _server(cloud, data_dir), _server(cloud, data_dir)
    first.start()
    second.start()
    try:
        headers = register(first.url, email="lin@cloud.example.com")
        sources = sorted(p for p in photos_dir.iterdir() if p.name.startswith("Landscape_") and p.suffix == ".jpg")
        paths = [tmp_path / f"batch_{n:02d}.jpg" for n in range(12)]
        for n, path in enumerate(paths):  # 12 distinct files (distinct hashes) from the samples
            path.write_bytes(sources[n % len(sources)].read_bytes() + bytes([n]))
        items = _put_without_complete(first.url, headers, paths)
        photos = wait_until_settled(second.url, headers, 12, timeout=240)
        assert sorted(p["status"] for p in photos) == ["ready"] * 12, first.log() + second.log()
        ids = {i["photo_id"] for i in items}
        assert {p["id"] for p in photos} == ids  # one row per photo, duplicates or not

        done = r"job process_photo \S+ done: (\{.*\})"

        def runs() -> Counter[str]:  # a job logs "done" just after its photo turned ready
            return Counter(json.loads(m)["photo_id"] for s in (first, second) for m in re.findall(done, s.log()))

        # every photo processed, at least once
        _wait(lambda: set(runs()) == ids, 30, f"not every photo was processed by a job: {runs()}")
        per_server = [len(re.findall(done, s.log())) for s in (first, second)]
        assert sum(per_server) >= 12

        # the follow-up jobs (previews) ran too: the jobs queue is empty and nothing is dead
        settled = {"queued": 0, "running": 0, "dead": 0}
        _wait(lambda: _queues(cloud).counts() == settled, 60, "the jobs queue did not empty")

        # duplicates change nothing: each photo has the same set of variants in the bucket
        s3 = _client("s3", cloud["AURORAVAULT_S3__ENDPOINT_URL"])
        keys = [
            o["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cloud["AURORAVAULT_S3__BUCKET"])
            for o in page.get("Contents", [])
        ]
        shapes = {frozenset(k.replace(pid, "<id>") for k in keys if pid in k) for pid in ids}
        assert len(shapes) == 1, shapes
    finally:
        first.stop()
        second.stop()


def test_a_message_that_is_not_a_job_goes_dead_and_the_admin_list_still_works(cloud: dict[str, str]) -> None:
    """A body put on the jobs queue that is not a job at all: dead at its first receive, and
    listed to the admin as ``unreadable`` (it used to loop until the redrive policy moved it,
    then make ``GET /admin/jobs?state=dead`` answer 500 for every dead job)."""
    data_dir = Path(cloud["AURORAVAULT_SERVER__DATA_DIR"])
    create_admin(cloud, data_dir)
    _queues(cloud).send("this is not a job")
    server = _server(cloud, data_dir)
    server.start()
    try:
        admin = login(server.url, "admin@example.com")
        _wait(lambda: _queues(cloud).counts()["dead"] == 1, 60, f"not dead\n{server.log()}")
        listed = httpx.get(f"{server.url}/api/v1/admin/jobs", params={"state": "dead"}, headers=admin, timeout=30)
        assert listed.status_code == 200, listed.text + server.log()
        assert listed.json()["counts"]["dead"] == 1
        [job] = listed.json()["items"]  # shown to the admin, not a 500 for the whole list
        assert job["kind"] == "unreadable"
        assert job["last_error"].startswith("unknown_job")
        assert "could not record a job's outcome" not in server.log()  # settled, not left to time out
        # Retrying it cannot help: a clear 409, and it stays in the dead-letter queue.
        retry = httpx.post(f"{server.url}/api/v1/admin/jobs/{job['id']}/retry", headers=admin, timeout=30)
        assert retry.status_code == 409 and retry.json()["code"] == "job_unreadable", retry.text
        _wait(lambda: _queues(cloud).counts()["dead"] == 1, 60, "the unreadable message left the DLQ")
    finally:
        server.stop()
