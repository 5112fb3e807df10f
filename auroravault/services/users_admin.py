"""Admins manage accounts: the user list, quotas, disabling and enabling, making admins.

The HTTP routes (``/admin/users``, admins only) and ``auroravault user list|set`` both call
this service. The store keeps the one rule no admin may break: a server that has an active
admin keeps at least one (``Conflict('last_admin')``). Disabling an account ends its
sessions at once; its tokens stop working on their very next request.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from auroravault.errors import Invalid, NotFound
from auroravault.meta.base import User
from auroravault.meta.protocols import AdministeredUsers
from auroravault.services.accounts import clean_display_name, normalize_email
from auroravault.services.photos import decode_pair, encode_pair

MAX_PAGE = 200
MAX_QUOTA = 2**62  # what every store holds as an integer


class AdminUser(msgspec.Struct, kw_only=True, frozen=True):
    """An account as its admin sees it (never its password hash)."""

    id: str
    email: str
    display_name: str
    is_admin: bool
    disabled: bool
    quota_bytes: int
    used_bytes: int
    photo_count: int | None = None
    created_at: datetime


class AdminUserPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[AdminUser]
    next_cursor: str | None


class UserChanges(msgspec.Struct, kw_only=True, frozen=True):
    """What an admin may change; None leaves it as it is."""

    quota_bytes: int | None = None
    disabled: bool | None = None
    is_admin: bool | None = None
    display_name: str | None = None  # the CLI's ``--name`` (the user changes it in the app)


def _view(user: User, photo_count: int | None = None) -> AdminUser:
    return AdminUser(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_admin=user.is_admin,
        disabled=user.disabled,
        quota_bytes=user.quota_bytes,
        used_bytes=user.used_bytes,
        photo_count=photo_count,
        created_at=user.created_at,
    )


class UsersAdminService:
    def __init__(self, meta: AdministeredUsers) -> None:
        self.meta = meta

    async def page(self, *, limit: int, cursor: str | None, with_counts: bool = True) -> AdminUserPage:
        """Users in id order (stable while accounts are added), ``limit`` at a time."""
        if not 1 <= limit <= MAX_PAGE:
            raise Invalid("invalid_limit", f"limit must be between 1 and {MAX_PAGE}", status=400)
        after = decode_pair(cursor)[1] if cursor else None
        users = await self.meta.list_users(after, limit + 1)
        more = len(users) > limit
        users = users[:limit]
        items = [_view(u, (await self.meta.usage(u.id)).photo_count if with_counts else None) for u in users]
        return AdminUserPage(items=items, next_cursor=encode_pair("user", users[-1].id) if more and users else None)

    async def everyone(self) -> list[AdminUser]:
        """Every account (the CLI's table), walked page by page."""
        found: list[AdminUser] = []
        cursor: str | None = None
        while True:
            page = await self.page(limit=MAX_PAGE, cursor=cursor, with_counts=False)
            found += page.items
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    async def update(self, user_id: str, changes: UserChanges) -> AdminUser:
        if changes.quota_bytes is not None and not 0 <= changes.quota_bytes <= MAX_QUOTA:
            raise Invalid("invalid_quota", "quota_bytes must be a number of bytes, 0 or more")
        name = clean_display_name(changes.display_name) if changes.display_name is not None else None
        if await self.meta.get_user(user_id) is None:
            raise NotFound("user_not_found", "no such user")
        user = await self.meta.set_user_flags(
            user_id, is_admin=changes.is_admin, disabled=changes.disabled, quota_bytes=changes.quota_bytes
        )
        if user is not None and name is not None:
            user = await self.meta.update_user(user_id, display_name=name)
        if user is None:
            raise NotFound("user_not_found", "no such user")
        if user.disabled:
            await self.meta.delete_user_sessions(user_id)
        return _view(user, (await self.meta.usage(user_id)).photo_count)

    async def update_by_email(self, email: str, changes: UserChanges) -> AdminUser:
        user = await self.meta.get_user_by_email(normalize_email(email))
        if user is None:
            raise NotFound("user_not_found", f"no account with the email {email.strip().lower()}")
        return await self.update(user.id, changes)
