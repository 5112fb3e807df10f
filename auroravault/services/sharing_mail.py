"""The sharing emails (issue 14), on the durable mail queue of ``services/notifications``.

- "X shared the album <name> with you": a ``send_email`` job (template ``album_shared``)
  when a member is added, if the member keeps ``notify_album_shared`` on (checked again when
  the job runs). Dedupe key ``album-shared:<album>:<member>:<added_at>``: one email per
  addition, a member removed and added again hears again.
- "N new photos in <album>": at most one digest per album and clock hour. Adding photos to an
  album with members queues one ``album_digest`` job per album and hour (dedupe key
  ``album-digest:<album>:<hour start>``), due at the end of that hour. When it runs it reads
  the album's members and the listed photos added in its hour (``SharingStore.album_adds``),
  and queues, for the owner and each member, a ``send_email`` job (template
  ``album_photos``, dedupe key ``album-photos:<album>:<hour start>:<user>``) counting the
  photos others added, if they added any and the recipient keeps ``notify_album_photos`` on.
  Five adds in an hour: one job, one email per recipient. Photos trashed or removed before
  the hour ends are not counted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Album, User
from auroravault.meta.protocols import AccountStore, AlbumStore, SharingStore
from auroravault.services.notifications import SEND_EMAIL
from auroravault.timeutil import from_iso, to_iso, utcnow

ALBUM_DIGEST = "album_digest"
DIGEST_SECONDS = 3600


class SharingMailMeta(AccountStore, AlbumStore, SharingStore, Protocol):
    """What the sharing emails read: accounts (their switches), albums, members, recent adds."""


def hour_of(now: datetime) -> tuple[datetime, datetime]:
    """The digest window holding ``now``: its clock hour, UTC."""
    start = datetime.fromtimestamp(int(now.timestamp()) // DIGEST_SECONDS * DIGEST_SECONDS, tz=UTC)
    return start, start + timedelta(seconds=DIGEST_SECONDS)


class SharingMail:
    def __init__(self, meta: SharingMailMeta, queue: JobQueue) -> None:
        self.meta = meta
        self.queue = queue

    async def member_added(self, album: Album, by: User, member: User) -> None:
        if not member.notify_album_shared:
            return
        stamp = to_iso(utcnow())
        payload = {
            "template": "album_shared",
            "user_id": member.id,
            "album_id": album.id,
            "album_name": album.name,
            "by_name": by.display_name,
            "request_id": f"{album.id}:{stamp}",
        }
        await self.queue.enqueue(SEND_EMAIL, payload, dedupe_key=f"album-shared:{album.id}:{member.id}:{stamp}")

    async def photos_added(self, album_id: str, photo_ids: list[str]) -> None:
        """Photos joined an album: make sure its hour's digest is queued (once per album and hour)."""
        if not photo_ids or not await self.meta.album_members(album_id):
            return
        now = utcnow()
        start, end = hour_of(now)
        await self.queue.enqueue(
            ALBUM_DIGEST,
            {"album_id": album_id, "since": to_iso(start), "until": to_iso(end)},
            dedupe_key=f"album-digest:{album_id}:{to_iso(start)}",
            delay=max(0.0, (end - now).total_seconds()),
        )

    async def handle_digest(self, payload: dict[str, Any]) -> None:
        """The ``album_digest`` job: count the hour's adds now, queue one email per recipient."""
        album = await self.meta.get_album(str(payload["album_id"]))
        if album is None:
            return
        since = str(payload["since"])
        adds = await self.meta.album_adds(album.id, from_iso(since), from_iso(str(payload["until"])))
        if not adds:
            return
        people = [album.owner_id] + [m.user_id for m in await self.meta.album_members(album.id)]
        for user_id in dict.fromkeys(people):
            count = sum(1 for by in adds.values() if by != user_id)
            person = await self.meta.get_user(user_id) if count else None
            if person is None or not person.notify_album_photos:
                continue
            await self.queue.enqueue(
                SEND_EMAIL,
                {
                    "template": "album_photos",
                    "user_id": user_id,
                    "album_id": album.id,
                    "album_name": album.name,
                    "count": count,
                    "request_id": f"{album.id}:{since}",
                },
                dedupe_key=f"album-photos:{album.id}:{since}:{user_id}",
            )
