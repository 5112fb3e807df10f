"""Is a HEIF/AVIF file cut off? Read from its item locations (ISO/IEC 23008-12, ``iloc``).

libheif decodes a grid image whose last tiles lie past the end of the file and fills them in
without a word, so the file itself has to say where its data should be: every item's extents
are listed in the ``iloc`` box inside the top-level ``meta`` box, before any image data.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO, Final

_MAX_META: Final = 16 * 1024 * 1024  # a real meta box is a few kB; never read an absurd one


def _boxes(data: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    """The first box of each type in ``data[start:end]``: type -> (payload start, payload end)."""
    found: dict[bytes, tuple[int, int]] = {}
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                break
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            break
        found.setdefault(kind, (pos + header, min(pos + size, end)))
        pos += size
    return found


def _meta_box(fh: BinaryIO, file_size: int) -> bytes | None:
    """The payload of the top-level ``meta`` box, walking box headers only."""
    pos = 0
    while pos + 8 <= file_size:
        fh.seek(pos)
        header = fh.read(16)
        if len(header) < 8:
            return None
        size, kind = struct.unpack_from(">I4s", header)
        skip = 8
        if size == 1 and len(header) == 16:
            (size,) = struct.unpack_from(">Q", header, 8)
            skip = 16
        elif size == 0:
            size = file_size - pos
        if size < skip:
            return None
        if kind == b"meta":
            if size - skip > _MAX_META:
                return None
            fh.seek(pos + skip)
            return fh.read(size - skip)
        pos += size
    return None


def _uint(data: bytes, pos: int, width: int) -> int:
    if pos + width > len(data):
        raise ValueError("iloc box ends early")
    return int.from_bytes(data[pos : pos + width], "big") if width else 0


def _data_end(iloc: bytes) -> int:
    """The file offset just past the last byte any item's extents point at (0 if none)."""
    version = iloc[0]
    pos = 4  # version and flags
    offset_size, length_size = iloc[pos] >> 4, iloc[pos] & 15
    base_size, index_size = iloc[pos + 1] >> 4, (iloc[pos + 1] & 15) if version in (1, 2) else 0
    pos += 2
    count_width = 2 if version < 2 else 4
    items = _uint(iloc, pos, count_width)
    pos += count_width
    end = 0
    for _ in range(items):
        pos += count_width  # item_ID
        method = 0
        if version in (1, 2):
            method = _uint(iloc, pos, 2) & 15
            pos += 2
        pos += 2  # data_reference_index
        base = _uint(iloc, pos, base_size)
        pos += base_size
        extents = _uint(iloc, pos, 2)
        pos += 2
        for _ in range(extents):
            pos += index_size
            offset = _uint(iloc, pos, offset_size)
            length = _uint(iloc, pos + offset_size, length_size)
            pos += offset_size + length_size
            if method == 0 and length > 0:  # 0: in the file (1: in idat, 2: in another item)
                end = max(end, base + offset + length)
    return end


def missing_bytes(fh: BinaryIO) -> int:
    """How many bytes of image data the file lacks: 0 when complete or when it cannot tell."""
    file_size = fh.seek(0, os.SEEK_END)
    meta = _meta_box(fh, file_size)
    if meta is None or len(meta) < 4:
        return 0
    iloc = _boxes(meta, 4, len(meta)).get(b"iloc")  # meta is a full box: skip version+flags
    if iloc is None:
        return 0
    try:
        end = _data_end(meta[iloc[0] : iloc[1]])
    except (ValueError, IndexError):
        return 0
    return max(0, end - file_size)
