"""``AccountStore``: users, sessions and password-reset tokens; ``UserAdminStore``: what
an admin changes on accounts (quota, admin, disabled), the user list, and the first admin.

The rule both keep: a server that has an admin never loses its last one. An *active* admin
is a user with ``is_admin`` and not ``disabled``; no write may take the count of active
admins from one or more down to zero (``Conflict('last_admin')``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from auroravault.meta.protocols.library import LibraryStore

if TYPE_CHECKING:
    from datetime import datetime

    from auroravault.meta.base import Session, User


@runtime_checkable
class AccountStore(Protocol):
    # -- users ------------------------------------------------------------------
    async def create_user(self, user: User) -> None:
        """Insert; ``Conflict('email_taken')`` when the (lower-cased) email exists."""
        ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def get_user_by_email(self, email: str) -> User | None: ...

    async def list_user_ids(self, after: str | None, limit: int) -> list[str]:
        """Every user's id, in id order, ``limit`` at a time after the id ``after`` (None: from
        the start); fewer than ``limit`` means the end. For walks over every vault (the places
        backfill at start-up), never on a request path."""
        ...

    async def set_password(self, user_id: str, password_hash: str) -> None: ...

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        """Store ``new_hash`` only while the stored hash is still ``old_hash`` (a rehash of the
        same password must never undo a password change that raced it); say whether it did."""
        ...

    async def add_used_bytes(self, user_id: str, delta: int) -> None:
        """Add ``delta`` (may be negative) to ``used_bytes``, never below zero."""
        ...

    async def update_user(
        self,
        user_id: str,
        *,
        display_name: str | None = None,
        notify_album_shared: bool | None = None,
        notify_album_photos: bool | None = None,
    ) -> User | None:
        """Set the given profile fields (None: leave as is) and return the user as stored
        after the write; None when there is no such user (nothing is created)."""
        ...

    # -- sessions ---------------------------------------------------------------
    async def create_session(self, session: Session) -> None: ...

    async def get_session(self, token_hash: str) -> Session | None: ...

    async def delete_session(self, token_hash: str) -> None: ...

    async def delete_user_sessions(self, user_id: str, keep: str | None = None) -> None:
        """End every session of the user but the one whose hash is ``keep`` (None: all)."""
        ...

    async def list_user_sessions(self, user_id: str) -> list[Session]:
        """The user's sessions (expired ones not yet purged included), oldest first."""
        ...

    # -- password-reset tokens --------------------------------------------------
    async def create_reset_token(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Store a password-reset token (its hash only)."""
        ...

    async def consume_reset_token(self, token_hash: str, now: datetime) -> str | None:
        """Use a reset token once: return its user id and delete it, atomically.

        None when unknown, already used or expired; of two racing calls only one wins.
        """
        ...

    async def delete_user_reset_tokens(self, user_id: str) -> None:
        """Delete every outstanding reset token of the user (after a reset, older links stop working)."""
        ...


@runtime_checkable
class UserAdminStore(Protocol):
    async def list_users(self, after: str | None, limit: int) -> list[User]:
        """Users in id order, ``limit`` at a time after the id ``after`` (None: from the start)."""
        ...

    async def set_user_flags(
        self,
        user_id: str,
        *,
        is_admin: bool | None = None,
        disabled: bool | None = None,
        quota_bytes: int | None = None,
    ) -> User | None:
        """Set what an admin sets (None: leave as is) in one atomic step and return the user
        as stored; None when there is no such user. ``Conflict('last_admin')``, with nothing
        changed, when the write would leave a server that has active admins with none."""
        ...

    async def claim_first_admin(self, user_id: str) -> bool:
        """Make the user an admin if the server has no active admin, atomically: of two
        racing claims at most one wins. Say whether this call made them admin."""
        ...


@runtime_checkable
class AdministeredUsers(AccountStore, UserAdminStore, LibraryStore, Protocol):
    """What the admin's user list reads and writes: accounts, their flags, and their usage."""
