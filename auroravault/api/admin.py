"""Admin endpoints (admin users only): the job queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from auroravault.api.deps import ADMIN, ADMIN_SERVICE
from auroravault.api.problems import AUTH, documented
from auroravault.meta.base import Job, JobState, User
from auroravault.services.admin import AdminService


class JobOut(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    state: str
    attempts: int
    run_at: datetime
    last_error: str | None
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            state=job.state,
            attempts=job.attempts,
            run_at=job.run_at,
            last_error=job.last_error,
            payload=job.payload,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )


class JobsOut(msgspec.Struct, kw_only=True):
    counts: dict[str, int]
    items: list[JobOut]


class AdminController(Controller):
    path = "/admin"
    tags = ["admin"]
    dependencies = {**ADMIN, **ADMIN_SERVICE}

    @get("/jobs", summary="Jobs by state, with counts and last errors", responses=documented(s403="admin_only", **AUTH))
    async def jobs(
        self,
        user: NamedDependency[User],
        admin: NamedDependency[AdminService],
        state_filter: Annotated[JobState | None, QueryParameter(name="state")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> JobsOut:
        counts, jobs = await admin.jobs(state_filter, limit)
        return JobsOut(counts=counts, items=[JobOut.of(j) for j in jobs])

    @post(
        "/jobs/{job_id:str}/retry",
        status_code=200,
        summary="Queue a dead job again",
        responses=documented(s403="admin_only", s404="job_not_found", s409="job_not_dead", **AUTH),
    )
    async def retry(
        self, job_id: FromPath[str], user: NamedDependency[User], admin: NamedDependency[AdminService]
    ) -> JobOut:
        job = await admin.retry(job_id)
        return JobOut.of(job)
