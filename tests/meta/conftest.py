"""The ``meta`` fixture: one case per MetaStore adapter, each on a real engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from auroravault.config import DynamoDBSettings
from auroravault.meta.base import MetaStore
from auroravault.meta.sqlite import SqliteMetaStore
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name

ADAPTERS = ["sqlite", "dynamodb"]


def dynamo_settings(endpoint: str) -> DynamoDBSettings:
    """Settings for a fresh table on the session's moto server."""
    return DynamoDBSettings(table=unique_name("meta"), region=MOTO_REGION, endpoint_url=endpoint, **MOTO_CREDENTIALS)


@pytest.fixture(params=ADAPTERS)
async def meta(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MetaStore]:
    store: MetaStore
    if request.param == "sqlite":
        store = SqliteMetaStore(tmp_path / "meta.db")
    elif request.param == "dynamodb":
        from auroravault.meta.dynamodb import DynamoMetaStore

        store = DynamoMetaStore(dynamo_settings(request.getfixturevalue("moto_server")))
    else:  # pragma: no cover - every param is handled above
        raise AssertionError(request.param)
    await store.migrate()
    try:
        yield store
    finally:
        await store.close()
