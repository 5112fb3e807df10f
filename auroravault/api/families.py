"""Families: create, show, rename, quotas, invitations, joining, members (DESIGN.md "Families and sharing")."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath, JSONBody

from auroravault.api.deps import FAMILIES_SERVICE, USER
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas_families import (
    FamilyCreate,
    FamilyEdit,
    FamilyMemberEdit,
    FamilyMemberOut,
    FamilyOut,
    InviteCreate,
    InviteOut,
    InvitePreview,
    JoinBody,
)
from auroravault.meta.base import User
from auroravault.services.families import FamilyService

NOT_FOUND = "family_not_found"
OWNER = {"s403": "not_allowed", "s404": NOT_FOUND}


def _allow(methods: str) -> Response[None]:
    return Response(None, status_code=204, headers={"Allow": methods})


class FamilyController(Controller):
    path = "/family"
    tags = ["families"]
    dependencies = {**USER, **FAMILIES_SERVICE}

    # Litestar's own OPTIONS answer names only the first handler of a path, and a path's
    # handlers register in name order: these ``allow_*`` come first (see ``api/albums``).
    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_family(self) -> Response[None]:
        return _allow("DELETE, GET, OPTIONS, PATCH, POST")

    @route("/members/{user_id:str}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_member(self, user_id: FromPath[str]) -> Response[None]:
        return _allow("DELETE, OPTIONS, PATCH")

    @post(
        "/",
        status_code=201,
        summary="Found a family; you are its owner (a user is in at most one family)",
        responses=documented(s409="already_in_family", s422="invalid_family_name", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def create(
        self, data: JSONBody[FamilyCreate], user: NamedDependency[User], families: NamedDependency[FamilyService]
    ) -> FamilyOut:
        return FamilyOut.of(await families.create(user, data.name), user.id)

    @get(
        "/",
        summary="Your family: members with their quotas and usage; pending invitations (owner only)",
        responses=documented(s404=NOT_FOUND, **AUTH, **UNAVAILABLE),
    )
    async def show(self, user: NamedDependency[User], families: NamedDependency[FamilyService]) -> FamilyOut:
        return FamilyOut.of(await families.show(user), user.id)

    @patch(
        "/",
        summary="Rename the family or set its pooled quota (null: none); owner only",
        responses=documented(**OWNER, s422="invalid_family_name, invalid_quota", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def edit(
        self, data: JSONBody[FamilyEdit], user: NamedDependency[User], families: NamedDependency[FamilyService]
    ) -> FamilyOut:
        return FamilyOut.of(await families.edit(user, data), user.id)

    @delete(
        "/",
        summary="Delete the family once you, its owner, are its only member (accounts and photos stay)",
        responses=documented(**OWNER, s409="family_not_empty", **AUTH, **UNAVAILABLE),
    )
    async def delete_family(self, user: NamedDependency[User], families: NamedDependency[FamilyService]) -> None:
        await families.delete(user)

    @post(
        "/invites",
        status_code=201,
        summary="Invite an email (role member); a single-use link valid 7 days goes out by email; owner only",
        responses=documented(
            **OWNER,
            s409="already_member, already_invited",
            s422="invalid_email, invalid_role",
            s429="too_many_invites (with Retry-After)",
            **BODY,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def invite(
        self, data: JSONBody[InviteCreate], user: NamedDependency[User], families: NamedDependency[FamilyService]
    ) -> InviteOut:
        return InviteOut.of(await families.invite(user, data.email, data.role))

    @delete(
        "/invites/{invite_id:str}",
        summary="Revoke a pending invitation: its link stops working at once; owner only",
        responses=documented(s403="not_allowed", s404=f"{NOT_FOUND}, invite_not_found", **AUTH, **UNAVAILABLE),
    )
    async def revoke(
        self, invite_id: FromPath[str], user: NamedDependency[User], families: NamedDependency[FamilyService]
    ) -> None:
        await families.revoke(user, invite_id)

    @post(
        "/join",
        status_code=200,
        summary="Join a family with an invitation token (the link is the permission, whatever your email)",
        responses=documented(
            s404="invite_not_found (unknown, used or revoked)",
            s409="already_in_family",
            s410="invite_expired",
            **BODY,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def join(
        self, data: JSONBody[JoinBody], user: NamedDependency[User], families: NamedDependency[FamilyService]
    ) -> FamilyOut:
        return FamilyOut.of(await families.join(user, data.token), user.id)

    @post(
        "/invitation",
        status_code=200,
        summary="What an invitation's token invites to (no account needed): the family's name, who invited",
        responses=documented(
            s404="invite_not_found (unknown, used or revoked)", s410="invite_expired", **BODY, **UNAVAILABLE
        ),
    )
    async def invitation(self, data: JSONBody[JoinBody], families: NamedDependency[FamilyService]) -> InvitePreview:
        return await families.preview(data.token)

    @patch(
        "/members/{user_id:str}",
        summary="Set a member's quota (null: their account's own) or role (member); owner only",
        responses=documented(
            s403="not_allowed",
            s404=f"{NOT_FOUND}, member_not_found",
            s409="owner_cannot_leave",
            s422="invalid_role, invalid_quota",
            **BODY,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def edit_member(
        self,
        user_id: FromPath[str],
        data: JSONBody[FamilyMemberEdit],
        user: NamedDependency[User],
        families: NamedDependency[FamilyService],
    ) -> FamilyMemberOut:
        return FamilyMemberOut.of(await families.edit_member(user, user_id, data))

    @delete(
        "/members/{user_id:str}",
        summary="Remove a member (owner), or leave the family (a member, with your own id)",
        responses=documented(
            s403="not_allowed", s404=f"{NOT_FOUND}, member_not_found", s409="owner_cannot_leave", **AUTH, **UNAVAILABLE
        ),
    )
    async def remove_member(
        self, user_id: FromPath[str], user: NamedDependency[User], families: NamedDependency[FamilyService]
    ) -> None:
        await families.remove_member(user, user_id)
