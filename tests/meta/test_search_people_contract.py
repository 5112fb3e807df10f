"""The SearchStore contract for people in search (issue 18), on every meta adapter.

``services/search`` resolves people into photo-id sets: ``photo_ids`` (``person=``: only these
photos) and ``word_photos`` (a ``q`` word that starts a person's name also matches that
person's photos). Each runs with the adapters' id-driven path on (a person of few photos) and
off (the same criteria tested while the timeline drives), and must answer the same.
"""

from __future__ import annotations

import pytest

from auroravault.meta.base import SearchQuery
from auroravault.meta.dynamodb import search as dynamo_search
from auroravault.meta.sqlite import search as sqlite_search
from auroravault.timeutil import utcnow
from tests.meta.test_albums_contract import an_album
from tests.meta.test_contract import with_user
from tests.meta.test_search_contract import at, found, library, listed


@pytest.fixture(params=[10_000, 0], ids=["ids-drive", "timeline-drives"])
def ids_drive(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_search, "IDS_DRIVE", request.param)
    monkeypatch.setattr(dynamo_search, "IDS_DRIVE", request.param)


async def test_photo_ids_keep_only_those_photos_with_every_other_filter(meta, ids_drive) -> None:
    user, p = await library(meta)
    ada = frozenset({p[0].id, p[2].id, p[3].id})
    assert await found(meta, user, photo_ids=ada) == [p[2].id, p[0].id, p[3].id]  # newest first
    assert await found(meta, user, photo_ids=ada, camera="iphone 12") == [p[2].id, p[0].id]
    assert await found(meta, user, photo_ids=ada, words=("praia",)) == [p[0].id]
    assert await found(meta, user, photo_ids=ada, country="PT") == [p[0].id]
    assert await found(meta, user, photo_ids=ada, end=p[0].sort_at) == [p[0].id, p[3].id]
    assert await found(meta, user, photo_ids=frozenset()) == []  # a person with no photos: nothing
    assert await found(meta, user, photo_ids=frozenset({"ph_nobody"})) == []
    await meta.trash_photos(user.id, [p[2].id], utcnow())
    assert await found(meta, user, photo_ids=ada) == [p[0].id, p[3].id]  # trashed: never
    trip = an_album(user, name="Algarve")
    await meta.create_album(trip, [p[0].id, p[1].id], utcnow())
    assert await found(meta, user, photo_ids=ada, album_id=trip.id) == [p[0].id]


async def test_photo_ids_of_another_library_find_nothing_in_this_one(meta, ids_drive) -> None:
    user, p = await library(meta)
    bob = await with_user(meta, email="bob@example.com")
    (his,) = await listed(meta, bob, [{"filename": "bob.jpg", "when": at(2020)}])
    assert await found(meta, user, photo_ids=frozenset({his.id, p[1].id})) == [p[1].id]
    assert await found(meta, bob, photo_ids=frozenset({p[0].id})) == []


async def test_photo_ids_page_by_keyset_without_gaps_or_repeats(meta, ids_drive) -> None:
    user = await with_user(meta)
    photos = await listed(meta, user, [{"when": at(2020, 5, 5), "filename": f"f{i}.jpg"} for i in range(7)])
    query = SearchQuery(viewer_id=user.id, owner_id=user.id, photo_ids=frozenset(x.id for x in photos[1:]))
    seen: list[str] = []
    after = None
    while page := await meta.search_photos(query, limit=3, after=after):
        seen += [x.id for x in page]
        after = (page[-1].sort_at, page[-1].id)
    assert seen == sorted((x.id for x in photos[1:]), reverse=True)  # one time: by id, newest first


async def test_a_word_matches_its_text_or_its_extra_photos_and_every_word_must_hold(meta) -> None:
    user, p = await library(meta)
    grace = {"grace": frozenset({p[3].id, p[2].id})}  # "grace" names nothing in their text
    assert await found(meta, user, words=("grace",), word_photos=grace) == [p[2].id, p[3].id]
    assert await found(meta, user, words=("grace",)) == []  # without the people, no match
    # Two words: one matched by the filename or place, the other by the person; both must hold.
    assert await found(meta, user, words=("grace", "tallinn"), word_photos=grace) == [p[2].id]
    assert await found(meta, user, words=("scan", "grace"), word_photos=grace) == [p[3].id]
    assert await found(meta, user, words=("grace", "porto"), word_photos=grace) == []
    # A word that matches text too: its text matches and its photos, together.
    porto = {"porto": frozenset({p[3].id})}
    assert await found(meta, user, words=("porto",), word_photos=porto) == [p[1].id, p[3].id]
    both = grace | porto
    assert await found(meta, user, words=("grace", "porto"), word_photos=both) == [p[3].id]
    assert await found(meta, user, words=("grace",), word_photos=grace, photo_ids=frozenset({p[3].id})) == [p[3].id]
    # The extra photos are still this owner's listed ones, with every filter applied.
    assert await found(meta, user, words=("grace",), word_photos=grace, camera="apple") == [p[2].id]
    await meta.trash_photos(user.id, [p[2].id], utcnow())
    assert await found(meta, user, words=("grace",), word_photos=grace) == [p[3].id]
    bob = await with_user(meta, email="bob@example.com")
    stranger = SearchQuery(viewer_id=bob.id, owner_id=bob.id, words=("grace",), word_photos=grace)
    assert await meta.search_photos(stranger, limit=10, after=None) == []


async def test_people_words_and_album_words_together(meta) -> None:
    user, p = await library(meta)
    trip = an_album(user, name="Algarve Holiday")
    await meta.create_album(trip, [p[0].id, p[1].id], utcnow())
    grace = {"grace": frozenset({p[0].id, p[3].id})}
    assert await found(meta, user, words=("algarve", "grace"), word_photos=grace) == [p[0].id]
    assert await found(meta, user, words=("grace",), word_photos=grace, album_id=trip.id) == [p[0].id]
