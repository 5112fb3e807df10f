"""``auroravault places backfill``, run as an admin runs it: a real process on a real vault."""

from __future__ import annotations

import asyncio
from pathlib import Path

from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.services.places_backfill import PLACES_BACKFILL
from tests.test_cli import run


def _backfill_jobs(db: Path) -> list:
    async def read() -> list:
        meta = SqliteMetaStore(db)
        try:
            return [job for job in await meta.list_jobs("queued", 100) if job.kind == PLACES_BACKFILL]
        finally:
            await meta.close()

    return asyncio.run(read())


def test_backfill_queues_a_walk_per_named_account_and_refuses_unknown_ones(tmp_path: Path) -> None:
    env = {"AURORAVAULT_PASSWORD": "a long enough password"}
    made = run("user", "create", "--email", "ada@example.com", "--name", "Ada", env=env, tmp=tmp_path)
    assert made.returncode == 0, made.stderr
    done = run("places", "backfill", "--email", "Ada@example.com", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "places backfill queued" in done.stdout
    [job] = _backfill_jobs(tmp_path / "data" / "auroravault.db")
    assert job.payload["page"] == 0 and job.payload["after"] is None
    # Run again: a walk of its own (the first one may be done by now on a running server).
    assert run("places", "backfill", "--email", "ada@example.com", tmp=tmp_path).returncode == 0
    assert len(_backfill_jobs(tmp_path / "data" / "auroravault.db")) == 2

    unknown = run("places", "backfill", "--email", "nobody@example.com", tmp=tmp_path)
    assert unknown.returncode == 1 and "user_not_found" in unknown.stderr
    assert len(_backfill_jobs(tmp_path / "data" / "auroravault.db")) == 2
