"""The SQS jobs queue and its dead-letter queue: messages, long delays, and the admin's peek.

A message's body is JSON ``{"id", "kind", "payload", "dedupe_key", "attempt"}`` (``attempt``:
which run this delivery is, from 1). Two message attributes ride along: ``not_before`` (epoch
seconds, when a delay longer than SQS's 900 s cap ends) and ``last_error`` (the previous run's
error; on the dead-letter queue, why the job died).

All calls are boto3's, blocking; callers run them in a thread.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from typing import Any

from auroravault.config import SqsSettings
from auroravault.meta.base import Job


def sqs_client(settings: SqsSettings) -> Any:
    """A client of its own session (boto3's default session is shared, not thread-safe)."""
    import boto3
    import botocore.config

    session = boto3.session.Session(
        aws_access_key_id=settings.access_key or None,
        aws_secret_access_key=settings.secret_key or None,
        region_name=settings.region or None,
    )
    config = botocore.config.Config(
        connect_timeout=5, read_timeout=settings.wait_seconds + 10, retries={"max_attempts": 3, "mode": "standard"}
    )
    return session.client("sqs", endpoint_url=settings.endpoint_url or None, config=config)


def body_of(job: Job, attempt: int) -> str:
    return json.dumps(
        {"id": job.id, "kind": job.kind, "payload": job.payload, "dedupe_key": job.dedupe_key, "attempt": attempt}
    )


def _attributes(not_before: float | None, last_error: str | None) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if not_before is not None:
        attrs["not_before"] = {"DataType": "Number", "StringValue": f"{not_before:.3f}"}
    if last_error:
        attrs["last_error"] = {"DataType": "String", "StringValue": last_error[:4000]}
    return attrs


def message_attribute(message: dict[str, Any], name: str) -> str | None:
    value = (message.get("MessageAttributes") or message.get("messageAttributes") or {}).get(name)
    if not value:
        return None
    return value.get("StringValue") or value.get("stringValue")


def job_body(message: dict[str, Any]) -> dict[str, Any] | None:
    """The message's job body, or None for one that is not a job (a stray or corrupt message)."""
    try:
        body = json.loads(message.get("Body") or message.get("body") or "{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) and "id" in body and "kind" in body else None


def job_id_of(message: dict[str, Any]) -> str:
    body = job_body(message)
    return str(body["id"]) if body is not None else str(message.get("MessageId") or message.get("messageId"))


def job_of(message: dict[str, Any], state: str) -> Job:
    """The ``Job`` a message stands for (the admin view; the handlers' hooks).

    A body that is not a job (never settled, so moved to the DLQ by the redrive policy) is
    shown as kind ``unreadable`` under its message id, so it cannot break the admin's list."""
    body = job_body(message)
    if body is None:
        body = {"id": job_id_of(message), "kind": "unreadable"}
    attrs = message.get("Attributes") or message.get("attributes") or {}
    sent = datetime.fromtimestamp(int(attrs.get("SentTimestamp", time.time() * 1000)) / 1000, UTC)
    error = message_attribute(message, "last_error")
    if error is None and state == "dead":
        error = f"lease_expired: received {attrs.get('ApproximateReceiveCount', '?')} times without an outcome"
    return Job(
        id=body["id"],
        kind=body["kind"],
        payload=body.get("payload") or {},
        state=state,  # type: ignore[arg-type]
        attempts=int(body.get("attempt", 1)),
        run_at=sent,
        last_error=error,
        dedupe_key=body.get("dedupe_key"),
        created_at=sent,
        updated_at=sent,
    )


class SqsQueues:
    """The two queues of ``[sqs]``."""

    def __init__(self, settings: SqsSettings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client or sqs_client(settings)
        self.url = settings.jobs_queue_url
        self.dlq_url = settings.jobs_dead_letter_queue_url

    def send(
        self,
        body: str,
        *,
        delay: float = 0,
        last_error: str | None = None,
        dead: bool = False,
    ) -> None:
        """Send to the jobs queue after ``delay`` seconds (longer than the cap: ``not_before``), or to the DLQ."""
        cap = self.settings.max_delay_seconds
        not_before = time.time() + delay if delay > cap else None
        self.client.send_message(
            QueueUrl=self.dlq_url if dead else self.url,
            MessageBody=body,
            DelaySeconds=0 if dead else math.ceil(min(max(delay, 0), cap)),  # whole seconds, never early
            MessageAttributes=_attributes(None if dead else not_before, last_error),
        )

    def send_batch(self, bodies: list[str]) -> None:
        for start in range(0, len(bodies), 10):
            entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])]
            failed = self.client.send_message_batch(QueueUrl=self.url, Entries=entries).get("Failed") or []
            if failed:
                raise RuntimeError(f"SQS refused {len(failed)} message(s): {failed[0].get('Message')}")

    def receive(self, limit: int, wait: int, visibility: int) -> list[dict[str, Any]]:
        reply = self.client.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=max(1, min(10, limit)),
            WaitTimeSeconds=wait,
            VisibilityTimeout=visibility,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(reply.get("Messages") or [])

    def delete(self, receipt: str, *, dead: bool = False) -> None:
        self.client.delete_message(QueueUrl=self.dlq_url if dead else self.url, ReceiptHandle=receipt)

    def extend(self, receipt: str, seconds: int) -> None:
        self.client.change_message_visibility(QueueUrl=self.url, ReceiptHandle=receipt, VisibilityTimeout=seconds)

    def release(self, receipt: str) -> None:
        """Make a peeked DLQ message visible again."""
        self.client.change_message_visibility(QueueUrl=self.dlq_url, ReceiptHandle=receipt, VisibilityTimeout=0)

    def counts(self) -> dict[str, int]:
        def attrs(url: str) -> dict[str, str]:
            names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            names.append("ApproximateNumberOfMessagesDelayed")
            return self.client.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]

        jobs, dead = attrs(self.url), attrs(self.dlq_url)
        if not any(int(jobs[k]) for k in jobs):  # approximate: a message turning from delayed to
            jobs = attrs(self.url)  # visible between two numbers of one read is in neither; look again
        return {
            "queued": int(jobs["ApproximateNumberOfMessages"]) + int(jobs["ApproximateNumberOfMessagesDelayed"]),
            "running": int(jobs["ApproximateNumberOfMessagesNotVisible"]),
            "dead": sum(int(dead[k]) for k in dead),
        }

    def peek_dead(self, limit: int, *, take: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to ``limit`` DLQ messages, made visible again at once; ``take``: the one job id kept hidden.

        Messages are hidden for a few seconds while collected (so each round sees new ones),
        then released. Two admins peeking at once may each see part of the queue.
        """
        seen: dict[str, dict[str, Any]] = {}
        taken: dict[str, Any] | None = None
        while len(seen) < limit:
            reply = self.client.receive_message(
                QueueUrl=self.dlq_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0,
                VisibilityTimeout=30,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            batch = reply.get("Messages") or []
            if not batch:
                break
            for message in batch:
                job_id = job_id_of(message)
                if take is not None and job_id == take and taken is None:
                    taken = message
                else:
                    seen.setdefault(job_id, message)
            if taken is not None:
                break
        release = list(seen.values())
        for start in range(0, len(release), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(release[start : start + 10])
            ]
            self.client.change_message_visibility_batch(QueueUrl=self.dlq_url, Entries=entries)
        return list(seen.values())[:limit], taken

    def create(self) -> str:
        """Create both queues and the redrive policy (``auroravault migrate``; CloudFormation in production)."""
        name = self.url.rstrip("/").rsplit("/", 1)[-1]
        dlq_name = self.dlq_url.rstrip("/").rsplit("/", 1)[-1]
        dlq = self.client.create_queue(QueueName=dlq_name, Attributes={"MessageRetentionPeriod": "1209600"})
        arn = self.client.get_queue_attributes(QueueUrl=dlq["QueueUrl"], AttributeNames=["QueueArn"])
        policy = {"deadLetterTargetArn": arn["Attributes"]["QueueArn"], "maxReceiveCount": self.settings.max_receives}
        self.client.create_queue(QueueName=name)
        self.client.set_queue_attributes(QueueUrl=self.url, Attributes={"RedrivePolicy": json.dumps(policy)})
        return f"sqs jobs queue {name} with dead-letter queue {dlq_name} (maxReceiveCount {self.settings.max_receives})"
