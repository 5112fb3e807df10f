"""The ``meta`` fixture: one case per MetaStore adapter, each on a real engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from auroravault.meta.base import MetaStore
from auroravault.meta.sqlite import SqliteMetaStore

ADAPTERS = ["sqlite"]


@pytest.fixture(params=ADAPTERS)
async def meta(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MetaStore]:
    store: MetaStore
    if request.param == "sqlite":
        store = SqliteMetaStore(tmp_path / "meta.db")
    else:  # pragma: no cover - every param is handled above
        raise AssertionError(request.param)
    await store.migrate()
    try:
        yield store
    finally:
        await store.close()
