"""Time helpers: every stored instant is an aware UTC datetime.

``sort_key`` gives the fixed-width string used for keyset ordering of photos: it sorts
lexically in time order in SQLite and DynamoDB alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_seconds(seconds: float, now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(seconds=seconds)


def to_iso(value: datetime) -> str:
    """Fixed-width ISO 8601 in UTC with microseconds, e.g. ``2024-05-01T10:00:00.000000Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def sort_key(taken_at: datetime) -> str:
    """The ordering key of a photo's time.

    An aware time is ordered by its UTC instant. A naive one (EXIF without an offset
    is the camera's wall clock) is ordered as if it were UTC: the best a server can do
    without knowing where the camera was.
    """
    return to_iso(taken_at)
