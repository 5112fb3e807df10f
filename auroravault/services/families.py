"""Families: create one, invite by email, join, roles, per-member and pooled quotas, leave.

The rules (DESIGN.md "Families and sharing", ``docs/families.md``):

- A user is in at most one family (the store refuses a second: 409 ``already_in_family``).
  Roles are ``owner`` (one, the founder) and ``member``; ownership is not transferable, so
  ``owner`` is not a role one can invite to or give (422 ``invalid_role``).
- Only the owner invites, revokes, renames, sets quotas and removes members (403
  ``not_allowed`` for a member); a caller in no family gets 404 ``family_not_found``.
  The owner cannot leave or be removed (409 ``owner_cannot_leave``); they delete the family
  once they are its only member (409 ``family_not_empty`` before).
- An invitation names an email and lives ``families.invite_days``; a family sends at most
  ``families.invites_per_day`` a day (429 ``too_many_invites``: each one emails an address of
  the owner's choosing). Its email is a
  ``send_email`` job whose payload holds the invitation's id only: the job mints the
  single-use token (256 random bits), stores its hash on the invitation and puts the token
  in the mail alone (``invite_email``), as the reset email does. SMTP down: the invitation
  exists and its email follows once the job gets through.
- The link is the permission, as with Immich's and Google Photos' invitation links: any
  logged-in account without a family may join with it, whatever its email; so may a new
  account registering with it (``POST /auth/register {invite_token}``), even while
  registration is closed. An unknown, used or revoked token answers 404
  ``invite_not_found``, an expired one 410 ``invite_expired``; nothing changes.
- Quotas: a member's ``quota_bytes`` caps their own ``used_bytes`` (None: their account's
  quota alone, which always applies too); the family's ``quota_bytes`` caps the sum of every
  member's ``used_bytes``. ``room`` is what uploads ask before reserving.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Conflict, Forbidden, Gone, Invalid, NotFound, TooManyRequests
from auroravault.ids import new_id, new_token, token_hash
from auroravault.jobs.queue import JobQueue
from auroravault.mail import templates
from auroravault.mail.base import Message
from auroravault.meta.base import User
from auroravault.meta.family_records import Family, FamilyMember, Invite
from auroravault.meta.protocols import AccountStore, CounterStore, FamilyStore
from auroravault.services.accounts import normalize_email
from auroravault.services.notifications import SEND_EMAIL
from auroravault.textcheck import has_control_chars
from auroravault.timeutil import utcnow

INVITE_TEMPLATE = "family_invite"
ROLES = ("owner", "member")
MAX_TOKEN = 200


class FamilyMeta(FamilyStore, AccountStore, CounterStore, Protocol):
    """The store as families see it: families, the accounts of their members, and the
    counter that caps the invitations a family sends a day."""


class MemberView(msgspec.Struct, kw_only=True):
    user: User
    member: FamilyMember


class FamilyView(msgspec.Struct, kw_only=True):
    """A family as its member sees it; ``invites`` is the pending ones, for the owner alone."""

    family: Family
    members: list[MemberView]
    used_bytes: int
    invites: list[Invite] | None


class InvitePreview(msgspec.Struct, kw_only=True):
    """What the page an invitation's link opens shows before joining."""

    family_name: str
    inviter_name: str | None
    email: str  # the address it was sent to (the link works for any account)
    expires_at: datetime


class FamilyEdit(msgspec.Struct, forbid_unknown_fields=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    quota_bytes: int | msgspec.UnsetType | None = msgspec.UNSET


class FamilyMemberEdit(msgspec.Struct, forbid_unknown_fields=True):
    role: str | msgspec.UnsetType = msgspec.UNSET
    quota_bytes: int | msgspec.UnsetType | None = msgspec.UNSET


def _name(name: str) -> str:
    if has_control_chars(name):
        raise Invalid("invalid_family_name", "the family's name may not hold control characters")
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= 100:
        raise Invalid("invalid_family_name", "the family's name must have 1 to 100 characters")
    return clean


def _quota(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 2**62:
        raise Invalid("invalid_quota", "quota_bytes must be null or a number of bytes, 0 or more")
    return value


def _member_role(role: str) -> str:
    if role == "owner":
        raise Invalid("invalid_role", "a family has one owner, its founder; ownership cannot be given")
    if role not in ROLES:
        raise Invalid("invalid_role", f"role must be 'member', not {role[:40]!r}")
    return role


def _not_found() -> NotFound:
    return NotFound("family_not_found", "you are not in a family")


def _not_allowed() -> Forbidden:
    return Forbidden("not_allowed", "only the family's owner may do this")


class FamilyService:
    def __init__(self, meta: FamilyMeta, queue: JobQueue, settings: Settings) -> None:
        self.meta = meta
        self.queue = queue
        self.settings = settings
        # Someone joined a family (``family.joined`` on the bus, ``auroravault/bus``).
        self.on_joined: Callable[[FamilyMember], Awaitable[None]] | None = None

    # -- reading ----------------------------------------------------------------------------
    async def _mine(self, user: User, *, owner: bool = False) -> tuple[Family, FamilyMember]:
        member = await self.meta.family_member(user.id)
        family = await self.meta.get_family(member.family_id) if member else None
        if member is None or family is None:
            raise _not_found()
        if owner and member.role != "owner":
            raise _not_allowed()
        return family, member

    async def _view(self, family: Family, viewer: FamilyMember) -> FamilyView:
        members = await self.meta.family_members(family.id)
        users = await asyncio.gather(*(self.meta.get_user(m.user_id) for m in members))
        shown = [MemberView(user=u, member=m) for u, m in zip(users, members, strict=True) if u is not None]
        invites = None
        if viewer.role == "owner":
            now = utcnow()
            invites = [i for i in await self.meta.family_invites(family.id) if i.expires_at > now]
        return FamilyView(
            family=family, members=shown, used_bytes=sum(v.user.used_bytes for v in shown), invites=invites
        )

    async def show(self, user: User) -> FamilyView:
        family, member = await self._mine(user)
        return await self._view(family, member)

    async def family_of(self, user_id: str) -> Family | None:
        """The user's family (for sharing: "another family" means another ``Family.id``)."""
        return await self.meta.family_of(user_id)

    async def family_members(self, family_id: str) -> list[FamilyMember]:
        return await self.meta.family_members(family_id)

    # -- the family -------------------------------------------------------------------------
    async def create(self, user: User, name: str) -> FamilyView:
        now = utcnow()
        family = Family(id=new_id("fa_"), name=_name(name), owner_id=user.id, created_at=now, updated_at=now)
        owner = FamilyMember(family_id=family.id, user_id=user.id, role="owner", joined_at=now)
        await self.meta.create_family(family, owner)
        return await self._view(family, owner)

    async def edit(self, user: User, edit: FamilyEdit) -> FamilyView:
        family, member = await self._mine(user, owner=True)
        changes: dict[str, Any] = {}
        if not isinstance(edit.name, msgspec.UnsetType):
            changes["name"] = _name(edit.name)
        if not isinstance(edit.quota_bytes, msgspec.UnsetType):
            changes["quota_bytes"] = _quota(edit.quota_bytes)
        if changes:
            family = await self.meta.update_family(family.id, changes, utcnow()) or family
        return await self._view(family, member)

    async def delete(self, user: User) -> None:
        family, _ = await self._mine(user, owner=True)
        if len(await self.meta.family_members(family.id)) > 1:
            raise Conflict("family_not_empty", "remove the other members before deleting the family")
        await self.meta.delete_family(family.id)

    # -- members ----------------------------------------------------------------------------
    async def _target(self, family: Family, user_id: str) -> FamilyMember:
        target = await self.meta.family_member(user_id)
        if target is None or target.family_id != family.id:
            raise NotFound("member_not_found", "no such member in your family")
        return target

    async def edit_member(self, user: User, user_id: str, edit: FamilyMemberEdit) -> MemberView:
        family, _ = await self._mine(user, owner=True)
        target = await self._target(family, user_id)
        changes: dict[str, Any] = {}
        if not isinstance(edit.role, msgspec.UnsetType) and edit.role != target.role:
            changes["role"] = _member_role(edit.role)
            if target.role == "owner":
                raise Conflict("owner_cannot_leave", "the owner stays the owner")
        if not isinstance(edit.quota_bytes, msgspec.UnsetType):
            changes["quota_bytes"] = _quota(edit.quota_bytes)
        updated = await self.meta.update_member(family.id, user_id, changes) if changes else target
        member_user = await self.meta.get_user(user_id)
        if updated is None or member_user is None:
            raise NotFound("member_not_found", "no such member in your family")
        return MemberView(user=member_user, member=updated)

    async def remove_member(self, user: User, user_id: str) -> None:
        """The owner removes a member; a member leaves with their own id."""
        family, me = await self._mine(user)
        if user_id != user.id and me.role != "owner":
            raise _not_allowed()
        target = await self._target(family, user_id)
        if target.role == "owner":
            raise Conflict("owner_cannot_leave", "the owner cannot leave or be removed; delete the family instead")
        await self.meta.remove_member(family.id, user_id)

    # -- invitations ------------------------------------------------------------------------
    async def invite(self, user: User, email: str, role: str) -> Invite:
        family, _ = await self._mine(user, owner=True)
        email = normalize_email(email)
        role = _member_role(role)
        existing = await self.meta.get_user_by_email(email)
        if existing is not None:
            member = await self.meta.family_member(existing.id)
            if member is not None and member.family_id == family.id:
                raise Conflict("already_member", "this account is already in your family")
        now = utcnow()
        if await self.meta.get_counter(f"invites:{family.id}", now) >= self.settings.families.invites_per_day:
            raise TooManyRequests(
                "too_many_invites", "your family sent as many invitations as it may today", retry_after=3600
            )
        invite = Invite(
            id=new_id("fi_"),
            family_id=family.id,
            email=email,
            role="member",
            invited_by=user.id,
            created_at=now,
            expires_at=now + timedelta(days=self.settings.families.invite_days),
        )
        await self.meta.create_invite(invite, now)
        await self.meta.hit_counter(f"invites:{family.id}", 86400, now)  # counted once it exists
        # The payload names the invitation alone: its token is minted when the mail goes out.
        payload = {"template": INVITE_TEMPLATE, "invite_id": invite.id}
        await self.queue.enqueue(SEND_EMAIL, payload, dedupe_key=f"invite:{invite.id}")
        return invite

    async def revoke(self, user: User, invite_id: str) -> None:
        family, _ = await self._mine(user, owner=True)
        if not await self.meta.delete_invite(family.id, invite_id):
            raise NotFound("invite_not_found", "no such pending invitation in your family")

    async def join(self, user: User, token: str) -> FamilyView:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN:
            raise NotFound("invite_not_found", "this invitation is unknown, used or revoked")
        outcome = await self.meta.join_family(token_hash(token), user.id, utcnow())
        if outcome == "invite_expired":
            raise Gone("invite_expired", "this invitation has expired; ask for a new one")
        if outcome == "invite_not_found" or isinstance(outcome, str):
            raise NotFound("invite_not_found", "this invitation is unknown, used or revoked")
        if self.on_joined is not None:
            await self.on_joined(outcome)
        family = await self.meta.get_family(outcome.family_id)
        if family is None:
            raise _not_found()
        return await self._view(family, outcome)

    async def preview(self, token: str) -> InvitePreview:
        """What an invitation's link invites to (no account needed: the token is the permission)."""
        invite = await self._usable(token)
        family = await self.meta.get_family(invite.family_id)
        if family is None:
            raise NotFound("invite_not_found", "this invitation is unknown, used or revoked")
        inviter = await self.meta.get_user(invite.invited_by)
        return InvitePreview(
            family_name=family.name,
            inviter_name=inviter.display_name if inviter is not None else None,
            email=invite.email,
            expires_at=invite.expires_at,
        )

    async def _usable(self, token: str) -> Invite:
        token = token.strip()
        invite = await self.meta.find_invite(token_hash(token)) if token and len(token) <= MAX_TOKEN else None
        if invite is None:
            raise NotFound("invite_not_found", "this invitation is unknown, used or revoked")
        if invite.expires_at <= utcnow():
            raise Gone("invite_expired", "this invitation has expired; ask for a new one")
        return invite

    # -- the hooks of registration (``AccountService.invites``) ------------------------------
    async def check_invite(self, token: str) -> None:
        """Refuse (404/410) a token that cannot be used now, before an account is made for it."""
        await self._usable(token)

    async def accept_invite(self, user: User, token: str) -> None:
        """The new account joins. Should the invitation have been used in between, the
        account stays, in no family (it may be invited again)."""
        with contextlib.suppress(NotFound, Gone):
            await self.join(user, token)

    # -- quotas -----------------------------------------------------------------------------
    async def room(self, user: User) -> int | None:
        """Bytes ``user`` may still add under the family's limits (None: no family limit)."""
        member = await self.meta.family_member(user.id)
        if member is None:
            return None
        limits: list[int] = []
        if member.quota_bytes is not None:
            limits.append(member.quota_bytes - user.used_bytes)
        family = await self.meta.get_family(member.family_id)
        if family is not None and family.quota_bytes is not None:
            members = await self.meta.family_members(family.id)
            users = await asyncio.gather(*(self.meta.get_user(m.user_id) for m in members if m.user_id != user.id))
            used = user.used_bytes + sum(u.used_bytes for u in users if u is not None)
            limits.append(family.quota_bytes - used)
        return max(0, min(limits)) if limits else None

    # -- the invitation email (``NotificationService`` runs it in its ``send_email`` job) ---
    async def invite_email(self, payload: dict[str, Any]) -> Message | None:
        """The invitation's email with a fresh token, or None when it was revoked or used."""
        invite = await self.meta.get_invite(str(payload["invite_id"]))
        if invite is None or invite.expires_at <= utcnow():
            return None
        family = await self.meta.get_family(invite.family_id)
        inviter = await self.meta.get_user(invite.invited_by)
        if family is None:
            return None
        token = new_token()
        if not await self.meta.set_invite_token(invite.id, token_hash(token)):
            return None
        url = f"{self.settings.server.base_url()}/#/join/{token}"
        who = inviter.display_name if inviter is not None else "Someone"
        return templates.family_invite(invite.email, who, family.name, url, _days_left(invite.expires_at))


def _days_left(expires_at: datetime) -> int:
    return max(1, round((expires_at - utcnow()).total_seconds() / 86400))
