"""Settings: msgspec Structs, loaded as defaults < TOML file < environment.

Nothing here runs at import time. ``load_settings()`` is called by the CLI (or a
test) and the result is passed to ``create_app(settings)``.

Environment variables are ``AURORAVAULT_<SECTION>__<KEY>``, e.g.
``AURORAVAULT_SERVER__PORT=9000``. The file is chosen with ``--config`` or
``AURORAVAULT_CONFIG``. Every key is documented in ``config/auroravault.toml``.
The sections' Structs live in ``config_sections`` and are importable from here too.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
from msgspec import Struct

from auroravault.config_sections import (
    AuthSettings,
    BusSettings,
    DynamoDBSettings,
    FaceSettings,
    FamilySettings,
    ImageSettings,
    JobSettings,
    LibrarySettings,
    LinkSettings,
    LocalSettings,
    MailSettings,
    MetaSettings,
    S3Settings,
    ServerSettings,
    SesSettings,
    SmtpSettings,
    SqliteSettings,
    SqsSettings,
    StorageSettings,
    UploadSettings,
    VideoSettings,
    WebSettings,
    WorkerSettings,
)
from auroravault.errors import ConfigError

ENV_PREFIX = "AURORAVAULT_"
# Variables with the prefix that are not settings (read by the CLI, not by the server).
NOT_SETTINGS = {"AURORAVAULT_CONFIG", "AURORAVAULT_PASSWORD", "AURORAVAULT_SERVER_URL", "AURORAVAULT_TOKEN"}


class Settings(Struct, forbid_unknown_fields=True, kw_only=True):
    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    auth: AuthSettings = msgspec.field(default_factory=AuthSettings)
    storage: StorageSettings = msgspec.field(default_factory=StorageSettings)
    local: LocalSettings = msgspec.field(default_factory=LocalSettings)
    s3: S3Settings = msgspec.field(default_factory=S3Settings)
    meta: MetaSettings = msgspec.field(default_factory=MetaSettings)
    sqlite: SqliteSettings = msgspec.field(default_factory=SqliteSettings)
    dynamodb: DynamoDBSettings = msgspec.field(default_factory=DynamoDBSettings)
    uploads: UploadSettings = msgspec.field(default_factory=UploadSettings)
    images: ImageSettings = msgspec.field(default_factory=ImageSettings)
    videos: VideoSettings = msgspec.field(default_factory=VideoSettings)
    library: LibrarySettings = msgspec.field(default_factory=LibrarySettings)
    families: FamilySettings = msgspec.field(default_factory=FamilySettings)
    web: WebSettings = msgspec.field(default_factory=WebSettings)
    jobs: JobSettings = msgspec.field(default_factory=JobSettings)
    workers: WorkerSettings = msgspec.field(default_factory=WorkerSettings)
    mail: MailSettings = msgspec.field(default_factory=MailSettings)
    smtp: SmtpSettings = msgspec.field(default_factory=SmtpSettings)
    ses: SesSettings = msgspec.field(default_factory=SesSettings)
    links: LinkSettings = msgspec.field(default_factory=LinkSettings)
    bus: BusSettings = msgspec.field(default_factory=BusSettings)
    faces: FaceSettings = msgspec.field(default_factory=FaceSettings)
    sqs: SqsSettings = msgspec.field(default_factory=SqsSettings)

    # -- derived paths -------------------------------------------------------
    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir).expanduser()

    @property
    def sqlite_path(self) -> Path:
        return Path(self.sqlite.path).expanduser() if self.sqlite.path else self.data_path / "auroravault.db"

    @property
    def work_path(self) -> Path:
        return Path(self.server.work_dir).expanduser() if self.server.work_dir else self.data_path / "work"

    @property
    def local_root(self) -> Path:
        return Path(self.local.root).expanduser() if self.local.root else self.data_path / "photos"


def _section_types() -> dict[str, type[Struct]]:
    hints = {f.name: f.type for f in msgspec.structs.fields(Settings)}
    return {name: t for name, t in hints.items() if isinstance(t, type)}


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Turn ``AURORAVAULT_SECTION__KEY`` variables into a nested dict of strings."""
    sections = _section_types()
    out: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name in NOT_SETTINGS:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section, sep, key = rest.partition("__")
        if not sep or section not in sections:
            raise ConfigError(
                f"environment variable {name}: expected AURORAVAULT_<SECTION>__<KEY> "
                f"with SECTION one of {', '.join(sorted(sections))}"
            )
        value: Any = raw
        if raw.startswith("["):
            try:
                value = json.loads(raw)
            except ValueError as exc:
                raise ConfigError(f"environment variable {name}: not a JSON list: {exc}") from None
        out.setdefault(section, {})[key] = value
    return out


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(exc: msgspec.ValidationError, origin: str) -> str:
    # msgspec says e.g. "Expected `int`, got `str` - at `$.server.port`";
    # turn the JSON path into the dotted key a person writes in the file.
    text = str(exc)
    message, _, path = text.partition(" - at `$")
    key = path.rstrip("`").lstrip(".")
    if "unknown field" in message:
        field = message.split("`")[1] if "`" in message else "?"
        full = f"{key}.{field}" if key else field
        return f"{origin}: unknown setting '{full}'"
    return f"{origin}: setting '{key}': {message}" if key else f"{origin}: {message}"


def load_settings(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build settings from defaults, then the TOML file, then the environment.

    ``overrides`` (a nested dict) is applied last; tests use it instead of patching.
    Raises ``ConfigError`` naming the wrong key or value.
    """
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    file_path = path if path is not None else env.get(ENV_PREFIX + "CONFIG")
    origin = "defaults"
    if file_path:
        origin = str(file_path)
        try:
            with open(file_path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {file_path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file_path}: not valid TOML: {exc}") from None
        try:
            msgspec.convert(data, Settings, strict=True)
        except msgspec.ValidationError as exc:
            raise ConfigError(_describe(exc, origin)) from None
    env_data = _env_overrides(env)
    data = _merge(data, env_data)
    if overrides:
        data = _merge(data, overrides)
    try:
        settings = msgspec.convert(data, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(_describe(exc, "environment" if env_data else origin)) from None
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    if settings.server.public_url and not settings.server.public_url.startswith(("http://", "https://")):
        raise ConfigError("setting 'server.public_url': must start with http:// or https://")
    if settings.storage.backend in ("s3", "minio") and not settings.s3.bucket:
        raise ConfigError("setting 's3.bucket': required when storage.backend is s3 or minio")
    for proxy in settings.server.trusted_proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            raise ConfigError(
                f"setting 'server.trusted_proxies': '{proxy}' is not an IP address or network (e.g. 10.0.0.0/16)"
            ) from None
    for ctype in settings.uploads.allowed_content_types:
        if "/" not in ctype:
            raise ConfigError(f"setting 'uploads.allowed_content_types': '{ctype}' is not a media type")


def signing_secret(settings: Settings) -> bytes:
    """The HMAC key for local presigned URLs.

    Configured (``server.secret``) or generated once into ``<data_dir>/secret.key``
    with mode 0600, so URLs stay valid across restarts and instances sharing the folder.
    """
    if settings.server.secret:
        return settings.server.secret.encode()
    try:
        return _read_or_make_secret(settings.data_path / "secret.key")
    except OSError as exc:
        raise ConfigError(
            f"setting 'server.data_dir': cannot use {settings.data_path.resolve()} ({exc.strerror or exc}); "
            "point it at a folder this user can create and write"
        ) from None


def _read_or_make_secret(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its secret
        return path.read_bytes().strip()
    try:
        os.write(fd, value + b"\n")
    finally:
        os.close(fd)
    return value
