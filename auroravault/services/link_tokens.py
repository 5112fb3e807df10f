"""Unlock tokens of password links: stateless, signed, short-lived (``docs/links.md``).

A token is ``<expires epoch>.<HMAC-SHA256>`` over the link's id, that expiry and the link's
*current* password hash, keyed by the server's signing secret: nothing is stored, and
changing or clearing the password ends every token at once (the hash they were bound to is
gone). A token names no account and is read only from ``X-Link-Token`` on ``/public`` routes:
it never opens an account route (those take ``Authorization: Bearer`` session tokens only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from auroravault.meta.family_records import ShareLink

_DOMAIN = b"auroravault-link-unlock-v1"  # the secret also signs local URLs: never the same message


def _mac(secret: bytes, link: ShareLink, expires: int) -> str:
    message = b"|".join([_DOMAIN, link.id.encode(), str(expires).encode(), (link.password_hash or "").encode()])
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(secret: bytes, link: ShareLink, now: datetime, ttl_seconds: int) -> tuple[str, datetime]:
    """A token for ``link`` as it is now, and when it expires."""
    expires = int((now + timedelta(seconds=ttl_seconds)).timestamp())
    return f"{expires}.{_mac(secret, link, expires)}", datetime.fromtimestamp(expires, UTC)


def valid(secret: bytes, link: ShareLink, token: str | None, now: datetime) -> bool:
    """Whether ``token`` unlocks ``link`` now (signed for it, its password unchanged, not expired)."""
    if not token or len(token) > 200:
        return False
    stamp, _, mac = token.partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return False
    expires = int(stamp)
    if expires <= now.timestamp():
        return False
    return hmac.compare_digest(mac, _mac(secret, link, expires))
