"""Decompression bombs, written small: huge images that take almost nothing on disk."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def write_png_bomb(path: Path, side: int) -> None:
    """A 16-bit greyscale PNG of side x side, all black: under a megabyte on disk, streamed out."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + side * 2)  # filter byte + 16-bit samples
    packer = zlib.compressobj(9)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 16, 0, 0, 0, 0)))
        data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
        fh.write(chunk(b"IDAT", data) + chunk(b"IEND", b""))
