"""Emails on the durable job queue: the welcome email, password resets, and the templates
other services render through ``renderers`` (the family invitation, ``services/families``).

Every email is a ``send_email`` job with a dedupe key, so a request never waits for or
fails on mail: registration answers 201 with SMTP down, and the job retries with backoff.

Delivery guarantee: at least once, and exactly once unless the process dies in the
instant between the mail server accepting the message and the job recording it.

- Enqueueing is idempotent (``welcome:<user_id>``, ``reset:<request id>``): one job per event.
  The welcome is queued by the ``user.registered`` subscriber (``auroravault/bus/wiring.py``):
  in process on the local bus, from the events queue when the event went through EventBridge.
- No payload holds a secret (admins read payloads). A reset job carries a request id; the
  job mints the single-use token when it sends the mail, stores only its hash, and puts the
  token in the mail alone. A rerun after a send finds the marker and mints nothing.
- Before sending, the handler checks a sent-marker for the key; after the server accepts
  the message it sets the marker, then the job is marked done. A job that runs twice
  (lease expired, retried after a timeout) finds the marker and sends nothing.
- If the process is killed after the server accepted the message but before the marker is
  written, the job runs again after its lease and the recipient gets a second copy. No
  mail protocol lets a sender do better: SMTP and SES have no idempotent send.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from auroravault.config import Settings
from auroravault.errors import PermanentJobError
from auroravault.ids import new_id, new_token, token_hash
from auroravault.jobs.queue import JobQueue
from auroravault.mail import templates
from auroravault.mail.base import Mailer, Message
from auroravault.meta.base import User
from auroravault.meta.protocols import LimitedAccounts
from auroravault.timeutil import utcnow

log = logging.getLogger("auroravault.notifications")

SEND_EMAIL = "send_email"
SENT_MARKER_DAYS = 90

#: Renders the email of a job whose recipient may have no account (an invitation), minting
#: its secret then; None: nothing to send any more (the invitation was revoked or used).
Renderer = Callable[[dict[str, Any]], Awaitable[Message | None]]


async def queue_welcome(queue: JobQueue, user: User) -> None:
    """Queue the one welcome email of ``user`` (used by the app and by ``auroravault user create``)."""
    await queue_welcome_of(queue, user.id)


async def queue_welcome_of(queue: JobQueue, user_id: str) -> None:
    """The same by id: the ``user.registered`` subscriber (``auroravault/bus``), once per user."""
    await queue.enqueue(SEND_EMAIL, {"template": "welcome", "user_id": user_id}, dedupe_key=f"welcome:{user_id}")


def wants(user: User, template: str) -> bool:
    """The user's switches for the sharing emails (issue 14); the others always go."""
    if template == "album_shared":
        return user.notify_album_shared
    if template == "album_photos":
        return user.notify_album_photos
    return True


class NotificationService:
    def __init__(self, meta: LimitedAccounts, mailer: Mailer, queue: JobQueue, settings: Settings) -> None:
        self.meta = meta
        self.mailer = mailer
        self.queue = queue
        self.settings = settings
        #: Templates other services render (``template`` name -> ``Renderer``), e.g. invitations.
        self.renderers: dict[str, Renderer] = {}

    # -- enqueueing (request path) -----------------------------------------------------
    async def password_reset_requested(self, user: User) -> None:
        """Queue the reset email. Its token is made when the job runs, never stored in the job."""
        request_id = new_id("rr_")
        await self.queue.enqueue(
            SEND_EMAIL,
            {"template": "password_reset", "user_id": user.id, "request_id": request_id},
            dedupe_key=f"reset:{request_id}",
        )

    # -- the job ----------------------------------------------------------------------------
    async def handle(self, payload: dict[str, Any]) -> None:
        """The ``send_email`` job handler."""
        render = self.renderers.get(str(payload["template"]))
        if render is not None:
            await self._send_rendered(payload, render)
            return
        user = await self.meta.get_user(str(payload["user_id"]))
        if user is None:
            raise PermanentJobError("user_missing", "the account was deleted before its email was sent")
        # Jobs queued before request ids carried the token itself: their marker stays the same.
        ref = str(payload.get("request_id") or payload.get("token", ""))
        marker = f"mail-sent:{payload['template']}:{user.id}:{token_hash(ref)[:16]}"
        now = utcnow()
        if await self.meta.get_counter(marker, now):
            log.info("email %s to %s already sent; not sending again", payload["template"], user.id)
            return
        if not wants(user, str(payload["template"])):
            log.info("email %s to %s not sent: the user turned it off", payload["template"], user.id)
            return
        message = await self._render(payload, user)
        await self.mailer.send(message)
        await self.meta.hit_counter(marker, SENT_MARKER_DAYS * 86400, now)

    async def _send_rendered(self, payload: dict[str, Any], render: Renderer) -> None:
        """A registered template's email, once, behind the same sent-marker as the others."""
        ref = token_hash(json.dumps(payload, sort_keys=True))[:16]
        marker = f"mail-sent:{payload['template']}:{ref}"
        now = utcnow()
        if await self.meta.get_counter(marker, now):
            log.info("email %s (%s) already sent; not sending again", payload["template"], ref)
            return
        message = await render(payload)
        if message is None:
            log.info("email %s (%s) is no longer wanted; not sending", payload["template"], ref)
            return
        await self.mailer.send(message)
        await self.meta.hit_counter(marker, SENT_MARKER_DAYS * 86400, now)

    async def _render(self, payload: dict[str, Any], user: User) -> Message:
        base = self.settings.server.base_url()
        template = payload["template"]
        if template == "welcome":
            return templates.welcome(user.email, user.display_name, base)
        if template == "password_reset":
            if "token" in payload:  # queued by an older version, where admins could read it: withdraw it
                await self.meta.consume_reset_token(token_hash(str(payload["token"])), utcnow())
            token = await self._mint_reset_token(user)
            minutes = self.settings.auth.reset_ttl_seconds // 60
            return templates.password_reset(user.email, user.display_name, f"{base}/?reset_token={token}", minutes)
        if template == "album_shared":  # sharing (issue 14): services/sharing_mail
            url = f"{base}/#album/{payload['album_id']}"
            return templates.album_shared(user.email, user.display_name, payload["by_name"], payload["album_name"], url)
        if template == "album_photos":
            url = f"{base}/#album/{payload['album_id']}"
            count = int(payload["count"])
            return templates.album_photos(user.email, user.display_name, payload["album_name"], count, url)
        raise PermanentJobError("unknown_template", f"no email template {template!r}")

    async def _mint_reset_token(self, user: User) -> str:
        """A fresh single-use token; only its hash is stored, and it lives from the sending on.

        Should the send fail, the token was never seen by anyone and simply expires; the
        retry mints another.
        """
        token = new_token()
        expires_at = utcnow() + timedelta(seconds=self.settings.auth.reset_ttl_seconds)
        await self.meta.create_reset_token(token_hash(token), user.id, expires_at)
        return token
