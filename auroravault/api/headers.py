"""Security headers on every response the app sends, errors and 404s included.

One ``before_send`` hook sees every ``http.response.start`` message, after the handlers
and the exception handlers, so nothing leaves without its headers:

- everywhere: ``X-Content-Type-Options: nosniff`` (a browser never guesses a type), and
  ``Referrer-Policy: no-referrer`` (presigned URLs carry signatures in their query);
- ``/api/v1/*``: ``Cache-Control: no-store``: answers carry tokens, personal data and
  short-lived URLs that no browser or proxy cache may keep;
- ``/blobs/*`` (user bytes served by local storage): a CSP of ``sandbox`` and
  ``default-src 'none'``, so an HTML or SVG file uploaded as a photo renders, at most, in
  an opaque origin without script: it can never run on the origin that holds the token;
- ``/schema`` (the OpenAPI document and Swagger UI, served offline from the app itself):
  scripts and styles from this origin only;
- anything else without a CSP of its own (JSON, problems): ``default-src 'none'``. The web
  app's pages set their own CSP (``auroravault.api.web``) and keep it.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

API_PREFIX = "/api/"
BLOBS_PREFIX = "/blobs/"
SCHEMA_PREFIX = "/schema"

BLOB_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
NONE_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI sets inline styles from its scripts and uses data: images in its CSS.
DOCS_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


def _under(path: str, prefix: str) -> bool:
    return path == prefix.rstrip("/") or path.startswith(prefix if prefix.endswith("/") else prefix + "/")


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar ``before_send`` hook: set the headers of ``message`` for ``scope``'s path."""
    if message["type"] != "http.response.start":
        return
    path = scope.get("path", "")
    headers = MutableScopeHeaders.from_message(message)
    headers["X-Content-Type-Options"] = "nosniff"
    if "referrer-policy" not in headers:
        headers["Referrer-Policy"] = "no-referrer"
    if _under(path, API_PREFIX):
        headers["Cache-Control"] = "no-store"
    if _under(path, BLOBS_PREFIX):
        headers["Content-Security-Policy"] = BLOB_CSP
    elif _under(path, SCHEMA_PREFIX):
        headers["Content-Security-Policy"] = DOCS_CSP
    elif "content-security-policy" not in headers:
        headers["Content-Security-Policy"] = NONE_CSP
