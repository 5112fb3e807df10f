"""``GET /sync/changes``: what a client with a local cache applies since its last sync.

The adapter keeps a change feed per viewing user (a photo changed, one of the viewer's
flags changed, a photo was trashed, restored or deleted) and answers the photo ids named
after a position. This service turns them into ``changed`` (the photo as ``GET
/photos/{id}`` shows it, with the viewer's flags; a trashed photo carries ``trashed_at``)
and ``deleted`` (ids the viewer can no longer see: deleted for good, or otherwise gone),
and wraps the adapter's position in an opaque token.

Guarantees: applying every page in order (``more`` says another page waits) leaves the
cache as the server was at the last page's read. A photo may appear again in a later page
(and on DynamoDB, within the re-read overlap described in ``docs/dynamodb.md``): applying a
page is idempotent, replacing a photo by its current state. An unknown or corrupt token is
400 ``invalid_sync_token``.
"""

from __future__ import annotations

import base64
import binascii

import msgspec

from auroravault.errors import Invalid
from auroravault.meta.base import Flags, MetaStore, Photo, User
from auroravault.services import access

PAGE = 500
TOKEN_VERSION = 1


class SyncPage(msgspec.Struct, kw_only=True):
    changed: list[tuple[Photo, Flags]]
    deleted: list[str]
    next: str
    more: bool
    albums: dict[str, list[str]] = msgspec.field(default_factory=dict)  # the albums the viewer sees


def encode_token(viewer_id: str, position: str) -> str:
    raw = msgspec.json.encode([TOKEN_VERSION, viewer_id, position])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(viewer_id: str, token: str) -> str:
    bad = Invalid("invalid_sync_token", "the sync token is not one this server gave out", status=400)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, owner, position = msgspec.json.decode(raw, type=tuple[int, str, str])
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise bad from None
    if version != TOKEN_VERSION or owner != viewer_id:  # another user's token is no token here
        raise bad
    return position


class SyncService:
    def __init__(self, meta: MetaStore) -> None:
        self.meta = meta

    async def changes(self, user: User, since: str | None) -> SyncPage:
        position = decode_token(user.id, since) if since else None
        batch = await self.meta.changes_since(user.id, position, PAGE)
        photos = await self.meta.get_photos(batch.photo_ids) if batch.photo_ids else {}
        visible: list[Photo] = []
        deleted: list[str] = []
        for photo_id in batch.photo_ids:
            photo = photos.get(photo_id)
            if access.relation_to(user, photo) is None and access.relation_to(user, photo, trashed=True) is None:
                deleted.append(photo_id)
            elif photo is not None:
                visible.append(photo)
        flags = await self.meta.get_flags(user.id, [p.id for p in visible]) if visible else {}
        return SyncPage(
            changed=[(p, flags.get(p.id, Flags())) for p in visible],
            deleted=deleted,
            next=encode_token(user.id, batch.position),
            more=batch.more,
            albums=await access.visible_albums(self.meta, user, [p.id for p in visible]),
        )
