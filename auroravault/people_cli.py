"""``auroravault people backfill | recluster --email``: queue face work for accounts.

An operator's commands for libraries that existed before people, or after the faces extra was
installed on a server that had photos: they write durable jobs into the meta store, and the
server (or the Lambda worker) runs them, as ``auroravault places backfill`` does. Nothing here
loads the face model: the commands work on any machine that reaches the store.
"""

from __future__ import annotations

import argparse
import asyncio

from auroravault.config import load_settings
from auroravault.errors import NotFound
from auroravault.faces.jobs import RECLUSTER_PEOPLE, queue_backfill
from auroravault.jobs.queue import JobQueue
from auroravault.meta import migrated_meta_store
from auroravault.meta.base import MetaStore, User


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    people = sub.add_parser("people", help="people found in photos (faces, offline)")
    commands = people.add_subparsers(dest="people_command", required=True)
    backfill = commands.add_parser(
        "backfill", help="queue face detection for every ready photo of these accounts (the server runs it)"
    )
    backfill.set_defaults(func=cmd_backfill)
    recluster = commands.add_parser(
        "recluster", help="queue a re-cluster of these accounts' faces into people now (the server runs it)"
    )
    recluster.set_defaults(func=cmd_recluster)
    for parser in (backfill, recluster):
        parser.add_argument("--email", required=True, action="append", help="an account's email (repeatable)")
        parser.add_argument("--config", default=argparse.SUPPRESS, help="TOML config file")


async def _users(meta: MetaStore, emails: list[str]) -> list[User]:
    found = [await meta.get_user_by_email(email.strip().lower()) for email in emails]
    missing = [email for email, user in zip(emails, found, strict=True) if user is None]
    if missing:
        raise NotFound("user_not_found", f"no account with the email {', '.join(missing)}")
    return [user for user in found if user is not None]


def cmd_backfill(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)

    async def run() -> list[tuple[User, int]]:
        async with migrated_meta_store(settings) as meta:
            queue = JobQueue(meta, settings.jobs)
            return [(user, await queue_backfill(meta, queue, user.id)) for user in await _users(meta, args.email)]

    for user, queued in asyncio.run(run()):
        print(f"face detection queued for {queued} photo(s) of {user.email}; the server tags them as it runs the jobs")
    return 0


def cmd_recluster(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)

    async def run() -> list[User]:
        async with migrated_meta_store(settings) as meta:
            queue = JobQueue(meta, settings.jobs)
            users = await _users(meta, args.email)
            for user in users:  # no dedupe key: an operator's ask always runs
                await queue.enqueue(RECLUSTER_PEOPLE, {"owner_id": user.id})
            return users

    for user in asyncio.run(run()):
        print(f"re-cluster queued for {user.email}; the server runs it")
    return 0
