"""Domain errors, and how each becomes an RFC 9457 problem.

Services and adapters raise these; nothing else crosses the boundary. Every error
carries a stable machine ``code`` that clients may switch on; the ``detail`` is for
people and may change wording at any time.

    AuroraError
    ├── Invalid          400/413/415/422  the request is wrong; nothing changed
    ├── Unauthorized     401              no or bad credentials
    ├── Forbidden        403              authenticated but not allowed; bad signature
    ├── NotFound         404              absent, or not yours (never tells which)
    ├── Conflict         409              the state forbids it (email taken, ...)
    ├── QuotaExceeded    413              the owner's quota would be exceeded
    ├── TooManyRequests  429              slow down; carries ``retry_after``
    └── Unavailable      503              a backend is down; carries ``retry_after``
"""

from __future__ import annotations

from typing import Any, ClassVar


class AuroraError(Exception):
    """Base of every domain error."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.retry_after = retry_after
        self.extra = extra or {}
        if status is not None:
            self.status_code = status
        else:
            self.status_code = type(self).status


class Invalid(AuroraError):
    status = 422
    title = "Invalid request"


class Unauthorized(AuroraError):
    status = 401
    title = "Unauthorized"


class Forbidden(AuroraError):
    status = 403
    title = "Forbidden"


class NotFound(AuroraError):
    status = 404
    title = "Not found"


class Conflict(AuroraError):
    status = 409
    title = "Conflict"


class Gone(AuroraError):
    status = 410
    title = "Gone"


class QuotaExceeded(AuroraError):
    status = 413
    title = "Quota exceeded"


class TooManyRequests(AuroraError):
    status = 429
    title = "Too many requests"


class Unavailable(AuroraError):
    """A backend (storage, database, mail) cannot be reached or is throttling.

    On the request path this becomes a 503 with ``Retry-After``; in a job it is a
    transient failure that is retried with backoff.
    """

    status = 503
    title = "Service unavailable"

    def __init__(self, code: str, detail: str, *, retry_after: int = 5, **kw: Any) -> None:
        super().__init__(code, detail, retry_after=retry_after, **kw)


class PermanentJobError(AuroraError):
    """A job failed in a way retrying cannot fix (a corrupt image, a refused recipient)."""

    status = 500
    title = "Permanent job failure"


class ConfigError(Exception):
    """The configuration is wrong; the message names the key and what is wrong with it."""
