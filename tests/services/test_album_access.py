"""Who sees albums, and what album roles may do: ``services/access`` and ``AlbumService`` on a
real SQLite file and local storage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

from auroravault.errors import NotFound
from auroravault.meta.base import Album
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.services import access
from auroravault.services.albums import AlbumCreate, AlbumEdit, AlbumService
from auroravault.services.photos import PhotoService
from auroravault.storage.local import LocalBlobStore
from auroravault.timeutil import utcnow
from tests.conftest import make_settings
from tests.meta.test_contract import arrived, with_user


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteMetaStore]:
    meta = SqliteMetaStore(tmp_path / "meta.db")
    await meta.migrate()
    try:
        yield meta
    finally:
        await meta.close()


@pytest.fixture
def albums(store: SqliteMetaStore, tmp_path: Path) -> AlbumService:
    settings = make_settings(tmp_path)
    blobs = LocalBlobStore(tmp_path / "blobs", base_url="http://127.0.0.1:1", secret=b"s" * 32)
    return AlbumService(store, blobs, settings, PhotoService(store, blobs, settings))


def test_each_album_role_may_do_what_the_design_says() -> None:
    rights = {role: {a for a in ("view", "edit", "delete", "add", "remove_any", "remove_own") if access.may(role, a)}
              for role in ("owner", "admin", "contributor", "viewer")}  # fmt: skip
    assert rights == {
        "owner": {"view", "edit", "delete", "add", "remove_any", "remove_own"},
        "admin": {"view", "edit", "add", "remove_any", "remove_own"},
        "contributor": {"view", "add", "remove_own"},
        "viewer": {"view"},
    }


async def test_a_photo_names_only_the_albums_its_viewer_may_see(store: SqliteMetaStore, albums: AlbumService) -> None:
    ada, bob = await with_user(store), await with_user(store, email="bob@example.com")
    photo = await arrived(store, bob, "c" * 64)
    mine = (await albums.create(bob, AlbumCreate(name="Bob's", photo_ids=[photo.id]))).view.album
    # An album of Ada's holding Bob's photo (as a shared album will): Bob is not told of it.
    now = utcnow()
    adas = Album(id="al_ada", owner_id=ada.id, name="Ada's", created_at=now, updated_at=now)
    await store.create_album(adas, [photo.id], now)
    assert await access.visible_albums(store, bob, [photo.id]) == {photo.id: [mine.id]}
    assert await access.visible_albums(store, ada, [photo.id]) == {photo.id: [adas.id]}
    with pytest.raises(NotFound) as hidden:
        await albums.show(bob, adas.id)
    assert hidden.value.code == "album_not_found"
    with pytest.raises(NotFound):
        await albums.edit(bob, adas.id, AlbumEdit(name="Mine now"))
    assert (await store.get_album(adas.id)).name == "Ada's"


async def test_a_created_album_refuses_photos_its_owner_may_not_see(
    store: SqliteMetaStore, albums: AlbumService
) -> None:
    ada, bob = await with_user(store), await with_user(store, email="bob@example.com")
    own, other = await arrived(store, ada, "d" * 64), await arrived(store, bob, "e" * 64)
    created = await albums.create(ada, AlbumCreate(name="Mix", photo_ids=[own.id, other.id]))
    assert [(e.id, e.code) for e in created.errors] == [(other.id, "photo_not_found")]
    assert created.view.stats.photo_count == 1 and created.view.cover_photo_id == own.id
    assert await store.albums_of_photos([other.id]) == {}
    shown = msgspec.to_builtins(await albums.show(ada, created.view.album.id), builtin_types=(object,))
    assert shown["role"] == "owner" and shown["owner"]["display_name"] == "Ada"
