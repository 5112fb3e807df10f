"""``CounterStore``: counters in fixed windows, for rate limits and once-only markers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from auroravault.meta.protocols.accounts import AccountStore, UserAdminStore

if TYPE_CHECKING:
    from datetime import datetime


@runtime_checkable
class CounterStore(Protocol):
    async def hit_counter(self, key: str, window_seconds: int, now: datetime) -> int:
        """Count one event for ``key`` in a fixed window starting at its first hit; return the count."""
        ...

    async def get_counter(self, key: str, now: datetime) -> int:
        """The count of ``key`` in its current window; 0 when none or the window ended."""
        ...

    async def reset_counter(self, key: str) -> None: ...


@runtime_checkable
class LimitedAccounts(AccountStore, CounterStore, Protocol):
    """Accounts with the counters that limit what is done to them (logins, resets, mails)."""


@runtime_checkable
class ManagedAccounts(LimitedAccounts, UserAdminStore, Protocol):
    """Limited accounts that can also make the first account the server's admin."""
