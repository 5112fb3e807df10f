"""Finding photos: walk folders, skip hidden files and sidecars, recognise photos by content.

A photo is recognised by its first bytes, not its extension (a phone backup is full of
``.JPG`` that are HEIC, and of extension-less files):

- JPEG ``FF D8 FF``; PNG ``89 50 4E 47 0D 0A 1A 0A``; GIF ``GIF87a``/``GIF89a``;
- WebP ``RIFF....WEBP``; TIFF ``II*\\0``/``MM\\0*`` (also most camera RAW files, kept as TIFF);
- ISO-BMFF ``....ftyp`` with an image brand: HEIC (``heic heix heim heis hevc hevx``),
  AVIF (``avif avis``), or generic HEIF (``mif1 msf1``, refined by the compatible brands);
- videos (``auroravault.mediatypes``): ISO-BMFF with an MP4 brand (``isom``, ``mp42``...) is
  ``video/mp4``, ``qt`` (or an old QuickTime atom) ``video/quicktime``: a Live Photo's MOV
  goes up beside its still, and the server pairs them.

Hidden files and folders (a leading dot), well-known sidecars (``.xmp .aae .json .thm``...)
and system clutter (``Thumbs.db``, ``@eaDir``, ``__MACOSX``) are ignored without being read.
A file named explicitly on the command line is never ignored for its name, only for its
content.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from auroravault.mediatypes import sniff_video

HEAD_BYTES = 64
READ_CHUNK = 4 * 1024 * 1024

SIDECAR_EXTENSIONS = frozenset(
    {".xmp", ".aae", ".json", ".thm", ".xml", ".pp3", ".dop", ".on1", ".lrv", ".modd", ".moff", ".ini", ".db"}
)
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})
IGNORED_DIRS = frozenset({"@eadir", "__macosx", "$recycle.bin", "system volume information"})

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})


def sniff(head: bytes) -> str | None:
    """The media type of a photo or video from its first bytes, or None when it is neither."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box = int.from_bytes(head[:4], "big")
        major = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(box, len(head)) - 3, 4)}
        if major in _AVIF_BRANDS:
            return "image/avif"
        if major in _HEIC_BRANDS:
            return "image/heic"
        if major in _HEIF_BRANDS:
            if compatible & _HEIC_BRANDS:
                return "image/heic"
            if compatible & _AVIF_BRANDS:
                return "image/avif"
            return "image/heif"
    return sniff_video(head)


def is_ignored_name(name: str) -> bool:
    """Hidden files, sidecars and system clutter: not even opened."""
    lower = name.lower()
    return name.startswith(".") or lower in IGNORED_NAMES or os.path.splitext(lower)[1] in SIDECAR_EXTENSIONS


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file that may be a photo: where it is, and the size and mtime that key the hash cache."""

    path: Path
    size: int
    mtime_ns: int


@dataclass(slots=True)
class ScanResult:
    files: list[Candidate] = field(default_factory=list)
    ignored: int = 0  # hidden files, sidecars, clutter
    missing: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): unreadable or absent

    @property
    def total_bytes(self) -> int:
        return sum(c.size for c in self.files)


def scan_paths(paths: list[Path]) -> ScanResult:
    """Every candidate under ``paths`` (files and folders), each real file once, in a stable order."""
    result = ScanResult()
    seen: set[tuple[int, int]] = set()

    def add(path: Path) -> None:
        try:
            st = path.stat()
        except OSError as exc:
            result.missing.append((str(path), exc.strerror or str(exc)))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:  # the same file through two arguments or a hard link
            return
        seen.add(key)
        result.files.append(Candidate(path=path, size=st.st_size, mtime_ns=st.st_mtime_ns))

    for root in paths:
        root = Path(os.path.abspath(root.expanduser()))
        if root.is_file():
            add(root)
            continue
        if not root.is_dir():
            result.missing.append((str(root), "no such file or folder"))
            continue

        def unreadable(exc: OSError) -> None:
            result.missing.append((str(exc.filename), exc.strerror or str(exc)))

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
            kept = sorted(d for d in dirnames if not d.startswith(".") and d.lower() not in IGNORED_DIRS)
            result.ignored += len(dirnames) - len(kept)
            dirnames[:] = kept
            for name in sorted(filenames):
                if is_ignored_name(name):
                    result.ignored += 1
                    continue
                path = Path(dirpath) / name
                if path.is_file():
                    add(path)
    return result


class Changed(Exception):
    """The file changed while it was being read."""


def sniff_and_hash(path: Path) -> tuple[str | None, str | None, int, int]:
    """``(sha256, content_type, size, mtime_ns)`` of a file; ``(None, None, ...)`` when not a photo.

    Blocking (runs in a worker thread). hashlib releases the GIL on large updates, so a few
    threads hash in parallel. Raises ``Changed`` if the file's size or mtime moved while read.
    """
    with path.open("rb") as fh:
        before = os.fstat(fh.fileno())
        head = fh.read(HEAD_BYTES)
        content_type = sniff(head)
        if content_type is None:
            return None, None, before.st_size, before.st_mtime_ns
        digest = hashlib.sha256(head)
        count = len(head)
        # One buffer for the whole file (no allocation per chunk); hashlib drops the GIL
        # while it hashes each 4 MiB, so other files hash and send meanwhile.
        buffer = bytearray(READ_CHUNK)
        view = memoryview(buffer)
        while n := fh.readinto(buffer):
            digest.update(view[:n])
            count += n
        after = os.fstat(fh.fileno())
    if count != before.st_size or (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise Changed(f"{path} changed while it was read")
    return digest.hexdigest(), content_type, before.st_size, before.st_mtime_ns
