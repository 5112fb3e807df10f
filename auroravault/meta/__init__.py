"""Meta adapters, loaded lazily: an optional backend's library is imported only when chosen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auroravault.config import Settings
    from auroravault.meta.base import MetaStore


def build_meta_store(settings: Settings) -> MetaStore:
    backend = settings.meta.backend
    if backend == "sqlite":
        from auroravault.meta.sqlite import SqliteMetaStore

        return SqliteMetaStore(settings.sqlite_path)
    if backend == "dynamodb":
        from auroravault.meta.dynamodb import DynamoMetaStore

        return DynamoMetaStore(settings.dynamodb)
    raise ValueError(f"unknown meta backend {backend!r}")


@asynccontextmanager
async def migrated_meta_store(settings: Settings) -> AsyncIterator[MetaStore]:
    """The configured meta store, migrated, closed after use: for the operator's commands."""
    meta = build_meta_store(settings)
    try:
        await meta.migrate()
        yield meta
    finally:
        await meta.close()
