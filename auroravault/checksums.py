"""The sha256 of a file on disk, read in bounded chunks (blocking: run it in a worker thread)."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1024 * 1024


def file_sha256(path: Path) -> tuple[int, str]:
    """``(size, hex digest)`` of the file at ``path``; memory stays at one chunk."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
