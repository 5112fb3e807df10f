"""The MetaStore contract, written against the protocol only and run on every adapter.

A new adapter joins by adding a case to the ``meta`` fixture in ``tests/meta/conftest.py``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec
import pytest

from auroravault.errors import Conflict, Invalid, QuotaExceeded
from auroravault.ids import new_id
from auroravault.meta.base import Batch, Flags, Job, MetaStore, Photo, PhotoView, Session, Upload, Usage, User
from auroravault.timeutil import sort_key, to_iso, utcnow

SHA_A = "a" * 64
SHA_B = "b" * 64


def a_user(email: str = "ada@example.com", quota: int = 10_000) -> User:
    return User(
        id=new_id("u_"),
        email=email,
        display_name="Ada",
        password_hash="x",
        quota_bytes=quota,
        created_at=utcnow(),
    )


def a_batch(user: User) -> Batch:
    now = utcnow()
    return Batch(id=new_id("b_"), owner_id=user.id, created_at=now, expires_at=now + timedelta(hours=1))


def photo_and_upload(user: User, batch: Batch, sha: str, size: int = 100, index: int = 0, when=None):
    now = when or utcnow()
    photo_id, upload_id = new_id("p_"), new_id("up_")
    photo = Photo(
        id=photo_id,
        owner_id=user.id,
        status="pending",
        filename=f"{index}.jpg",
        content_type="image/jpeg",
        size=size,
        sha256=sha,
        created_at=now,
        updated_at=now,
        sort_at=sort_key(now),
        upload_id=upload_id,
    )
    upload = Upload(
        id=upload_id,
        batch_id=batch.id,
        owner_id=user.id,
        photo_id=photo_id,
        index=index,
        filename=photo.filename,
        content_type="image/jpeg",
        size=size,
        sha256=sha,
        created_at=now,
        updated_at=now,
        url_expires_at=now + timedelta(hours=1),
        expires_at=now + timedelta(days=1),
        next_check_at=now + timedelta(hours=1),
    )
    return photo, upload


async def with_user(meta: MetaStore, **kw) -> User:
    user = a_user(**kw)
    await meta.create_user(user)
    return user


# -- users, sessions, counters --------------------------------------------------------------
async def test_user_round_trip_and_email_is_unique_case_insensitively(meta: MetaStore) -> None:
    user = await with_user(meta)
    got = await meta.get_user(user.id)
    assert got is not None and got.email == "ada@example.com" and got.quota_bytes == 10_000
    assert (await meta.get_user_by_email("ADA@Example.com")).id == user.id
    with pytest.raises(Conflict) as exc:
        await meta.create_user(a_user(email="Ada@example.com"))
    assert exc.value.code == "email_taken"
    assert await meta.get_user("nobody") is None


async def test_used_bytes_never_go_below_zero(meta: MetaStore) -> None:
    user = await with_user(meta)
    await meta.add_used_bytes(user.id, 300)
    await meta.add_used_bytes(user.id, -1000)
    assert (await meta.get_user(user.id)).used_bytes == 0


async def test_sessions_are_found_by_hash_and_revoked(meta: MetaStore) -> None:
    user = await with_user(meta)
    now = utcnow()
    for name in ("one", "two"):
        await meta.create_session(
            Session(token_hash=name, user_id=user.id, created_at=now, expires_at=now + timedelta(days=1))
        )
    assert (await meta.get_session("one")).user_id == user.id
    await meta.delete_session("one")
    assert await meta.get_session("one") is None
    assert await meta.get_session("two") is not None
    await meta.delete_user_sessions(user.id)
    assert await meta.get_session("two") is None


async def test_counters_count_within_a_window_and_reset(meta: MetaStore) -> None:
    now = utcnow()
    assert await meta.get_counter("k", now) == 0
    assert [await meta.hit_counter("k", 60, now) for _ in range(3)] == [1, 2, 3]
    assert await meta.get_counter("k", now) == 3
    later = now + timedelta(seconds=61)
    assert await meta.get_counter("k", later) == 0
    assert await meta.hit_counter("k", 60, later) == 1
    await meta.reset_counter("k")
    assert await meta.get_counter("k", later) == 0


# -- uploads and photos ------------------------------------------------------------------------
async def test_create_uploads_reserves_quota_all_or_nothing(meta: MetaStore) -> None:
    user = await with_user(meta, quota=250)
    batch = a_batch(user)
    p1, u1 = photo_and_upload(user, batch, SHA_A, size=100, index=0)
    p2, u2 = photo_and_upload(user, batch, SHA_B, size=100, index=1)
    await meta.create_uploads(batch, [p1, p2], [u1, u2], 200)
    assert (await meta.get_user(user.id)).used_bytes == 200
    assert [u.id for u in await meta.batch_uploads(batch.id)] == [u1.id, u2.id]
    assert (await meta.get_batch(batch.id)).owner_id == user.id

    batch2 = a_batch(user)
    p3, u3 = photo_and_upload(user, batch2, "c" * 64, size=100)
    with pytest.raises(QuotaExceeded):
        await meta.create_uploads(batch2, [p3], [u3], 100)
    assert await meta.get_batch(batch2.id) is None
    assert await meta.get_photo(p3.id) is None
    assert (await meta.get_user(user.id)).used_bytes == 200


async def test_a_hash_claimed_meanwhile_is_a_conflict_and_nothing_is_created(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch1, batch2 = a_batch(user), a_batch(user)
    p1, u1 = photo_and_upload(user, batch1, SHA_A)
    await meta.create_uploads(batch1, [p1], [u1], 100)
    p2, u2 = photo_and_upload(user, batch2, SHA_A)
    with pytest.raises(Conflict) as exc:
        await meta.create_uploads(batch2, [p2], [u2], 100)
    assert exc.value.code == "sha256_taken"
    assert await meta.get_batch(batch2.id) is None
    assert await meta.get_upload(u2.id) is None
    assert (await meta.get_user(user.id)).used_bytes == 100
    assert (await meta.get_photo_by_sha256(user.id, SHA_A)).id == p1.id


async def test_arrival_is_a_conditional_transition(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    assert await meta.pending_uploads(user.id, 10) != []
    results = await asyncio.gather(*(meta.mark_upload_arrived(upload.id, utcnow()) for _ in range(4)))
    assert results.count(True) == 1
    assert (await meta.get_upload(upload.id)).state == "processing"
    assert (await meta.get_photo(photo.id)).status == "processing"
    assert await meta.pending_uploads(user.id, 10) == []


async def test_arrival_enqueues_its_job_in_the_same_step(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    pairs = [photo_and_upload(user, batch, sha, index=i) for i, sha in enumerate((SHA_A, SHA_B))]
    await meta.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 200)
    (photo, upload), (other_photo, other) = pairs
    job = a_job("process_photo", dedupe=f"process:{photo.id}")
    assert await meta.mark_upload_arrived(upload.id, utcnow(), job) is True
    queued = await meta.get_job(job.id)
    assert queued is not None and queued.state == "queued" and queued.payload == {"n": 1}
    assert (await meta.get_job_by_dedupe_key(f"process:{photo.id}")).id == job.id
    # not pending any more: neither the arrival nor its job happen twice
    assert await meta.mark_upload_arrived(upload.id, utcnow(), a_job("process_photo", dedupe="x")) is False
    assert await meta.get_job_by_dedupe_key("x") is None
    # a job whose dedupe key is taken does not stop the arrival, and is not stored
    late = a_job("process_photo", dedupe=f"process:{photo.id}")
    assert await meta.mark_upload_arrived(other.id, utcnow(), late) is True
    assert (await meta.get_photo(other_photo.id)).status == "processing"
    assert await meta.get_job(late.id) is None
    assert (await meta.job_counts())["queued"] == 1


async def test_processing_photos_are_listed_for_repair(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    pairs = [photo_and_upload(user, batch, sha, index=i) for i, sha in enumerate((SHA_A, SHA_B, "c" * 64))]
    await meta.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 300)
    arrived_at = utcnow() - timedelta(minutes=10)
    for _, upload in pairs[:2]:
        await meta.mark_upload_arrived(upload.id, arrived_at)
    ready = msgspec.structs.replace(
        await meta.get_photo(pairs[1][0].id), status="ready", updated_at=utcnow() - timedelta(minutes=5)
    )
    assert await meta.save_processed_photo(ready, "processing")
    found = await meta.processing_photos(utcnow() - timedelta(minutes=1), 10)
    assert [p.id for p in found] == [pairs[0][0].id]  # not the ready one, not the pending one
    assert await meta.processing_photos(arrived_at, 10) == []  # strictly before


async def test_reads_see_every_committed_write_while_other_reads_run(meta: MetaStore) -> None:
    # Many requests read at once (sessions, users, batches): a read that starts after a
    # write returned must still see that write, never an older snapshot.
    user = await with_user(meta)
    batch = a_batch(user)
    pairs = [photo_and_upload(user, batch, f"{i:064x}", index=i) for i in range(40)]
    await meta.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 0)
    stop = asyncio.Event()

    async def browse() -> None:
        while not stop.is_set():
            await meta.get_user(user.id)

    readers = [asyncio.create_task(browse()) for _ in range(6)]
    stale = []
    try:
        for _, upload in pairs:
            assert await meta.mark_upload_arrived(upload.id, utcnow())
            seen = await meta.get_upload(upload.id)
            if seen.state != "processing":
                stale.append(upload.id)
    finally:
        stop.set()
        await asyncio.gather(*readers)
    assert stale == []


async def test_ending_an_upload_deletes_its_photo_and_releases_quota(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A, size=120)
    await meta.create_uploads(batch, [photo], [upload], 120)
    assert await meta.end_upload(upload.id, "rejected", "size_mismatch", utcnow()) is True
    assert await meta.end_upload(upload.id, "expired", "again", utcnow()) is False
    ended = await meta.get_upload(upload.id)
    assert ended.state == "rejected" and ended.reason == "size_mismatch"
    assert await meta.get_photo(photo.id) is None
    assert await meta.get_photo_by_sha256(user.id, SHA_A) is None
    assert (await meta.get_user(user.id)).used_bytes == 0


async def test_an_arrived_upload_cannot_expire(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    assert await meta.mark_upload_arrived(upload.id, utcnow())
    # the sweep read it while still pending; complete won meanwhile
    assert await meta.end_upload(upload.id, "expired", "expired: never completed", utcnow()) is False
    assert (await meta.get_upload(upload.id)).state == "processing"
    assert (await meta.get_photo(photo.id)).status == "processing"
    assert (await meta.get_user(user.id)).used_bytes == 100


async def test_resumed_uploads_move_to_the_new_batch(meta: MetaStore) -> None:
    user = await with_user(meta)
    old, new = a_batch(user), a_batch(user)
    photo, upload = photo_and_upload(user, old, SHA_A, index=3)
    await meta.create_uploads(old, [photo], [upload], 100)
    await meta.create_uploads(new, [], [], 0)
    expiry = utcnow() + timedelta(hours=2)
    await meta.move_uploads([(upload.id, 0)], new.id, expiry)
    moved = await meta.get_upload(upload.id)
    assert moved.batch_id == new.id and moved.index == 0
    assert abs((moved.url_expires_at - expiry).total_seconds()) < 1e-3
    assert await meta.batch_uploads(old.id) == []


async def test_timeline_is_keyset_paginated_and_skips_pending(meta: MetaStore) -> None:
    user = await with_user(meta, quota=10**9)
    batch = a_batch(user)
    base = utcnow().replace(year=2020, month=1, day=15)
    pairs = [photo_and_upload(user, batch, f"{i:064x}", index=i, when=base + timedelta(days=20 * i)) for i in range(7)]
    await meta.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 700)
    for _, upload in pairs[:6]:  # the last stays pending: no bytes yet, not listed
        await meta.mark_upload_arrived(upload.id, utcnow())
    seen, after = [], None
    while True:
        page = await meta.list_photos(user.id, limit=4, after=after, descending=True)
        if not page:
            break
        seen += page
        after = (page[-1].sort_at, page[-1].id)
    assert [p.id for p in seen] == [p.id for p, _ in reversed(pairs[:6])]
    oldest = await meta.list_photos(user.id, limit=2, after=None, descending=False)
    assert [p.id for p in oldest] == [pairs[0][0].id, pairs[1][0].id]
    months = await meta.month_counts(user.id)
    assert sum(m.count for m in months) == 6
    assert months == sorted(months, key=lambda m: m.month, reverse=True)
    assert await meta.photos_with_sha256(user.id, [pairs[0][0].sha256, pairs[6][0].sha256, SHA_A]) == {
        pairs[0][0].sha256: pairs[0][0].id
    }


async def test_other_owners_photos_never_show(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@example.com")
    batch = a_batch(ada)
    photo, upload = photo_and_upload(ada, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    await meta.mark_upload_arrived(upload.id, utcnow())
    assert await meta.list_photos(bob.id, limit=10, after=None, descending=True) == []
    assert await meta.get_photo_by_sha256(bob.id, SHA_A) is None
    assert await meta.month_counts(bob.id) == []


async def test_saving_a_processed_photo_is_conditional_and_reports_variants_beside_the_quota(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    await meta.mark_upload_arrived(upload.id, utcnow())
    done = await meta.get_photo(photo.id)
    done.status, done.variants_bytes, done.width = "ready", 40, 640
    assert await meta.save_processed_photo(done, "processing") is True
    assert await meta.save_processed_photo(done, "processing") is False
    assert (await meta.get_photo(photo.id)).width == 640
    # The quota counts originals only; the variants are reported beside it.
    assert (await meta.get_user(user.id)).used_bytes == 100
    assert await meta.usage(user.id) == Usage(photo_count=1, variant_bytes=40)


async def test_a_damaged_photo_keeps_its_damage_in_every_read(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    await meta.mark_upload_arrived(upload.id, utcnow())
    done = await meta.get_photo(photo.id)
    done.status, done.damage_code, done.damage_detail = "ready", "truncated", "the file ends early"
    assert await meta.save_processed_photo(done, "processing") is True
    for read in (
        await meta.get_photo(photo.id),
        await meta.get_photo_by_sha256(user.id, SHA_A),
        (await meta.list_photos(user.id, limit=10, after=None, descending=True))[0],
    ):
        assert read is not None
        assert (read.status, read.damage_code, read.damage_detail) == ("ready", "truncated", "the file ends early")


async def test_a_preview_pending_photo_is_listed_then_completed_ready_to_ready(meta: MetaStore) -> None:
    # Thumbnails first: ready with its thumb (preview_pending), then the preview's save, which
    # is a ready -> ready transition that records the preview's bytes.
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    await meta.mark_upload_arrived(upload.id, utcnow())
    thumbed = msgspec.structs.replace(
        await meta.get_photo(photo.id), status="ready", variants_bytes=10, preview_pending=True
    )
    assert await meta.save_processed_photo(thumbed, "processing")
    for read in (
        await meta.get_photo(photo.id),
        await meta.get_photo_by_sha256(user.id, SHA_A),
        (await meta.list_photos(user.id, limit=10, after=None, descending=True))[0],
    ):
        assert read is not None and (read.status, read.preview_pending) == ("ready", True)
    done = msgspec.structs.replace(thumbed, preview_pending=False, variants_bytes=40)
    assert await meta.save_processed_photo(done, "ready")
    again = await meta.get_photo(photo.id)
    assert again is not None and (again.status, again.preview_pending, again.variants_bytes) == ("ready", False, 40)
    assert (await meta.get_user(user.id)).used_bytes == 100  # quota counts the original only


async def test_sweep_sees_due_pending_uploads(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    now = utcnow()
    assert await meta.due_pending_uploads(now, 10) == []
    assert [u.id for u in await meta.due_pending_uploads(now + timedelta(hours=2), 10)] == [upload.id]
    await meta.schedule_upload_check(upload.id, 1, now + timedelta(hours=5))
    assert await meta.due_pending_uploads(now + timedelta(hours=2), 10) == []
    assert (await meta.get_upload(upload.id)).checks == 1


# -- jobs --------------------------------------------------------------------------------------
def a_job(kind: str = "noop", dedupe: str | None = None, delay: float = 0) -> Job:
    now = utcnow()
    return Job(
        id=new_id("j_"),
        kind=kind,
        payload={"n": 1},
        run_at=now + timedelta(seconds=delay),
        dedupe_key=dedupe,
        created_at=now,
        updated_at=now,
    )


async def test_enqueue_deduplicates_by_key(meta: MetaStore) -> None:
    assert await meta.enqueue_job(a_job(dedupe="welcome:u1")) is True
    assert await meta.enqueue_job(a_job(dedupe="welcome:u1")) is False
    assert await meta.enqueue_job(a_job()) is True
    assert await meta.enqueue_job(a_job()) is True
    assert (await meta.job_counts())["queued"] == 3


async def test_claims_take_due_jobs_under_a_lease_exactly_once(meta: MetaStore) -> None:
    jobs = [a_job() for _ in range(10)]
    later = a_job(delay=3600)
    for job in [*jobs, later]:
        await meta.enqueue_job(job)
    now = utcnow()
    claims = await asyncio.gather(*(meta.claim_jobs(now, f"w{i}", 60, 3) for i in range(6)))
    ids = [job.id for batch in claims for job in batch]
    assert sorted(ids) == sorted(j.id for j in jobs)  # every due job once, the later one not at all
    claimed = await meta.get_job(ids[0])
    assert claimed.state == "running" and claimed.attempts == 1 and claimed.lease_owner is not None


async def test_an_expired_lease_is_claimed_again(meta: MetaStore) -> None:
    job = a_job()
    await meta.enqueue_job(job)
    now = utcnow()
    [first] = await meta.claim_jobs(now, "a", 30, 5)
    assert await meta.claim_jobs(now + timedelta(seconds=10), "b", 30, 5) == []
    [again] = await meta.claim_jobs(now + timedelta(seconds=31), "b", 30, 5)
    assert again.id == first.id and again.attempts == 2 and again.lease_owner == "b"
    assert await meta.finish_job(job.id, "a", utcnow()) is False  # the old holder lost its lease
    assert await meta.finish_job(job.id, "b", utcnow()) is True
    assert (await meta.get_job(job.id)).state == "done"


async def test_failing_requeues_or_buries_and_dead_jobs_can_be_retried(meta: MetaStore) -> None:
    job = a_job()
    await meta.enqueue_job(job)
    now = utcnow()
    await meta.claim_jobs(now, "w", 60, 1)
    retry_at = now + timedelta(seconds=90)
    assert await meta.fail_job(job.id, "w", "storage down", retry_at, now) is True
    queued = await meta.get_job(job.id)
    assert queued.state == "queued" and queued.last_error == "storage down"
    assert abs((await meta.next_job_due() - retry_at).total_seconds()) < 1e-3
    assert await meta.claim_jobs(now, "w", 60, 1) == []
    await meta.claim_jobs(retry_at, "w", 60, 1)
    assert await meta.fail_job(job.id, "w", "corrupt", None, now) is True
    dead = await meta.get_job(job.id)
    assert dead.state == "dead" and dead.last_error == "corrupt" and dead.attempts == 2
    assert [j.id for j in await meta.list_jobs("dead", 10)] == [job.id]
    assert await meta.retry_job(job.id, utcnow()) is True
    assert await meta.retry_job(job.id, utcnow()) is False
    revived = await meta.get_job(job.id)
    assert revived.state == "queued" and revived.attempts == 0


async def test_done_jobs_are_purged_after_a_while(meta: MetaStore) -> None:
    job = a_job()
    await meta.enqueue_job(job)
    now = utcnow()
    await meta.claim_jobs(now, "w", 60, 1)
    await meta.finish_job(job.id, "w", now)
    assert await meta.purge_jobs(now - timedelta(seconds=1)) == 0
    assert await meta.purge_jobs(now + timedelta(seconds=1)) == 1
    assert await meta.get_job(job.id) is None


async def test_migrate_is_idempotent_and_check_answers(meta: MetaStore) -> None:
    await meta.migrate()
    await meta.check()


async def test_expired_rows_are_forgotten(meta: MetaStore) -> None:
    user = await with_user(meta)
    now = utcnow()
    past, future, long_ago = now - timedelta(hours=1), now + timedelta(hours=1), now - timedelta(days=2)
    for name, expires in (("s-old", past), ("s-live", future)):
        await meta.create_session(Session(token_hash=name, user_id=user.id, created_at=long_ago, expires_at=expires))
    await meta.create_reset_token("r-old", user.id, past)
    await meta.create_reset_token("r-live", user.id, future)
    await meta.hit_counter("c-old", 60, long_ago)
    await meta.hit_counter("c-live", 3600, now)

    def batch_until(expires) -> Batch:
        return Batch(id=new_id("b_"), owner_id=user.id, created_at=long_ago, expires_at=expires)

    # Uploads made two days ago: their pending TTL (a day) is over.
    old, empty, fresh = batch_until(past), batch_until(past), batch_until(future)
    shas = iter(f"{i:064x}" for i in range(1, 10))
    rejected, done, busy, waiting = (photo_and_upload(user, old, next(shas), index=i, when=long_ago) for i in range(4))
    four = (rejected, done, busy, waiting)
    await meta.create_uploads(old, [p for p, _ in four], [u for _, u in four], 0)
    lone = photo_and_upload(user, empty, next(shas), when=long_ago)
    await meta.create_uploads(empty, [lone[0]], [lone[1]], 0)
    recent = photo_and_upload(user, fresh, next(shas))
    await meta.create_uploads(fresh, [recent[0]], [recent[1]], 0)
    for _, upload in (rejected, lone, recent):
        assert await meta.end_upload(upload.id, "rejected", "size_mismatch", long_ago)
    for _, upload in (done, busy):
        assert await meta.mark_upload_arrived(upload.id, long_ago)
    ready = msgspec.structs.replace(await meta.get_photo(done[0].id), status="ready")
    assert await meta.save_processed_photo(ready, "processing")

    assert await meta.purge_expired(now) > 0
    # expired: gone (an earlier clock would still find them, were they kept)
    assert await meta.get_session("s-old") is None
    assert await meta.consume_reset_token("r-old", past - timedelta(minutes=1)) is None
    assert await meta.get_counter("c-old", long_ago + timedelta(seconds=1)) == 0
    assert await meta.get_upload(rejected[1].id) is None and await meta.get_upload(done[1].id) is None
    assert await meta.get_upload(lone[1].id) is None and await meta.get_batch(empty.id) is None
    # still live, or still needed: kept
    assert (await meta.get_session("s-live")).user_id == user.id
    assert await meta.consume_reset_token("r-live", now) == user.id
    assert await meta.get_counter("c-live", now) == 1
    assert [u.id for u in await meta.batch_uploads(old.id)] == [busy[1].id, waiting[1].id]  # processing, pending
    assert await meta.get_batch(old.id) is not None
    assert (await meta.get_upload(recent[1].id)).state == "rejected" and await meta.get_batch(fresh.id) is not None
    assert (await meta.get_photo(done[0].id)).status == "ready"  # photos are never purged
    assert await meta.purge_expired(now) == 0  # idempotent


async def test_reset_tokens_work_once_and_expire(meta: MetaStore) -> None:
    user = await with_user(meta)
    now = utcnow()
    await meta.create_reset_token("t1", user.id, now + timedelta(minutes=30))
    await meta.create_reset_token("t2", user.id, now - timedelta(seconds=1))
    results = await asyncio.gather(*(meta.consume_reset_token("t1", now) for _ in range(3)))
    assert sorted(results, key=str) == [None, None, user.id]
    assert await meta.consume_reset_token("t2", now) is None  # expired
    assert await meta.consume_reset_token("nope", now) is None


async def test_deleting_a_users_reset_tokens_leaves_other_users_tokens(meta: MetaStore) -> None:
    ada = await with_user(meta)
    bob = await with_user(meta, email="bob@example.com")
    now = utcnow()
    later = now + timedelta(minutes=30)
    for name in ("a1", "a2", "a3"):
        await meta.create_reset_token(name, ada.id, later)
    await meta.create_reset_token("b1", bob.id, later)
    assert await meta.consume_reset_token("a1", now) == ada.id
    await meta.delete_user_reset_tokens(ada.id)
    assert await meta.consume_reset_token("a2", now) is None
    assert await meta.consume_reset_token("a3", now) is None
    assert await meta.consume_reset_token("b1", now) == bob.id
    await meta.delete_user_reset_tokens(ada.id)  # nothing left: still fine
    await meta.create_reset_token("a4", ada.id, later)  # new tokens work after a revocation
    assert await meta.consume_reset_token("a4", now) == ada.id


async def test_a_password_hash_is_replaced_only_while_unchanged(meta: MetaStore) -> None:
    user = await with_user(meta)  # stored hash "x"
    assert await meta.replace_password_hash(user.id, "x", "rehashed") is True
    assert (await meta.get_user(user.id)).password_hash == "rehashed"
    await meta.set_password(user.id, "changed")  # a reset wins the race
    assert await meta.replace_password_hash(user.id, "rehashed", "stale") is False
    assert (await meta.get_user(user.id)).password_hash == "changed"
    assert await meta.replace_password_hash("u_nobody", "x", "y") is False


# -- the library --------------------------------------------------------------------------------
async def arrived(meta: MetaStore, user: User, sha: str, size: int = 100, when=None) -> Photo:
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, sha, size=size, when=when)
    await meta.create_uploads(batch, [photo], [upload], size)
    await meta.mark_upload_arrived(upload.id, utcnow())
    stored = await meta.get_photo(photo.id)
    assert stored is not None
    return stored


async def test_flags_are_per_viewer_and_filter_listings_and_months(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@example.com")
    one, two = await arrived(meta, ada, SHA_A), await arrived(meta, ada, SHA_B)
    assert await meta.set_flags(ada.id, [one.id, "p_none"], favorite=True, archived=None, now=utcnow()) == [one.id]
    await meta.set_flags(ada.id, [two.id], favorite=None, archived=True, now=utcnow())
    await meta.set_flags(bob.id, [two.id], favorite=True, archived=None, now=utcnow())
    assert await meta.get_flags(ada.id, [one.id, two.id]) == {
        one.id: Flags(favorite=True, archived=False),
        two.id: Flags(favorite=False, archived=True),
    }
    assert await meta.get_flags(bob.id, [one.id, two.id]) == {two.id: Flags(favorite=True, archived=False)}

    async def listed(**view) -> list[str]:
        found = await meta.list_photos(
            ada.id, limit=10, after=None, descending=True, view=PhotoView(viewer_id=ada.id, **view)
        )
        return [p.id for p in found]

    assert await listed() == [one.id]
    assert await listed(favorite=True) == [one.id]
    assert await listed(archived="only") == [two.id]
    assert set(await listed(archived="include")) == {one.id, two.id}
    assert await listed(media_type="video") == []
    assert sum(m.count for m in await meta.month_counts(ada.id)) == 1
    view = PhotoView(viewer_id=ada.id, archived="include")
    assert sum(m.count for m in await meta.month_counts(ada.id, view)) == 2


async def test_edits_trash_restore_and_permanent_deletion(meta: MetaStore) -> None:
    user = await with_user(meta)
    photo = await arrived(meta, user, SHA_A)
    edited = await meta.edit_photo(
        photo.id, {"description": "hello", "sort_at": "1999-12-31T23:00:00.000000Z"}, utcnow()
    )
    assert edited is not None and edited.description == "hello"
    assert (await meta.get_photo(photo.id)).description == "hello"
    assert [m.month for m in await meta.month_counts(user.id)] == ["1999-12"]
    assert await meta.trash_photos(user.id, [photo.id], utcnow()) == [photo.id]
    assert await meta.list_photos(user.id, limit=10, after=None, descending=True) == []
    assert await meta.month_counts(user.id) == []
    assert await meta.edit_photo(photo.id, {"description": "no"}, utcnow()) is None
    assert [p.id for p in await meta.list_trash(user.id, limit=10, after=None)] == [photo.id]
    assert await meta.restore_photos(user.id, None, utcnow()) == [photo.id]
    assert [p.id for p in await meta.list_photos(user.id, limit=10, after=None, descending=True)] == [photo.id]
    await meta.trash_photos(user.id, [photo.id], utcnow())
    [marked] = await meta.mark_deleting(user.id, None, utcnow())
    assert marked.deleting_at is not None
    assert await meta.restore_photos(user.id, [photo.id], utcnow()) == []  # too late
    assert await meta.list_trash(user.id, limit=10, after=None) == []
    assert [p.id for p in await meta.deletion_due(utcnow() - timedelta(days=30), 10)] == [photo.id]
    assert await meta.finish_deletion(photo.id, utcnow()) is True
    assert await meta.finish_deletion(photo.id, utcnow()) is False
    assert await meta.get_photo(photo.id) is None
    assert (await meta.get_user(user.id)).used_bytes == 0
    assert await meta.deleted_sha256(user.id, [SHA_A, SHA_B]) == [SHA_A]
    again = await arrived(meta, user, SHA_A)  # the same bytes are a new photo now
    assert again.id != photo.id and await meta.deleted_sha256(user.id, [SHA_A]) == []
    assert await meta.usage(user.id) == Usage(photo_count=1, variant_bytes=0)


async def test_another_owner_cannot_trash_or_delete(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@example.com")
    photo = await arrived(meta, ada, SHA_A)
    assert await meta.trash_photos(bob.id, [photo.id], utcnow()) == []
    await meta.trash_photos(ada.id, [photo.id], utcnow())
    assert await meta.mark_deleting(bob.id, [photo.id], utcnow()) == []
    assert await meta.restore_photos(bob.id, [photo.id], utcnow()) == []
    assert (await meta.get_photo(photo.id)).deleting_at is None


async def test_the_change_feed_names_each_change_once_after_its_position(meta: MetaStore) -> None:
    user = await with_user(meta)
    one, two = await arrived(meta, user, SHA_A), await arrived(meta, user, SHA_B)
    start = await meta.changes_since(user.id, None, 100)
    assert set(start.photo_ids) == {one.id, two.id} and not start.more
    assert (await meta.changes_since(user.id, start.position, 100)).photo_ids == []
    await meta.set_flags(user.id, [one.id], favorite=True, archived=None, now=utcnow())
    after = await meta.changes_since(user.id, start.position, 100)
    assert after.photo_ids == [one.id]
    assert (await meta.changes_since(user.id, after.position, 100)).photo_ids == []
    page = await meta.changes_since(user.id, None, 1)
    assert len(page.photo_ids) == 1 and page.more
    with pytest.raises(Invalid) as bad:
        await meta.changes_since(user.id, "not a position", 10)
    assert bad.value.code == "invalid_sync_token"


async def test_usage_counts_photos_and_variants_through_trash_deletion_and_ended_uploads(meta: MetaStore) -> None:
    user = await with_user(meta)
    one, two = await arrived(meta, user, SHA_A), await arrived(meta, user, SHA_B)
    ready = msgspec.structs.replace(one, status="ready", variants_bytes=30)
    assert await meta.save_processed_photo(ready, "processing") is True
    assert await meta.usage(user.id) == Usage(photo_count=2, variant_bytes=30)
    await meta.trash_photos(user.id, [one.id], utcnow())
    assert await meta.usage(user.id) == Usage(photo_count=2, variant_bytes=30)  # the trash still counts
    await meta.mark_deleting(user.id, [one.id], utcnow())
    assert await meta.finish_deletion(one.id, utcnow()) is True
    assert await meta.usage(user.id) == Usage(photo_count=1, variant_bytes=0)
    assert two.upload_id is not None  # a processing photo whose upload is ended leaves the count
    assert await meta.end_upload(two.upload_id, "rejected", "not_an_image", utcnow()) is True
    assert await meta.usage(user.id) == Usage(photo_count=0, variant_bytes=0)
    assert (await meta.get_user(user.id)).used_bytes == 0


async def test_the_trash_pages_newest_trashed_first(meta: MetaStore) -> None:
    user = await with_user(meta)
    photos = [await arrived(meta, user, sha) for sha in (SHA_A, SHA_B, "c" * 64)]
    start = utcnow()
    for n, photo in enumerate(photos):
        await meta.trash_photos(user.id, [photo.id], start + timedelta(seconds=n))
    first = await meta.list_trash(user.id, limit=2, after=None)
    assert [p.id for p in first] == [photos[2].id, photos[1].id]
    last = first[-1]
    assert last.trashed_at is not None
    rest = await meta.list_trash(user.id, limit=2, after=(to_iso(last.trashed_at), last.id))
    assert [p.id for p in rest] == [photos[0].id]


async def test_pruning_the_feed_keeps_the_newest_entry_of_each_photo_that_exists(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@example.com")
    one, two = await arrived(meta, ada, SHA_A), await arrived(meta, ada, SHA_B)
    await meta.set_flags(ada.id, [two.id], favorite=True, archived=None, now=utcnow())
    gone = await arrived(meta, bob, SHA_A)
    await meta.trash_photos(bob.id, [gone.id], utcnow())
    await meta.mark_deleting(bob.id, [gone.id], utcnow())
    await meta.finish_deletion(gone.id, utcnow())
    await asyncio.sleep(0.01)
    cut = utcnow()
    await asyncio.sleep(0.01)
    await meta.set_flags(ada.id, [one.id], favorite=True, archived=None, now=utcnow())
    assert await meta.prune_changes(cut) >= 3  # one's and two's older entries, bob's whole feed
    assert await meta.prune_changes(cut) == 0
    start = await meta.changes_since(ada.id, None, 100)
    assert sorted(start.photo_ids) == sorted([one.id, two.id]) and not start.more
    assert (await meta.changes_since(bob.id, None, 100)).photo_ids == []


async def test_month_counts_follow_the_viewers_favorite_and_archived_marks(meta: MetaStore) -> None:
    ada = await with_user(meta)
    may, june = utcnow().replace(year=2020, month=5, day=1), utcnow().replace(year=2020, month=6, day=1)
    fav = await arrived(meta, ada, SHA_A, when=may)
    both = await arrived(meta, ada, SHA_B, when=june)
    plain = await arrived(meta, ada, "c" * 64, when=june)
    trashed = await arrived(meta, ada, "d" * 64, when=june)
    await meta.set_flags(ada.id, [fav.id, both.id, trashed.id], favorite=True, archived=None, now=utcnow())
    await meta.set_flags(ada.id, [both.id], favorite=None, archived=True, now=utcnow())
    await meta.trash_photos(ada.id, [trashed.id], utcnow())

    async def months(**view) -> list[tuple[str, int]]:
        found = await meta.month_counts(ada.id, PhotoView(viewer_id=ada.id, **view))
        return [(m.month, m.count) for m in found]

    assert await months() == [("2020-06", 1), ("2020-05", 1)]  # `both` is archived, `trashed` in the trash
    assert await months(favorite=True) == [("2020-05", 1)]
    assert await months(favorite=True, archived="include") == [("2020-06", 1), ("2020-05", 1)]
    assert await months(archived="only") == [("2020-06", 1)]
    assert await months(archived="include") == [("2020-06", 2), ("2020-05", 1)]
    favorites = await meta.list_photos(
        ada.id, limit=9, after=None, descending=True, view=PhotoView(viewer_id=ada.id, favorite=True)
    )
    assert [p.id for p in favorites] == [fav.id] and plain.id != fav.id
