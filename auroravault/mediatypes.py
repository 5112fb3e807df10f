"""Videos told from their first bytes, shared by the server (``imaging.video``) and the CLI
(``client.scan``), and mirrored by the web app (``web/js/sniff.js``). No dependencies.

An ISO-BMFF ``ftyp`` box with an MP4-family major brand is ``video/mp4``; ``qt  `` (or an old
QuickTime file's first atom, without ``ftyp``) is ``video/quicktime``. HEIF/AVIF brands are
photos and never match here.
"""

from __future__ import annotations

from typing import Final

MP4_BRANDS: Final = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"MSNV", b"dash", b"3gp4"}
    | {b"3gp5", b"3gp6", b"3g2a", b"XAVC", b"hvc1", b"FACE", b"mp71"}
)
QUICKTIME_ATOMS: Final = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
VIDEO_TYPES: Final = ("video/mp4", "video/quicktime")


def sniff_video(head: bytes) -> str | None:
    """``video/mp4`` or ``video/quicktime`` from a file's first bytes (12 at least), else None."""
    if len(head) < 12:
        return None
    box = head[4:8]
    if box == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4" if brand in MP4_BRANDS else None
    size = int.from_bytes(head[:4], "big")
    if box in QUICKTIME_ATOMS and (size in (0, 1) or size >= 8):
        return "video/quicktime"
    return None
