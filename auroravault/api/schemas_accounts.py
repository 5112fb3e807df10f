"""Wire shapes of the account settings and the admin's user list (issue 14)."""

from __future__ import annotations

from typing import Annotated, TypeVar

import msgspec
from msgspec import Meta

from auroravault.services.accounts import SessionView
from auroravault.services.users_admin import AdminUser

Str = Annotated[str, Meta(max_length=1024)]
T = TypeVar("T")


class ProfileBody(msgspec.Struct, forbid_unknown_fields=True):
    """``PATCH /users/me``: what is given changes; what is left out stays."""

    display_name: Annotated[str, Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    notify_album_shared: bool | msgspec.UnsetType = msgspec.UNSET
    notify_album_photos: bool | msgspec.UnsetType = msgspec.UNSET


class PasswordChangeBody(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Str
    new_password: Str


class SessionsOut(msgspec.Struct, kw_only=True):
    items: list[SessionView]


class AdminUserBody(msgspec.Struct, forbid_unknown_fields=True):
    """``PATCH /admin/users/{id}``: what is given changes; what is left out stays."""

    quota_bytes: Annotated[int, Meta(ge=0, le=2**62)] | msgspec.UnsetType = msgspec.UNSET
    disabled: bool | msgspec.UnsetType = msgspec.UNSET
    is_admin: bool | msgspec.UnsetType = msgspec.UNSET


def given(value: T | msgspec.UnsetType) -> T | None:
    """A body field's value, None when it was left out."""
    return None if isinstance(value, msgspec.UnsetType) else value


class AdminUsersOut(msgspec.Struct, kw_only=True):
    items: list[AdminUser]
    next_cursor: str | None
