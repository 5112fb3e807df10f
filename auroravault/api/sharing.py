"""Album members and partner sharing (DESIGN.md "Families and sharing"; rules in ``services/sharing``)."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath, JSONBody

from auroravault.api.deps import SHARING_SERVICE, USER
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas_albums import AlbumOwnerOut
from auroravault.api.schemas_sharing import (
    AlbumMemberAdd,
    AlbumMemberEdit,
    AlbumPersonOut,
    MembersOut,
    PartnerAdd,
    PartnerEdit,
    PartnerOut,
    PartnersOut,
    SharedByMeOut,
)
from auroravault.meta.base import User
from auroravault.meta.family_records import AlbumMember
from auroravault.services.sharing import SharingService


def _person(user: User) -> AlbumOwnerOut:
    return AlbumOwnerOut(id=user.id, display_name=user.display_name)


def _member(member: AlbumMember, user: User) -> AlbumPersonOut:
    return AlbumPersonOut(user=_person(user), role=member.role, added_by=member.added_by)


ALBUM = "album_not_found"


def _allow(methods: str) -> Response[None]:
    return Response(None, status_code=204, headers={"Allow": methods})


class AlbumMemberController(Controller):
    path = "/albums/{album_id:str}/members"
    tags = ["sharing"]
    dependencies = {**USER, **SHARING_SERVICE}

    # Litestar's own OPTIONS answer names only a path's first handler (by name): ``allow_*`` first.
    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_list(self, album_id: FromPath[str]) -> Response[None]:
        return _allow("GET, OPTIONS, POST")

    @route("/{member_id:str}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_one(self, album_id: FromPath[str], member_id: FromPath[str]) -> Response[None]:
        return _allow("DELETE, OPTIONS, PATCH")

    @get("/", summary="The album's members and their roles", responses=documented(s404=ALBUM, **AUTH, **UNAVAILABLE))
    async def members_list(
        self, album_id: FromPath[str], user: NamedDependency[User], sharing: NamedDependency[SharingService]
    ) -> MembersOut:
        return MembersOut(members=[_member(m, u) for m, u in await sharing.members(user, album_id)])

    @post(
        "/",
        summary="Share the album with someone of your family (user_id) or an account (email), with a role",
        responses=documented(
            s403="not_allowed",
            s404=f"{ALBUM}, user_not_found",
            s409="already_member",
            s422="invalid_role, invalid_member",
            **BODY,
            **AUTH,
            **UNAVAILABLE,
        ),
    )
    async def members_add(
        self,
        album_id: FromPath[str],
        data: JSONBody[AlbumMemberAdd],
        user: NamedDependency[User],
        sharing: NamedDependency[SharingService],
    ) -> AlbumPersonOut:
        return _member(*await sharing.add_member(user, album_id, data))

    @patch(
        "/{member_id:str}",
        summary="Change a member's role",
        responses=documented(
            s403="not_allowed", s404=f"{ALBUM}, member_not_found", s422="invalid_role", **BODY, **AUTH, **UNAVAILABLE
        ),
    )
    async def member_role(
        self,
        album_id: FromPath[str],
        member_id: FromPath[str],
        data: JSONBody[AlbumMemberEdit],
        user: NamedDependency[User],
        sharing: NamedDependency[SharingService],
    ) -> AlbumPersonOut:
        return _member(*await sharing.set_role(user, album_id, member_id, data))

    @delete(
        "/{member_id:str}",
        summary="Remove a member (or leave the album: your own id)",
        responses=documented(s403="not_allowed", s404=f"{ALBUM}, member_not_found", **AUTH, **UNAVAILABLE),
    )
    async def member_remove(
        self,
        album_id: FromPath[str],
        member_id: FromPath[str],
        user: NamedDependency[User],
        sharing: NamedDependency[SharingService],
    ) -> None:
        await sharing.remove_member(user, album_id, member_id)


class PartnerController(Controller):
    path = "/partners"
    tags = ["sharing"]
    dependencies = {**USER, **SHARING_SERVICE}

    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_list(self) -> Response[None]:
        return _allow("GET, OPTIONS, POST")

    @route("/{user_id:str}", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_one(self, user_id: FromPath[str]) -> Response[None]:
        return _allow("DELETE, OPTIONS, PATCH")

    @get("/", summary="Who shares their library with you, and with whom you share yours", responses=documented(**AUTH))
    async def partners_list(self, user: NamedDependency[User], sharing: NamedDependency[SharingService]) -> PartnersOut:
        found = await sharing.partners(user)
        return PartnersOut(
            shared_with_me=[PartnerOut(user=_person(u), in_timeline=s.in_timeline) for s, u in found.shared_with_me],
            shared_by_me=[SharedByMeOut(user=_person(u)) for _, u in found.shared_by_me],
        )

    @post(
        "/",
        summary="Share your whole library (minus what you archive or trash) with someone of your family",
        responses=documented(
            s404="user_not_found", s409="already_partner", s422="invalid_partner", **BODY, **AUTH, **UNAVAILABLE
        ),
    )
    async def partners_add(
        self, data: JSONBody[PartnerAdd], user: NamedDependency[User], sharing: NamedDependency[SharingService]
    ) -> SharedByMeOut:
        _, person = await sharing.add_partner(user, data)
        return SharedByMeOut(user=_person(person))

    @patch(
        "/{user_id:str}",
        summary="Show (or stop showing) a library shared with you in your timeline",
        responses=documented(s404="partner_not_found", **BODY, **AUTH, **UNAVAILABLE),
    )
    async def partner_timeline(
        self,
        user_id: FromPath[str],
        data: JSONBody[PartnerEdit],
        user: NamedDependency[User],
        sharing: NamedDependency[SharingService],
    ) -> PartnerOut:
        share, person = await sharing.set_in_timeline(user, user_id, data)
        return PartnerOut(user=_person(person), in_timeline=share.in_timeline)

    @delete(
        "/{user_id:str}",
        summary="Stop sharing your library with this person (or stop receiving theirs)",
        responses=documented(s404="partner_not_found", **AUTH, **UNAVAILABLE),
    )
    async def partner_remove(
        self, user_id: FromPath[str], user: NamedDependency[User], sharing: NamedDependency[SharingService]
    ) -> None:
        await sharing.remove_partner(user, user_id)
