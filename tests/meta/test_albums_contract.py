"""The AlbumStore contract, on every MetaStore adapter (the ``meta`` fixture)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec

from auroravault.ids import new_id
from auroravault.meta.base import Album, AlbumStats, MetaStore, Photo, User
from auroravault.timeutil import utcnow
from tests.meta.test_contract import a_batch, arrived, photo_and_upload, with_user


def an_album(owner: User, name: str = "Summer", **kw) -> Album:
    now = utcnow()
    return Album(id=new_id("al_"), owner_id=owner.id, name=name, created_at=now, updated_at=now, **kw)


async def photos_at(meta: MetaStore, user: User, days: list[int]) -> list[Photo]:
    """Listed photos taken ``days`` ago each (distinct contents)."""
    found = []
    base = utcnow()
    for n, day in enumerate(days):
        photo = await arrived(meta, user, f"{n + 1:064x}")
        moved = await meta.edit_photo(
            photo.id, {"sort_at": (base - timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}, utcnow()
        )
        assert moved is not None
        found.append(moved)
    return found


async def ids_in(meta: MetaStore, album_id: str, descending: bool = True, limit: int = 100) -> list[str]:
    return [p.id for p in await meta.album_photos(album_id, limit=limit, after=None, descending=descending)]


async def test_an_album_is_created_with_its_photos_and_read_back(meta: MetaStore) -> None:
    ada = await with_user(meta)
    old, new = await photos_at(meta, ada, [10, 1])
    album = an_album(ada, description="by the sea")
    result = await meta.create_album(album, [old.id, new.id, "p_missing"], utcnow())
    assert sorted(result.added) == sorted([old.id, new.id]) and result.already == []
    assert await meta.get_album(album.id) == album
    assert await meta.get_albums([album.id, "al_none"]) == {album.id: album}
    assert await ids_in(meta, album.id) == [new.id, old.id]
    assert await ids_in(meta, album.id, descending=False) == [old.id, new.id]
    stats = await meta.album_stats([album.id, "al_none"])
    assert stats == {
        album.id: AlbumStats(photo_count=2, start_at=old.sort_at, end_at=new.sort_at, newest_photo_id=new.id)
    }
    assert await meta.albums_of_photos([old.id, "p_missing"]) == {old.id: [album.id]}


async def test_adding_reports_what_was_there_and_pages_by_keyset(meta: MetaStore) -> None:
    ada = await with_user(meta)
    photos = await photos_at(meta, ada, [5, 4, 3, 2, 1])
    album = an_album(ada)
    await meta.create_album(album, [photos[0].id], utcnow())
    result = await meta.add_to_album(album.id, [p.id for p in photos], ada.id, utcnow())
    assert result.already == [photos[0].id] and sorted(result.added) == sorted(p.id for p in photos[1:])
    first = await meta.album_photos(album.id, limit=2, after=None, descending=True)
    assert [p.id for p in first] == [photos[4].id, photos[3].id]
    rest = await meta.album_photos(album.id, limit=10, after=(first[-1].sort_at, first[-1].id), descending=True)
    assert [p.id for p in rest] == [photos[2].id, photos[1].id, photos[0].id]
    assert await meta.add_to_album("al_gone", [photos[0].id], ada.id, utcnow()) == type(result)(added=[], already=[])


async def test_a_photo_in_many_albums_and_removal_leaves_the_photo(meta: MetaStore) -> None:
    ada = await with_user(meta)
    [photo, other] = await photos_at(meta, ada, [2, 1])
    one, two = an_album(ada, "One"), an_album(ada, "Two")
    await meta.create_album(one, [photo.id, other.id], utcnow())
    await meta.create_album(two, [photo.id], utcnow())
    assert sorted((await meta.albums_of_photos([photo.id]))[photo.id]) == sorted([one.id, two.id])
    assert await meta.remove_from_album(one.id, [photo.id, "p_none"]) == [photo.id]
    assert await meta.remove_from_album(one.id, [photo.id]) == []
    assert await ids_in(meta, one.id) == [other.id]
    assert (await meta.album_stats([one.id]))[one.id].photo_count == 1
    assert await meta.albums_of_photos([photo.id]) == {photo.id: [two.id]}
    assert await meta.get_photo(photo.id) is not None


async def test_trashed_photos_leave_albums_and_come_back_and_deletion_drops_memberships(meta: MetaStore) -> None:
    ada = await with_user(meta)
    [keep, gone] = await photos_at(meta, ada, [2, 1])
    album = an_album(ada)
    await meta.create_album(album, [keep.id, gone.id], utcnow())
    await meta.trash_photos(ada.id, [gone.id], utcnow())
    assert await ids_in(meta, album.id) == [keep.id]
    stats = (await meta.album_stats([album.id]))[album.id]
    assert stats.photo_count == 1 and stats.newest_photo_id == keep.id and stats.end_at == keep.sort_at
    # a trashed photo cannot be added meanwhile
    other = an_album(ada, "Other")
    assert (await meta.create_album(other, [gone.id], utcnow())).added == []
    await meta.restore_photos(ada.id, [gone.id], utcnow())
    assert await ids_in(meta, album.id) == [gone.id, keep.id]
    assert (await meta.album_stats([album.id]))[album.id].photo_count == 2
    await meta.trash_photos(ada.id, [gone.id], utcnow())
    await meta.mark_deleting(ada.id, [gone.id], utcnow())
    assert await meta.finish_deletion(gone.id, utcnow())
    assert await meta.albums_of_photos([gone.id]) == {}
    assert await ids_in(meta, album.id) == [keep.id]
    assert (await meta.album_stats([album.id]))[album.id].photo_count == 1


async def test_a_corrected_date_moves_the_photo_within_its_albums(meta: MetaStore) -> None:
    ada = await with_user(meta)
    [older, newer] = await photos_at(meta, ada, [3, 1])
    album = an_album(ada)
    await meta.create_album(album, [older.id, newer.id], utcnow())
    moved = await meta.edit_photo(older.id, {"sort_at": "2099-01-01T00:00:00.000000Z"}, utcnow())
    assert moved is not None
    assert await ids_in(meta, album.id) == [older.id, newer.id]
    stats = (await meta.album_stats([album.id]))[album.id]
    assert stats.end_at == "2099-01-01T00:00:00.000000Z" and stats.newest_photo_id == older.id
    # the pipeline's save keeps the album order in step too
    ready = msgspec.structs.replace(
        await meta.get_photo(newer.id), status="ready", sort_at="2100-01-01T00:00:00.000000Z"
    )
    await meta.save_processed_photo(ready, "processing")
    assert await ids_in(meta, album.id) == [newer.id, older.id]


async def test_albums_are_listed_per_owner_newest_first_updated_and_deleted(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@example.com")
    [photo] = await photos_at(meta, ada, [1])
    base = utcnow()
    albums = [an_album(ada, f"A{n}") for n in range(3)]
    for n, album in enumerate(albums):
        album = msgspec.structs.replace(album, created_at=base + timedelta(seconds=n))
        albums[n] = album
        await meta.create_album(album, [photo.id], utcnow())
    await meta.create_album(an_album(bob, "Bob's"), [], utcnow())
    first = await meta.list_albums(ada.id, limit=2, after=None)
    assert [a.id for a in first] == [albums[2].id, albums[1].id]
    cursor = (first[-1].created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), first[-1].id)
    assert [a.id for a in await meta.list_albums(ada.id, limit=2, after=cursor)] == [albums[0].id]
    changed = await meta.update_album(
        albums[0].id, {"name": "Beach", "description": None, "cover_photo_id": photo.id, "order": "oldest"}, utcnow()
    )
    assert changed is not None and changed.name == "Beach" and changed.order == "oldest"
    assert (await meta.get_album(albums[0].id)).cover_photo_id == photo.id
    assert await meta.update_album("al_none", {"name": "x"}, utcnow()) is None
    assert await meta.delete_album(albums[0].id) is True
    assert await meta.delete_album(albums[0].id) is False
    assert await meta.get_album(albums[0].id) is None
    assert await meta.get_photo(photo.id) is not None
    left = (await meta.albums_of_photos([photo.id]))[photo.id]
    assert sorted(left) == sorted([albums[1].id, albums[2].id])
    assert await ids_in(meta, albums[0].id) == []


async def test_a_rejected_upload_leaves_its_albums(meta: MetaStore) -> None:
    ada = await with_user(meta)
    batch = a_batch(ada)
    photo, upload = photo_and_upload(ada, batch, "f" * 64)
    await meta.create_uploads(batch, [photo], [upload], photo.size)
    assert (await meta.create_album(an_album(ada), [photo.id], utcnow())).added == []  # pending: not yet
    await meta.mark_upload_arrived(upload.id, utcnow())
    album = an_album(ada, "Processing")
    assert (await meta.create_album(album, [photo.id], utcnow())).added == [photo.id]
    assert await meta.end_upload(upload.id, "rejected", "checksum_mismatch", utcnow())
    assert await meta.albums_of_photos([photo.id]) == {}
    assert await ids_in(meta, album.id) == [] and (await meta.album_stats([album.id]))[album.id].photo_count == 0


async def test_racing_adds_removes_and_trash_keep_the_count_exact(meta: MetaStore) -> None:
    ada = await with_user(meta)
    photos = await photos_at(meta, ada, [4, 3, 2, 1])
    album = an_album(ada)
    await meta.create_album(album, [photos[0].id], utcnow())
    ids = [p.id for p in photos]
    await asyncio.gather(
        meta.add_to_album(album.id, ids, ada.id, utcnow()),
        meta.trash_photos(ada.id, ids[:2], utcnow()),
        meta.remove_from_album(album.id, [ids[3]]),
        meta.restore_photos(ada.id, [ids[0]], utcnow()),
    )
    listed = await ids_in(meta, album.id)
    assert (await meta.album_stats([album.id]))[album.id].photo_count == len(listed)
    await meta.restore_photos(ada.id, None, utcnow())
    listed = await ids_in(meta, album.id)
    assert (await meta.album_stats([album.id]))[album.id].photo_count == len(listed) >= 3


async def test_membership_changes_enter_the_album_owners_change_feed(meta: MetaStore) -> None:
    ada = await with_user(meta)
    [one, two] = await photos_at(meta, ada, [2, 1])
    start = (await meta.changes_since(ada.id, None, 100)).position
    album = an_album(ada)
    await meta.create_album(album, [one.id], utcnow())
    added = await meta.changes_since(ada.id, start, 100)
    assert added.photo_ids == [one.id]
    await meta.add_to_album(album.id, [two.id], ada.id, utcnow())
    await meta.remove_from_album(album.id, [one.id])
    moved = await meta.changes_since(ada.id, added.position, 100)
    assert set(moved.photo_ids) == {one.id, two.id}
    await meta.delete_album(album.id)
    assert (await meta.changes_since(ada.id, moved.position, 100)).photo_ids == [two.id]
