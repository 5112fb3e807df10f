"""DynamoDB-specific behaviour the contract suite cannot see: the table itself, the
100-item transaction limit, claim races, exact month counters, an unreachable endpoint, a
write whose answer was lost (sent twice, applied once).

Runs against the session's moto server over HTTP (``tests/servers/moto.py``).
"""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.request
from collections.abc import AsyncIterator
from datetime import timedelta

import boto3
import msgspec
import pytest
from botocore.exceptions import ReadTimeoutError

from auroravault.config import DynamoDBSettings
from auroravault.errors import Conflict, QuotaExceeded, Unavailable
from auroravault.meta.base import Usage
from auroravault.meta.dynamodb import DynamoMetaStore
from auroravault.meta.dynamodb.keys import _trash_key, _user_key
from auroravault.meta.dynamodb.upgrade import MARKER
from auroravault.timeutil import sort_key, utcnow
from tests.meta.conftest import dynamo_settings
from tests.meta.test_contract import a_batch, a_job, arrived, photo_and_upload, with_user
from tests.meta.test_families_contract import a_family
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION


@pytest.fixture
async def store(moto_server: str) -> AsyncIterator[DynamoMetaStore]:
    meta = DynamoMetaStore(dynamo_settings(moto_server))
    await meta.migrate()
    try:
        yield meta
    finally:
        await meta.close()


def files(user, batch, count: int, size: int = 10, start: int = 0):
    pairs = [photo_and_upload(user, batch, f"{start + i:064x}", size=size, index=i) for i in range(count)]
    return [p for p, _ in pairs], [u for _, u in pairs]


async def test_migrate_creates_the_table_once_and_is_idempotent(moto_server: str) -> None:
    settings = dynamo_settings(moto_server)
    meta = DynamoMetaStore(settings)
    try:
        with pytest.raises(Unavailable):
            await meta.check()  # no table yet
        await meta.migrate()
        await meta.migrate()
        await meta.check()
    finally:
        await meta.close()
    client = boto3.client(
        "dynamodb",
        endpoint_url=moto_server,
        region_name=MOTO_REGION,
        aws_access_key_id=MOTO_CREDENTIALS["access_key"],
        aws_secret_access_key=MOTO_CREDENTIALS["secret_key"],
    )
    table = client.describe_table(TableName=settings.table)["Table"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName=settings.table)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == "expires_ttl"


@pytest.mark.parametrize("count, per_commit", [(50, None), (25, 10)])
async def test_a_full_batch_fits_past_the_100_item_transaction_limit(
    store: DynamoMetaStore, count: int, per_commit: int | None
) -> None:
    # 50 files are 150+ items: one commit of 52. Larger batches (max_batch may be up to
    # 1000) commit in chunks of 98 claims; a smaller chunk size exercises that path here
    # without moto's cost of copying the table once per transaction item.
    if per_commit is not None:
        store.claims_per_commit = per_commit
    user = await with_user(store, quota=10**6)
    batch = a_batch(user)
    photos, uploads = files(user, batch, count)
    await store.create_uploads(batch, photos, uploads, 10 * count)
    assert (await store.get_user(user.id)).used_bytes == 10 * count
    assert [u.id for u in await store.batch_uploads(batch.id)] == [u.id for u in uploads]
    assert len(await store.pending_uploads(user.id, 1000)) == count
    assert (await store.get_photo_by_sha256(user.id, photos[-1].sha256)).id == photos[-1].id


async def test_a_refused_commit_leaves_nothing_behind(store: DynamoMetaStore) -> None:
    user = await with_user(store, quota=10**6)
    first = a_batch(user)
    taken, taken_uploads = files(user, first, 1, start=22)
    await store.create_uploads(first, taken, taken_uploads, 10)
    # Commits of 10 claims: the clash is in the third, so the first two are compensated.
    store.claims_per_commit = 10
    batch = a_batch(user)
    photos, uploads = files(user, batch, 25)
    with pytest.raises(Conflict) as exc:
        await store.create_uploads(batch, photos, uploads, 250)
    assert exc.value.code == "sha256_taken"
    assert await store.get_batch(batch.id) is None
    assert await store.get_upload(uploads[0].id) is None and await store.get_photo(photos[0].id) is None
    assert await store.get_photo_by_sha256(user.id, photos[0].sha256) is None
    assert (await store.get_user(user.id)).used_bytes == 10
    assert [u.id for u in await store.pending_uploads(user.id, 1000)] == [taken_uploads[0].id]


async def test_quota_and_conflict_are_told_apart(store: DynamoMetaStore) -> None:
    user = await with_user(store, quota=100)
    batch = a_batch(user)
    photos, uploads = files(user, batch, 2, size=50)
    await store.create_uploads(batch, photos, uploads, 100)
    again = a_batch(user)
    photos2, uploads2 = files(user, again, 1, size=1, start=7)
    with pytest.raises(QuotaExceeded):
        await store.create_uploads(again, photos2, uploads2, 1)
    await store.add_used_bytes(user.id, -100)
    photos3, uploads3 = files(user, again, 1, size=1)  # the first file's sha256 again
    with pytest.raises(Conflict):
        await store.create_uploads(again, photos3, uploads3, 1)
    assert (await store.get_user(user.id)).used_bytes == 0


async def test_concurrent_claims_never_overlap(store: DynamoMetaStore) -> None:
    jobs = [a_job() for _ in range(20)]
    await asyncio.gather(*(store.enqueue_job(job) for job in jobs))
    now = utcnow()
    claims = await asyncio.gather(*(store.claim_jobs(now, f"w{i}", 60, 4) for i in range(8)))
    ids = [job.id for batch in claims for job in batch]
    assert len(ids) == len(set(ids)) == 20
    assert all(job.state == "running" and job.attempts == 1 for batch in claims for job in batch)
    assert await store.claim_jobs(now + timedelta(seconds=30), "late", 60, 50) == []
    assert (await store.job_counts())["running"] == 20
    # Leases expire together: racing reclaimers again split them without overlap.
    later = now + timedelta(seconds=61)
    claims = await asyncio.gather(*(store.claim_jobs(later, f"r{i}", 60, 10) for i in range(5)))
    again = [job.id for batch in claims for job in batch]
    assert sorted(again) == sorted(ids)
    assert all(job.attempts == 2 for batch in claims for job in batch)


async def test_month_counts_stay_exact(store: DynamoMetaStore) -> None:
    user = await with_user(store, quota=10**6)
    batch = a_batch(user)
    march, may = utcnow().replace(year=2021, month=3, day=10), utcnow().replace(year=2021, month=5, day=2)
    pairs = [photo_and_upload(user, batch, f"{i:064x}", index=i, when=march) for i in range(3)]
    pairs.append(photo_and_upload(user, batch, "f" * 64, index=3, when=may))
    await store.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 400)
    assert await store.month_counts(user.id) == []  # pending photos do not count
    for _, upload in pairs:
        assert await store.mark_upload_arrived(upload.id, utcnow())
    counts = {m.month: m.count for m in await store.month_counts(user.id)}
    assert counts == {"2021-03": 3, "2021-05": 1}
    assert await store.end_upload(pairs[0][1].id, "rejected", "corrupt", utcnow())
    # Processing found the real capture time: the photo moves to another month and place.
    moved = await store.get_photo(pairs[1][0].id)
    moved.status, moved.sort_at = "ready", sort_key(may + timedelta(days=1))
    assert await store.save_processed_photo(moved, "processing")
    assert [(m.month, m.count) for m in await store.month_counts(user.id)] == [("2021-05", 2), ("2021-03", 1)]
    listed = await store.list_photos(user.id, limit=10, after=None, descending=True)
    assert [p.id for p in listed] == [moved.id, pairs[3][0].id, pairs[2][0].id]
    assert listed[0].status == "ready"  # the timeline copy follows the photo


async def test_records_round_trip_exactly(store: DynamoMetaStore) -> None:
    user = await with_user(store)
    batch = a_batch(user)
    [photo], [upload] = files(user, batch, 1)
    await store.create_uploads(batch, [photo], [upload], 10)
    await store.mark_upload_arrived(upload.id, utcnow())
    done = await store.get_photo(photo.id)
    done = msgspec.structs.replace(
        done, status="ready", f_number=2.8, exposure_time=1e-05, focal_length=50.0, lat=-33.8688, lon=151.2093
    )
    assert await store.save_processed_photo(done, "processing")
    assert await store.get_photo(photo.id) == done
    job = msgspec.structs.replace(a_job(), payload={"f": 2.0, "n": 3, "s": "x", "l": [1, None], "d": {"k": True}})
    await store.enqueue_job(job)
    assert (await store.get_job(job.id)).payload == job.payload


async def test_an_unreachable_endpoint_is_unavailable_quickly() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = DynamoDBSettings(
        table="nowhere", region=MOTO_REGION, endpoint_url=f"http://127.0.0.1:{port}", **MOTO_CREDENTIALS
    )
    meta = DynamoMetaStore(settings)
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable) as exc:
            await meta.get_user("u")
        assert exc.value.code == "meta_unavailable"
        with pytest.raises(Unavailable):
            await meta.check()
    finally:
        await meta.close()
    assert time.monotonic() - started < 10


async def test_a_dedupe_key_left_without_its_job_does_not_block_the_photo(store: DynamoMetaStore) -> None:
    # A DEDUPE# item whose job is gone (a purge cut short, a hand-edited table) would make
    # every enqueue with that key a silent no-op, and the photo would never be processed.
    user = await with_user(store)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, "e" * 64)
    await store.create_uploads(batch, [photo], [upload], 100)
    key = f"process:{photo.id}"
    await store._call(
        "put_item",
        TableName=store.table,
        Item={"PK": {"S": f"DEDUPE#{key}"}, "SK": {"S": "DEDUPE"}, "job_id": {"S": "j_gone"}},
    )
    job = a_job("process_photo", dedupe=key)
    assert await store.mark_upload_arrived(upload.id, utcnow(), job) is True
    assert (await store.get_job_by_dedupe_key(key)).id == job.id
    # and a plain enqueue frees such a key too
    await store._call(
        "put_item",
        TableName=store.table,
        Item={"PK": {"S": "DEDUPE#welcome:x"}, "SK": {"S": "DEDUPE"}, "job_id": {"S": "j_gone_too"}},
    )
    assert await store.enqueue_job(a_job(dedupe="welcome:x")) is True
    assert await store.enqueue_job(a_job(dedupe="welcome:x")) is False  # a live job holds it now


async def test_migrate_upgrades_what_an_earlier_version_wrote(store: DynamoMetaStore) -> None:
    user = await with_user(store)
    kept, trashed = await arrived(store, user, "a" * 64), await arrived(store, user, "b" * 64)
    await store.trash_photos(user.id, [trashed.id], utcnow())
    # As an earlier version left it: no usage counters, no USERS index keys, the trash keyed by id.
    await store._call(
        "update_item",
        TableName=store.table,
        Key=_user_key(user.id),
        UpdateExpression="REMOVE photo_count, variant_bytes, GSI1PK, GSI1SK",
    )
    stored = await store.get_photo(trashed.id)
    assert stored is not None and stored.trashed_at is not None
    new_key = _trash_key(stored)
    item = await store._get(new_key)
    assert item is not None
    await store._call("delete_item", TableName=store.table, Key=new_key)
    await store._call("put_item", TableName=store.table, Item={**item, "SK": {"S": f"TRASH#{trashed.id}"}})
    await store._call("delete_item", TableName=store.table, Key=MARKER)
    assert await store.usage(user.id) == Usage(photo_count=0, variant_bytes=0)  # what it would say

    await store.migrate()
    assert await store.usage(user.id) == Usage(photo_count=2, variant_bytes=0)
    assert [p.id for p in await store.list_trash(user.id, limit=10, after=None)] == [trashed.id]
    assert await store.restore_photos(user.id, None, utcnow()) == [trashed.id]
    assert await store._get(_key_of(user.id, f"TRASH#{trashed.id}")) is None
    assert await store.prune_changes(utcnow() + timedelta(days=1)) >= 1  # the user is found again
    assert {kept.id, trashed.id} == set((await store.changes_since(user.id, None, 10)).photo_ids)
    await store.migrate()  # once done, done: the counters stay as they are
    assert await store.usage(user.id) == Usage(photo_count=2, variant_bytes=0)


def _key_of(user_id: str, sk: str) -> dict:
    return {"PK": {"S": f"USER#{user_id}"}, "SK": {"S": sk}}


def answer_lost_once(store: DynamoMetaStore, operation: str) -> list[int]:
    """Make the next ``operation`` (e.g. ``TransactWriteItems``) reach the table while botocore
    sees a read timeout, so that its retry sends it again: what happens when a write lands
    but its answer is late under load. The list gets the first send's HTTP status."""
    sent: list[int] = []

    def send_once_unheard(request, **_: object) -> None:
        if not sent:
            http = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers), method="POST")
            with urllib.request.urlopen(http, timeout=10) as answer:
                sent.append(answer.status)
            raise ReadTimeoutError(endpoint_url=request.url)  # botocore's retry sends it again
        return None

    store._client.meta.events.register(f"before-send.dynamodb.{operation}", send_once_unheard)
    return sent


async def test_a_commit_whose_answer_was_lost_is_not_refused_when_the_sdk_sends_it_again(
    store: DynamoMetaStore,
) -> None:
    # DynamoDB answers the repeat by its ClientRequestToken (as the session's moto server now
    # does): the caller must see its write, not a refusal.
    user = await with_user(store, quota=10**6)
    batch = a_batch(user)
    photos, uploads = files(user, batch, 1)
    await store.create_uploads(batch, photos, uploads, 10)
    sent = answer_lost_once(store, "TransactWriteItems")
    assert await store.mark_upload_arrived(uploads[0].id, utcnow()) is True
    assert sent == [200]
    assert (await store.get_upload(uploads[0].id)).state == "processing"
    assert (await store.get_photo(photos[0].id)).status == "processing"


async def test_a_conditional_update_whose_answer_was_lost_reports_its_success(store: DynamoMetaStore) -> None:
    user = await with_user(store)
    sent = answer_lost_once(store, "UpdateItem")
    assert await store.replace_password_hash(user.id, user.password_hash, "new-hash") is True
    assert sent == [200]
    assert (await store.get_user(user.id)).password_hash == "new-hash"


async def test_a_counted_hit_sent_twice_counts_once(store: DynamoMetaStore) -> None:
    now = utcnow()
    # A new window (PutItem) and one more hit in it (UpdateItem ADD), each sent twice.
    sent = answer_lost_once(store, "PutItem")
    assert await store.hit_counter("login:ada", 60, now) == 1
    assert sent == [200]
    sent = answer_lost_once(store, "UpdateItem")
    assert await store.hit_counter("login:ada", 60, now) == 2
    assert sent == [200]
    assert await store.get_counter("login:ada", now) == 2


async def test_a_conditional_delete_whose_answer_was_lost_reports_its_success(store: DynamoMetaStore) -> None:
    user = await with_user(store)
    family = await a_family(store, user)
    sent = answer_lost_once(store, "DeleteItem")
    assert await store.delete_family(family.id) is True
    assert sent == [200]
    assert await store.get_family(family.id) is None
    assert await store.family_of(user.id) is None  # the member items went too
