"""Apple's MakerNote: the ContentIdentifier that ties a Live Photo's still to its MOV.

An iPhone's HEIC or JPEG carries, in EXIF tag 0x927C, a MakerNote that starts ``Apple iOS\\0``,
a version, ``MM`` and a big-endian IFD whose offsets count from the MakerNote's start. Tag
0x0011 is the ContentIdentifier (ASCII), the same string as the MOV's
``com.apple.quicktime.content.identifier``. Best effort: anything malformed is None.
"""

from __future__ import annotations

from typing import Final

_MAGIC: Final = b"Apple iOS\x00"
_CONTENT_IDENTIFIER: Final = 0x0011
_ASCII: Final = 2
_MAX_ENTRIES: Final = 512


def content_identifier(note: object) -> str | None:
    """The ContentIdentifier in an Apple MakerNote (bytes), or None."""
    if not isinstance(note, bytes) or not note.startswith(_MAGIC) or note[12:14] != b"MM":
        return None
    count = int.from_bytes(note[14:16], "big")
    if count > _MAX_ENTRIES:
        return None
    for index in range(count):
        entry = note[16 + 12 * index : 28 + 12 * index]
        if len(entry) < 12:
            return None
        tag, kind, length = (
            int.from_bytes(entry[:2], "big"),
            int.from_bytes(entry[2:4], "big"),
            int.from_bytes(entry[4:8], "big"),
        )
        if tag != _CONTENT_IDENTIFIER or kind != _ASCII or not 0 < length <= 256:
            continue
        if length <= 4:
            raw = entry[8 : 8 + length]
        else:
            offset = int.from_bytes(entry[8:12], "big")
            raw = note[offset : offset + length]
        text = raw.split(b"\x00", 1)[0].decode("ascii", "replace").strip()
        return text or None
    return None


def maker_note(identifier: str) -> bytes:
    """An Apple MakerNote holding ``identifier`` (what an iPhone writes, reduced to that tag)."""
    value = identifier.encode("ascii") + b"\x00"
    header = _MAGIC + b"\x00\x01MM" + (1).to_bytes(2, "big")
    offset = len(header) + 12 + 4
    entry = _CONTENT_IDENTIFIER.to_bytes(2, "big") + _ASCII.to_bytes(2, "big") + len(value).to_bytes(4, "big")
    entry += offset.to_bytes(4, "big")
    return header + entry + b"\x00\x00\x00\x00" + value
