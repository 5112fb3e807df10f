"""What the two S3 adapters share: ``s3.py`` (boto3) and ``minio.py`` (the minio SDK).

The domain error for an S3 error code from either SDK (``classify_s3_error``), the parsing
of an endpoint setting (``endpoint_parts``), the checks and encodings of a presigned request
(``check_presign_args``, ``sha256_hex_to_b64``, ``content_disposition``) and the constants
both stores use. Neither SDK is imported here.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote, urlsplit

from auroravault.errors import AuroraError, ConfigError, Invalid, NotFound, Unavailable

__all__ = [
    "CHECK_PREFIX",
    "MAX_CONCURRENCY",
    "MAX_EXPIRES",
    "check_presign_args",
    "classify_s3_error",
    "content_disposition",
    "endpoint_parts",
    "sha256_hex_to_b64",
]

#: Threads of a store built without the app's storage pool (tools, tests). Calls beyond
#: the pool's size queue in it, so a burst of uploads cannot starve the pools of
#: passwords, disk or hashing. The HTTP connection pool is sized to match.
MAX_CONCURRENCY = 16

#: Presigned URLs may live at most 7 days (a SigV4 limit).
MAX_EXPIRES = 7 * 24 * 3600

CHECK_PREFIX = ".auroravault-check/"

# Error codes of S3 and S3-compatible servers (AWS, MinIO, SeaweedFS), by what they mean.
_TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "SlowDownRead",
        "SlowDownWrite",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequests",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "ServiceUnavailable",
        "InternalError",
        "XMinioServerNotInitialized",
    }
)
_NOT_FOUND_CODES = frozenset(
    {"404", "NoSuchKey", "NoSuchObject", "ResourceNotFound", "NotFound", "NoSuchLifecycleConfiguration"}
)
#: A multipart complete naming parts the server does not hold as named.
_PART_CODES = frozenset({"InvalidPart", "InvalidPartOrder", "EntityTooSmall"})
_CREDENTIAL_CODES = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "ExpiredToken", "InvalidToken"}
)


def classify_s3_error(code: str, status: int, *, bucket: str, where: str) -> AuroraError:
    """The domain error for an S3 error ``code`` (and HTTP ``status``) from either SDK."""
    if code == "NoSuchBucket":
        return Unavailable(
            "storage_bucket_missing", f"bucket {bucket!r} does not exist at {where}; run `auroravault migrate`"
        )
    if code == "NoSuchUpload":
        return NotFound("multipart_not_found", "the multipart upload is not open (completed or aborted)")
    if code in _PART_CODES:
        return Invalid("part_mismatch", f"storage refused the parts named ({code})")
    if code in _NOT_FOUND_CODES or status == 404:
        return NotFound("object_not_found", "the object does not exist")
    if code in _TRANSIENT_CODES or status >= 500 or status == 429:
        return Unavailable("storage_unavailable", f"storage at {where} is unavailable ({code})")
    if code in _CREDENTIAL_CODES or status == 403:
        return Unavailable(
            "storage_access_denied",
            f"storage at {where} refused the configured credentials for bucket {bucket!r} ({code})",
        )
    # Anything else is a request this adapter should never make; still a backend fault
    # from the caller's point of view, so retryable rather than a 500.
    return Unavailable("storage_error", f"storage at {where} answered {code or status}")


def endpoint_parts(url: str, *, secure: bool) -> tuple[str, bool]:
    """Split an endpoint setting into ``(host[:port], secure)``.

    A scheme in the URL wins (``http://`` is insecure, ``https://`` secure); a bare
    ``host:port`` uses ``secure``. A path is not allowed: S3 endpoints live at ``/``.
    Raises ``ConfigError`` otherwise.
    """
    if "://" not in url:
        url = ("https://" if secure else "http://") + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(
            f"setting 's3.endpoint_url' or 's3.public_endpoint_url': {url!r} is not http(s)://host[:port]"
        )
    return parts.netloc, parts.scheme == "https"


def sha256_hex_to_b64(sha256: str) -> str:
    """The hex digest the API receives, as the base64 digest S3 checksum headers carry."""
    try:
        raw = binascii.unhexlify(sha256)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise Invalid("invalid_sha256", "sha256 must be 64 hexadecimal characters")
    return base64.b64encode(raw).decode("ascii")


def check_presign_args(*, size: int, expires_in: int) -> None:
    if size < 0:
        raise Invalid("invalid_size", "size must not be negative")
    if not 1 <= expires_in <= MAX_EXPIRES:
        raise Invalid("invalid_expiry", f"expires_in must be between 1 and {MAX_EXPIRES} seconds")


def content_disposition(filename: str) -> str:
    """``attachment`` with ``filename`` encoded per RFC 6266 / RFC 8187.

    The quoted ``filename=`` is an ASCII fallback (anything else, quotes, backslashes and
    control characters become ``_``); ``filename*=`` carries the exact UTF-8 name.
    """
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in filename)
    fallback = fallback or "download"
    encoded = quote(filename, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
