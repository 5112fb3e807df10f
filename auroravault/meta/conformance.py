"""Proof, checked by mypy, that every adapter implements every store protocol.

Nothing calls these functions: ``mypy`` (which checks the whole package) fails on the
argument that names the protocol, with the member at fault, as soon as an adapter lacks a
method of it or gives one another signature. ``tests/meta/test_protocols.py`` checks at run
time that the protocols split ``MetaStore`` cleanly and that each adapter has every method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auroravault.meta.base import MetaStore
    from auroravault.meta.dynamodb import DynamoMetaStore
    from auroravault.meta.protocols import (
        AccountStore,
        JobStore,
        LibraryStore,
        PhotoStore,
        StoreLifecycle,
        UploadStore,
    )
    from auroravault.meta.sqlite import SqliteMetaStore


def _every_store(
    *,
    accounts: AccountStore,
    photos: PhotoStore,
    uploads: UploadStore,
    jobs: JobStore,
    library: LibraryStore,
    lifecycle: StoreLifecycle,
    meta: MetaStore,
) -> None:
    """Takes one store as each protocol: mypy checks every argument against its type."""


def _sqlite(store: SqliteMetaStore) -> None:
    _every_store(accounts=store, photos=store, uploads=store, jobs=store, library=store, lifecycle=store, meta=store)


def _dynamodb(store: DynamoMetaStore) -> None:
    _every_store(accounts=store, photos=store, uploads=store, jobs=store, library=store, lifecycle=store, meta=store)
