"""Storage adapters, loaded lazily: an optional backend's library is imported only when chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from auroravault.config import Settings
    from auroravault.storage.base import BlobStore


def build_blob_store(settings: Settings, secret: bytes, executor: Executor | None = None) -> BlobStore:
    """The configured store; its blocking calls run in ``executor`` (else a bounded pool of its own)."""
    backend = settings.storage.backend
    if backend == "local":
        from auroravault.storage.local import LocalBlobStore

        return LocalBlobStore(
            settings.local_root, base_url=settings.server.base_url(), secret=secret, executor=executor
        )
    if backend == "s3":
        from auroravault.storage.s3 import S3BlobStore

        return S3BlobStore(settings.s3, executor=executor)
    if backend == "minio":
        from auroravault.storage.minio import MinioBlobStore

        return MinioBlobStore(settings.s3, executor=executor)
    raise ValueError(f"unknown storage backend {backend!r}")
