"""Reading what arrives on the events queue: S3 notifications and EventBridge events.

Four shapes of message body:

- S3 straight to SQS: ``{"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
  "s3": {"bucket": {"name"}, "object": {"key"}}}]}``, the key URL-encoded (``+`` for a space);
- S3's ``s3:TestEvent``, sent once when the notification is configured: skipped;
- S3 through EventBridge: ``{"source": "aws.s3", "detail-type": "Object Created",
  "detail": {"bucket": {"name"}, "object": {"key"}}}``;
- a domain event through EventBridge: ``{"source": "auroravault", "detail-type": <name>,
  "detail": {ids}}``.

Every key is ``unquote_plus``-ed (a decoded key has no ``%`` or ``+`` escapes left to undo
for the ids this server makes). Keys of another bucket are dropped here; whether a key
is a photo's original is ``original_of``'s call.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import msgspec

from auroravault.bus.events import EVENT_NAMES, SOURCE, Detail


class Notice(msgspec.Struct, kw_only=True):
    """What one message says: object keys that were created, and/or a domain event."""

    created: list[str] = []
    event: str | None = None
    detail: Detail = {}
    test: bool = False  # s3:TestEvent
    unknown: bool = False  # a body none of the shapes above


def read_body(body: str, bucket: str) -> Notice:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return Notice(unknown=True)
    if not isinstance(data, dict):
        return Notice(unknown=True)
    if data.get("Event") == "s3:TestEvent":
        return Notice(test=True)
    if isinstance(data.get("Records"), list):
        keys = []
        for record in data["Records"]:
            s3 = record.get("s3") or {} if isinstance(record, dict) else {}
            if (
                record.get("eventSource") == "aws:s3"
                and str(record.get("eventName", "")).startswith("ObjectCreated")
                and (s3.get("bucket") or {}).get("name") == bucket
            ):
                keys.append(unquote_plus(str((s3.get("object") or {}).get("key", ""))))
        return Notice(created=keys)
    detail = data.get("detail")
    if not isinstance(detail, dict):
        return Notice(unknown=True)
    if data.get("source") == "aws.s3":
        if data.get("detail-type") != "Object Created" or (detail.get("bucket") or {}).get("name") != bucket:
            return Notice()
        return Notice(created=[unquote_plus(str((detail.get("object") or {}).get("key", "")))])
    if data.get("source") == SOURCE and data.get("detail-type") in EVENT_NAMES:
        return Notice(event=str(data["detail-type"]), detail={str(k): str(v) for k, v in detail.items()})
    return Notice(unknown=True)


def original_of(key: str) -> tuple[str, str] | None:
    """``(user_id, photo_id)`` of an original's key (``<user>/<photo>/original``), else None:
    thumbs, previews, parts and anything else never trigger work."""
    parts = key.split("/")
    if len(parts) != 3 or parts[2] != "original" or not parts[0].startswith("u_") or not parts[1].startswith("p_"):
        return None
    return parts[0], parts[1]
