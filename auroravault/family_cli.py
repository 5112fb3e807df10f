"""``auroravault family list | show --email``: the server's families, as its admin sees them.

Read-only: families are made and changed by their owners (the web app, ``/family``); this shows
an admin who is in which family, with usage and limits, straight from the meta store.
"""

from __future__ import annotations

import argparse
import asyncio

from auroravault.config import Settings, load_settings
from auroravault.errors import NotFound
from auroravault.jobs.queue import JobQueue
from auroravault.meta import build_meta_store
from auroravault.meta.base import MetaStore
from auroravault.meta.family_records import Family
from auroravault.services.families import FamilyService, FamilyView

PAGE = 500


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    family = sub.add_parser("family", help="the server's families (read-only)")
    commands = family.add_subparsers(dest="family_command", required=True)
    listing = commands.add_parser("list", help="every family: name, owner, members, usage and limit")
    listing.set_defaults(func=cmd_list)
    show = commands.add_parser("show", help="the family of an account: members, usage, limits, pending invitations")
    show.add_argument("--email", required=True, help="the email of any member")
    show.set_defaults(func=cmd_show)
    for parser in (listing, show):
        parser.add_argument("--config", default=argparse.SUPPRESS, help="TOML config file")


def _limit(quota: int | None) -> str:
    return "no limit" if quota is None else f"limit {quota} bytes"


def describe(view: FamilyView) -> list[str]:
    family = view.family
    used = f"{view.used_bytes} bytes used, {_limit(family.quota_bytes)}"
    lines = [f"{family.name} ({family.id}): {len(view.members)} member(s), {used}"]
    for m in view.members:
        usage = f"{m.user.used_bytes} bytes, {_limit(m.member.quota_bytes)}"
        lines.append(f"  {m.member.role:<7} {m.user.email}  {m.user.display_name}  {usage}")
    for invite in view.invites or []:
        lines.append(f"  invited {invite.email}  until {invite.expires_at.isoformat()}")
    return lines


async def _families(meta: MetaStore) -> list[Family]:
    """Every family, walking the users (an admin's command, never a request path)."""
    found: dict[str, Family] = {}
    after: str | None = None
    while True:
        ids = await meta.list_user_ids(after, PAGE)
        for family in await asyncio.gather(*(meta.family_of(i) for i in ids)):
            if family is not None:
                found[family.id] = family
        if len(ids) < PAGE:
            return sorted(found.values(), key=lambda f: (f.name.lower(), f.id))
        after = ids[-1]


async def _views(settings: Settings, email: str | None) -> list[FamilyView]:
    meta = build_meta_store(settings)
    try:
        await meta.migrate()
        service = FamilyService(meta, JobQueue(meta, settings.jobs), settings)
        if email is not None:
            user = await meta.get_user_by_email(email.strip().lower())
            if user is None:
                raise NotFound("user_not_found", f"no account with the email {email}")
            mine = await meta.family_of(user.id)
            if mine is None:
                raise NotFound("family_not_found", f"{email} is not in a family")
            families = [mine]
        else:
            families = await _families(meta)
        views = []
        for family in families:  # as its owner sees it: pending invitations too
            owner = await meta.get_user(family.owner_id)
            if owner is not None:
                views.append(await service.show(owner))
        return views
    finally:
        await meta.close()


def cmd_list(args: argparse.Namespace) -> int:
    views = asyncio.run(_views(load_settings(args.config), None))
    for view in views:
        print(describe(view)[0])
    print(f"{len(views)} family(ies)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    for line in describe(asyncio.run(_views(load_settings(args.config), args.email))[0]):
        print(line)
    return 0
