"""The sharing part of the store (issue 14), on every MetaStore adapter (the ``meta``
fixture): a batch's album, album members, partner shares."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from auroravault.meta.base import MetaStore, User
from auroravault.meta.family_records import AlbumMember, MemberRole, PartnerShare
from auroravault.timeutil import to_iso, utcnow
from tests.meta.test_albums_contract import an_album
from tests.meta.test_contract import a_batch, arrived, photo_and_upload, with_user


async def test_a_batch_keeps_the_album_its_photos_join(meta: MetaStore) -> None:
    ada = await with_user(meta)
    plain = a_batch(ada)
    into = msgspec.structs.replace(a_batch(ada), album_id="al_holiday")
    for batch, sha in ((plain, "a" * 64), (into, "b" * 64)):
        photo, upload = photo_and_upload(ada, batch, sha)
        await meta.create_uploads(batch, [photo], [upload], 0)
    assert await meta.get_batch(into.id) == into
    got = await meta.get_batch(plain.id)
    assert got == plain and got is not None and got.album_id is None


def a_member(album_id: str, user: User, role: MemberRole = "viewer", added_by: str = "u_owner", at=None) -> AlbumMember:
    return AlbumMember(album_id=album_id, user_id=user.id, role=role, added_by=added_by, added_at=at or utcnow())


async def test_album_members_are_added_once_changed_listed_and_removed(meta: MetaStore) -> None:
    ada, bob, cy = (
        await with_user(meta),
        await with_user(meta, email="bob@x.org"),
        await with_user(meta, email="cy@x.org"),
    )
    album = an_album(ada)
    await meta.create_album(album, [], utcnow())
    now = utcnow()
    bob_in = a_member(album.id, bob, "contributor", ada.id, now)
    cy_in = a_member(album.id, cy, "viewer", ada.id, now + timedelta(seconds=1))
    assert await meta.add_album_member(bob_in) is True
    assert await meta.add_album_member(cy_in) is True
    assert await meta.add_album_member(a_member(album.id, bob, "admin", ada.id)) is False  # nothing changed
    assert await meta.album_members(album.id) == [bob_in, cy_in]
    assert await meta.album_roles(bob.id, [album.id, "al_none"]) == {album.id: "contributor"}
    changed = await meta.update_album_member(album.id, bob.id, "admin")
    assert changed == msgspec.structs.replace(bob_in, role="admin")
    assert await meta.album_roles(bob.id, [album.id]) == {album.id: "admin"}
    assert [m.role for m in await meta.member_albums(bob.id, limit=10, after=None)] == ["admin"]
    assert await meta.update_album_member(album.id, ada.id, "admin") is None
    assert await meta.remove_album_member(album.id, bob.id) is True
    assert await meta.remove_album_member(album.id, bob.id) is False
    assert await meta.album_roles(bob.id, [album.id]) == {}
    assert await meta.member_albums(bob.id, limit=10, after=None) == []
    assert await meta.album_members(album.id) == [cy_in]


async def test_the_albums_shared_with_a_user_page_newest_first(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@x.org")
    base = utcnow()
    albums = [an_album(ada, name=f"A{n}") for n in range(5)]
    for n, album in enumerate(albums):
        await meta.create_album(album, [], utcnow())
        await meta.add_album_member(a_member(album.id, bob, "viewer", ada.id, base + timedelta(seconds=n)))
    seen: list[str] = []
    after = None
    while True:
        page = await meta.member_albums(bob.id, limit=2, after=after)
        if not page:
            break
        seen += [m.album_id for m in page]
        after = (to_iso(page[-1].added_at), page[-1].album_id)
    assert seen == [a.id for a in reversed(albums)]
    assert await meta.member_albums(ada.id, limit=10, after=None) == []


async def test_deleting_an_album_drops_its_members(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@x.org")
    album = an_album(ada)
    await meta.create_album(album, [], utcnow())
    await meta.add_album_member(a_member(album.id, bob, "admin", ada.id))
    assert await meta.delete_album(album.id) is True
    assert await meta.album_members(album.id) == []
    assert await meta.album_roles(bob.id, [album.id]) == {}
    assert await meta.member_albums(bob.id, limit=10, after=None) == []


async def test_partner_shares_are_one_way_and_switch_the_timeline(meta: MetaStore) -> None:
    ada, bob, cy = (
        await with_user(meta),
        await with_user(meta, email="bob@x.org"),
        await with_user(meta, email="cy@x.org"),
    )
    now = utcnow()
    to_bob = PartnerShare(owner_id=ada.id, partner_id=bob.id, created_at=now)
    to_cy = PartnerShare(owner_id=ada.id, partner_id=cy.id, created_at=now + timedelta(seconds=1))
    assert await meta.add_partner(to_bob) is True
    assert await meta.add_partner(to_cy) is True
    assert (
        await meta.add_partner(PartnerShare(owner_id=ada.id, partner_id=bob.id, in_timeline=True, created_at=now))
        is False
    )
    assert await meta.get_partner(ada.id, bob.id) == to_bob
    assert await meta.get_partner(bob.id, ada.id) is None  # one way
    assert await meta.shared_by(ada.id) == [to_bob, to_cy]
    assert await meta.shared_with(bob.id) == [to_bob] and await meta.shared_by(bob.id) == []
    on = await meta.set_partner_timeline(ada.id, bob.id, True)
    assert on == msgspec.structs.replace(to_bob, in_timeline=True)
    assert await meta.shared_with(bob.id) == [on] and await meta.get_partner(ada.id, bob.id) == on
    assert await meta.set_partner_timeline(bob.id, ada.id, True) is None
    assert await meta.remove_partner(ada.id, bob.id) is True
    assert await meta.remove_partner(ada.id, bob.id) is False
    assert await meta.get_partner(ada.id, bob.id) is None
    assert await meta.shared_with(bob.id) == [] and await meta.shared_by(ada.id) == [to_cy]


async def test_album_adds_names_the_listed_photos_added_in_a_window_and_who_added_them(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@x.org")
    mine, theirs, trashed = (
        await arrived(meta, ada, "1" * 64),
        await arrived(meta, bob, "2" * 64),
        await arrived(meta, bob, "3" * 64),
    )
    album = an_album(ada)
    await meta.create_album(album, [], utcnow())
    before = utcnow()
    await meta.add_to_album(album.id, [mine.id], ada.id, before + timedelta(minutes=1))
    await meta.add_to_album(album.id, [theirs.id, trashed.id], bob.id, before + timedelta(minutes=2))
    await meta.add_to_album(album.id, [], bob.id, before)
    await meta.trash_photos(bob.id, [trashed.id], utcnow())
    window = (before, before + timedelta(hours=1))
    assert await meta.album_adds(album.id, *window) == {mine.id: ada.id, theirs.id: bob.id}
    assert await meta.album_adds(album.id, before + timedelta(minutes=2), before + timedelta(hours=1)) == {
        theirs.id: bob.id
    }
    assert await meta.album_adds(album.id, before + timedelta(hours=1), before + timedelta(hours=2)) == {}
