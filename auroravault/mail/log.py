"""Offline mailer, the default: each message becomes an ``.eml`` file in the outbox.

The file holds the same MIME message the SMTP mailer would send, so it opens in any
mail client. Writes are atomic (a hidden temp file in the outbox, then a rename):
a reader globbing ``*.eml`` never sees half a message. Names are
``<UTC timestamp>-<random>.eml`` so they sort by time and never collide.

One log line per message (recipient and subject only: bodies may hold reset tokens).
Disk errors become ``Unavailable("mail_unavailable")``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from auroravault.config import MailSettings
from auroravault.errors import ConfigError, Invalid, Unavailable
from auroravault.mail.base import Message
from auroravault.mail.message import build_mime, parse_address, to_bytes

logger = logging.getLogger("auroravault.mail")


class LogMailer:
    name = "log"

    def __init__(self, outbox: Path, *, from_address: str = MailSettings().from_address) -> None:
        try:
            parse_address(from_address, "from")
        except Invalid as exc:
            raise ConfigError(f"mail.from_address: {exc.detail}") from exc
        self.outbox = Path(outbox)
        self._from_address = from_address

    async def send(self, message: Message) -> None:
        mime = build_mime(message, self._from_address)
        data = to_bytes(mime)
        try:
            path = await asyncio.to_thread(self._write, data)
        except OSError as exc:
            raise Unavailable("mail_unavailable", f"cannot write to the mail outbox {self.outbox}: {exc}") from exc
        logger.info("mail to=%s subject=%r saved=%s", message.to, message.subject, path.name)

    async def check(self) -> None:
        """Make sure the outbox exists and is writable; raise ``Unavailable`` if not."""
        try:
            await asyncio.to_thread(self._probe)
        except OSError as exc:
            raise Unavailable("mail_unavailable", f"the mail outbox {self.outbox} is not writable: {exc}") from exc

    async def close(self) -> None:
        """Nothing to release."""

    def _write(self, data: bytes) -> Path:
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        final = self.outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.outbox, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return final

    def _probe(self) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.outbox):
            pass
