"""Where the services meet the bus: the publishers they call, the subscribers the bus runs.

The services know no bus: each has a hook (``on_user_created``, ``on_ready``, ...) that
the container points at a ``Publishers`` method. The welcome mail is the one subscriber
so far; it is durable (``Bus.subscribe``), so a registration whose event cannot reach
EventBridge still gets its mail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from auroravault.bus.events import (
    ALBUM_SHARED,
    FAMILY_JOINED,
    PHOTO_DELETED,
    PHOTO_READY,
    USER_REGISTERED,
    Bus,
    Detail,
)
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Album, Photo, User
from auroravault.meta.family_records import FamilyMember
from auroravault.services.notifications import queue_welcome_of

MemberAdded = Callable[[Album, User, User], Awaitable[None]]


class Publishers:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def user_registered(self, user: User) -> None:
        await self.bus.publish(USER_REGISTERED, user_id=user.id)

    async def photo_ready(self, photo: Photo) -> None:
        await self.bus.publish(PHOTO_READY, photo_id=photo.id, owner_id=photo.owner_id)

    async def photo_deleted(self, photo: Photo) -> None:
        await self.bus.publish(PHOTO_DELETED, photo_id=photo.id, owner_id=photo.owner_id)

    async def family_joined(self, member: FamilyMember) -> None:
        await self.bus.publish(FAMILY_JOINED, family_id=member.family_id, user_id=member.user_id)

    def album_shared(self, then: MemberAdded) -> MemberAdded:
        """``then`` (the "shared with you" mail), then ``album.shared``."""

        async def shared(album: Album, by: User, person: User) -> None:
            await then(album, by, person)
            await self.bus.publish(ALBUM_SHARED, album_id=album.id, user_id=person.id, by_id=by.id)

        return shared


def subscribe_defaults(bus: Bus, queue: JobQueue) -> None:
    """The subscribers every instance has: the welcome mail of a new account."""

    async def welcome(detail: Detail) -> None:
        await queue_welcome_of(queue, detail["user_id"])

    bus.subscribe(USER_REGISTERED, welcome, durable=True)
