"""Every error leaves as RFC 9457 ``application/problem+json`` with a stable ``code``."""

from __future__ import annotations

import logging

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from auroravault.api.schemas import Problem
from auroravault.errors import AuroraError

log = logging.getLogger("auroravault.api")
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://auroravault.dev/problems/"

# Codes for the framework's own HTTP errors (routing, methods, body limits).
_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
}


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, object]] | None = None,
) -> Response[bytes]:
    body = Problem(
        type=TYPE_BASE + code,
        title=title,
        status=status,
        code=code,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return Response(
        content=msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON, headers=headers or {}
    )


def aurora_error_handler(request: Request, exc: Exception) -> Response[bytes]:
    assert isinstance(exc, AuroraError)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    if exc.status_code >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    errors = exc.extra.get("errors")
    return problem_response(
        request,
        exc.status_code,
        exc.code,
        exc.title,
        exc.detail,
        headers=headers,
        errors=errors if isinstance(errors, list) else None,
    )


def validation_handler(request: Request, exc: Exception) -> Response[bytes]:
    assert isinstance(exc, ValidationException)
    extra = exc.extra if isinstance(exc.extra, list) else None
    return problem_response(
        request,
        400,
        "invalid_request",
        "Invalid request",
        exc.detail or "the request is malformed",
        errors=[dict(e) for e in extra if isinstance(e, dict)] if extra else None,
    )


def http_error_handler(request: Request, exc: Exception) -> Response[bytes]:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "http_error")
    return problem_response(request, status, code, code.replace("_", " ").capitalize(), exc.detail, headers=exc.headers)


def internal_error_handler(request: Request, exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, 500, "internal_error", "Internal error", "something went wrong on the server; it has been logged"
    )


EXCEPTION_HANDLERS = {
    AuroraError: aurora_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


def documented(**codes_by_status: str) -> dict[int, ResponseSpec]:
    """OpenAPI entries for a handler's problem responses: ``documented(s404="batch_not_found")``.

    Each key is ``s<status>``; each value lists the stable codes that status may carry.
    Every handler can answer 400 ``invalid_request`` (a malformed parameter or body) and
    503 (a backend down), so those two are always documented.
    """
    codes_by_status = {**DEFAULTS, **codes_by_status}
    if "invalid_request" not in codes_by_status["s400"]:
        codes_by_status["s400"] = f"invalid_request, {codes_by_status['s400']}"
    specs = {}
    for key, codes in codes_by_status.items():
        status = int(key.removeprefix("s"))
        specs[status] = ResponseSpec(
            data_container=Problem,
            description=f"Problem (application/problem+json); code: {codes}",
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
    return specs


DEFAULTS = {
    "s400": "invalid_request",
    "s503": "meta_unavailable, storage_unavailable (with Retry-After)",
}
AUTH = {"s401": "unauthorized, invalid_token"}
UNAVAILABLE = {"s503": DEFAULTS["s503"]}
# A JSON body: over the app's body limit, or nested too deeply.
BODY = {"s400": "invalid_request, invalid_json", "s413": "body_too_large"}
