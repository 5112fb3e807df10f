"""The request and answer Structs of presigned batch uploads, and the checks on a batch.

``FileSpec`` (one file of ``POST /uploads``), ``InitItem``/``InitResult`` (what init answers),
``UploadItem`` (one upload's state, from ``upload_item``), ``HashCheck`` and ``FileError``;
``validate_batch`` applies the batch rules of ``services/uploads`` to the files before anything
is created.
"""

from __future__ import annotations

import posixpath
import re
from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec

from auroravault.config import UploadSettings
from auroravault.errors import Invalid
from auroravault.meta.base import Upload
from auroravault.services.multipart import UploadRequest
from auroravault.textcheck import has_control_chars
from auroravault.timeutil import utcnow

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class FileSpec(msgspec.Struct, kw_only=True):
    filename: str
    size: int
    content_type: str
    sha256: str
    client_ref: str | None = None
    file_modified_at: datetime | None = None


class HashCheck(msgspec.Struct, kw_only=True):
    existing: dict[str, str]
    missing: list[str]
    trashed: dict[str, str]
    deleted: list[str]


class FileError(msgspec.Struct, frozen=True):
    index: int
    code: str
    detail: str


class InitItem(msgspec.Struct, kw_only=True, omit_defaults=True):
    index: int
    client_ref: str | None
    photo_id: str
    status: Literal["upload", "duplicate"]
    upload_id: str | None = None
    upload: UploadRequest | None = None


class InitResult(msgspec.Struct, kw_only=True):
    batch_id: str
    expires_at: datetime
    items: list[InitItem]


class UploadItem(msgspec.Struct, kw_only=True, omit_defaults=True):
    upload_id: str
    index: int
    client_ref: str | None
    photo_id: str
    filename: str
    size: int
    sha256: str
    status: str
    reason: str | None = None


def upload_item(upload: Upload) -> UploadItem:
    return UploadItem(
        upload_id=upload.id,
        index=upload.index,
        client_ref=upload.client_ref,
        photo_id=upload.photo_id,
        filename=upload.filename,
        size=upload.size,
        sha256=upload.sha256,
        status=upload.state,
        reason=upload.reason,
    )


def duplicate_item(index: int, spec: FileSpec, photo_id: str) -> InitItem:
    return InitItem(index=index, client_ref=spec.client_ref, photo_id=photo_id, status="duplicate")


def validate_batch(files: list[FileSpec], limits: UploadSettings) -> list[FileSpec]:
    """The batch's files cleaned (type, hash, name), or ``Invalid`` naming every bad file."""
    if not files:
        raise Invalid("batch_empty", "a batch needs at least one file")
    if len(files) > limits.max_batch:
        raise Invalid("batch_too_large", f"a batch holds at most {limits.max_batch} files, this one has {len(files)}")
    allowed = {t.lower() for t in limits.allowed_content_types}
    errors: list[FileError] = []
    clean: list[FileSpec] = []
    for index, spec in enumerate(files):
        content_type = spec.content_type.split(";")[0].strip().lower()
        sha = spec.sha256.strip().lower()
        filename = posixpath.basename(spec.filename.replace("\\", "/")).strip()
        if spec.size <= 0:
            errors.append(FileError(index, "file_empty", "the file is empty"))
        elif spec.size > limits.max_file_bytes:
            errors.append(FileError(index, "file_too_large", f"files may have at most {limits.max_file_bytes} bytes"))
        if content_type not in allowed:
            errors.append(
                FileError(index, "unsupported_media_type", f"{content_type or 'no type'} is not a photo type")
            )
        if not SHA256_RE.match(sha):
            errors.append(FileError(index, "invalid_sha256", "sha256 must be 64 hexadecimal characters"))
        if has_control_chars(spec.filename):
            errors.append(FileError(index, "invalid_filename", "the filename may not hold control characters"))
        elif not filename or len(filename) > 255:
            errors.append(FileError(index, "invalid_filename", "the filename must have 1 to 255 characters"))
        if spec.client_ref is not None and len(spec.client_ref) > 200:
            errors.append(FileError(index, "invalid_client_ref", "client_ref has at most 200 characters"))
        modified = spec.file_modified_at
        if modified is not None and modified.tzinfo is None:
            modified = modified.replace(tzinfo=UTC)  # a naive time is taken as UTC
        if modified is not None and not _plausible(modified):
            errors.append(
                FileError(index, "invalid_file_modified_at", "file_modified_at must lie between 1800 and tomorrow")
            )
        clean.append(
            FileSpec(
                filename=filename,
                size=spec.size,
                content_type=content_type,
                sha256=sha,
                client_ref=spec.client_ref,
                file_modified_at=modified,
            )
        )
    if errors:
        first = errors[0]
        raise Invalid(
            first.code,
            f"file {first.index}: {first.detail}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
            extra={"errors": [msgspec.to_builtins(e) for e in errors]},
        )
    return clean


def _plausible(when: datetime) -> bool:
    return when.year >= 1800 and when <= utcnow() + timedelta(days=1)
