"""Settings: msgspec Structs, loaded as defaults < TOML file < environment.

Nothing here runs at import time. ``load_settings()`` is called by the CLI (or a
test) and the result is passed to ``create_app(settings)``.

Environment variables are ``AURORAVAULT_<SECTION>__<KEY>``, e.g.
``AURORAVAULT_SERVER__PORT=9000``. The file is chosen with ``--config`` or
``AURORAVAULT_CONFIG``. Every key is documented in ``config/auroravault.toml``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from auroravault.errors import ConfigError

ENV_PREFIX = "AURORAVAULT_"
# Variables with the prefix that are not settings (read by the CLI, not by the server).
NOT_SETTINGS = {"AURORAVAULT_CONFIG", "AURORAVAULT_PASSWORD", "AURORAVAULT_SERVER_URL", "AURORAVAULT_TOKEN"}

PositiveInt = Annotated[int, Meta(gt=0)]
NonNegInt = Annotated[int, Meta(ge=0)]
PositiveFloat = Annotated[float, Meta(gt=0)]


class _Section(Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535)] = 8000
    public_url: str = ""
    data_dir: str = "./data"
    work_dir: str = ""  # processing's scratch folder; empty: <data_dir>/work
    secret: str = ""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    cors_origins: list[str] = []
    trusted_proxies: list[str] = []

    def base_url(self) -> str:
        """The URL clients use to reach this server (``public_url`` or host:port)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"


class AuthSettings(_Section):
    registration: Literal["open", "closed"] = "open"
    session_ttl_seconds: PositiveInt = 30 * 24 * 3600
    password_min_length: Annotated[int, Meta(ge=8, le=1024)] = 10
    login_max_failures: PositiveInt = 5
    login_window_seconds: PositiveInt = 15 * 60
    login_max_delay_seconds: PositiveInt = 24 * 3600
    login_address_max_attempts: PositiveInt = 50
    login_account_max_attempts: PositiveInt = 100
    default_quota_bytes: NonNegInt = 50 * 1024**3
    reset_ttl_seconds: Annotated[int, Meta(ge=60, le=7 * 24 * 3600)] = 3600


class StorageSettings(_Section):
    backend: Literal["local", "s3", "minio"] = "local"
    presign_ttl_seconds: Annotated[int, Meta(ge=10, le=7 * 24 * 3600)] = 3600
    download_ttl_seconds: Annotated[int, Meta(ge=10, le=7 * 24 * 3600)] = 900


class LocalSettings(_Section):
    root: str = ""


class S3Settings(_Section):
    endpoint_url: str = ""
    public_endpoint_url: str = ""
    region: str = "us-east-1"
    bucket: str = "auroravault"
    access_key: str = ""
    secret_key: str = ""
    path_style: bool = True
    secure: bool = True


class MetaSettings(_Section):
    backend: Literal["sqlite", "dynamodb"] = "sqlite"


class SqliteSettings(_Section):
    path: str = ""


class DynamoDBSettings(_Section):
    table: str = "auroravault"
    region: str = "us-east-1"
    endpoint_url: str = ""
    access_key: str = ""
    secret_key: str = ""


DEFAULT_CONTENT_TYPES = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
    "image/gif",
    "image/tiff",
    "image/avif",
    "video/mp4",
    "video/quicktime",
]


class UploadSettings(_Section):
    max_batch: Annotated[int, Meta(ge=1, le=1000)] = 50
    max_file_bytes: PositiveInt = 50 * 1024**3  # a long 4K video; multipart above the threshold
    allowed_content_types: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_CONTENT_TYPES))
    pending_ttl_seconds: PositiveInt = 7 * 24 * 3600
    check_max_hashes: Annotated[int, Meta(ge=1, le=10000)] = 1000
    first_check_seconds: PositiveFloat = 60.0
    # Files larger than this are sent in parts (services/multipart.py); S3 needs parts of 5 MiB+.
    multipart_threshold_bytes: Annotated[int, Meta(ge=5 * 1024 * 1024)] = 64 * 1024 * 1024
    # The size of each part but the last; grown for files so large they would need > 10,000.
    multipart_part_bytes: Annotated[int, Meta(ge=5 * 1024 * 1024, le=5 * 1024**3)] = 16 * 1024 * 1024


class ImageSettings(_Section):
    thumb_size: PositiveInt = 250
    thumb_quality: Annotated[int, Meta(ge=1, le=100)] = 80
    preview_size: PositiveInt = 1440
    preview_quality: Annotated[int, Meta(ge=1, le=100)] = 80
    max_pixels: PositiveInt = 250_000_000
    # Memory one decode may take, estimated from the header before decoding (imaging/budget.py).
    max_decode_bytes: Annotated[int, Meta(ge=64 * 1024 * 1024)] = 512 * 1024 * 1024
    # Decode threads; 0: one per CPU (services/decode_pool.py).
    concurrency: Annotated[int, Meta(ge=0, le=64)] = 0
    # What the decodes in flight may reserve together (each its max_decode_bytes-style estimate);
    # never less than max_decode_bytes in effect, so every admitted image can run.
    decode_memory_bytes: Annotated[int, Meta(ge=64 * 1024 * 1024)] = 768 * 1024 * 1024
    # A JPEG's preview is made by its own job this long after its thumb, so the thumbs of photos
    # arriving meanwhile come first (jobs are claimed by due time; a preview job waiting for a
    # decode thread would hold a job slot a thumb needs). Browsable with its thumb meanwhile.
    preview_delay_seconds: Annotated[float, Meta(ge=0)] = 10.0


class VideoSettings(_Section):
    """Videos (docs/videos.md): the poster frame and the limits a hostile file meets."""

    # Where the poster frame is taken, in seconds (at most half the clip's duration).
    poster_at_seconds: Annotated[float, Meta(ge=0)] = 1.0
    # Larger frames fail with video_too_large, judged from the header before any decoding (8K fits).
    max_frame_pixels: PositiveInt = 40_000_000
    # Packets read looking for the poster before the video fails with corrupt_video.
    max_packets: Annotated[int, Meta(ge=10)] = 3000
    # Seconds one poster extraction may take before the video fails with video_unreadable.
    max_decode_seconds: PositiveFloat = 60.0
    # Decoder threads per video (each holds frames: fewer threads, less memory).
    decode_threads: Annotated[int, Meta(ge=1, le=16)] = 2
    # A Live Photo's still and motion MOV without a shared ContentIdentifier pair up when they
    # share a base name and their capture times lie at most this many seconds apart.
    live_pair_seconds: Annotated[float, Meta(ge=0, le=60)] = 3.0


class LibrarySettings(_Section):
    # Days a photo stays in the trash before a durable daily job deletes it for good.
    trash_days: Annotated[int, Meta(ge=1, le=3650)] = 30
    # Days the change feed behind GET /sync/changes is kept; a client whose last sync is older
    # gets 410 sync_expired and reloads (a daily job prunes the feed).
    changes_days: Annotated[int, Meta(ge=7, le=3650)] = 90


class FamilySettings(_Section):
    # Days an invitation into a family stays usable (its single-use link, sent by email).
    invite_days: Annotated[int, Meta(ge=1, le=90)] = 7
    # Invitations a family may send per day (each is an email to any address): more answer 429.
    invites_per_day: Annotated[int, Meta(ge=1, le=10000)] = 50


class WebSettings(_Section):
    # A map tile server for the web app's map page, e.g. "https://tile.example/{z}/{x}/{y}.png".
    # Empty (the default): the map draws its bundled world outline and needs no network.
    map_tile_url: str = ""


class JobSettings(_Section):
    concurrency: Annotated[int, Meta(ge=1, le=64)] = 8
    backoff_base: PositiveFloat = 2.0
    backoff_cap: PositiveFloat = 3600.0
    max_attempts: Annotated[int, Meta(ge=1, le=100)] = 8
    lease_seconds: Annotated[int, Meta(ge=5)] = 300
    poll_seconds: PositiveFloat = 5.0
    sweep_seconds: PositiveFloat = 300.0
    enabled: bool = True
    # "meta": jobs are MetaStore rows; "sqs": the rows are an outbox relayed to [sqs] (docs/jobs.md).
    backend: Literal["meta", "sqs"] = "meta"


class SqsSettings(_Section):
    """The SQS job queue of ``jobs.backend = "sqs"`` (``auroravault/jobs/sqs.py``, docs/jobs.md)."""

    region: str = "us-east-1"
    endpoint_url: str = ""  # moto, LocalStack; empty: AWS
    access_key: str = ""
    secret_key: str = ""
    jobs_queue_url: str = ""
    jobs_dead_letter_queue_url: str = ""
    # The redrive policy's maxReceiveCount: receives without an outcome before SQS moves a message to the DLQ.
    max_receives: Annotated[int, Meta(ge=1, le=1000)] = 5
    wait_seconds: Annotated[int, Meta(ge=0, le=20)] = 20  # the long poll
    max_delay_seconds: Annotated[int, Meta(ge=1, le=900)] = 900  # SQS's DelaySeconds cap (smaller in tests)


WorkerCount = Annotated[int, Meta(ge=0, le=256)]


class WorkerSettings(_Section):
    """Threads per kind of blocking work (``auroravault.executors``); 0: from the CPU count."""

    passwords: WorkerCount = 0
    storage: WorkerCount = 0
    disk: WorkerCount = 0
    hashing: WorkerCount = 0


class MailSettings(_Section):
    backend: Literal["log", "smtp", "ses"] = "log"
    from_address: str = "AuroraVault <auroravault@localhost>"


class SmtpSettings(_Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535)] = 25
    security: Literal["none", "starttls", "tls"] = "none"
    username: str = ""
    password: str = ""
    timeout_seconds: PositiveFloat = 10.0


class SesSettings(_Section):
    region: str = "us-east-1"
    endpoint_url: str = ""
    access_key: str = ""
    secret_key: str = ""


class LinkSettings(_Section):
    """Share links (issue 14, ``docs/links.md``)."""

    # How long an unlock of a password link lasts (the X-Link-Token's life).
    token_ttl_seconds: Annotated[int, Meta(ge=60, le=30 * 24 * 3600)] = 24 * 3600
    # Unlock attempts one client may make at one link per window, and all clients together.
    unlock_max_attempts: PositiveInt = 10
    unlock_link_max_attempts: PositiveInt = 100
    unlock_window_seconds: PositiveInt = 15 * 60
    # Life of the presigned URLs a link hands out (thumbs, previews, originals).
    url_ttl_seconds: Annotated[int, Meta(ge=10, le=3600)] = 300


class BusSettings(_Section):
    """Domain events and S3 upload notifications (``auroravault/bus``, docs/bus.md)."""

    backend: Literal["local", "eventbridge"] = "local"
    bus_name: str = "auroravault"
    region: str = "us-east-1"
    endpoint_url: str = ""  # EventBridge, SQS and the bucket notification setup (moto, LocalStack)
    access_key: str = ""
    secret_key: str = ""
    # The events queue (S3 notifications, domain events from EventBridge); empty: no consumer.
    events_queue_url: str = ""
    s3_notifications: Literal["off", "sqs", "eventbridge"] = "off"
    # The long poll of each app instance's consumer (SQS allows at most 20 seconds).
    wait_seconds: Annotated[int, Meta(ge=0, le=20)] = 5


class FaceSettings(_Section):
    """People: faces found offline and clustered (issue 18, ``docs/people.md``)."""

    # On when the ``auroravault[faces]`` extra is installed; false turns it off regardless.
    enabled: bool = True
    # The longest side of the image the model sees (the preview's size; never the original).
    max_side: Annotated[int, Meta(ge=320, le=4096)] = 1600
    # Detections below this detector score are dropped (dlib HOG: ~0.1 is a false face).
    min_score: Annotated[float, Meta(ge=0.0, le=5.0)] = 0.3
    # A face joins the nearest person within this embedding distance (dlib: 0.6 = same person).
    match_distance: Annotated[float, Meta(gt=0.0, le=2.0)] = 0.5
    # DBSCAN of the periodic re-cluster: neighbourhood radius and faces for a core point.
    cluster_eps: Annotated[float, Meta(gt=0.0, le=2.0)] = 0.45
    cluster_min_faces: PositiveInt = 2
    # A detection that found faces asks for a re-cluster at the end of the current window of
    # this many seconds (one per owner and window); 0 turns the automatic re-cluster off.
    recluster_every_seconds: Annotated[float, Meta(ge=0.0)] = 600.0


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
