"""``AccountStore``: users, sessions and password-reset tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

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

    # -- sessions ---------------------------------------------------------------
    async def create_session(self, session: Session) -> None: ...

    async def get_session(self, token_hash: str) -> Session | None: ...

    async def delete_session(self, token_hash: str) -> None: ...

    async def delete_user_sessions(self, user_id: str) -> None: ...

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
