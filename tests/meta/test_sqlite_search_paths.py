"""SQLite search: whichever path serves a page, the answer is the one the filters say.

``auroravault.meta.sqlite.search`` picks what drives a page: the FTS5 match set for a word
with few matches (``FTS_DRIVES``), an equality filter's index (migration 0007), or the
timeline. The contract suite (``test_search_contract.py``) runs on small libraries, where a
word always takes the first path; here the same searches run with the limit set so that every
word takes the other, page by page with the keyset cursor, and must answer the same photos.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from auroravault.meta.base import Photo, SearchQuery, User
from auroravault.meta.sqlite import SqliteMetaStore, migrations
from auroravault.meta.sqlite import search as sqlite_search
from auroravault.meta.sqlite import store as sqlite_store
from tests.meta.test_contract import with_user
from tests.meta.test_search_contract import LISBON, PORTO, TALLINN, at, listed

CAMERAS = [("Apple", "iPhone 12"), ("Canon", "Canon EOS R5"), ("Leica", "M10"), ("Zeiss", "Leica"), (None, "Pixel 7")]
PLACES = [LISBON, PORTO, TALLINN, None]


def spec(i: int) -> dict[str, Any]:
    make, model = CAMERAS[i % len(CAMERAS)]
    place = PLACES[i % len(PLACES)]
    out: dict[str, Any] = {"filename": f"IMG_{i:04d}.jpg", "when": at(2000 + i % 20, 1 + i % 12, 1 + i % 28, i % 24)}
    out |= {"camera_make": make, "camera_model": model, "place": place}
    if i % 3 == 0:
        out["description"] = "beach day" if i % 2 else "snow day"
    return out


async def a_library(store: SqliteMetaStore) -> tuple[User, list[Photo]]:
    user = await with_user(store)
    return user, await listed(store, user, [spec(i) for i in range(48)])


async def paged(store: SqliteMetaStore, user: User, **criteria: Any) -> list[str]:
    """Every match, 7 a page, following the keyset cursor as the API does."""
    query = SearchQuery(viewer_id=user.id, owner_id=user.id, **criteria)
    out: list[str] = []
    after: tuple[str, str] | None = None
    while True:
        page = await store.search_photos(query, limit=7, after=after)
        out += [p.id for p in page]
        if len(page) < 7:
            return out
        after = (page[-1].sort_at, page[-1].id)


def newest_first(photos: list[Photo], keep: Any) -> list[str]:
    return [p.id for p in sorted(photos, key=lambda p: (p.sort_at, p.id), reverse=True) if keep(p)]


def label(p: Photo) -> str:
    if p.camera_make and p.camera_model and p.camera_model.lower().startswith(p.camera_make.lower()):
        return p.camera_model
    return f"{p.camera_make or ''} {p.camera_model or ''}".strip()


@pytest.fixture
async def store(tmp_path: Path):
    meta = SqliteMetaStore(tmp_path / "meta.db")
    await meta.migrate()
    try:
        yield meta
    finally:
        await meta.close()


@pytest.mark.parametrize("fts_drives", [0, 10_000], ids=["timeline-drives", "matches-drive"])
async def test_every_path_pages_through_exactly_the_matching_photos(store, monkeypatch, fts_drives: int) -> None:
    monkeypatch.setattr(sqlite_search, "FTS_DRIVES", fts_drives)
    user, photos = await a_library(store)
    lisbon = newest_first(photos, lambda p: p.place == LISBON)
    beach = newest_first(photos, lambda p: p.description == "beach day")
    assert len(beach) == 8 and len(lisbon) == 12
    assert await paged(store, user, words=("beach",)) == beach
    assert await paged(store, user, words=("lisbon",)) == lisbon
    assert await paged(store, user, words=("img",)) == newest_first(photos, lambda p: True)
    assert await paged(store, user, words=("beach",), country="pt") == newest_first(
        photos, lambda p: p.description == "beach day" and p.place in (LISBON, PORTO)
    )
    since = at(2005).isoformat()
    assert await paged(store, user, words=("day",), camera="canon eos r5", start=since) == newest_first(
        photos, lambda p: p.description is not None and p.camera_model == "Canon EOS R5" and p.sort_at >= since
    )


async def test_country_city_and_camera_match_every_way_they_are_written(store) -> None:
    user, photos = await a_library(store)

    def where(keep: Any) -> list[str]:
        return newest_first(photos, keep)

    portugal = where(lambda p: p.place in (LISBON, PORTO))
    assert await paged(store, user, country="PT") == portugal
    assert await paged(store, user, country="pt") == portugal
    assert await paged(store, user, country="PORTUGAL") == portugal
    assert await paged(store, user, city="lisbon") == where(lambda p: p.place == LISBON)
    assert await paged(store, user, country="Spain") == []
    assert await paged(store, user, camera="apple") == where(lambda p: p.camera_make == "Apple")
    assert await paged(store, user, camera="iphone 12") == where(lambda p: p.camera_model == "iPhone 12")
    assert await paged(store, user, camera="Apple iPhone 12") == where(lambda p: label(p) == "Apple iPhone 12")
    assert await paged(store, user, camera="Canon EOS R5") == where(lambda p: p.camera_model == "Canon EOS R5")
    assert await paged(store, user, camera="Canon Canon EOS R5") == []  # its label is the model alone
    # A make of some photos and a model of others: both are found.
    assert await paged(store, user, camera="Leica") == where(lambda p: "Leica" in (p.camera_make, p.camera_model))
    assert await paged(store, user, camera="Pixel 7") == where(lambda p: p.camera_model == "Pixel 7")
    assert await paged(store, user, camera="Nikon") == []
    assert await paged(store, user, camera="Leica", country="EE") == where(
        lambda p: "Leica" in (p.camera_make, p.camera_model) and p.place == TALLINN
    )


async def test_a_vault_from_before_migration_0007_gets_the_filter_indexes_and_finds_its_photos(
    tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "meta.db"
    # Every migration but 0007: the library this test writes with today's code needs the later
    # tables and columns (accounts, batches.album_id...), and 0007 must come on the upgrade.
    older = [m for m in migrations() if m[0] != 7]
    monkeypatch.setattr(sqlite_store, "migrations", lambda: older)
    old = SqliteMetaStore(db)
    await old.migrate()
    try:
        user, photos = await a_library(old)
    finally:
        await old.close()
    monkeypatch.undo()

    upgraded = SqliteMetaStore(db)
    await upgraded.migrate()
    try:
        assert await paged(upgraded, user, country="Estonia", camera="Leica") == newest_first(
            photos, lambda p: p.place == TALLINN and "Leica" in (p.camera_make, p.camera_model)
        )
    finally:
        await upgraded.close()
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    indexes = ("photos_by_country_code", "photos_by_country", "photos_by_city", "photos_by_model", "photos_by_make")
    assert set(indexes) <= names


@pytest.mark.parametrize("fts_drives", [0, 10_000], ids=["timeline-drives", "matches-drive"])
@pytest.mark.parametrize("ids_drive", [0, 10_000], ids=["ids-tested", "ids-drive"])
async def test_people_sets_answer_the_same_on_every_path(store, monkeypatch, fts_drives: int, ids_drive: int) -> None:
    monkeypatch.setattr(sqlite_search, "FTS_DRIVES", fts_drives)
    monkeypatch.setattr(sqlite_search, "IDS_DRIVE", ids_drive)
    user, photos = await a_library(store)
    ada = frozenset(p.id for p in photos[::5])  # a person in every fifth photo
    assert await paged(store, user, photo_ids=ada) == newest_first(photos, lambda p: p.id in ada)
    assert await paged(store, user, photo_ids=ada, words=("beach",), country="pt") == newest_first(
        photos, lambda p: p.id in ada and p.description == "beach day" and p.place in (LISBON, PORTO)
    )
    # "ada" starts no photo's text; "beach" is a text word: every word must hold, each its way.
    assert await paged(store, user, words=("ada",), word_photos={"ada": ada}) == newest_first(
        photos, lambda p: p.id in ada
    )
    assert await paged(store, user, words=("beach", "ada"), word_photos={"ada": ada}) == newest_first(
        photos, lambda p: p.id in ada and p.description == "beach day"
    )
    snow = frozenset(p.id for p in photos[:6])  # "snow" matches text and, here, these photos too
    assert await paged(store, user, words=("snow", "ada"), word_photos={"ada": ada, "snow": snow}) == newest_first(
        photos, lambda p: p.id in ada and (p.description == "snow day" or p.id in snow)
    )
