"""The LinkStore contract, on every MetaStore adapter (the ``meta`` fixture)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from auroravault.errors import Conflict
from auroravault.ids import new_id
from auroravault.meta.base import MetaStore, User
from auroravault.meta.family_records import ShareLink
from auroravault.timeutil import to_iso, utcnow
from tests.meta.test_contract import with_user


def a_link(owner: User, *, created_ago: int = 0, **kw) -> ShareLink:
    at = utcnow() - timedelta(seconds=created_ago)
    return ShareLink(
        id=new_id("ln_"), key=secrets.token_urlsafe(24), owner_id=owner.id, created_at=at, updated_at=at, **kw
    )


async def test_a_link_is_found_by_id_and_by_its_exact_key(meta: MetaStore) -> None:
    ada = await with_user(meta)
    expires = utcnow() + timedelta(days=3)
    link = a_link(ada, photo_ids=["p1", "p2"], expires_at=expires, password_hash="$argon2id$x", show_metadata=False)
    await meta.create_link(link)
    assert await meta.get_link(link.id) == link
    assert await meta.get_link_by_key(link.key) == link
    assert link.kind == "selection" and a_link(ada, album_id="al_1").kind == "album"
    assert await meta.get_link_by_key(link.key.swapcase()) is None
    assert await meta.get_link_by_key("nope") is None and await meta.get_link("ln_none") is None


async def test_a_key_names_one_link(meta: MetaStore) -> None:
    ada = await with_user(meta)
    first = a_link(ada)
    await meta.create_link(first)
    twin = a_link(ada)
    twin.key = first.key
    with pytest.raises(Conflict):
        await meta.create_link(twin)
    assert await meta.get_link(twin.id) is None
    assert await meta.get_link_by_key(first.key) == first


async def test_the_owners_links_page_newest_first_and_only_theirs(meta: MetaStore) -> None:
    ada = await with_user(meta)
    bob = await with_user(meta, email="bob@example.com")
    links = [a_link(ada, created_ago=100 - n) for n in range(5)]  # links[4] is the newest
    for link in links:
        await meta.create_link(link)
    await meta.create_link(a_link(bob))
    first = await meta.list_links(ada.id, limit=2, after=None)
    assert [x.id for x in first] == [links[4].id, links[3].id]
    rest = await meta.list_links(ada.id, limit=10, after=(to_iso(first[-1].created_at), first[-1].id))
    assert [x.id for x in rest] == [links[2].id, links[1].id, links[0].id]
    assert await meta.list_links(ada.id, limit=0, after=None) == []
    assert [x.owner_id for x in await meta.list_links(bob.id, limit=10, after=None)] == [bob.id]


async def test_options_change_and_clear_and_unknown_fields_are_refused(meta: MetaStore) -> None:
    ada = await with_user(meta)
    link = a_link(ada, album_id="al_1", password_hash="$argon2id$old", expires_at=utcnow() + timedelta(days=1))
    await meta.create_link(link)
    later = utcnow() + timedelta(minutes=1)
    changed = await meta.update_link(
        link.id, {"allow_upload": True, "show_metadata": False, "password_hash": None, "expires_at": None}, later
    )
    assert changed is not None
    assert changed.allow_upload and not changed.show_metadata
    assert changed.password_hash is None and changed.expires_at is None and changed.updated_at == later
    assert changed.key == link.key and changed.album_id == "al_1"
    assert await meta.get_link_by_key(link.key) == changed
    with pytest.raises(ValueError):
        await meta.update_link(link.id, {"owner_id": "someone"}, later)
    assert await meta.update_link("ln_none", {"allow_download": False}, later) is None


async def test_revoking_removes_the_link_for_the_very_next_read(meta: MetaStore) -> None:
    ada = await with_user(meta)
    link = a_link(ada)
    await meta.create_link(link)
    assert await meta.delete_link(link.id) is True
    assert await meta.get_link_by_key(link.key) is None
    assert await meta.get_link(link.id) is None
    assert await meta.list_links(ada.id, limit=10, after=None) == []
    assert await meta.delete_link(link.id) is False
