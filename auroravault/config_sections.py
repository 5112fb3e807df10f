"""The sections of the settings: one msgspec Struct per ``[section]`` of the TOML file.

Each field's default is the embedded default; ``config/auroravault.toml`` documents every
key. ``auroravault.config`` assembles them into ``Settings`` and loads them.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

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
