"""The services of one app instance, built from settings and adapters."""

from __future__ import annotations

from dataclasses import dataclass

from auroravault.config import Settings
from auroravault.meta.base import MetaStore
from auroravault.services.accounts import AccountService
from auroravault.services.photos import PhotoService
from auroravault.services.uploads import UploadService
from auroravault.storage.base import BlobStore


@dataclass
class Services:
    settings: Settings
    meta: MetaStore
    blobs: BlobStore
    accounts: AccountService
    uploads: UploadService
    photos: PhotoService

    @classmethod
    def build(cls, settings: Settings, meta: MetaStore, blobs: BlobStore) -> Services:
        return cls(
            settings=settings,
            meta=meta,
            blobs=blobs,
            accounts=AccountService(meta, settings),
            uploads=UploadService(meta, blobs, settings),
            photos=PhotoService(meta, blobs, settings),
        )
