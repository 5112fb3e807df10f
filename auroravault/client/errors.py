"""The client's failures (``ClientError`` and its kinds) and ``error_of``, which reads an error answer.

``ApiError`` is an HTTP error answer (a problem+json of the server, or the XML error of S3/MinIO
on a presigned URL), ``TransportFailure`` is no answer at all (connection refused or reset,
timeout). ``ClientError.transient`` says whether trying again later can help.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import msgspec

from auroravault.client.models import Problem

_XML_CODE = re.compile(r"<Code>([^<]+)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")


class ClientError(Exception):
    """Base of every client failure."""

    status: int = 0
    code: str = "client_error"
    detail: str = ""
    retry_after: float | None = None

    @property
    def transient(self) -> bool:
        """True when the same request may succeed later (network, 5xx, 429, 408)."""
        return False


class TransportFailure(ClientError):
    """No HTTP answer: connection refused or reset, timeout, protocol error."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.code = "transport_error"
        self.detail = detail

    @property
    def transient(self) -> bool:
        return True


class ApiError(ClientError):
    """An HTTP error answer, with the server's stable machine ``code``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        retry_after: float | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.retry_after = retry_after
        self.errors = errors or []

    @property
    def transient(self) -> bool:
        return self.status >= 500 or self.status in (408, 429)

    @property
    def url_expired(self) -> bool:
        """A presigned URL that storage refused: expired, or signed for something else.

        S3 and MinIO answer 403 ``AccessDenied`` ("Request has expired") in XML; the local
        store answers 403 ``url_expired``/``signature_invalid``. Either way the cure is the
        same: ask the server for a fresh URL.
        """
        return self.status == 403


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare here, and the backoff covers it


def error_of(response: httpx.Response, body: bytes) -> ApiError:
    """Turn an error answer (problem+json, S3 XML, or anything else) into an ``ApiError``."""
    retry_after = _retry_after(response)
    ctype = response.headers.get("content-type", "")
    if "json" in ctype:
        try:
            problem = msgspec.json.decode(body, type=Problem)
            return ApiError(
                response.status_code,
                problem.code,
                problem.detail or problem.title,
                retry_after=retry_after,
                errors=problem.errors,
            )
        except (msgspec.ValidationError, msgspec.DecodeError):
            pass
    text = body.decode("utf-8", errors="replace")
    code_match = _XML_CODE.search(text)
    if code_match:
        message = _XML_MESSAGE.search(text)
        detail = message.group(1) if message else code_match.group(1)
        code = code_match.group(1)
        if response.status_code == 403 and "expired" in detail.lower():
            code = "url_expired"
        return ApiError(response.status_code, code, detail, retry_after=retry_after)
    return ApiError(response.status_code, f"http_{response.status_code}", text[:200].strip(), retry_after=retry_after)
