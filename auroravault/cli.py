"""``auroravault``: serve | migrate | user create|list|set (more commands join as they are built)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from auroravault.config import Settings, load_settings
from auroravault.errors import AuroraError, ConfigError
from auroravault.meta.base import User


def _settings(args: argparse.Namespace, **server: Any) -> Settings:
    overrides = {"server": {k: v for k, v in server.items() if v is not None}}
    return load_settings(args.config, overrides=overrides if overrides["server"] else None)


WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def _reachable(settings: Settings) -> None:
    """Refuse to hand out links to ``http://0.0.0.0:...``: other devices cannot open them."""
    if settings.server.host in WILDCARD_HOSTS and not settings.server.public_url:
        raise ConfigError(
            f"setting 'server.public_url': required when listening on every interface "
            f"(host {settings.server.host or '(empty)'}): upload links, downloads and emails carry it, "
            f"and http://{settings.server.host}:{settings.server.port} opens on no other device. Set it to "
            f"the address other devices use, e.g. AURORAVAULT_SERVER__PUBLIC_URL=http://192.168.1.20:"
            f"{settings.server.port} (this machine's LAN address or name)"
        )


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from auroravault import logs
    from auroravault.app import create_app

    settings = _settings(args, host=args.host, port=args.port, log_level=args.log_level)
    _reachable(settings)
    log_config = logs.configure(settings.server.log_level)
    if os.environ.get("FORWARDED_ALLOW_IPS") and not settings.server.trusted_proxies:
        logging.getLogger("auroravault").warning(
            "FORWARDED_ALLOW_IPS is no longer read: set server.trusted_proxies (AURORAVAULT_SERVER__TRUSTED_PROXIES)"
        )
    app = create_app(settings)
    print(f"AuroraVault on {settings.server.base_url()}  (data in {settings.data_path.resolve()})", flush=True)
    uvicorn.run(
        app,
        host=settings.server.host,
        port=settings.server.port,
        log_level=settings.server.log_level,
        log_config=log_config,
        # Forwarding headers are the app's business (server.trusted_proxies), not uvicorn's.
        proxy_headers=False,
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from auroravault.meta import build_meta_store

    settings = _settings(args)

    async def run() -> str:
        from auroravault.ops import migrate_storage

        meta = build_meta_store(settings)
        try:
            await meta.migrate()
        finally:
            await meta.close()
        storage = await migrate_storage(settings)
        from auroravault.bus.setup import migrate_bus, needed
        from auroravault.jobs.backend import migrate_jobs

        jobs = await migrate_jobs(settings)  # the SQS jobs queue + DLQ when jobs.backend = "sqs"
        storage += f"\n{jobs}" if jobs else ""
        return storage + (f"\n{await migrate_bus(settings)}" if needed(settings) else "")

    storage = asyncio.run(run())
    print(f"meta store ({settings.meta.backend}) is up to date")
    print(storage)
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from auroravault.jobs.queue import JobQueue
    from auroravault.meta import build_meta_store
    from auroravault.services.accounts import AccountService
    from auroravault.services.notifications import queue_welcome

    settings = _settings(args)
    password = os.environ.get("AURORAVAULT_PASSWORD") or getpass.getpass("Password for the new account: ")

    async def run() -> tuple[str, bool]:
        meta = build_meta_store(settings)
        try:
            await meta.migrate()
            queue = JobQueue(meta, settings.jobs)  # the server sends the welcome email

            async def welcome(user: User) -> None:
                await queue_welcome(queue, user)

            # The first account of a server without an admin becomes admin, --admin or not.
            user = await AccountService(meta, settings, on_user_created=welcome).create_user(
                args.email, password, args.name, is_admin=args.admin
            )
            return user.id, user.is_admin
        finally:
            await meta.close()

    user_id, is_admin = asyncio.run(run())
    print(f"created {'admin ' if is_admin else ''}user {args.email} ({user_id})")
    return 0


def cmd_places_backfill(args: argparse.Namespace) -> int:
    """Queue a places backfill of each named account; the server runs the jobs."""
    from auroravault.errors import NotFound
    from auroravault.ids import new_id
    from auroravault.jobs.queue import JobQueue
    from auroravault.meta import build_meta_store
    from auroravault.services.places_backfill import PlacesBackfill

    settings = _settings(args)

    async def run() -> list[str]:
        meta = build_meta_store(settings)
        try:
            await meta.migrate()
            backfill = PlacesBackfill(meta, JobQueue(meta, settings.jobs))
            users = [await meta.get_user_by_email(email.strip().lower()) for email in args.email]
            missing = [email for email, user in zip(args.email, users, strict=True) if user is None]
            if missing:
                raise NotFound("user_not_found", f"no account with the email {', '.join(missing)}")
            walk = new_id("cli_")
            return [user.id for user in users if user is not None and await backfill.start(user.id, walk)]
        finally:
            await meta.close()

    for user_id in asyncio.run(run()):
        print(f"places backfill queued for {user_id}; the server names the photos as it runs it")
    return 0


CONFIG_HELP = "TOML config file (default: $AURORAVAULT_CONFIG, else built-in defaults)"
SERVER_COMMANDS = ("serve", "migrate", "check")  # and "user create": the commands that read the server's config


def _config_option(parser: argparse.ArgumentParser) -> None:
    """``--config`` after the subcommand too; SUPPRESS keeps one given before it."""
    parser.add_argument("--config", default=argparse.SUPPRESS, help=CONFIG_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="auroravault", description="AuroraVault, a photo vault for families")
    parser.add_argument("--config", help=CONFIG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        help="server.log_level (default info; debug also shows the job scheduler's every tick)",
    )
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or upgrade the meta store")
    migrate.set_defaults(func=cmd_migrate)

    user = sub.add_parser("user", help="manage accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create an account (password from $AURORAVAULT_PASSWORD or a prompt)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--admin", action="store_true", help="make the account an admin")
    create.set_defaults(func=cmd_user_create)
    from auroravault import users_cli

    user_commands = users_cli.register(user_sub, _settings)

    places = sub.add_parser("places", help="place names for photos (offline)")
    places_sub = places.add_subparsers(dest="places_command", required=True)
    backfill = places_sub.add_parser(
        "backfill", help="queue naming the photos of these accounts that have GPS but no place yet"
    )
    backfill.add_argument("--email", required=True, action="append", help="an account's email (repeatable)")
    backfill.set_defaults(func=cmd_places_backfill)

    from auroravault import family_cli, ops, people_cli
    from auroravault.client import commands as client_commands

    ops.register(sub)
    client_commands.register(sub)
    family_cli.register(sub)
    people_cli.register(sub)
    for name in SERVER_COMMANDS:
        _config_option(sub.choices[name])
    _config_option(create)
    for command in user_commands:
        _config_option(command)
    _config_option(backfill)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except ConfigError as exc:
        print(f"auroravault: configuration error: {exc}", file=sys.stderr)
        return 2
    except AuroraError as exc:
        print(f"auroravault: {exc.detail} ({exc.code})", file=sys.stderr)
        return 1
    except OSError as exc:  # a folder or file the configuration names cannot be used
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"auroravault: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
