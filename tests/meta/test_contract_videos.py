"""The meta contract for videos and Live Photos, on every adapter (the ``meta`` fixture).

A video keeps its ``media_type``, ``duration_ms`` and ContentIdentifier through every read; a
Live Photo's motion video (``motion_of`` set) leaves the listings and the month counts, where
its still stands for it, and comes back as an item of its own when unpaired."""

from __future__ import annotations

import msgspec

from auroravault.meta.base import MetaStore, Photo, PhotoView, SearchQuery
from auroravault.timeutil import utcnow
from tests.meta.test_contract import arrived, with_user

SHA_STILL = "a" * 64
SHA_MOTION = "b" * 64
SHA_CLIP = "c" * 64


async def ready(meta: MetaStore, photo: Photo, **changes: object) -> Photo:
    done = msgspec.structs.replace(photo, status="ready", updated_at=utcnow(), **changes)
    assert await meta.save_processed_photo(done, photo.status)
    stored = await meta.get_photo(photo.id)
    assert stored is not None
    return stored


async def test_a_video_keeps_its_type_duration_and_identifier(meta: MetaStore) -> None:
    user = await with_user(meta)
    clip = await ready(
        meta, await arrived(meta, user, SHA_CLIP), media_type="video", duration_ms=4321, content_identifier="LIVE-1"
    )
    assert (clip.media_type, clip.duration_ms, clip.content_identifier) == ("video", 4321, "LIVE-1")
    [listed] = await meta.list_photos(user.id, limit=10, after=None, descending=True)
    assert listed.duration_ms == 4321
    videos = PhotoView(viewer_id=user.id, media_type="video")
    assert [p.id for p in await meta.list_photos(user.id, limit=10, after=None, descending=True, view=videos)] == [
        clip.id
    ]
    assert sum(m.count for m in await meta.month_counts(user.id, videos)) == 1


async def test_a_live_photos_motion_leaves_listings_and_counts_until_unpaired(meta: MetaStore) -> None:
    user = await with_user(meta)
    still = await ready(meta, await arrived(meta, user, SHA_STILL))
    motion = await ready(meta, await arrived(meta, user, SHA_MOTION), media_type="video", duration_ms=1500)
    clip = await ready(meta, await arrived(meta, user, SHA_CLIP), media_type="video", duration_ms=9000)
    assert sum(m.count for m in await meta.month_counts(user.id)) == 3

    motion = await ready(meta, motion, motion_of=still.id)
    still = await ready(meta, still, motion_photo_id=motion.id)
    assert still.motion_photo_id == motion.id and motion.motion_of == still.id

    async def listed(**view: object) -> list[str]:
        found = await meta.list_photos(
            user.id, limit=10, after=None, descending=True, view=PhotoView(viewer_id=user.id, **view)
        )
        return sorted(p.id for p in found)

    assert await listed() == sorted([still.id, clip.id])
    assert await listed(media_type="video") == [clip.id]
    assert await listed(archived="include") == sorted([still.id, clip.id])
    assert sum(m.count for m in await meta.month_counts(user.id)) == 2
    videos = PhotoView(viewer_id=user.id, media_type="video")
    assert sum(m.count for m in await meta.month_counts(user.id, videos)) == 1
    assert (await meta.get_photo(motion.id)) is not None  # still there for GET /photos/{id}/motion

    await ready(meta, motion, motion_of=None)
    assert await listed() == sorted([still.id, motion.id, clip.id])
    assert sum(m.count for m in await meta.month_counts(user.id)) == 3


async def test_search_finds_a_live_photo_by_its_still_alone(meta: MetaStore) -> None:
    user = await with_user(meta)
    still = await ready(meta, await arrived(meta, user, SHA_STILL))
    motion = await ready(meta, await arrived(meta, user, SHA_MOTION), media_type="video", motion_of=still.id)
    await ready(meta, still, motion_photo_id=motion.id)
    everything = SearchQuery(viewer_id=user.id, owner_id=user.id)
    assert [p.id for p in await meta.search_photos(everything, limit=10, after=None)] == [still.id]
    videos = SearchQuery(viewer_id=user.id, owner_id=user.id, media_type="video")
    assert await meta.search_photos(videos, limit=10, after=None) == []
