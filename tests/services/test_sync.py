"""The change feed's retention: the daily pruning, and 410 ``sync_expired`` for a client whose
last sync is older than what the feed keeps, so it never silently misses a deletion."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from auroravault.errors import Gone
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.services.sync import SyncService, decode_token, encode_token
from auroravault.timeutil import utcnow
from tests.conftest import make_settings
from tests.meta.test_contract import SHA_A, SHA_B, arrived, with_user

DAY = timedelta(days=1)


@pytest.fixture
async def meta(tmp_path: Path) -> AsyncIterator[SqliteMetaStore]:
    store = SqliteMetaStore(tmp_path / "meta.db")
    await store.migrate()
    yield store
    await store.close()


def aged(sync: SyncService, user_id: str, token: str, days: float) -> str:
    """``token`` as the server would have given it out ``days`` ago (same feed position)."""
    position = decode_token(user_id, token, utcnow() - 10 * sync.kept)
    return encode_token(user_id, position, utcnow() - timedelta(days=days))


async def test_a_token_older_than_the_feed_keeps_is_gone_and_a_fresh_sync_still_names_every_photo(
    meta: SqliteMetaStore, tmp_path: Path
) -> None:
    sync = SyncService(meta, make_settings(tmp_path, library={"changes_days": 30}))
    user = await with_user(meta)
    kept, gone = await arrived(meta, user, SHA_A), await arrived(meta, user, SHA_B)
    first = await sync.changes(user, None)
    # Long ago: a favorite set, then a photo trashed and deleted for good.
    await meta.set_flags(user.id, [kept.id], favorite=True, archived=None, now=utcnow() - 40 * DAY)
    await meta.trash_photos(user.id, [gone.id], utcnow() - 40 * DAY)
    await meta.mark_deleting(user.id, [gone.id], utcnow() - 40 * DAY)
    await meta.finish_deletion(gone.id, utcnow() - 40 * DAY)

    assert await sync.prune() > 0  # the feed loses the deletion of `gone`
    assert await sync.prune() == 0
    with pytest.raises(Gone) as expired:
        await sync.changes(user, aged(sync, user.id, first.next, days=31))
    assert expired.value.code == "sync_expired" and expired.value.status_code == 410
    # Within the retention a token works; and a sync from the start still names every photo.
    assert (await sync.changes(user, aged(sync, user.id, first.next, days=29))).more is False
    fresh = await sync.changes(user, None)
    assert [(p.id, f.favorite) for p, f in fresh.changed] == [(kept.id, True)]
    assert kept.id not in fresh.deleted


async def test_pruning_leaves_what_a_valid_token_needs(meta: SqliteMetaStore, tmp_path: Path) -> None:
    sync = SyncService(meta, make_settings(tmp_path, library={"changes_days": 30}))
    user = await with_user(meta)
    photo = await arrived(meta, user, SHA_A)
    start = await sync.changes(user, None)
    # 29.5 days ago, after the token was given out: within the retention, so it must stay.
    await meta.set_flags(user.id, [photo.id], favorite=True, archived=None, now=utcnow() - 29.5 * DAY)
    await meta.trash_photos(user.id, [photo.id], utcnow() - 29.5 * DAY)
    await sync.prune()
    page = await sync.changes(user, aged(sync, user.id, start.next, days=29.9))
    assert [p.id for p, _ in page.changed] == [photo.id] and page.changed[0][0].trashed_at is not None
