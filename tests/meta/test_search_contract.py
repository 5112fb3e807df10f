"""The SearchStore contract (search, suggestions, places, map clusters), on every meta adapter."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from auroravault.meta.base import BBox, MetaStore, Photo, Place, SearchQuery, User
from auroravault.timeutil import sort_key, utcnow
from tests.meta.test_albums_contract import an_album
from tests.meta.test_contract import a_batch, photo_and_upload, with_user

LISBON = Place(city="Lisbon", region="Lisbon", country="Portugal", country_code="PT")
PORTO = Place(city="Porto", region="Porto", country="Portugal", country_code="PT")
TALLINN = Place(city="Tallinn", region="Harjumaa", country="Estonia", country_code="EE")


async def listed(meta: MetaStore, user: User, specs: list[dict[str, Any]]) -> list[Photo]:
    """Ready photos of ``user``, each with the fields of its spec (``when``: its capture time)."""
    batch = a_batch(user)
    pairs = [photo_and_upload(user, batch, secrets.token_hex(32), index=i) for i in range(len(specs))]
    await meta.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 0)
    photos = []
    for (photo, upload), spec in zip(pairs, specs, strict=True):
        assert await meta.mark_upload_arrived(upload.id, utcnow())
        fields = dict(spec)
        when = fields.pop("when", None)
        description = fields.pop("description", None)  # the owner's: written by edit_photo only
        if when is not None:
            fields.update(taken_at=when.isoformat(), taken_at_source="exif", sort_at=sort_key(when))
        stored = await meta.get_photo(photo.id)
        assert stored is not None
        ready = msgspec.structs.replace(stored, status="ready", **fields)
        assert await meta.save_processed_photo(ready, "processing")
        if description is not None:
            edited = await meta.edit_photo(photo.id, {"description": description}, utcnow())
            assert edited is not None
            ready = edited
        photos.append(ready)
    return photos


def at(year: int, month: int = 6, day: int = 1, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


async def library(meta: MetaStore) -> tuple[User, list[Photo]]:
    user = await with_user(meta)
    photos = await listed(
        meta,
        user,
        [
            {"filename": "IMG_0001.jpg", "when": at(2019, 7, 1), "place": LISBON, "lat": 38.72, "lon": -9.14}
            | {"camera_make": "Apple", "camera_model": "iPhone 12", "description": "Praia da Rocha at sunset"},
            {"filename": "IMG_0002.jpg", "when": at(2019, 8, 2), "place": PORTO, "lat": 41.15, "lon": -8.61}
            | {"camera_make": "Canon", "camera_model": "Canon EOS R5"},
            {"filename": "tallinn-old-town.jpg", "when": at(2021, 1, 5), "place": TALLINN, "lat": 59.44}
            | {"lon": 24.75, "camera_make": "Apple", "camera_model": "iPhone 12"},
            {"filename": "scan_grandma.png", "when": at(1998, 12, 24), "description": "Grandmother's café"},
            {"filename": "clip.mov", "when": at(2022, 3, 3), "media_type": "video"},
        ],
    )
    return user, photos


async def found(meta: MetaStore, user: User, **criteria: Any) -> list[str]:
    query = SearchQuery(viewer_id=user.id, owner_id=user.id, **criteria)
    return [p.id for p in await meta.search_photos(query, limit=100, after=None)]


async def test_words_match_filename_description_and_places_by_prefix_folding_case_and_accents(meta) -> None:
    user, p = await library(meta)
    assert await found(meta, user) == [p[4].id, p[2].id, p[1].id, p[0].id, p[3].id]  # newest first
    assert await found(meta, user, words=("portugal",)) == [p[1].id, p[0].id]
    assert await found(meta, user, words=("port",)) == [p[1].id, p[0].id]  # a prefix of Portugal and Porto
    assert await found(meta, user, words=("porto",)) == [p[1].id]
    assert await found(meta, user, words=("praia", "sunset")) == [p[0].id]  # every word must match
    assert await found(meta, user, words=("praia", "tallinn")) == []
    assert await found(meta, user, words=("cafe",)) == [p[3].id]  # café, accent folded
    assert await found(meta, user, words=("img", "0002")) == [p[1].id]  # filename words
    assert await found(meta, user, words=("estonia",)) == [p[2].id]
    assert await found(meta, user, words=("nowhere",)) == []


async def test_filters_each_narrow_and_combine(meta) -> None:
    user, p = await library(meta)
    assert await found(meta, user, camera="iphone 12") == [p[2].id, p[0].id]
    assert await found(meta, user, camera="Canon EOS R5") == [p[1].id]
    assert await found(meta, user, camera="apple") == [p[2].id, p[0].id]  # the make alone
    assert await found(meta, user, city="lisbon") == [p[0].id]
    assert await found(meta, user, country="PT") == [p[1].id, p[0].id]
    assert await found(meta, user, country="portugal", camera="Canon") == [p[1].id]
    assert await found(meta, user, media_type="video") == [p[4].id]
    assert await found(meta, user, has_location=True) == [p[2].id, p[1].id, p[0].id]
    assert await found(meta, user, has_location=False) == [p[4].id, p[3].id]
    start, end = sort_key(at(2019, 1, 1, 0)), sort_key(at(2019, 12, 31, 23))
    assert await found(meta, user, start=start, end=end) == [p[1].id, p[0].id]
    assert await found(meta, user, start=sort_key(at(2019, 8, 2))) == [p[4].id, p[2].id, p[1].id]  # inclusive
    assert await found(meta, user, end=sort_key(at(2019, 7, 1))) == [p[0].id, p[3].id]  # inclusive


async def test_favorites_are_the_viewers_and_archived_photos_are_found(meta) -> None:
    user, p = await library(meta)
    await meta.set_flags(user.id, [p[1].id], favorite=True, archived=None, now=utcnow())
    await meta.set_flags(user.id, [p[2].id], favorite=None, archived=True, now=utcnow())
    assert await found(meta, user, favorite=True) == [p[1].id]
    assert p[2].id in await found(meta, user)  # archived: out of the timeline, not out of search
    other = await with_user(meta, email="bob@example.com")
    mine = SearchQuery(viewer_id=other.id, owner_id=user.id, favorite=True)
    assert await meta.search_photos(mine, limit=10, after=None) == []  # Bob has no favorites


async def test_trashed_and_pending_photos_and_other_owners_never_match(meta) -> None:
    user, p = await library(meta)
    await meta.trash_photos(user.id, [p[0].id], utcnow())
    assert p[0].id not in await found(meta, user, words=("praia",)) + await found(meta, user)
    batch = a_batch(user)
    pending, upload = photo_and_upload(user, batch, "f" * 64)
    await meta.create_uploads(batch, [pending], [upload], 0)
    assert pending.id not in await found(meta, user)
    bob = await with_user(meta, email="bob@example.com")
    assert await found(meta, bob) == []
    await meta.restore_photos(user.id, [p[0].id], utcnow())
    assert await found(meta, user, words=("praia",)) == [p[0].id]


async def test_edits_reach_the_search_at_once(meta) -> None:
    user, p = await library(meta)
    await meta.edit_photo(p[4].id, {"description": "Birthday cake in Tartu"}, utcnow())
    assert await found(meta, user, words=("tartu",)) == [p[4].id]
    await meta.edit_photo(p[4].id, {"description": None}, utcnow())
    assert await found(meta, user, words=("tartu",)) == []


async def test_search_pages_by_keyset_without_gaps_or_repeats(meta) -> None:
    user = await with_user(meta)
    same = at(2020, 5, 5)
    photos = await listed(meta, user, [{"when": same, "filename": f"beach-{i}.jpg"} for i in range(7)])
    seen: list[str] = []
    after = None
    query = SearchQuery(viewer_id=user.id, owner_id=user.id, words=("beach",))
    while True:
        page = await meta.search_photos(query, limit=3, after=after)
        if not page:
            break
        seen += [x.id for x in page]
        after = (page[-1].sort_at, page[-1].id)
    assert seen == sorted((x.id for x in photos), reverse=True)  # one time: by id, newest first


async def test_suggestions_count_values_by_prefix(meta) -> None:
    user, p = await library(meta)
    await meta.set_flags(user.id, [p[3].id], favorite=None, archived=True, now=utcnow())  # archived: still counted
    cameras = await meta.suggest(user.id, "camera", "", 10)
    assert [(s.value, s.count) for s in cameras] == [("Apple iPhone 12", 2), ("Canon EOS R5", 1)]
    assert [s.value for s in await meta.suggest(user.id, "camera", "can", 10)] == ["Canon EOS R5"]
    assert [(s.value, s.count) for s in await meta.suggest(user.id, "country", "p", 10)] == [("Portugal", 2)]
    assert [s.value for s in await meta.suggest(user.id, "city", "", 10)] == ["Lisbon", "Porto", "Tallinn"]
    years = {s.value: s.count for s in await meta.suggest(user.id, "year", "", 10)}
    assert years == {"2019": 2, "2021": 1, "1998": 1, "2022": 1}
    assert [s.value for s in await meta.suggest(user.id, "year", "20", 1)] == ["2019"]  # the most photos


async def test_places_count_each_place_with_its_newest_photo_as_cover(meta) -> None:
    user, p = await library(meta)
    more = await listed(meta, user, [{"when": at(2023, 1, 1), "place": LISBON, "filename": "again.jpg"}])
    await meta.trash_photos(user.id, [p[1].id], utcnow())  # Porto's only photo: gone from places
    places = await meta.places(user.id)
    assert [(x.city, x.country, x.country_code, x.region, x.count, x.cover_photo_id) for x in places] == [
        ("Lisbon", "Portugal", "PT", "Lisbon", 2, more[0].id),
        ("Tallinn", "Estonia", "EE", "Harjumaa", 1, p[2].id),
    ]


async def test_map_clusters_group_located_photos_in_the_box_by_grid_cell(meta) -> None:
    user, p = await library(meta)
    world = BBox(-180, -90, 180, 90)
    coarse = await meta.map_clusters(user.id, world, 120.0)  # Portugal and Estonia share a 120° cell
    assert [(c.count, c.photo_id) for c in coarse] == [(3, p[2].id)]  # the newest is the cover
    assert abs(coarse[0].lat - (38.72 + 41.15 + 59.44) / 3) < 1e-6
    fine = sorted(await meta.map_clusters(user.id, world, 1.0), key=lambda c: c.lat)
    assert [(c.count, c.photo_id) for c in fine] == [(1, p[0].id), (1, p[1].id), (1, p[2].id)]
    iberia = await meta.map_clusters(user.id, BBox(-10, 35, 0, 42), 8.0)  # Lisbon and Porto share a cell
    assert sorted(c.count for c in iberia) == [2]
    assert abs(iberia[0].lon - (-9.14 - 8.61) / 2) < 1e-6
    assert await meta.map_clusters(user.id, BBox(100, -50, 120, -40), 1.0) == []
    await meta.trash_photos(user.id, [p[0].id, p[1].id], utcnow())
    assert await meta.map_clusters(user.id, BBox(-10, 35, 0, 42), 8.0) == []


async def test_album_names_are_searched_and_an_album_narrows_the_search(meta) -> None:
    user, p = await library(meta)
    trip = an_album(user, name="Algarve Holiday")
    await meta.create_album(trip, [p[0].id, p[1].id], utcnow())
    assert await found(meta, user, words=("algarve",)) == [p[1].id, p[0].id]
    assert await found(meta, user, words=("holi", "porto")) == [p[1].id]  # album and place words together
    assert await found(meta, user, album_id=trip.id) == [p[1].id, p[0].id]
    assert await found(meta, user, album_id=trip.id, city="Lisbon") == [p[0].id]
    await meta.remove_from_album(trip.id, [p[0].id])
    assert await found(meta, user, words=("algarve",)) == [p[1].id]
    await meta.update_album(trip.id, {"name": "Douro Valley"}, utcnow())
    assert await found(meta, user, words=("algarve",)) == []
    assert await found(meta, user, words=("douro",)) == [p[1].id]
    await meta.add_to_album(trip.id, [p[2].id], user.id, utcnow())
    assert await found(meta, user, words=("douro",)) == [p[2].id, p[1].id]
    await meta.delete_album(trip.id)
    assert await found(meta, user, words=("douro",)) == []
    assert await found(meta, user, album_id=trip.id) == []
