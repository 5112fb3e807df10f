"""Amazon SES mailer (boto3, SES v1 ``SendRawEmail``).

Raw sending is used so the message is the very MIME email the other mailers send,
extra headers included (``SendEmail`` would drop them). boto3 blocks, so every call
runs in a worker thread; the client is built on first use, in that thread (building
one reads service models from disk), and is safe to share between threads.

Credentials and endpoint come from ``SesSettings`` when set, else from the standard
AWS chain (environment, profile, instance or task role).

Errors are translated here and nothing from botocore escapes:

- throttling, 5xx, connection and timeout errors, and refused credentials (an
  operator's fix): ``Unavailable("mail_unavailable")``;
- ``MessageRejected``, ``MailFromDomainNotVerifiedException`` and other 4xx replies:
  ``PermanentJobError("mail_rejected")`` with SES's code and message.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from auroravault.config import SesSettings
from auroravault.errors import AuroraError, ConfigError, Invalid, PermanentJobError, Unavailable
from auroravault.mail.base import Message
from auroravault.mail.message import build_mime, parse_address, to_bytes

# Short timeouts and few retries: a mail job is retried with backoff by the queue anyway.
DEFAULT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=15,
    retries={"max_attempts": 3, "mode": "standard"},
)

_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
_CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "AccessDenied",
        "AccessDeniedException",
    }
)


class SesMailer:
    name = "ses"

    def __init__(self, settings: SesSettings, from_address: str, *, botocore_config: Config | None = None) -> None:
        try:
            self._sender = parse_address(from_address, "from")
        except Invalid as exc:
            raise ConfigError(f"mail.from_address: {exc.detail}") from exc
        self._settings = settings
        self._from_address = from_address
        self._config = DEFAULT_CONFIG.merge(botocore_config) if botocore_config else DEFAULT_CONFIG
        self._client: Any = None
        self._lock = threading.Lock()

    def _ses(self) -> Any:
        with self._lock:
            if self._client is None:
                s = self._settings
                session = boto3.session.Session(
                    aws_access_key_id=s.access_key or None,
                    aws_secret_access_key=s.secret_key or None,
                    region_name=s.region,
                )
                self._client = session.client("ses", endpoint_url=s.endpoint_url or None, config=self._config)
            return self._client

    def _call(self, operation: str, **kwargs: Any) -> Any:
        return getattr(self._ses(), operation)(**kwargs)

    async def send(self, message: Message) -> None:
        mime = build_mime(message, self._from_address)  # raises Invalid before any call
        recipient = parse_address(message.to).addr_spec
        try:
            await asyncio.to_thread(
                self._call,
                "send_raw_email",
                Source=self._sender.addr_spec,
                Destinations=[recipient],
                RawMessage={"Data": to_bytes(mime)},
            )
        except (ClientError, BotoCoreError) as exc:
            raise _map_error(exc) from exc

    async def check(self) -> None:
        """Ask SES for the send quota: proves endpoint and credentials; raise ``Unavailable`` if not."""
        try:
            await asyncio.to_thread(self._call, "get_send_quota")
        except (ClientError, BotoCoreError) as exc:
            raise Unavailable("mail_unavailable", f"SES check failed: {exc}") from exc

    async def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            await asyncio.to_thread(client.close)


def _map_error(exc: ClientError | BotoCoreError) -> AuroraError:
    if isinstance(exc, BotoCoreError):
        # EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, NoCredentialsError...
        return Unavailable("mail_unavailable", f"cannot reach SES: {exc}")
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    reply = f"{code}: {error.get('Message', '')}".strip(": ")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    extra = {"ses_code": code, "http_status": status}
    if code in _TRANSIENT_CODES or status >= 500 or status == 429:
        return Unavailable("mail_unavailable", f"SES is unavailable: {reply}", extra=extra)
    if code in _CREDENTIAL_CODES:
        return Unavailable("mail_unavailable", f"SES refused the credentials: {reply}", extra=extra)
    return PermanentJobError("mail_rejected", f"SES rejected the message: {reply}", extra=extra)
