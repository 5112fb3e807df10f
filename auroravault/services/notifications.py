"""Emails on the durable job queue: the welcome email and password resets.

Every email is a ``send_email`` job with a dedupe key, so a request never waits for or
fails on mail: registration answers 201 with SMTP down, and the job retries with backoff.

Delivery guarantee: at least once, and exactly once unless the process dies in the
instant between the mail server accepting the message and the job recording it.

- Enqueueing is idempotent (``welcome:<user_id>``, ``reset:<token hash>``): one job per event.
- Before sending, the handler checks a sent-marker for the key; after the server accepts
  the message it sets the marker, then the job is marked done. A job that runs twice
  (lease expired, retried after a timeout) finds the marker and sends nothing.
- If the process is killed after the server accepted the message but before the marker is
  written, the job runs again after its lease and the recipient gets a second copy. No
  mail protocol lets a sender do better: SMTP and SES have no idempotent send.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from auroravault.config import Settings
from auroravault.errors import PermanentJobError
from auroravault.ids import new_token, token_hash
from auroravault.jobs.queue import JobQueue
from auroravault.mail import templates
from auroravault.mail.base import Mailer, Message
from auroravault.meta.base import MetaStore, User
from auroravault.timeutil import utcnow

log = logging.getLogger("auroravault.notifications")

SEND_EMAIL = "send_email"
SENT_MARKER_DAYS = 90


async def queue_welcome(queue: JobQueue, user: User) -> None:
    """Queue the one welcome email of ``user`` (used by the app and by ``auroravault user create``)."""
    await queue.enqueue(SEND_EMAIL, {"template": "welcome", "user_id": user.id}, dedupe_key=f"welcome:{user.id}")


class NotificationService:
    def __init__(self, meta: MetaStore, mailer: Mailer, queue: JobQueue, settings: Settings) -> None:
        self.meta = meta
        self.mailer = mailer
        self.queue = queue
        self.settings = settings

    # -- enqueueing (request path) -----------------------------------------------------
    async def user_created(self, user: User) -> None:
        await queue_welcome(self.queue, user)

    async def password_reset_requested(self, user: User) -> None:
        """Store a single-use token (its hash) and queue the email that carries it."""
        token = new_token()
        ttl = self.settings.auth.reset_ttl_seconds
        hashed = token_hash(token)
        await self.meta.create_reset_token(hashed, user.id, utcnow() + timedelta(seconds=ttl))
        # The raw token rides in the job payload until the mail is sent: whoever reads the
        # jobs table could already change password hashes in the users table.
        await self.queue.enqueue(
            SEND_EMAIL,
            {"template": "password_reset", "user_id": user.id, "token": token},
            dedupe_key=f"reset:{hashed}",
        )

    # -- the job ----------------------------------------------------------------------------
    async def handle(self, payload: dict[str, Any]) -> None:
        """The ``send_email`` job handler."""
        user = await self.meta.get_user(str(payload["user_id"]))
        if user is None:
            raise PermanentJobError("user_missing", "the account was deleted before its email was sent")
        message = self._render(payload, user)
        marker = f"mail-sent:{payload['template']}:{user.id}:{token_hash(str(payload.get('token', '')))[:16]}"
        now = utcnow()
        if await self.meta.get_counter(marker, now):
            log.info("email %s to %s already sent; not sending again", payload["template"], user.id)
            return
        await self.mailer.send(message)
        await self.meta.hit_counter(marker, SENT_MARKER_DAYS * 86400, now)

    def _render(self, payload: dict[str, Any], user: User) -> Message:
        base = self.settings.server.base_url()
        template = payload["template"]
        if template == "welcome":
            message = templates.welcome(user.email, user.display_name, base)
        elif template == "password_reset":
            token = str(payload["token"])
            minutes = self.settings.auth.reset_ttl_seconds // 60
            message = templates.password_reset(
                user.email, user.display_name, f"{base}/?reset_token={token}", token, minutes
            )
        else:
            raise PermanentJobError("unknown_template", f"no email template {template!r}")
        return message
