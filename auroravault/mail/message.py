"""Turn a ``Message`` into the MIME email every mailer sends, refusing header injection.

All three mailers share this builder, so an ``.eml`` in the log outbox is byte for byte
what SMTP or SES would have carried (apart from Date and Message-ID).

Safety rules, checked before anything is built:

- a CR, LF or NUL in ``to``, ``subject``, a header name or a header value raises
  ``Invalid("invalid_header")``: a value can never start a new header line;
- ``to`` must be exactly one address (``ana@example.com`` or
  ``"Doe, Ana" <ana@example.com>``) with an ASCII address part, else
  ``Invalid("invalid_address")``. Display names are re-encoded by the email package,
  so quotes, commas and non-ASCII letters in them are quoted or RFC 2047 encoded;
- extra headers may not replace the ones the builder owns (From, To, Subject, Date,
  Message-ID, MIME and Content headers, Cc, Bcc...).

Bodies are encoded quoted-printable, so the message is 7-bit clean: it passes through
any SMTP server (8BITMIME or not), SES raw sending, and a text editor.
"""

from __future__ import annotations

import email.policy
import email.utils
import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage

from auroravault.errors import Invalid
from auroravault.mail.base import Message

# RFC 5322 field-name: printable ASCII except the colon.
_HEADER_NAME = re.compile(r"^[!-9;-~]+$")
_FORBIDDEN_CHARS = ("\r", "\n", "\0")

# Headers the builder sets itself (or that would change who receives the mail).
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "sender",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "return-path",
    }
)

# Wire form: CRLF line endings, long headers folded, non-ASCII headers RFC 2047 encoded.
WIRE_POLICY = email.policy.SMTP


def _check_header_text(what: str, value: str) -> None:
    if any(ch in value for ch in _FORBIDDEN_CHARS):
        raise Invalid("invalid_header", f"{what} must not contain CR, LF or NUL characters")


def parse_address(value: str, what: str = "to") -> Address:
    """Parse exactly one address; raise ``Invalid`` unless it is a plain, safe mailbox."""
    _check_header_text(what, value)
    try:
        header = email.policy.default.header_factory(what, value)
        addresses = header.addresses
    except (ValueError, IndexError, AttributeError) as exc:  # the stdlib parser trips on some junk
        raise Invalid("invalid_address", f"{what} is not a valid email address") from exc
    if header.defects or len(addresses) != 1:
        raise Invalid("invalid_address", f"{what} must be exactly one email address")
    parsed: Address = addresses[0]
    if not parsed.username or not parsed.domain:
        raise Invalid("invalid_address", f"{what} must be an address like name@example.com")
    if not parsed.addr_spec.isascii():
        # Non-ASCII mailboxes need SMTPUTF8 end to end; not supported (yet).
        raise Invalid("invalid_address", f"{what} must use an ASCII address (the name may be any text)")
    try:
        # Rebuild from parts: the Address constructor re-validates the addr-spec,
        # and serialisation will quote the display name as needed.
        return Address(display_name=parsed.display_name, addr_spec=parsed.addr_spec)
    except (ValueError, IndexError) as exc:
        raise Invalid("invalid_address", f"{what} is not a valid email address") from exc


def validate(message: Message) -> None:
    """Raise ``Invalid`` if ``message`` could not be sent safely. Sends nothing."""
    parse_address(message.to, "to")
    _check_header_text("subject", message.subject)
    for name, value in message.headers.items():
        if not _HEADER_NAME.match(name):
            raise Invalid("invalid_header", f"header name {name!r} is not a valid field name")
        _check_header_text(f"header {name}", value)
        if name.lower() in RESERVED_HEADERS:
            raise Invalid("invalid_header", f"header {name} is set by the mailer")


def build_mime(message: Message, from_address: str) -> EmailMessage:
    """Build the multipart/alternative (or text/plain) email for ``message``.

    Raises ``Invalid`` on header injection or a bad address (see module docstring).
    """
    validate(message)
    sender = parse_address(from_address, "from")
    recipient = parse_address(message.to, "to")

    mime = EmailMessage(policy=email.policy.default)
    mime["From"] = sender
    mime["To"] = recipient
    mime["Subject"] = message.subject
    mime["Date"] = email.utils.format_datetime(datetime.now(UTC))
    # Pass the domain: make_msgid() would otherwise call socket.getfqdn(), a DNS lookup.
    mime["Message-ID"] = email.utils.make_msgid(domain=sender.domain)
    for name, value in message.headers.items():
        mime[name] = value

    mime.set_content(message.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return mime


def to_bytes(mime: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line endings)."""
    return mime.as_bytes(policy=WIRE_POLICY)
