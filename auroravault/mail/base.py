"""The Mailer protocol: send one message.

Contract (checked by ``tests/mail/test_contract.py`` against every mailer):

- ``send`` delivers one ``Message`` or raises. It raises ``Unavailable`` for faults
  worth retrying (connection refused, timeout, SMTP 4xx, throttling) and
  ``PermanentJobError`` for faults retrying cannot fix (SMTP 5xx refusal of the
  recipient, SES ``MessageRejected``).
- Header values are checked: a CR or LF in ``to``, ``subject`` or a header raises
  ``Invalid`` before anything is sent (no header injection).
- ``close`` releases connections.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import msgspec


class Message(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = msgspec.field(default_factory=dict)


@runtime_checkable
class Mailer(Protocol):
    name: str

    async def send(self, message: Message) -> None: ...

    async def check(self) -> None: ...

    async def close(self) -> None: ...
