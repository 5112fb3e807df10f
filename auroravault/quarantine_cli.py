"""``auroravault quarantine list | restore``, and the quarantine line of ``auroravault check``.

See ``auroravault.services.quarantine``: originals that lost their database row wait under
``quarantine/`` in storage; ``restore`` brings them back as photos of their users through
the normal pipeline, then runs the processing jobs so they come back ``ready``.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from auroravault.config import Settings, load_settings

if TYPE_CHECKING:
    from auroravault.ops import CheckResult

#: Seconds ``restore`` waits for the restored photos' processing jobs.
PROCESS_WITHIN = 600.0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    quarantine = sub.add_parser(
        "quarantine",
        help="originals housekeeping found without a database row: list them, bring them back",
        description=(
            "Housekeeping never deletes an original that lost its database row (a damaged database, "
            "an older backup restored): it moves it to quarantine/ in storage. 'list' shows them; "
            "'restore' re-imports each as a photo of its user (new row, thumbnails, deduplication)."
        ),
    )
    commands = quarantine.add_subparsers(dest="quarantine_command", required=True)
    commands.add_parser("list", help="show the quarantined originals").set_defaults(func=cmd_list)
    commands.add_parser("restore", help="re-import them as photos of their users").set_defaults(func=cmd_restore)


def cmd_list(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)

    async def run() -> list[str]:
        from auroravault.app import build_services

        services = build_services(settings)
        try:
            return [
                f"{q.key}  {q.size} bytes  user {q.user_id}  since {q.last_modified or '?'}"
                for q in await services.quarantine.quarantined()
            ]
        finally:
            await services.close()

    lines = asyncio.run(run())
    for line in lines:
        print(line)
    hint = "; 'auroravault quarantine restore' brings them back" if lines else ""
    print(f"{len(lines)} original(s) in quarantine{hint}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)

    async def run() -> list[str]:
        from auroravault.app import build_services

        services = build_services(settings)
        try:
            await services.meta.migrate()
            results = await services.quarantine.restore()
            if any(r.outcome == "restored" for r in results):
                await services.runner.drain(within=PROCESS_WITHIN)
            return [f"{r.outcome:<9} {r.key}: {r.detail}" for r in results]
        finally:
            await services.close()

    lines = asyncio.run(run())
    for line in lines:
        print(line)
    left = sum(line.startswith("left") for line in lines)
    print(f"{len(lines) - left} of {len(lines)} quarantined original(s) are photos again")
    return 1 if left else 0


async def quarantine_result(settings: Settings) -> CheckResult:
    """``ok`` when the quarantine is empty, else ``warn`` with what to do."""
    from auroravault.ops import CheckResult
    from auroravault.services.quarantine import list_quarantined
    from auroravault.storage import build_blob_store
    from auroravault.storage.base import QUARANTINE_PREFIX

    # Listing signs no URL, so no secret is read from or generated into data_dir for it.
    store = build_blob_store(settings, settings.server.secret.encode() or b"not-used-by-the-check-0123456789")
    try:
        found = await list_quarantined(store)
    finally:
        await store.close()
    if not found:
        return CheckResult("ok", "photos", "no original is waiting in quarantine")
    users = len({q.user_id for q in found})
    return CheckResult(
        "warn",
        "photos",
        f"{len(found)} original(s) of {users} user(s) have no database row and wait in {QUARANTINE_PREFIX} "
        "(rows lost or an older backup restored); 'auroravault quarantine list' shows them, "
        "'auroravault quarantine restore' brings them back as photos",
    )
