"""Operator commands of the CLI: ``auroravault check``, and the storage half of ``migrate``.

``auroravault check`` loads the configuration, then round-trips every configured backend
at once, each under a timeout, and prints one line per backend in plain words::

    ok    config  config/compose.toml (+2 settings from AURORAVAULT_* variables)
    ok    storage s3 at http://minio:9000, bucket 'auroravault': wrote, read and deleted a marker
    FAIL  meta    dynamodb table 'auroravault' at http://127.0.0.1:8001: nothing answers at 127.0.0.1:8001 ...
    ok    mail    smtp mailpit:1025 (no TLS): connected and got an answer

Exit status: 0 when every line is ``ok`` (``warn`` lines do not fail), 1 when a backend
fails, 2 when the configuration itself is wrong (unknown key, bad value, bad endpoint).

``migrate_storage(settings)`` creates the bucket when missing and sets its CORS rules for
``server.cors_origins``; ``auroravault migrate`` calls it after the meta store migration.

Backend libraries (boto3, minio, aiosmtplib) are imported only when a command runs, never
when the parser is built.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from auroravault import quarantine_cli
from auroravault.config import ENV_PREFIX, NOT_SETTINGS, Settings, load_settings
from auroravault.errors import ConfigError
from auroravault.ops_words import _mail_desc, _meta_desc, _storage_desc, _storage_where, _where, _with_scheme, explain

__all__ = ["CHECK_TIMEOUT", "CheckResult", "migrate_storage", "register", "run_checks"]

#: Seconds each backend check may take before it counts as "no answer".
CHECK_TIMEOUT = 15.0

Status = Literal["ok", "warn", "FAIL"]


@dataclass(frozen=True)
class CheckResult:
    status: Status
    component: str
    message: str
    #: The failure is the configuration's (exit 2), not the backend's (exit 1).
    config_error: bool = False
    #: The check did not finish in time; its worker thread may still be running.
    timed_out: bool = False

    def line(self) -> str:
        return f"{self.status:<5} {self.component:<7} {self.message}"


# -- storage half of `auroravault migrate` ----------------------------------------------------


async def migrate_storage(settings: Settings) -> str:
    """Create the bucket when missing and, given ``server.cors_origins``, set its CORS rules;
    write the lifecycle rule that aborts multipart uploads left incomplete.

    Idempotent; a no-op for local storage. Returns one line saying what now holds.
    Raises ``Unavailable`` when the storage server cannot be reached or refuses,
    ``ConfigError`` when the ``[s3]`` settings are unusable.
    """
    backend = settings.storage.backend
    if backend == "local":
        return f"storage (local): nothing to create; photos live in {settings.local_root}"
    origins = list(settings.server.cors_origins)
    where = _storage_where(settings)
    if backend == "s3":
        from auroravault.storage.s3 import S3BlobStore

        s3 = S3BlobStore(settings.s3)
        try:
            await s3.ensure_bucket(origins)
            await s3.ensure_multipart_expiry(multipart_expiry_days(settings))
        finally:
            await s3.close()
        cors = f"; CORS allows {', '.join(origins)}" if origins else "; CORS left as it was (no server.cors_origins)"
    else:
        from auroravault.storage.minio import MinioBlobStore

        minio = MinioBlobStore(settings.s3)
        try:
            await minio.ensure_bucket(origins)
            await minio.ensure_multipart_expiry(multipart_expiry_days(settings))
        finally:
            await minio.close()
        cors = (
            f"; CORS is not set through the minio SDK: allow {', '.join(origins)} on the server "
            "(MinIO: MINIO_API_CORS_ALLOW_ORIGIN)"
            if origins
            else ""
        )
    expiry = f"; multipart uploads left incomplete are aborted after {multipart_expiry_days(settings)} days"
    return f"storage ({backend}): bucket {settings.s3.bucket!r} {where} is ready{cors}{expiry}"


def multipart_expiry_days(settings: Settings) -> int:
    """Days after which the bucket aborts an incomplete multipart upload: a day past the
    pending TTL, so the sweep (which aborts an upload as it expires) always goes first."""
    return math.ceil(settings.uploads.pending_ttl_seconds / 86400) + 1


# -- auroravault check -------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operator subcommands to the ``auroravault`` parser."""
    check = sub.add_parser(
        "check",
        help="check the configuration and reach every configured backend",
        description=(
            "Validate the configuration, then write, read and delete a marker in storage, ping the "
            "meta store and connect to the mail server. Exit 0 when all is well, 1 when a backend "
            "fails, 2 when the configuration is wrong."
        ),
    )
    check.add_argument(
        "--timeout",
        type=float,
        default=CHECK_TIMEOUT,
        help=f"seconds each backend may take (default {CHECK_TIMEOUT:g})",
    )
    check.set_defaults(func=cmd_check)
    quarantine_cli.register(sub)


def cmd_check(args: argparse.Namespace) -> int:
    config_path: str | None = args.config or os.environ.get(ENV_PREFIX + "CONFIG")
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(CheckResult("FAIL", "config", f"{exc}", config_error=True).line(), flush=True)
        return 2
    results = [CheckResult("ok", "config", _config_origin(config_path, os.environ)), *cmd_check_results(settings)]
    for result in results:
        print(result.line(), flush=True)

    loop = asyncio.new_event_loop()
    try:
        checked = loop.run_until_complete(run_checks(settings, seconds=args.timeout))
    except BaseException:
        loop.close()
        raise
    for result in checked:
        print(result.line(), flush=True)
    results += checked
    code = exit_code(results)
    if any(r.timed_out for r in checked):
        # A timed-out boto3/minio call keeps its worker thread until its own socket times
        # out, which can take minutes; the verdict is printed, so leave now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    return code


def exit_code(results: list[CheckResult]) -> int:
    if any(r.status == "FAIL" and r.config_error for r in results):
        return 2
    if any(r.status == "FAIL" for r in results):
        return 1
    return 0


def _config_origin(path: str | None, environ: Mapping[str, str]) -> str:
    where = path or "built-in defaults (no --config, no AURORAVAULT_CONFIG)"
    overrides = sorted(n for n in environ if n.startswith(ENV_PREFIX) and n not in NOT_SETTINGS)
    if overrides:
        s = "" if len(overrides) == 1 else "s"
        where += f" (+{len(overrides)} setting{s} from AURORAVAULT_* variables: {', '.join(overrides)})"
    return where


def cmd_check_results(settings: Settings) -> list[CheckResult]:
    """What ``check`` says about settings that load: overlapping folders (exit 2), then warnings."""
    from auroravault.layout import folder_overlaps

    failures = [
        CheckResult("FAIL", "config", f"folders overlap: {problem}; give each a place of its own", config_error=True)
        for problem in folder_overlaps(settings)
    ]
    return [*failures, *config_warnings(settings)]


def config_warnings(settings: Settings) -> list[CheckResult]:
    """Settings that load but will not work the way a family expects."""
    warnings: list[CheckResult] = []
    server = settings.server
    if settings.storage.backend == "local" and not server.public_url and server.host in ("0.0.0.0", "::"):
        warnings.append(
            CheckResult(
                "warn",
                "config",
                f"server.public_url is empty and server.host is {server.host}: upload and download links "
                f"would point at http://{server.host}:{server.port}, which no device can open; set "
                "server.public_url to the address devices use, e.g. http://192.168.1.10:8000",
            )
        )
    if settings.storage.backend in ("s3", "minio") and settings.s3.endpoint_url and not settings.s3.public_endpoint_url:
        host = urlsplit(_with_scheme(settings.s3.endpoint_url, settings.s3.secure)).hostname or ""
        if "." not in host and ":" not in host and host != "localhost":
            warnings.append(
                CheckResult(
                    "warn",
                    "storage",
                    f"s3.public_endpoint_url is empty: photo links will point at {settings.s3.endpoint_url}, "
                    f"a name ({host!r}) only the server's own network knows; set s3.public_endpoint_url to "
                    "the storage address devices use, e.g. http://192.168.1.10:9000",
                )
            )
    if settings.mail.backend in ("smtp", "ses") and settings.mail.from_address.rstrip(">").endswith("@localhost"):
        warnings.append(
            CheckResult(
                "warn",
                "mail",
                f"mail.from_address is {settings.mail.from_address!r}: real mail servers refuse or bin mail "
                "from @localhost; use an address of a domain you own",
            )
        )
    return warnings


async def run_checks(settings: Settings, *, seconds: float = CHECK_TIMEOUT) -> list[CheckResult]:
    """Check storage, meta and mail at once, each given ``seconds``; results in that order."""
    checks = [
        ("storage", _storage_desc(settings), _check_storage(settings)),
        ("meta", _meta_desc(settings), _check_meta(settings)),
        ("mail", _mail_desc(settings), _check_mail(settings)),
    ]
    results = list(
        await asyncio.gather(
            *(_guarded(component, desc, probe, settings, seconds) for component, desc, probe in checks)
        )
    )
    if results[0].status == "ok":  # storage answers: say whether originals wait in quarantine
        try:
            results.append(await asyncio.wait_for(quarantine_cli.quarantine_result(settings), seconds))
        except Exception as exc:  # a timeout too
            results.append(
                CheckResult("FAIL", "photos", f"cannot list the quarantine: {explain(exc, 'storage', settings)}")
            )
    return results


async def _guarded(component: str, desc: str, probe: Awaitable[str], settings: Settings, seconds: float) -> CheckResult:
    try:
        done = await asyncio.wait_for(probe, seconds)
    except TimeoutError:
        where = _where(component, settings)
        return CheckResult(
            "FAIL",
            component,
            f"{desc}: no answer within {seconds:g} s{f' from {where}' if where else ''} — is the host up, "
            "the address right, and no firewall in the way?",
            timed_out=True,
        )
    except ConfigError as exc:
        return CheckResult("FAIL", component, f"{desc}: configuration error: {exc}", config_error=True)
    except Exception as exc:
        return CheckResult("FAIL", component, f"{desc}: {explain(exc, component, settings)}")
    return CheckResult("ok", component, f"{desc}: {done}")


async def _closing(close: Callable[[], Awaitable[None]]) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(close(), 5)


async def _check_storage(settings: Settings) -> str:
    from auroravault.storage import build_blob_store

    secret = settings.server.secret.encode()
    if secret and len(secret) < 16:
        raise ConfigError(
            "setting 'server.secret': must be at least 16 bytes, e.g. the output of `openssl rand -hex 32`"
        )
    # The check never signs a URL, so no secret is read from or generated into data_dir for it.
    store = build_blob_store(settings, secret or b"not-used-by-the-check-0123456789")
    try:
        await store.check()
    finally:
        await _closing(store.close)
    return "wrote, read and deleted a marker"


async def _check_meta(settings: Settings) -> str:
    from auroravault.meta import build_meta_store

    existed = settings.meta.backend != "sqlite" or settings.sqlite_path.exists()
    meta = build_meta_store(settings)
    try:
        await meta.check()
    finally:
        await _closing(meta.close)
    if settings.meta.backend == "dynamodb":
        return "the table is there and active"
    if not existed:
        return "created an empty database file; 'auroravault migrate' (or starting the server) makes the tables"
    return "opened and answered a query"


async def _check_mail(settings: Settings) -> str:
    from auroravault.mail import build_mailer

    mailer = build_mailer(settings)
    try:
        await mailer.check()
    finally:
        await _closing(mailer.close)
    backend = settings.mail.backend
    if backend == "log":
        return "the outbox is writable (mail is kept on this machine, nothing is sent)"
    if backend == "smtp":
        login = " and logged in" if settings.smtp.username else ""
        return f"connected{login}, the server answered"
    return "credentials accepted, sending quota readable"
