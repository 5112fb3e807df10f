"""SQLite search: the owner inside the FTS5 index (migration 0008).

Each ``photo_text`` row holds its owner as one token, and every MATCH asks for it: a word
common in one family member's library is not common in another's, and nobody's photos are
read, counted or returned for someone else's search.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from auroravault.meta.base import SearchQuery, User
from auroravault.meta.sqlite import SqliteMetaStore, migrations
from auroravault.meta.sqlite import search as sqlite_search
from auroravault.meta.sqlite import store as sqlite_store
from tests.meta.test_contract import with_user
from tests.meta.test_search_contract import LISBON, at, listed


def specs(count: int, description: str) -> list[dict[str, Any]]:
    return [{"when": at(2010 + i % 10, 1 + i % 12, 1 + i % 28, 12), "description": description} for i in range(count)]


async def two_libraries(store: SqliteMetaStore) -> tuple[User, User, list[str]]:
    """Ada with 3 beach photos, Bob with 12 (and a Lisbon photo without the word)."""
    ada = await with_user(store)
    bob = await with_user(store, email="bob@example.com")
    mine = await listed(store, ada, specs(3, "beach day"))
    await listed(store, bob, specs(12, "beach party") + [{"when": at(2015, 5, 5, 5), "place": LISBON}])
    return ada, bob, [p.id for p in sorted(mine, key=lambda p: (p.sort_at, p.id), reverse=True)]


@pytest.fixture
async def store(tmp_path: Path):
    meta = SqliteMetaStore(tmp_path / "meta.db")
    await meta.migrate()
    try:
        yield meta
    finally:
        await meta.close()


async def test_another_librarys_matches_do_not_make_a_word_common(store: SqliteMetaStore, monkeypatch) -> None:
    # 5: Bob's 12 beach photos alone would send Ada's search down the timeline path.
    monkeypatch.setattr(sqlite_search, "FTS_DRIVES", 5)
    ada, bob, mine = await two_libraries(store)
    query = SearchQuery(viewer_id=ada.id, owner_id=ada.id, words=("beach",))
    assert (await store._probe(query))[0] == 3  # her matches only, not the vault's 15
    assert [p.id for p in await store.search_photos(query, limit=10, after=None)] == mine
    theirs = SearchQuery(viewer_id=bob.id, owner_id=bob.id, words=("beach",))
    assert len(await store.search_photos(theirs, limit=50, after=None)) == 12


async def test_a_word_that_starts_the_owner_token_matches_no_photo_without_it(store: SqliteMetaStore) -> None:
    ada, _, _ = await two_libraries(store)
    for length in (2, 3, 6, len(sqlite_search.owner_token(ada.id))):
        word = sqlite_search.owner_token(ada.id)[:length]
        query = SearchQuery(viewer_id=ada.id, owner_id=ada.id, words=(word,))
        assert await store.search_photos(query, limit=50, after=None) == []


async def test_a_vault_from_before_migration_0008_gets_its_owners_in_the_index(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "meta.db"
    older = [m for m in migrations() if m[0] < 8]
    monkeypatch.setattr(sqlite_store, "migrations", lambda: older)
    old = SqliteMetaStore(db)
    await old.migrate()
    try:
        ada, bob, mine = await two_libraries(old)
    finally:
        await old.close()
    monkeypatch.undo()

    upgraded = SqliteMetaStore(db)
    await upgraded.migrate()
    try:
        query = SearchQuery(viewer_id=ada.id, owner_id=ada.id, words=("beach",))
        assert [p.id for p in await upgraded.search_photos(query, limit=10, after=None)] == mine
        lisbon = SearchQuery(viewer_id=bob.id, owner_id=bob.id, words=("lisbon",))
        assert len(await upgraded.search_photos(lisbon, limit=10, after=None)) == 1
        # A photo written after the upgrade is indexed with its owner by the new triggers.
        more = await listed(upgraded, ada, specs(1, "beach walk"))
        found = await upgraded.search_photos(query, limit=10, after=None)
        assert more[0].id in {p.id for p in found} and len(found) == 4
    finally:
        await upgraded.close()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*), count(DISTINCT owner) FROM photo_text").fetchone()
    assert rows == (17, 2)
