"""Share links in the CLI: ``link create --album NAME``, ``link list``, ``link revoke ID``.

``create`` makes a link for an album you own (found by name as ``upload --album`` finds it)
with the options of ``POST /links`` (``docs/links.md``) and prints its address. A password is
read from a file (``--password-file``, its first line), never from the command line, where
other users of the machine could see it in the process list.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import msgspec

from auroravault.client import config
from auroravault.client.albums import find, list_albums
from auroravault.client.api import ApiError, AuroraClient, ClientError


class Link(msgspec.Struct, kw_only=True):
    id: str
    url: str
    kind: str
    album_id: str | None = None
    photo_ids: list[str] = []
    expires_at: datetime | None = None
    expired: bool = False
    has_password: bool = False
    allow_download: bool = True
    allow_upload: bool = False
    show_metadata: bool = True


class LinkPage(msgspec.Struct, kw_only=True):
    items: list[Link]
    next_cursor: str | None = None


def describe(link: Link, album_names: dict[str, str]) -> str:
    what = (
        f"album “{album_names.get(link.album_id or '', link.album_id)}”"
        if link.album_id
        else f"{len(link.photo_ids)} photos"
    )
    facts = [
        "password" if link.has_password else "no password",
        ("expired " if link.expired else "until ") + link.expires_at.date().isoformat()
        if link.expires_at
        else "no expiry",
        "download" if link.allow_download else "no download",
        *(["visitors add photos"] if link.allow_upload else []),
        *(["metadata hidden"] if not link.show_metadata else []),
    ]
    return f"{link.id}  {what}  {link.url}  ({', '.join(facts)})"


async def all_links(client: AuroraClient) -> list[Link]:
    found: list[Link] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await client._call("GET", "/links", LinkPage, params=params)
        found.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            return found


def _end_of_day(text: str) -> str:
    day = datetime.strptime(text, "%Y-%m-%d").date()
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC).isoformat()


def cmd_link(args: argparse.Namespace) -> int:
    try:
        cred = config.resolve(args.server)
    except config.NotLoggedIn as exc:
        print(f"auroravault: {exc}", file=sys.stderr)
        return 2

    extra: dict[str, Any] = {}
    try:
        if getattr(args, "expires", None):
            extra["expires_at"] = _end_of_day(args.expires)
        if getattr(args, "password_file", None):
            lines = Path(args.password_file).expanduser().read_text().splitlines()
            extra["password"] = lines[0] if lines else ""
    except (ValueError, OSError) as exc:
        print(f"auroravault: {exc}", file=sys.stderr)
        return 2

    async def run() -> int:
        async with AuroraClient(cred.server, cred.token) as client:
            albums = await list_albums(client)
            names = {a.id: a.name for a in albums}
            if args.link_command == "list":
                for link in await all_links(client):
                    print(describe(link, names))
                return 0
            if args.link_command == "revoke":
                await client._call("DELETE", f"/links/{args.id}", type(None))
                print(f"revoked {args.id}")
                return 0
            album = find(albums, args.album)
            if album is None or album.role != "owner":
                print(f"auroravault: no album of yours is called {args.album!r}", file=sys.stderr)
                return 2
            body: dict[str, Any] = {
                "album_id": album.id,
                "allow_download": not args.no_download,
                "allow_upload": args.allow_upload,
                "show_metadata": not args.hide_metadata,
                **extra,
            }
            link = await client._call("POST", "/links", Link, body=body)
            print(link.url)
            return 0

    try:
        return asyncio.run(run())
    except ClientError as exc:
        why = f"{exc.detail} ({exc.code})" if isinstance(exc, ApiError) and exc.detail else str(exc)
        print(f"auroravault: {cred.server}: {why}", file=sys.stderr)
        return 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    link = sub.add_parser("link", parents=[common], help="share links: create, list, revoke")
    link_sub = link.add_subparsers(dest="link_command", required=True)
    create = link_sub.add_parser("create", parents=[common], help="make a share link for an album you own")
    create.add_argument("--album", required=True, metavar="NAME", help="the album to share")
    create.add_argument("--expires", metavar="YYYY-MM-DD", help="the last day the link works (default: never)")
    create.add_argument("--password-file", metavar="FILE", help="a file whose first line is the link's password")
    create.add_argument("--no-download", action="store_true", help="visitors may look but not download")
    create.add_argument("--allow-upload", action="store_true", help="visitors may add photos to the album")
    create.add_argument("--hide-metadata", action="store_true", help="no place, camera or EXIF (and no original)")
    link_sub.add_parser("list", parents=[common], help="your links, newest first")
    revoke = link_sub.add_parser("revoke", parents=[common], help="turn a link off, at once")
    revoke.add_argument("id", metavar="ID", help="the link's id (from link list)")
    link.set_defaults(func=cmd_link)
