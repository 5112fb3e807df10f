"""Permanent deletion on real storage: original and variants leave a local folder, S3 and
MinIO (SeaweedFS); a run cut short by a storage outage leaves the photo whole in meta
(still being deleted, still counted) and a rerun finishes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from auroravault.errors import Unavailable
from auroravault.jobs.queue import JobQueue
from auroravault.meta.base import Photo
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.services.deletion import DeletionService
from auroravault.storage.base import BlobStore, original_key, preview_key, thumb_key
from auroravault.storage.local import LocalBlobStore
from auroravault.timeutil import utcnow
from tests.conftest import make_settings
from tests.meta.test_contract import SHA_A, a_batch, photo_and_upload, with_user
from tests.servers.fixtures import make_minio_store, make_s3_store, unique_bucket
from tests.servers.seaweedfs import SeaweedFS


@pytest.fixture
async def meta(tmp_path: Path) -> AsyncIterator[SqliteMetaStore]:
    store = SqliteMetaStore(tmp_path / "meta.db")
    await store.migrate()
    yield store
    await store.close()


async def stored_photo(meta: SqliteMetaStore, blobs: BlobStore, tmp_path: Path) -> Photo:
    """A ready photo with its original and both variants in storage, in the trash."""
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A, size=5)
    await meta.create_uploads(batch, [photo], [upload], 5)
    await meta.mark_upload_arrived(upload.id, utcnow())
    ready = await meta.get_photo(photo.id)
    assert ready is not None
    ready.status, ready.variants_bytes = "ready", 6
    await meta.save_processed_photo(ready, "processing")
    source = tmp_path / "bytes"
    source.write_bytes(b"abc")
    for key in (original_key(user.id, photo.id), thumb_key(user.id, photo.id), preview_key(user.id, photo.id)):
        await blobs.put_file(key, source, content_type="image/jpeg")
    assert await meta.trash_photos(user.id, [photo.id], utcnow()) == [photo.id]
    [marked] = await meta.mark_deleting(user.id, [photo.id], utcnow())
    return marked


async def keys_of(blobs: BlobStore, photo: Photo) -> list[str]:
    return [o.key async for o in blobs.list(f"{photo.owner_id}/{photo.id}/")]


def deletion(meta: SqliteMetaStore, blobs: BlobStore, tmp_path: Path) -> DeletionService:
    settings = make_settings(tmp_path)
    return DeletionService(meta, blobs, JobQueue(meta, settings.jobs), settings)


async def assert_gone(meta: SqliteMetaStore, blobs: BlobStore, photo: Photo) -> None:
    assert await meta.get_photo(photo.id) is None
    assert await keys_of(blobs, photo) == []
    user = await meta.get_user(photo.owner_id)
    assert user is not None and user.used_bytes == 0
    assert await meta.deleted_sha256(photo.owner_id, [photo.sha256]) == [photo.sha256]


async def test_deletion_on_local_storage_removes_everything_and_is_idempotent(meta, tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path / "blobs", base_url="http://x", secret=b"k" * 32)
    photo = await stored_photo(meta, blobs, tmp_path)
    service = deletion(meta, blobs, tmp_path)
    await service.handle({"photo_id": photo.id})
    await assert_gone(meta, blobs, photo)
    await service.handle({"photo_id": photo.id})  # a second delivery of the job does no harm
    await assert_gone(meta, blobs, photo)


@pytest.mark.parametrize("kind", ["s3", "minio"])
async def test_a_storage_outage_mid_deletion_is_finished_by_the_rerun(meta, tmp_path: Path, kind: str) -> None:
    with SeaweedFS() as server:
        factory = make_s3_store if kind == "s3" else make_minio_store
        blobs = factory(server, unique_bucket("del"))
        try:
            photo = await stored_photo(meta, blobs, tmp_path)
            service = deletion(meta, blobs, tmp_path)
            # A first run got as far as the thumbnail, then storage went away.
            await blobs.delete(thumb_key(photo.owner_id, photo.id))
            server.stop(kill=True)
            with pytest.raises(Unavailable):
                await service.handle({"photo_id": photo.id})
            left = await meta.get_photo(photo.id)
            assert left is not None and left.deleting_at is not None  # nothing half-deleted in meta
            user = await meta.get_user(photo.owner_id)
            assert user is not None and user.used_bytes == 5  # still counted until it is gone
            assert await meta.list_trash(photo.owner_id, limit=10, after=None) == []  # no longer restorable
            server.start()
            await service.handle({"photo_id": photo.id})
            await assert_gone(meta, blobs, photo)
        finally:
            await blobs.close()


async def test_the_daily_expiry_queues_photos_trashed_too_long_ago(meta, tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path / "blobs", base_url="http://x", secret=b"k" * 32)
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A, size=5)
    await meta.create_uploads(batch, [photo], [upload], 5)
    await meta.mark_upload_arrived(upload.id, utcnow())
    await meta.trash_photos(user.id, [photo.id], utcnow() - timedelta(days=31))
    service = deletion(meta, blobs, tmp_path)
    assert await service.expire_trash() == 1
    [job] = await meta.list_jobs("queued", 10)
    assert job.kind == "delete_photo" and job.payload == {"photo_id": photo.id}
    assert await service.expire_trash() == 1  # queued again at most once: the dedupe key holds
    assert len(await meta.list_jobs("queued", 10)) == 1
