"""Client commands of the CLI (login, logout, upload, status, export, link): registered on the parser.

Each command's function takes the parsed ``argparse.Namespace`` and returns the exit code:
0 when everything asked for was done, 1 when anything failed (listed in the summary), 2 for
usage problems (not logged in, state file in use), 130 on Ctrl-C (the state is kept: run the
same command again to resume).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from auroravault.client import config
from auroravault.client.albums import AlbumNotFound, AlbumReport, album_names, file_into_albums
from auroravault.client.api import ApiError, AuroraClient, ClientError
from auroravault.client.links import register as register_links
from auroravault.client.progress import Progress, human_bytes, human_duration
from auroravault.client.report import UploadOptions, UploadReport, default_parallel
from auroravault.client.retry import Fatal, RetryPolicy, retrying
from auroravault.client.state import StateLocked, StateStore
from auroravault.client.uploader import upload

PASSWORD_ENV = "AURORAVAULT_PASSWORD"
MAX_LISTED = 50  # failures and skips printed in a summary before "... and N more"


def _size(text: str) -> int:
    """``500K``, ``2M``, ``1.5G`` or plain bytes -> bytes (powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[iI]?[bB]?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 500K, 2M)")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _err(message: str) -> None:
    print(f"auroravault: {message}", file=sys.stderr)


# -- login / logout -----------------------------------------------------------------------------
def cmd_login(args: argparse.Namespace) -> int:
    server = config.normalize_server(args.server) if args.server else config.resolve_server(None)
    email = args.email or input("Email: ").strip()
    password = os.environ.get(PASSWORD_ENV) or getpass.getpass("Password: ")

    async def run() -> config.Credential:
        async with AuroraClient(server) as client:
            if args.register:
                session = await client.register(email, password, args.name or email.split("@")[0])
            else:
                session = await client.login(email, password)
        return config.Credential(
            server=server,
            token=session.token,
            email=session.user.email,
            user_id=session.user.id,
            expires_at=session.expires_at.isoformat(),
        )

    try:
        cred = asyncio.run(run())
    except ClientError as exc:
        _err(f"login to {server} failed: {_why(exc)}")
        return 1
    path = config.remember(cred)
    print(f"logged in to {server} as {cred.email} (token in {path})")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    try:
        cred = config.resolve(args.server)
    except config.NotLoggedIn as exc:
        _err(str(exc))
        return 0

    async def run() -> None:
        async with AuroraClient(cred.server, cred.token) as client:
            await client.logout()

    try:
        asyncio.run(run())
    except ClientError as exc:
        # The local token goes anyway: logging out must always work offline.
        if not (isinstance(exc, ApiError) and exc.status == 401):
            _err(f"could not revoke the token on {cred.server} ({_why(exc)}); forgot it locally")
    config.forget(cred.server)
    print(f"logged out of {cred.server}")
    return 0


# -- upload -----------------------------------------------------------------------------------------
def _state_path(args: argparse.Namespace, server: str, user_id: str) -> Path:
    return Path(args.state).expanduser() if args.state else config.default_state_path(server, user_id)


def cmd_upload(args: argparse.Namespace) -> int:
    try:
        cred = config.resolve(args.server)
    except config.NotLoggedIn as exc:
        _err(str(exc))
        return 2
    options = UploadOptions(
        jobs=args.jobs or default_parallel(),
        batch_size=args.batch,
        retry=RetryPolicy(attempts=args.retries),
        limit_rate=args.limit_rate,
        include_deleted=args.include_deleted,
        parts_in_flight=args.parts or default_parallel(),
    )
    if args.album is not None and not args.album.strip():
        _err("--album needs a name")
        return 2

    async def run() -> tuple[UploadReport, AlbumReport | None] | int:
        connections = options.jobs * options.parts_in_flight + 4  # every part in flight has its own connection
        async with AuroraClient(cred.server, cred.token, max_connections=connections) as client:
            me = await retrying(options.retry, client.me)
            path = _state_path(args, cred.server, me.id)
            try:
                state = StateStore.open(path)
            except StateLocked as exc:
                _err(str(exc))
                return 2
            try:
                progress = Progress(sys.stderr, quiet=args.quiet)
                report = await upload(client, state, [Path(p) for p in args.paths], options, progress)
            finally:
                state.close()
            # Once the files are there: into their albums (what failed to upload stays out).
            wanted = album_names(report.results, args.album, args.album_per_folder)
            albums = await file_into_albums(client, wanted, options.retry) if wanted else None
            return report, albums

    try:
        result = asyncio.run(run())
    except Fatal as exc:
        _err(str(exc))
        return 1
    except ClientError as exc:
        _err(f"cannot reach {cred.server}: {_why(exc)}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted: progress is saved, run the same command again to resume")
        return 130
    if isinstance(result, int):
        return result
    report, albums = result
    print_upload_summary(report, sys.stdout)
    if albums is not None:
        print_album_summary(albums, sys.stdout)
    return 0 if report.ok and not (albums and albums.failed) else 1


def print_album_summary(report: AlbumReport, out: TextIO) -> None:
    for name, added in report.added.items():
        new = " (new album)" if name in report.created else ""
        already = report.already.get(name, 0)
        out.write(f"album {name!r}{new}: {added} added" + (f", {already} already there" if already else "") + "\n")
    for photo_id, code in report.failed[:MAX_LISTED]:
        out.write(f"  not added to its album: {photo_id}: {code}\n")


def print_upload_summary(report: UploadReport, out: TextIO) -> None:
    uploaded = report.of("uploaded")
    existing = report.of("existing")
    skipped = report.of("skipped")
    failed = report.of("failed")
    deleted = report.of("deleted")
    restored = report.of("restored")
    rate = report.bytes_sent / report.elapsed if report.elapsed > 0 else 0.0
    out.write(
        f"uploaded {len(uploaded)} ({human_bytes(sum(r.size for r in uploaded))}), "
        f"already there {len(existing)}, skipped {len(skipped)}, failed {len(failed)}"
        f" - {human_bytes(report.bytes_sent)} sent in {human_duration(report.elapsed)}"
        f" ({human_bytes(rate)}/s)\n"
    )
    if restored:
        out.write(f"restored {len(restored)} from the trash on the server (sent again with --include-deleted)\n")
    if deleted:
        out.write(
            f"not uploaded {len(deleted)}: deleted on the server (in its trash or for good);"
            " --include-deleted uploads them again\n"
        )
    if report.ignored:
        out.write(f"ignored {report.ignored} hidden files, folders and sidecars\n")
    for title, rows in (("deleted on the server", deleted), ("skipped (not photos)", skipped), ("failed", failed)):
        if rows:
            out.write(f"{title}:\n")
            for row in rows[:MAX_LISTED]:
                out.write(f"  {row.path}: {row.reason}\n")
            if len(rows) > MAX_LISTED:
                out.write(f"  ... and {len(rows) - MAX_LISTED} more\n")
    out.flush()


# -- status -----------------------------------------------------------------------------------------
def cmd_status(args: argparse.Namespace) -> int:
    try:
        cred = config.resolve(args.server)
    except config.NotLoggedIn as exc:
        _err(str(exc))
        return 2

    async def run() -> int:
        async with AuroraClient(cred.server, cred.token) as client:
            me = await client.me()
            pending = await client.pending()
            failed = [p async for p in client.list_photos() if p.status == "failed"]
        print(f"{cred.server} - {me.email}: {human_bytes(me.used_bytes)} of {human_bytes(me.quota_bytes)} used")
        print(f"server: {len(pending)} uploads waiting for their bytes, {len(failed)} photos failed processing")
        for up in pending[:MAX_LISTED]:
            print(f"  pending  {up.filename} ({human_bytes(up.size)}, {up.upload_id})")
        for photo in failed[:MAX_LISTED]:
            why = f"{photo.error.code}: {photo.error.detail}" if photo.error else "unknown"
            print(f"  failed   {photo.filename} ({photo.id}): {why} - the original is kept")
        path = _state_path(args, cred.server, me.id)
        if path.exists():
            state = StateStore.open(path, lock=False)
            try:
                counts = state.counts()
                local_failed = state.items(["failed"])
                unfinished = sum(counts.get(s, 0) for s in ("hashed", "initiated", "sent"))
            finally:
                state.close()
            print(
                f"local queue ({path}): {counts.get('completed', 0)} completed, {unfinished} unfinished, "
                f"{len(local_failed)} failed"
            )
            for item in local_failed[:MAX_LISTED]:
                print(f"  failed   {item.path}: {item.error}")
        return 0

    try:
        return asyncio.run(run())
    except ClientError as exc:
        _err(f"{cred.server}: {_why(exc)}")
        return 1


# -- export ------------------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    from auroravault.client.exporter import export

    try:
        cred = config.resolve(args.server)
    except config.NotLoggedIn as exc:
        _err(str(exc))
        return 2

    target = Path(args.dir).expanduser()

    async def run() -> int:
        async with AuroraClient(cred.server, cred.token, max_connections=args.jobs + 4) as client:
            progress = Progress(sys.stderr, verb="downloaded", quiet=args.quiet)
            report = await export(
                client,
                target,
                jobs=args.jobs,
                verify=args.verify,
                include_trash=args.include_trash,
                retry=RetryPolicy(attempts=args.retries),
                progress=progress,
                album=args.album,
            )
        down, present, failed = report.of("downloaded"), report.of("present"), report.of("failed")
        print(
            f"downloaded {len(down)} ({human_bytes(report.bytes_downloaded)}), already exported {len(present)}, "
            f"failed {len(failed)} - in {human_duration(report.elapsed)}"
        )
        if report.moved:
            print(f"moved {report.moved} exported earlier into their YYYY/MM folders (nothing downloaded for them)")
        if report.albums:
            print(f"albums: {report.albums} folders under {target / 'albums'}")
        for row in failed[:MAX_LISTED]:
            print(f"  failed {row.photo_id} -> {row.path}: {row.reason}")
        return 0 if report.ok else 1

    try:
        return asyncio.run(run())
    except AlbumNotFound as exc:
        _err(str(exc))
        return 2
    except Fatal as exc:
        _err(str(exc))
        return 1
    except ClientError as exc:
        _err(f"{cred.server}: {_why(exc)}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted: run the same command again to resume")
        return 130


def _why(exc: ClientError) -> str:
    if isinstance(exc, ApiError):
        return f"{exc.detail} ({exc.code})" if exc.detail else exc.code
    return exc.detail or str(exc)


# -- the parser -----------------------------------------------------------------------------------
def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the client's subcommands to the ``auroravault`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--server", help=f"server URL (default: ${config.SERVER_ENV}, else the last server logged in to)"
    )

    login = sub.add_parser(
        "login", parents=[common], help="log in to a server and keep the token (password from $AURORAVAULT_PASSWORD)"
    )
    login.add_argument("--email", help="account email (prompted when absent)")
    login.add_argument("--register", action="store_true", help="create the account first")
    login.add_argument("--name", help="display name for --register")
    login.set_defaults(func=cmd_login)

    logout = sub.add_parser("logout", parents=[common], help="revoke the token and forget it")
    logout.set_defaults(func=cmd_logout)

    state_help = "state file (default: one per server and account under $XDG_STATE_HOME/auroravault/)"
    up = sub.add_parser("upload", parents=[common], help="upload photos from files and folders, resumably")
    up.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    parallel = default_parallel()
    up.add_argument("--jobs", type=_positive, help=f"concurrent uploads (default two per CPU, 4-16: {parallel})")
    up.add_argument(
        "--parts", type=_positive, help=f"parts of one large file sent at once (default as --jobs: {parallel})"
    )
    up.add_argument("--batch", type=_positive, default=50, help="files per batch, at most 50 (default 50)")
    up.add_argument("--state", help=state_help)
    up.add_argument("--retries", type=_positive, default=8, help="tries per request before a file fails (default 8)")
    up.add_argument("--limit-rate", type=_size, help="cap upload bandwidth, e.g. 500K or 2M (bytes per second)")
    up.add_argument("--quiet", "-q", action="store_true", help="no progress display, only the summary")
    up.add_argument(
        "--include-deleted",
        action="store_true",
        help="upload again photos deleted on the server (a trashed one is restored); skipped by default",
    )
    into = up.add_mutually_exclusive_group()
    into.add_argument("--album", metavar="NAME", help="add every photo of this run to the album NAME (made if needed)")
    into.add_argument(
        "--album-per-folder",
        action="store_true",
        help="add each photo to the album named after its folder (made if needed)",
    )
    up.set_defaults(func=cmd_upload)

    status = sub.add_parser("status", parents=[common], help="pending and failed uploads, on the server and here")
    status.add_argument("--state", help=state_help)
    status.set_defaults(func=cmd_status)

    exp = sub.add_parser("export", parents=[common], help="download every original with a JSON sidecar, resumably")
    exp.add_argument("dir", metavar="DIR", help="target folder (created if needed)")
    exp.add_argument("--jobs", type=_positive, default=4, help="concurrent downloads (default 4)")
    exp.add_argument("--verify", action="store_true", help="re-hash files exported earlier instead of trusting them")
    exp.add_argument("--retries", type=_positive, default=8, help="tries per request (default 8)")
    exp.add_argument("--quiet", "-q", action="store_true", help="no progress display, only the summary")
    exp.add_argument("--include-trash", action="store_true", help="export the photos in the trash too, under trash/")
    exp.add_argument("--album", metavar="NAME", help="export this album alone (its photos and its album folder)")
    exp.set_defaults(func=cmd_export)
    register_links(sub, common)
