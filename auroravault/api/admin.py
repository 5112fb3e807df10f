"""Admin endpoints (admin users only): the job queue, and the accounts (issue 14)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from auroravault.api.deps import ADMIN, ADMIN_SERVICE, USERS_ADMIN_SERVICE
from auroravault.api.problems import AUTH, BODY, documented
from auroravault.api.schemas_accounts import AdminUserBody, AdminUsersOut, given
from auroravault.meta.base import Job, JobState, User
from auroravault.services.admin import AdminService
from auroravault.services.users_admin import AdminUser, UserChanges, UsersAdminService


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
        responses=documented(s403="admin_only", s404="job_not_found", s409="job_not_dead, job_unreadable", **AUTH),
    )
    async def retry(
        self, job_id: FromPath[str], user: NamedDependency[User], admin: NamedDependency[AdminService]
    ) -> JobOut:
        job = await admin.retry(job_id)
        return JobOut.of(job)


class AdminUsersController(Controller):
    path = "/admin/users"
    tags = ["admin"]
    dependencies = {**ADMIN, **USERS_ADMIN_SERVICE}

    @get(
        "/",
        summary="Every account, with quota, usage and flags (paged by id)",
        responses=documented(s400="invalid_request, invalid_cursor, invalid_limit", s403="admin_only", **AUTH),
    )
    async def list_users(
        self,
        user: NamedDependency[User],
        users_admin: NamedDependency[UsersAdminService],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> AdminUsersOut:
        page = await users_admin.page(limit=limit, cursor=cursor)
        return AdminUsersOut(items=page.items, next_cursor=page.next_cursor)

    @patch(
        "/{user_id:str}",
        summary="Set an account's quota, disable or enable it, make or unmake an admin",
        responses=documented(
            s403="admin_only",
            s404="user_not_found",
            s409="last_admin (the server's last admin cannot be disabled or unmade)",
            **BODY,
            **AUTH,
        ),
    )
    async def update_user(
        self,
        user_id: FromPath[str],
        data: JSONBody[AdminUserBody],
        user: NamedDependency[User],
        users_admin: NamedDependency[UsersAdminService],
    ) -> AdminUser:
        changes = UserChanges(
            quota_bytes=given(data.quota_bytes), disabled=given(data.disabled), is_admin=given(data.is_admin)
        )
        return await users_admin.update(user_id, changes)
