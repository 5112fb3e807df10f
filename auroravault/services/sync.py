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

The feed is kept ``library.changes_days``: the daily ``feed_pruning`` task drops older entries
(a day later still, so no entry a valid token may need goes), keeping the newest entry of each
photo that exists, so a sync from the start still names every photo. A token remembers when
it was given out; one older than ``changes_days`` may have missed pruned entries (deletions
above all), so it is 410 ``sync_expired``: the client drops its cache and syncs from the start.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import datetime, timedelta

import msgspec

from auroravault.config import Settings
from auroravault.errors import Gone, Invalid
from auroravault.meta.base import Flags, Photo, User
from auroravault.meta.protocols import ShownPhotos
from auroravault.services import access
from auroravault.timeutil import from_iso, to_iso, utcnow

log = logging.getLogger("auroravault.library")

PAGE = 500
TOKEN_VERSION = 2
#: Entries are pruned this much after the tokens that might need them expire.
PRUNE_MARGIN = timedelta(days=1)


class SyncPage(msgspec.Struct, kw_only=True):
    changed: list[tuple[Photo, Flags]]
    deleted: list[str]
    next: str
    more: bool
    albums: dict[str, list[str]] = msgspec.field(default_factory=dict)  # the albums the viewer sees


def encode_token(viewer_id: str, position: str, issued_at: datetime) -> str:
    raw = msgspec.json.encode([TOKEN_VERSION, viewer_id, position, to_iso(issued_at)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(viewer_id: str, token: str, oldest: datetime) -> str:
    """The feed position in ``token``; 410 ``sync_expired`` when it was given out before
    ``oldest`` (or by the previous version, which did not say when)."""
    bad = Invalid("invalid_sync_token", "the sync token is not one this server gave out", status=400)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        fields = msgspec.json.decode(raw, type=list[int | str])
        version, owner, position = fields[:3]
        issued = from_iso(str(fields[3])) if version == TOKEN_VERSION and len(fields) == 4 else None
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise bad from None
    if not isinstance(owner, str) or not isinstance(position, str) or version not in (1, TOKEN_VERSION):
        raise bad
    if owner != viewer_id:  # another user's token is no token here
        raise bad
    if issued is None or issued < oldest:
        raise Gone("sync_expired", "this sync token is too old: drop the cache and sync from the start")
    return position


class SyncService:
    def __init__(self, meta: ShownPhotos, settings: Settings) -> None:
        self.meta = meta
        self.settings = settings

    @property
    def kept(self) -> timedelta:
        return timedelta(days=self.settings.library.changes_days)

    async def changes(self, user: User, since: str | None) -> SyncPage:
        now = utcnow()
        position = decode_token(user.id, since, now - self.kept) if since else None
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
            next=encode_token(user.id, batch.position, now),
            more=batch.more,
            albums=await access.visible_albums(self.meta, user, [p.id for p in visible]),
        )

    async def prune(self) -> int:
        """The daily task ``feed_pruning``: drop feed entries no valid token can need."""
        pruned = await self.meta.prune_changes(utcnow() - self.kept - PRUNE_MARGIN)
        if pruned:
            log.info("change feed: %d entries older than %d days pruned", pruned, self.settings.library.changes_days)
        return pruned
