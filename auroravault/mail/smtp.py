"""SMTP mailer (aiosmtplib): plain, STARTTLS or implicit TLS, optional login.

One connection per message, on purpose: AuroraVault sends a handful of mails (welcome,
password reset), so the cost of a connection is noise, while a kept-open connection
brings trouble that has to be handled — servers drop idle clients after a few minutes,
concurrent jobs would need a lock or a pool, and a half-dead socket turns into a
confusing first failure. A fresh connection per send has none of that.

Errors are translated here and nothing from aiosmtplib escapes:

- cannot connect, timeout, disconnect, a 4xx reply, a failed login or a TLS problem:
  ``Unavailable("mail_unavailable")`` — worth retrying (a login failure is an
  operator's fix, and the mail should go out once it is made);
- a 5xx refusal of the sender, the recipient or the data:
  ``PermanentJobError("mail_rejected")`` with the server's reply in the detail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import aiosmtplib

from auroravault.config import SmtpSettings
from auroravault.errors import AuroraError, ConfigError, Invalid, PermanentJobError, Unavailable
from auroravault.mail.base import Message
from auroravault.mail.message import build_mime, parse_address, to_bytes


class SmtpMailer:
    name = "smtp"

    def __init__(self, settings: SmtpSettings, from_address: str) -> None:
        try:
            self._sender = parse_address(from_address, "from")
        except Invalid as exc:
            raise ConfigError(f"mail.from_address: {exc.detail}") from exc
        self._settings = settings
        self._from_address = from_address

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username or None,
            password=s.password if s.username else None,
            timeout=s.timeout_seconds,
            use_tls=s.security == "tls",
            # Explicit False for "none": aiosmtplib would otherwise upgrade when offered.
            start_tls=s.security == "starttls",
        )

    async def send(self, message: Message) -> None:
        mime = build_mime(message, self._from_address)  # raises Invalid before connecting
        recipient = parse_address(message.to).addr_spec
        data = to_bytes(mime)
        with _translate_errors():
            async with self._client() as smtp:
                await smtp.sendmail(self._sender.addr_spec, [recipient], data)

    async def check(self) -> None:
        """Connect (TLS and login as configured), NOOP, quit; raise ``Unavailable`` if any step fails."""
        with _translate_errors():
            async with self._client() as smtp:
                await smtp.noop()

    async def close(self) -> None:
        """Nothing to release: each send opens and closes its own connection."""


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


def _refusal(code: int, what: str, reply: str) -> AuroraError:
    extra = {"smtp_code": code}
    if code >= 500:
        return PermanentJobError("mail_rejected", f"the mail server refused the {what}: {reply}", extra=extra)
    return Unavailable("mail_unavailable", f"the mail server deferred the {what}: {reply}", extra=extra)


def _map_error(exc: Exception) -> AuroraError | None:
    match exc:
        case aiosmtplib.SMTPRecipientsRefused(recipients=[first, *_]):
            return _refusal(first.code, "recipient", _reply(first))
        case aiosmtplib.SMTPRecipientRefused():
            return _refusal(exc.code, "recipient", _reply(exc))
        case aiosmtplib.SMTPSenderRefused():
            return _refusal(exc.code, "sender", _reply(exc))
        case aiosmtplib.SMTPDataError():
            return _refusal(exc.code, "message", _reply(exc))
        case aiosmtplib.SMTPAuthenticationError():
            return Unavailable("mail_unavailable", f"SMTP login failed: {_reply(exc)}", extra={"smtp_code": exc.code})
        case aiosmtplib.SMTPResponseException():
            return Unavailable("mail_unavailable", f"SMTP error: {_reply(exc)}", extra={"smtp_code": exc.code})
        case aiosmtplib.SMTPTimeoutError() | TimeoutError():
            return Unavailable("mail_unavailable", f"the mail server timed out: {exc}")
        case aiosmtplib.SMTPException():
            # Disconnects, connect failures, STARTTLS or AUTH not offered by the server...
            return Unavailable("mail_unavailable", f"SMTP failure: {exc}")
        case OSError():
            # Connection refused, unreachable host, DNS failure, TLS handshake (ssl.SSLError).
            return Unavailable("mail_unavailable", f"cannot reach the mail server: {exc}")
    return None


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        mapped = _map_error(exc)
        if mapped is None:
            raise
        raise mapped from exc
