"""The job queue: enqueue with dedupe keys, claims by lease, and the state index (GSI1/GSI2)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from auroravault.errors import Unavailable
from auroravault.meta.base import Job, JobState
from auroravault.meta.dynamodb.client import TableClient, _Canceled, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record
from auroravault.meta.dynamodb.keys import GSI1, GSI2, _dedupe_key, _job_index, _job_key
from auroravault.timeutil import from_iso, to_iso

JOB_STATES: tuple[JobState, ...] = ("queued", "running", "done", "dead")


class JobOps(TableClient):
    """Jobs: one item each, indexed by state (GSI1) and by due time (GSI2)."""

    # -- jobs ----------------------------------------------------------------------------------
    def _job_item(self, job: Job) -> AttrMap:
        index = _job_index(job.id, job.state, job.updated_at, job.run_at, job.lease_until)
        return {**_item(job, **index), **_job_key(job.id)}

    def _enqueue_ops(self, job: Job) -> list[dict[str, Any]]:
        """The transaction items that store a new job: the job, and its dedupe key if any."""
        ops = [{"Put": self._put(self._job_item(job), "attribute_not_exists(PK)")}]
        if job.dedupe_key is not None:
            dedupe = {**_dedupe_key(job.dedupe_key), "job_id": {"S": job.id}}
            ops.append({"Put": self._put(dedupe, "attribute_not_exists(PK)")})
        return ops

    async def _free_dangling_dedupe(self, dedupe_key: str) -> bool:
        """Delete a ``DEDUPE#`` item whose job no longer exists; True if it did. With SQLite's
        UNIQUE column a key dies with its job; here an item left alone would block the key forever."""
        pointer = await self._get(_dedupe_key(dedupe_key))
        if pointer is None:
            return True
        job_id = pointer["job_id"]["S"]
        if await self._get(_job_key(job_id)) is not None:
            return False
        e = _Expr()
        try:
            await self._call(
                "delete_item", **self._delete(_dedupe_key(dedupe_key), f"{e.n('job_id')} = {e.v(job_id)}", e)
            )
        except _ConditionFailed:
            return False  # another job took the key meanwhile
        return True

    async def enqueue_job(self, job: Job) -> bool:
        ops = self._enqueue_ops(job)
        if job.dedupe_key is None:
            try:
                await self._call("put_item", **ops[0]["Put"])
                return True
            except _ConditionFailed:
                return False
        for _ in range(2):
            try:
                await self._transact(ops)
                return True
            except _Canceled as exc:
                if exc.failed(0):
                    return False
                if not exc.failed(1):
                    raise Unavailable("meta_unavailable", f"enqueue was cancelled: {exc}") from None
                if not await self._free_dangling_dedupe(job.dedupe_key):
                    return False
        return False

    async def _set_job(
        self,
        job_id: str,
        fields: dict[str, Any],
        cond: str,
        e: _Expr,
        *,
        extra_set: Iterable[str] = (),
    ) -> Job | None:
        """Conditional UpdateItem of a job; the new job, or None when the condition failed."""
        try:
            out = await self._call(
                "update_item",
                ReturnValues="ALL_NEW",
                **self._update(_job_key(job_id), e.update(fields, extra_set=extra_set), e, cond),
            )
        except _ConditionFailed:
            return None
        return _record(Job, out["Attributes"])

    async def claim_jobs(self, now: datetime, owner: str, lease_seconds: int, limit: int) -> list[Job]:
        """GSI2 nominates due jobs (queued by ``run_at``, running by ``lease_until``); each
        is then taken with a conditional UpdateItem that re-checks due-ness on the item
        itself. The winner's lease ends after ``now``, so at this ``now`` the condition is
        false for everyone else: a lagging index only costs a failed attempt."""
        if limit <= 0:
            return []
        stamp = to_iso(now)
        lease_until = now + timedelta(seconds=lease_seconds)
        page = max(2 * limit, 10)
        streams = {
            "queued": {"bound": stamp + "$", "start": None, "open": True},  # run_at <= now
            "running": {"bound": stamp, "start": None, "open": True},  # lease_until < now
        }
        claimed: list[Job] = []
        tried: set[str] = set()

        async def claim(job_id: str) -> Job | None:
            e = _Expr()
            state, run_at, until = e.n("state"), e.n("run_at"), e.n("lease_until")
            cond = (
                f"({state} = {e.v('queued')} AND {run_at} <= {e.v(stamp)})"
                f" OR ({state} = {e.v('running')} AND {until} < {e.v(stamp)})"
            )
            fields: dict[str, Any] = {
                "state": "running",
                "lease_owner": owner,
                "lease_until": lease_until,
                "updated_at": now,
                **_job_index(job_id, "running", now, now, lease_until),
            }
            return await self._set_job(
                job_id, fields, cond, e, extra_set=[f"{e.n('attempts')} = {e.n('attempts')} + {e.v(1)}"]
            )

        while len(claimed) < limit and any(s["open"] for s in streams.values()):
            candidates: list[tuple[str, str]] = []
            for state, stream in streams.items():
                if not stream["open"]:
                    continue
                e = _Expr()
                query = e.args(
                    TableName=self.table,
                    IndexName=GSI2,
                    KeyConditionExpression=f"GSI2PK = {e.v(f'JOBSDUE#{state}')} AND GSI2SK < {e.v(stream['bound'])}",
                    Limit=page,
                )
                if stream["start"] is not None:
                    query["ExclusiveStartKey"] = stream["start"]
                out = await self._call("query", **query)
                candidates += [(i["run_at"]["S"], i["id"]["S"]) for i in out.get("Items", [])]
                stream["start"] = out.get("LastEvaluatedKey")
                stream["open"] = stream["start"] is not None
            queue = [job_id for _, job_id in sorted(candidates) if job_id not in tried]
            # Pages come in due order; within one, racing claimers try jobs in their own
            # random order, so they mostly take different jobs instead of all colliding.
            random.shuffle(queue)
            while queue and len(claimed) < limit:
                wave, queue = queue[: limit - len(claimed)], queue[limit - len(claimed) :]
                tried.update(wave)
                results = await asyncio.gather(*(claim(job_id) for job_id in wave))
                claimed += [job for job in results if job is not None]
        return claimed

    async def finish_job(self, job_id: str, owner: str, now: datetime) -> bool:
        e = _Expr()
        cond = f"{e.n('state')} = {e.v('running')} AND {e.n('lease_owner')} = {e.v(owner)}"
        fields = {"state": "done", "lease_until": None, "updated_at": now, **_job_index(job_id, "done", now, now, None)}
        return await self._set_job(job_id, fields, cond, e) is not None

    async def fail_job(self, job_id: str, owner: str, error: str, retry_at: datetime | None, now: datetime) -> bool:
        e = _Expr()
        cond = f"{e.n('state')} = {e.v('running')} AND {e.n('lease_owner')} = {e.v(owner)}"
        state = "dead" if retry_at is None else "queued"
        fields: dict[str, Any] = {"state": state, "last_error": error[:2000], "lease_until": None, "updated_at": now}
        if retry_at is not None:
            fields["run_at"] = retry_at
        fields.update(_job_index(job_id, state, now, retry_at or now, None))
        return await self._set_job(job_id, fields, cond, e) is not None

    async def get_job(self, job_id: str) -> Job | None:
        return await self._get_record(Job, _job_key(job_id))

    async def get_job_by_dedupe_key(self, dedupe_key: str) -> Job | None:
        pointer = await self._get(_dedupe_key(dedupe_key))
        return await self.get_job(pointer["job_id"]["S"]) if pointer else None

    async def _jobs_in(self, state: JobState, limit: int) -> list[Job]:
        e = _Expr()
        query = e.args(
            TableName=self.table,
            IndexName=GSI1,
            KeyConditionExpression=f"GSI1PK = {e.v(f'JOBS#{state}')}",
            ScanIndexForward=False,
            Limit=limit,
        )
        out = await self._call("query", **query)
        return [_record(Job, item) for item in out.get("Items", [])]

    async def list_jobs(self, state: JobState | None, limit: int) -> list[Job]:
        if limit <= 0:
            return []
        states = JOB_STATES if state is None else (state,)
        found = [job for part in await asyncio.gather(*(self._jobs_in(s, limit) for s in states)) for job in part]
        return sorted(found, key=lambda j: (j.updated_at, j.id), reverse=True)[:limit]

    async def job_counts(self) -> dict[str, int]:
        async def count(state: str) -> int:
            e = _Expr()
            query = e.args(IndexName=GSI1, KeyConditionExpression=f"GSI1PK = {e.v(f'JOBS#{state}')}", Select="COUNT")
            query["TableName"] = self.table
            total = 0
            while True:
                out = await self._call("query", **query)
                total += int(out.get("Count", 0))
                if "LastEvaluatedKey" not in out:
                    return total
                query["ExclusiveStartKey"] = out["LastEvaluatedKey"]

        totals = await asyncio.gather(*(count(s) for s in JOB_STATES))
        return dict(zip(JOB_STATES, totals, strict=True))

    async def retry_job(self, job_id: str, now: datetime) -> bool:
        e = _Expr()
        fields = {
            "state": "queued",
            "attempts": 0,
            "run_at": now,
            "updated_at": now,
            **_job_index(job_id, "queued", now, now, None),
        }
        return await self._set_job(job_id, fields, f"{e.n('state')} = {e.v('dead')}", e) is not None

    async def next_job_due(self) -> datetime | None:
        e = _Expr()
        query = e.args(
            TableName=self.table,
            IndexName=GSI2,
            KeyConditionExpression=f"GSI2PK = {e.v('JOBSDUE#queued')}",
            Limit=1,
        )
        items = (await self._call("query", **query)).get("Items", [])
        return from_iso(items[0]["run_at"]["S"]) if items else None

    async def purge_jobs(self, before: datetime) -> int:
        # GSI1SK is "<updated_at>#<id>": updated before `before` sorts below "<before>".
        e = _Expr()
        query = e.args(
            IndexName=GSI1,
            KeyConditionExpression=f"GSI1PK = {e.v('JOBS#done')} AND GSI1SK < {e.v(to_iso(before))}",
        )
        victims = [_record(Job, item) async for item in self._query(**query)]

        async def purge(job: Job) -> bool:
            e = _Expr()
            delete = self._delete(
                _job_key(job.id),
                f"{e.n('state')} = {e.v('done')} AND {e.n('updated_at')} < {e.v(to_iso(before))}",
                e,
            )
            try:
                if job.dedupe_key is None:
                    await self._call("delete_item", **delete)
                else:  # the key is free again once its job is gone, as with a UNIQUE column
                    d = _Expr()
                    mine = f"attribute_not_exists(PK) OR {d.n('job_id')} = {d.v(job.id)}"
                    await self._transact(
                        [{"Delete": delete}, {"Delete": self._delete(_dedupe_key(job.dedupe_key), mine, d)}]
                    )
                return True
            except (_ConditionFailed, _Canceled):
                return False

        return sum(await asyncio.gather(*(purge(job) for job in victims)))
