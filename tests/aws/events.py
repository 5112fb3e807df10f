"""API Gateway HTTP API (payload 2.0) events shaped like the recorded one in tests/data/aws."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).parent.parent / "data" / "aws" / "http_api_v2_get.json"
_SAMPLE: dict[str, Any] = json.loads(RECORDED.read_text())


def http_event(
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    body: bytes | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends for one request: a JSON body as text, other bodies base64."""
    event = copy.deepcopy(_SAMPLE)
    event["rawPath"] = path
    event["rawQueryString"] = query
    if query:
        event["queryStringParameters"] = dict(p.split("=", 1) for p in query.split("&"))
    event["requestContext"]["http"].update(method=method, path=path)
    event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    if json_body is not None:
        text = json.dumps(json_body)
        event["body"] = text
        event["headers"]["content-type"] = "application/json"
        event["headers"]["content-length"] = str(len(text.encode()))
    elif body is not None:
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
        event["headers"]["content-length"] = str(len(body))
    return event


def body_of(response: dict[str, Any]) -> bytes:
    """The bytes a client receives from a Lambda proxy response."""
    raw = response.get("body") or ""
    return base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode()


def json_of(response: dict[str, Any]) -> Any:
    assert not response.get("isBase64Encoded"), response.get("headers")
    return json.loads(response["body"])
