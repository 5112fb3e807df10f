"""HMAC signatures for the local store's presigned URLs, checked like S3 checks SigV4.

A PUT signature covers the method, the key, the expiry, the content type, the content
length and the declared sha256; a GET signature covers the method, key, expiry and the
response overrides (filename, content type). Changing any of them, or using the URL
after it expires, gets a 403.

The signed message is canonical: each field is written as its UTF-8 length, a colon and
its bytes, so no two different field tuples can produce the same message (a plain join
would let ``("a\nb", "c")`` and ``("a", "b\nc")`` share one signature).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from auroravault.errors import Forbidden


class UrlSigner:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("signing secret must be at least 16 bytes")
        self._key = hashlib.sha256(b"auroravault/blob-url/v2\n" + secret).digest()

    def sign(self, *parts: str | int) -> str:
        return hmac.new(self._key, canonical_message(parts), hashlib.sha256).hexdigest()

    def verify(self, signature: str, expires: str, *parts: str | int, now: float | None = None) -> None:
        """Raise ``Forbidden`` unless ``signature`` matches and ``expires`` is in the future."""
        try:
            expiry = int(expires)
        except (TypeError, ValueError):
            raise Forbidden("signature_invalid", "the URL's expiry is missing or malformed") from None
        expected = self.sign(*parts[:2], expiry, *parts[2:])
        if not hmac.compare_digest(expected, signature or ""):
            raise Forbidden("signature_invalid", "the URL's signature does not match this request")
        if expiry < (time.time() if now is None else now):
            raise Forbidden("url_expired", "the URL has expired; ask for a new one")


def canonical_message(parts: tuple[str | int, ...]) -> bytes:
    """Length-prefixed fields (``<bytes>:<field>``): an injective encoding of the tuple."""
    out = bytearray()
    for part in parts:
        # surrogatepass: a query string may carry lone surrogates; they must not crash signing.
        data = str(part).encode("utf-8", "surrogatepass")
        out += b"%d:" % len(data)
        out += data
    return bytes(out)
