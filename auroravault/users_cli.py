"""``auroravault user list`` and ``auroravault user set``: the admin's account commands on the
server (they read the server's config and open its meta store, like ``user create``).

``user set`` goes through the same service as ``PATCH /admin/users/{id}``, so the same rules
hold: the server's last admin cannot be disabled or unmade (``last_admin``), and disabling an
account ends its sessions at once.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from auroravault.errors import Invalid

if TYPE_CHECKING:
    from auroravault.config import Settings
    from auroravault.services.users_admin import AdminUser, UsersAdminService

T = TypeVar("T")
UNITS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}  # fmt: skip
SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``10GB`` (10^9), ``1.5 GiB`` (2^30), ``500MB``, ``0``, ``123`` (bytes) -> bytes."""
    match = SIZE_RE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in UNITS:
        raise Invalid("invalid_quota", f"{text!r} is not a size: write e.g. 10GB, 500MB, 1.5GiB or a number of bytes")
    return int(float(match.group(1)) * UNITS[unit])


def format_size(size: int) -> str:
    """Bytes the way people read them: 0 B, 12.3 MB, 10 GB (decimal units, as ``--quota`` takes)."""
    for unit, factor in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


def _with_service(settings: Settings, work: Callable[[UsersAdminService], Awaitable[T]]) -> T:
    from auroravault.meta import build_meta_store
    from auroravault.services.users_admin import UsersAdminService

    async def run() -> T:
        meta = build_meta_store(settings)
        try:
            await meta.migrate()
            return await work(UsersAdminService(meta))
        finally:
            await meta.close()

    return asyncio.run(run())


def table(users: list[AdminUser]) -> str:
    rows = [("EMAIL", "NAME", "ADMIN", "DISABLED", "QUOTA", "USED")]
    rows += [
        (
            u.email,
            u.display_name,
            "yes" if u.is_admin else "no",
            "yes" if u.disabled else "no",
            format_size(u.quota_bytes),
            format_size(u.used_bytes),
        )
        for u in users
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def cmd_user_list(args: argparse.Namespace, settings: Settings) -> int:
    users = _with_service(settings, lambda service: service.everyone())
    print(table(users) if users else "no accounts yet: create one with 'auroravault user create'")
    return 0


def cmd_user_set(args: argparse.Namespace, settings: Settings) -> int:
    from auroravault.services.users_admin import UserChanges

    changes = UserChanges(
        quota_bytes=parse_size(args.quota) if args.quota is not None else None,
        is_admin=args.admin,
        disabled=args.disable,
        display_name=args.name,
    )
    if changes == UserChanges():
        raise Invalid(
            "nothing_to_change", "say what to change: --quota, --admin/--no-admin, --disable/--enable, --name"
        )
    user = _with_service(settings, lambda service: service.update_by_email(args.email, changes))
    print(table([user]))
    return 0


def register(
    user_sub: argparse._SubParsersAction[argparse.ArgumentParser], settings_of: Callable[[argparse.Namespace], Settings]
) -> list[argparse.ArgumentParser]:
    """Add ``list`` and ``set`` under ``auroravault user``; return the parsers (for ``--config``)."""
    listing = user_sub.add_parser("list", help="every account: email, name, admin, disabled, quota, used")
    listing.set_defaults(func=lambda args: cmd_user_list(args, settings_of(args)))
    change = user_sub.add_parser("set", help="change an account: quota, admin, disabled, name")
    change.add_argument("email", help="the account's email")
    change.add_argument("--quota", help="storage quota, e.g. 10GB, 500MB, 1.5GiB, or bytes")
    change.add_argument(
        "--admin", action=argparse.BooleanOptionalAction, default=None, help="make (or, --no-admin, unmake) an admin"
    )
    state = change.add_mutually_exclusive_group()
    state.add_argument("--disable", dest="disable", action="store_const", const=True, default=None,
                       help="disable the account: it cannot log in and its sessions end")  # fmt: skip
    state.add_argument("--enable", dest="disable", action="store_const", const=False, help="enable it again")
    change.add_argument("--name", help="display name")
    change.set_defaults(func=lambda args: cmd_user_set(args, settings_of(args)))
    return [listing, change]
