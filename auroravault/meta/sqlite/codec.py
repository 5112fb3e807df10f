"""Records <-> rows.

Users, sessions and batches are all columns. Uploads and jobs keep their whole record as JSON
in ``data`` beside the columns their queries use (written together, here only).

A photo is real columns for what people filter and sort on (``PHOTO_COLUMNS``, named as the
``Photo`` fields they hold) plus ``data``: the JSON of every *other* field. The columns are the
truth; ``data`` never repeats them, so the two cannot disagree. A field added to ``Photo``
later lands in ``data`` with no change here, until a migration gives it a column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import aiosqlite
import msgspec

from auroravault.meta.base import Photo
from auroravault.timeutil import to_iso

T = TypeVar("T", bound=msgspec.Struct)

_encoder = msgspec.json.Encoder()

#: The photo fields stored as columns of ``photos`` (migration 0004), in table order.
PHOTO_COLUMNS = (
    "id",
    "owner_id",
    "status",
    "sha256",
    "filename",
    "content_type",
    "size",
    "media_type",
    "sort_at",
    "taken_at",
    "exif_taken_at",
    "camera_make",
    "camera_model",
    "lens",
    "lat",
    "lon",
    "width",
    "height",
    "description",
    "variants_bytes",
    "created_at",
    "updated_at",
    "trashed_at",
    "deleting_at",
)
#: Datetime fields among them: stored as ``timeutil.to_iso`` text, which sorts in time order.
_TIME_COLUMNS = frozenset({"created_at", "updated_at", "trashed_at", "deleting_at"})

#: What a photo query selects from ``photos p``: every column, then ``data``.
PHOTO_SELECT = ", ".join(f"p.{name}" for name in PHOTO_COLUMNS) + ", p.data"

_INSERT_PHOTO = (
    f"INSERT INTO photos ({', '.join(PHOTO_COLUMNS)}, data) VALUES ({', '.join('?' * (len(PHOTO_COLUMNS) + 1))})"
)
_UPDATE_PHOTO = (
    "UPDATE photos SET " + ", ".join(f"{name} = ?" for name in PHOTO_COLUMNS[1:]) + ", data = ? WHERE id = ?"
)


def dump(record: msgspec.Struct) -> str:
    return _encoder.encode(record).decode()


def load(kind: type[T], data: str | bytes) -> T:
    return msgspec.json.decode(data, type=kind)


def iso_or_none(value: datetime | None) -> str | None:
    return to_iso(value) if value is not None else None


# -- photos ------------------------------------------------------------------------------------
def photo_values(photo: Photo) -> list[Any]:
    """The column values of ``photo`` in ``PHOTO_COLUMNS`` order, then the JSON of the rest."""
    rest = msgspec.to_builtins(photo)
    values: list[Any] = []
    for name in PHOTO_COLUMNS:
        del rest[name]
        value = getattr(photo, name)
        values.append(iso_or_none(value) if name in _TIME_COLUMNS else value)
    values.append(_encoder.encode(rest).decode())
    return values


def photo_from_row(row: Any) -> Photo:
    """A ``Photo`` from a row selected with ``PHOTO_SELECT``: the columns over the JSON rest."""
    fields: dict[str, Any] = msgspec.json.decode(row[len(PHOTO_COLUMNS)])
    fields.update(zip(PHOTO_COLUMNS, row, strict=False))  # times stay text: msgspec parses them
    return msgspec.convert(fields, Photo)


async def insert_photos(conn: aiosqlite.Connection, photos: list[Photo]) -> None:
    await conn.executemany(_INSERT_PHOTO, [photo_values(p) for p in photos])


async def write_photo(conn: aiosqlite.Connection, photo: Photo) -> None:
    """Store ``photo`` over its row, and keep the copy of ``sort_at`` on its flags in step."""
    values = photo_values(photo)
    await conn.execute(_UPDATE_PHOTO, (*values[1:], photo.id))
    await conn.execute(
        "UPDATE photo_flags SET sort_at = ? WHERE photo_id = ? AND sort_at != ?",
        (photo.sort_at, photo.id, photo.sort_at),
    )


async def read_photo(conn: aiosqlite.Connection, photo_id: str) -> Photo | None:
    """The photo as stored, read inside the caller's write transaction."""
    async with conn.execute(f"SELECT {PHOTO_SELECT} FROM photos p WHERE p.id = ?", (photo_id,)) as cur:
        row = await cur.fetchone()
    return photo_from_row(row) if row is not None else None
