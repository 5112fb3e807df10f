"""The events queue's consumer: S3 notifications confirm uploads; domain events reach
their subscribers.

Each app instance long-polls the queue from its job runner (``every``) when
``bus.events_queue_url`` is set; on Lambda, ``auroravault.aws.events_handler`` hands each
SQS record's body to ``handle_body``. A message is deleted once handled, or when it says
nothing this server acts on (a test event, a variant's key, another bucket). When
handling fails (the store is down) it stays, and comes back after its visibility timeout.

An original's key confirms its upload through ``UploadService.confirm``, the path
``complete`` and the pending sweep use: idempotent, so a duplicate notification (moto
sends two for a multipart upload), a ``complete`` racing the notification, or the sweep
coming by later all find the upload moved on and do nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from auroravault.bus.clients import client
from auroravault.bus.events import Bus
from auroravault.bus.s3_events import original_of, read_body
from auroravault.config import Settings
from auroravault.services.uploads import UploadService

log = logging.getLogger("auroravault.bus.consumer")

BURST_ROUNDS = 20  # polls in one tick while every answer is full (10 messages)


class EventsConsumer:
    def __init__(self, settings: Settings, uploads: UploadService, bus: Bus) -> None:
        self.settings = settings
        self.uploads = uploads
        self.bus = bus
        self._client: Any = None

    async def _sqs(self) -> Any:
        if self._client is None:  # made in a thread: loading boto3's service model takes a while
            timeout = self.settings.bus.wait_seconds + 10
            self._client = await asyncio.to_thread(client, self.settings.bus, "sqs", read_timeout=timeout)
        return self._client

    # -- one message -----------------------------------------------------------------------
    async def handle_body(self, body: str) -> bool:
        """Act on one message body; False: it failed and must come back later."""
        notice = read_body(body, self.settings.s3.bucket)
        if notice.test:
            log.info("events queue: s3:TestEvent skipped")
            return True
        if notice.unknown:
            log.warning("events queue: a message of no known shape dropped: %.200s", body)
            return True
        ok = True
        for key in notice.created:
            try:
                await self.confirm_key(key)
            except Exception:
                log.exception("events queue: the upload of %s not confirmed now", key)
                ok = False
        if notice.event is not None:
            ok = await self.bus.deliver(notice.event, notice.detail) == 0 and ok
        return ok

    async def confirm_key(self, key: str) -> str:
        """Confirm the upload whose original ``key`` names; returns what became of it."""
        ids = original_of(key)
        if ids is None:
            return "ignored"
        owner_id, photo_id = ids
        meta = self.uploads.meta
        photo = await meta.get_photo(photo_id)
        if photo is None or photo.owner_id != owner_id or photo.upload_id is None:
            return "unknown"
        upload = await meta.get_upload(photo.upload_id)
        if upload is None:
            return "unknown"
        fresh = await self.uploads.confirm(upload)
        if upload.state == "pending" and fresh.state != "pending":
            log.info("upload %s confirmed by its S3 notification: %s", upload.id, fresh.state)
        return fresh.state

    # -- the queue -------------------------------------------------------------------------
    async def poll(self, wait_seconds: int | None = None) -> int:
        """One long poll of the events queue; returns how many messages were handled."""
        url = self.settings.bus.events_queue_url
        wait = self.settings.bus.wait_seconds if wait_seconds is None else wait_seconds
        sqs = await self._sqs()
        answer = await asyncio.to_thread(
            sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait
        )
        done = []
        for message in answer.get("Messages", []):
            if await self.handle_body(message["Body"]):
                done.append({"Id": message["MessageId"], "ReceiptHandle": message["ReceiptHandle"]})
        if done:
            await asyncio.to_thread(sqs.delete_message_batch, QueueUrl=url, Entries=done)
        return len(done)

    async def poll_guarded(self) -> None:
        """The runner's periodic task: one poll; the queue unreachable is a warning, not a trace."""
        try:
            for _ in range(BURST_ROUNDS):  # a full answer: more are waiting, read on at once
                if await self.poll() < 10:
                    break
        except asyncio.CancelledError:
            # The runner stopping: what was received and not yet deleted comes back after
            # its visibility timeout, and is handled again, harmlessly.
            log.info("events queue: poll cut short at shutdown")
        except Exception as exc:
            log.warning("events queue not read now: %s", exc)
            await asyncio.sleep(self.settings.bus.wait_seconds or 1)

    async def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
