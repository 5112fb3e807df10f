"""The places backfill on every meta adapter: paged, resumable, idempotent, and it keeps
what the owner corrected."""

from __future__ import annotations

from datetime import datetime

import msgspec

from auroravault.config import JobSettings
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import MetaStore, Photo, Place
from auroravault.places import Geocoder
from auroravault.services.places_backfill import PLACES_BACKFILL, PLACES_BACKFILL_VAULTS, PlacesBackfill
from auroravault.timeutil import sort_key, utcnow
from tests.meta.test_contract import a_batch, photo_and_upload, with_user

TALLINN = (59.4370, 24.7536)
GEOCODER = Geocoder()


async def ready_photo(meta: MetaStore, user, index: int, *, gps=TALLINN, taken="2019-07-14T12:00:00", **kw) -> Photo:
    """A ready photo as a vault from before places stored it: coordinates, no place, naive time."""
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, f"{index:064x}", index=index)
    await meta.create_uploads(batch, [photo], [upload], 100)
    await meta.mark_upload_arrived(upload.id, utcnow())
    stored = await meta.get_photo(photo.id)
    lat, lon = gps if gps else (None, None)
    ready = msgspec.structs.replace(
        stored,
        status="ready",
        taken_at=taken,
        exif_taken_at=taken,
        taken_at_source="exif_original",
        sort_at=sort_key(datetime.fromisoformat(taken)),
        lat=lat,
        lon=lon,
        **kw,
    )
    assert await meta.save_processed_photo(ready, "processing")
    return ready


async def run_all(meta: MetaStore, backfill: PlacesBackfill) -> int:
    """Run queued backfill jobs in order until none is left; return how many ran."""
    ran = 0
    while True:
        jobs = [j for j in await meta.claim_jobs(utcnow(), "test", 60, 10) if j.kind == PLACES_BACKFILL]
        if not jobs:
            return ran
        for job in jobs:
            await backfill.handle(job.payload)
            await meta.finish_job(job.id, "test", utcnow())
            ran += 1


async def test_every_located_photo_gets_its_place_and_local_time_page_by_page(meta: MetaStore) -> None:
    user = await with_user(meta)
    photos = [await ready_photo(meta, user, i, taken=f"2019-07-{10 + i:02d}T12:00:00") for i in range(5)]
    home = await ready_photo(meta, user, 9, gps=None)
    backfill = PlacesBackfill(meta, JobQueue(meta, JobSettings()), geocoder=GEOCODER, batch=2)
    assert await backfill.start(user.id) is True
    assert await backfill.start(user.id) is False  # one walk per owner
    assert await run_all(meta, backfill) == 4  # 6 photos in pages of 2, then an empty page ends it
    for before in photos:
        after = await meta.get_photo(before.id)
        assert after.place is not None and after.place.city == "Tallinn"
        assert after.taken_at == before.taken_at + "+03:00"
        assert after.exif_taken_at == after.taken_at
        assert after.sort_at == sort_key(datetime.fromisoformat(after.taken_at))
    untouched = await meta.get_photo(home.id)
    assert untouched.place is None and untouched.taken_at == "2019-07-14T12:00:00"
    # The change feed tells clients with a cache.
    feed = await meta.changes_since(user.id, None, 100)
    assert set(feed.photo_ids) >= {p.id for p in photos}


async def test_a_page_run_twice_changes_nothing_more_and_queues_one_successor(meta: MetaStore) -> None:
    user = await with_user(meta)
    photos = [await ready_photo(meta, user, i) for i in range(3)]
    backfill = PlacesBackfill(meta, JobQueue(meta, JobSettings()), geocoder=GEOCODER, batch=2)
    payload = {"owner_id": user.id, "after": None}
    await backfill.handle(payload)
    first = {p.id: (await meta.get_photo(p.id)) for p in photos}
    await backfill.handle(payload)  # a lease that expired: the same page again
    assert {p.id: (await meta.get_photo(p.id)) for p in photos} == first
    queued = [j for j in await meta.list_jobs("queued", 10) if j.kind == PLACES_BACKFILL]
    assert len(queued) == 1 and queued[0].payload["after"] is not None


async def test_the_owners_date_and_the_cameras_offset_are_kept(meta: MetaStore) -> None:
    user = await with_user(meta)
    corrected = await ready_photo(meta, user, 1)
    edited = await meta.edit_photo(
        corrected.id,
        {
            "taken_at": "2019-07-01T08:00:00+02:00",
            "taken_at_source": "owner",
            "sort_at": sort_key(datetime(2019, 7, 1, 6)),
        },
        utcnow(),
    )
    assert edited is not None
    with_offset = await ready_photo(meta, user, 2, taken="2019-07-14T12:00:00+01:00")
    backfill = PlacesBackfill(meta, JobQueue(meta, JobSettings()), geocoder=GEOCODER)
    await backfill.start(user.id)
    await run_all(meta, backfill)
    after = await meta.get_photo(corrected.id)
    assert after.place is not None and after.place.country == "Estonia"
    assert after.taken_at == "2019-07-01T08:00:00+02:00" and after.taken_at_source == "owner"
    kept = await meta.get_photo(with_offset.id)
    assert kept.place is not None and kept.taken_at == "2019-07-14T12:00:00+01:00"


async def test_other_owners_photos_are_not_touched(meta: MetaStore) -> None:
    ada = await with_user(meta)
    bob = await with_user(meta, email="bob@example.com")
    bobs = await ready_photo(meta, bob, 1)
    backfill = PlacesBackfill(meta, JobQueue(meta, JobSettings()), geocoder=GEOCODER)
    await backfill.start(ada.id)
    await run_all(meta, backfill)
    assert (await meta.get_photo(bobs.id)).place is None


async def run_every_kind(meta: MetaStore, backfill: PlacesBackfill) -> list[str]:
    """Run the queued places jobs (the pass over the vaults and the walks) until none is left."""
    kinds: list[str] = []
    while True:
        jobs = await meta.claim_jobs(utcnow(), "test", 60, 10)
        if not jobs:
            return kinds
        for job in jobs:
            handler = backfill.handle_vaults if job.kind == PLACES_BACKFILL_VAULTS else backfill.handle
            await handler(job.payload)
            await meta.finish_job(job.id, "test", utcnow())
            kinds.append(job.kind)


async def test_the_start_up_pass_names_every_vault_once_without_a_login(meta: MetaStore) -> None:
    users = [await with_user(meta, email=f"member{i}@example.com") for i in range(5)]
    photos = [await ready_photo(meta, user, i) for i, user in enumerate(users)]
    backfill = PlacesBackfill(meta, JobQueue(meta, JobSettings()), geocoder=GEOCODER, users_batch=2)
    assert await backfill.start_every_vault() is True
    kinds = await run_every_kind(meta, backfill)
    assert kinds.count(PLACES_BACKFILL_VAULTS) == 3  # 5 users in pages of 2
    assert kinds.count(PLACES_BACKFILL) == 5  # one walk per vault
    for photo in photos:
        after = await meta.get_photo(photo.id)
        assert after.place is not None and after.place.city == "Tallinn"
        assert after.taken_at == "2019-07-14T12:00:00+03:00"
    # A later start (another instance, a restart) finds the pass done and queues nothing.
    assert await backfill.start_every_vault() is False
    assert await run_every_kind(meta, backfill) == []


async def test_a_new_vault_with_no_users_queues_no_pass_and_is_marked(meta: MetaStore) -> None:
    backfill = PlacesBackfill(meta, JobQueue(meta, JobSettings()), geocoder=GEOCODER)
    assert await backfill.start_every_vault() is False
    assert await meta.list_jobs(None, 10) == []
    await with_user(meta)  # registers after the upgrade: the pipeline names their photos
    assert await backfill.start_every_vault() is False
    assert await meta.list_jobs(None, 10) == []


async def test_a_walk_renames_what_the_nearest_point_rule_named_and_keeps_the_owners_place(meta: MetaStore) -> None:
    user = await with_user(meta)
    rossio = (38.7139, -9.1394)  # central Lisbon, nearest to the point of the parish "Baixa"
    baixa = Place(city="Baixa", region="Lisbon", country="Portugal", country_code="PT")
    old = await ready_photo(meta, user, 1, gps=rossio, taken="2019-07-14T12:00:00+01:00", place=baixa)
    moved = await ready_photo(meta, user, 2, gps=rossio, taken="2019-07-14T12:00:00+01:00", place=baixa)
    assert await meta.edit_photo(moved.id, {"location_source": "owner"}, utcnow()) is not None
    backfill = PlacesBackfill(meta, JobQueue(meta, JobSettings()), geocoder=GEOCODER)
    await backfill.start(user.id)
    await run_all(meta, backfill)
    renamed = await meta.get_photo(old.id)
    assert renamed.place == Place(city="Lisbon", region="Lisbon", country="Portugal", country_code="PT")
    assert renamed.taken_at == "2019-07-14T12:00:00+01:00"
    assert (await meta.get_photo(moved.id)).place == baixa
