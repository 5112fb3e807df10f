"""Where ``export`` puts a photo: ``YYYY/MM/`` by ``taken_at``, names made safe, and what is already there.

A photo's folder comes from its ``taken_at`` as the server states it (the capture's local
date, or the owner's correction); photos in the trash (``--include-trash``) go under
``trash/YYYY/MM/``. Each exported original has a sidecar ``<name>.json`` naming its photo id
and sha256, so an earlier export is recognised from the sidecars alone, wherever its files
are: in an older flat layout, or in the month a photo had before its date was corrected.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from auroravault.client.models import Photo

SIDECAR_SUFFIX = ".json"
TRASH_FOLDER = "trash"
_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]')


def safe_name(filename: str) -> str:
    """A filename that stays inside the export folder and is not hidden."""
    name = _UNSAFE.sub("_", filename).strip().lstrip(".").strip()
    return name[:200] or "photo"


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """The sidecar of the original at ``path``, or None (absent, unreadable, not ours)."""
    try:
        data = msgspec.json.decode(sidecar_of(path).read_bytes())
    except (OSError, msgspec.DecodeError):
        return None
    return data if isinstance(data, dict) else None


def _taken(photo: Photo) -> datetime | None:
    for text in (photo.taken_at, photo.created_at.isoformat()):
        try:
            return datetime.fromisoformat(text)
        except (TypeError, ValueError):
            continue
    return None


def folder_of(photo: Photo) -> str:
    """``YYYY/MM`` of the photo's ``taken_at`` (``trash/YYYY/MM`` for a trashed photo)."""
    taken = _taken(photo)
    month = f"{taken.year:04d}/{taken.month:02d}" if taken is not None else "undated"
    return f"{TRASH_FOLDER}/{month}" if photo.trashed_at else month


def file_time(photo: Photo) -> float | None:
    """``taken_at`` as a POSIX time for the file's mtime; a time without offset is local time."""
    taken = _taken(photo)
    if taken is None:
        return None
    if taken.tzinfo is None:
        return time.mktime(taken.timetuple()) + taken.microsecond / 1e6
    return taken.timestamp()


def corrections(photo: Photo) -> dict[str, Any]:
    """What the owner changed against what the file says (only ``taken_at`` is known from EXIF)."""
    if photo.exif_taken_at and photo.exif_taken_at != photo.taken_at:
        return {"taken_at": {"exif": photo.exif_taken_at, "corrected": photo.taken_at}}
    return {}


def sidecar_bytes(photo: Photo) -> bytes:
    """The sidecar: the photo's metadata (favorite, archived, description, trash and corrections
    included), without the short-lived thumbnail URL."""
    data: dict[str, Any] = msgspec.to_builtins(photo)
    data.pop("thumb_url", None)
    data["corrections"] = corrections(photo)
    return msgspec.json.format(msgspec.json.encode(data), indent=2) + b"\n"


@dataclass
class ExistingExport:
    """What an earlier export left in the folder, found through its sidecars."""

    originals: dict[str, Path] = field(default_factory=dict)  # photo id -> its original
    orphans: dict[str, list[Path]] = field(default_factory=dict)  # photo id -> sidecars without an original


def scan_existing(target: Path) -> ExistingExport:
    """Every sidecar under ``target`` (hidden files and folders aside). Blocking: run in a thread."""
    found = ExistingExport()
    if not target.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(target):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(SIDECAR_SUFFIX) or name == SIDECAR_SUFFIX:
                continue
            original = Path(dirpath) / name[: -len(SIDECAR_SUFFIX)]
            data = read_sidecar(original)
            photo_id = data.get("id") if data is not None else None
            if not isinstance(photo_id, str):
                continue  # a file of the user's own, not a sidecar of ours
            if original.is_file():
                found.originals.setdefault(photo_id, original)
            else:
                found.orphans.setdefault(photo_id, []).append(sidecar_of(original))
    return found
