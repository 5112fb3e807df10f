"""Durable jobs on SQLite: the ``Job`` as JSON in ``data`` beside the columns claims and listings use."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from auroravault.meta.base import Job, JobState
from auroravault.meta.sqlite.codec import dump, iso_or_none, load
from auroravault.meta.sqlite.connection import Connections
from auroravault.timeutil import from_iso, to_iso


async def insert_job(conn: aiosqlite.Connection, job: Job) -> bool:
    """Enqueue ``job`` in the caller's transaction; False when its dedupe key is taken."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO jobs (id, kind, state, run_at, lease_until, lease_owner, dedupe_key,"
        " updated_at, data) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?)",
        (job.id, job.kind, job.state, to_iso(job.run_at), job.dedupe_key, to_iso(job.updated_at), dump(job)),
    )
    return bool(cur.rowcount == 1)


async def _write_job(conn: aiosqlite.Connection, job: Job) -> None:
    await conn.execute(
        "UPDATE jobs SET state = ?, run_at = ?, lease_until = ?, lease_owner = ?, updated_at = ?, data = ?"
        " WHERE id = ?",
        (
            job.state,
            to_iso(job.run_at),
            iso_or_none(job.lease_until),
            job.lease_owner,
            to_iso(job.updated_at),
            dump(job),
            job.id,
        ),
    )


async def _read_job(conn: aiosqlite.Connection, job_id: str) -> Job | None:
    async with conn.execute("SELECT data FROM jobs WHERE id = ?", (job_id,)) as cur:
        row = await cur.fetchone()
    return load(Job, row[0]) if row else None


class JobOps(Connections):
    async def enqueue_job(self, job: Job) -> bool:
        async with self._tx() as conn:
            return await insert_job(conn, job)

    async def claim_jobs(self, now: datetime, owner: str, lease_seconds: int, limit: int) -> list[Job]:
        stamp = to_iso(now)
        async with self._tx() as conn:
            async with conn.execute(
                "SELECT data FROM jobs WHERE (state = 'queued' AND run_at <= ?)"
                " OR (state = 'running' AND lease_until < ?) ORDER BY run_at LIMIT ?",
                (stamp, stamp, limit),
            ) as cur:
                rows = await cur.fetchall()
            claimed = []
            for row in rows:
                job = load(Job, row[0])
                job.state = "running"
                job.attempts += 1
                job.lease_owner = owner
                job.lease_until = now + timedelta(seconds=lease_seconds)
                job.updated_at = now
                await _write_job(conn, job)
                claimed.append(job)
            return claimed

    async def finish_job(self, job_id: str, owner: str, now: datetime) -> bool:
        async with self._tx() as conn:
            job = await _read_job(conn, job_id)
            if job is None or job.state != "running" or job.lease_owner != owner:
                return False
            job.state = "done"
            job.lease_until = None
            job.updated_at = now
            await _write_job(conn, job)
            return True

    async def fail_job(self, job_id: str, owner: str, error: str, retry_at: datetime | None, now: datetime) -> bool:
        async with self._tx() as conn:
            job = await _read_job(conn, job_id)
            if job is None or job.state != "running" or job.lease_owner != owner:
                return False
            job.last_error = error[:2000]
            job.lease_until = None
            job.updated_at = now
            if retry_at is None:
                job.state = "dead"
            else:
                job.state = "queued"
                job.run_at = retry_at
            await _write_job(conn, job)
            return True

    async def get_job(self, job_id: str) -> Job | None:
        return await self._one(Job, "SELECT data FROM jobs WHERE id = ?", (job_id,))

    async def get_job_by_dedupe_key(self, dedupe_key: str) -> Job | None:
        return await self._one(Job, "SELECT data FROM jobs WHERE dedupe_key = ?", (dedupe_key,))

    async def list_jobs(self, state: JobState | None, limit: int) -> list[Job]:
        if state is None:
            return await self._all(Job, "SELECT data FROM jobs ORDER BY updated_at DESC LIMIT ?", (limit,))
        return await self._all(
            Job, "SELECT data FROM jobs WHERE state = ? ORDER BY updated_at DESC LIMIT ?", (state, limit)
        )

    async def job_counts(self) -> dict[str, int]:
        rows = await self._fetch("SELECT state, count(*) FROM jobs GROUP BY state")
        counts = {"queued": 0, "running": 0, "done": 0, "dead": 0}
        counts.update({row[0]: row[1] for row in rows})
        return counts

    async def retry_job(self, job_id: str, now: datetime) -> bool:
        async with self._tx() as conn:
            job = await _read_job(conn, job_id)
            if job is None or job.state != "dead":
                return False
            job.state = "queued"
            job.attempts = 0
            job.run_at = now
            job.updated_at = now
            await _write_job(conn, job)
            return True

    async def next_job_due(self) -> datetime | None:
        rows = await self._fetch("SELECT min(run_at) FROM jobs WHERE state = 'queued'")
        if not rows or rows[0][0] is None:
            return None
        return from_iso(rows[0][0])

    async def purge_jobs(self, before: datetime) -> int:
        async with self._tx() as conn:
            cur = await conn.execute("DELETE FROM jobs WHERE state = 'done' AND updated_at < ?", (to_iso(before),))
            return cur.rowcount
