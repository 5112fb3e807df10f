"""Real video files for tests, made here with PyAV (libx264 in its wheel): never downloaded.

Every clip shows the same picture, so a test can tell which way up a poster came out: the left
half red, the top quarter blue (over the red), the rest black, on frames stored as given.
"""

from __future__ import annotations

import fractions
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from auroravault.imaging.apple import maker_note

TIME_BASE = fractions.Fraction(1, 30)


def picture(width: int, height: int, shade: int = 0) -> np.ndarray:
    frame = np.zeros((height, width, 3), np.uint8)
    frame[:, : width // 2] = (255, 0, 0)
    frame[: height // 4] = (0, 0, 255)
    frame[height // 2 :, width // 2 :, 1] = shade % 256
    return frame


def make_video(
    path: Path,
    *,
    width: int = 320,
    height: int = 240,
    seconds: float = 2.0,
    fps: int = 30,
    mov: bool = False,
    rotation: int | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    """An H.264 MP4 (or QuickTime ``mov``) of ``seconds`` at ``fps``; ``rotation``: the display
    matrix's counterclockwise degrees (an iPhone held upright records -90); ``metadata``:
    container tags, Apple's ``com.apple.quicktime.*`` keys included."""
    options = {"movflags": "use_metadata_tags"} if metadata else {}
    with av.open(str(path), "w", format="mov" if mov else "mp4", options=options) as container:
        container.metadata.update(metadata or {})
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        base = picture(width, height)
        for index in range(round(seconds * fps)):
            base[height // 2 :, width // 2 :, 1] = index * 4 % 256
            frame = av.VideoFrame.from_ndarray(base, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def iphone_mov(path: Path, *, taken: str = "2024-05-01T12:20:30+0200", identifier: str | None = None) -> Path:
    """What an iPhone held upright records: a QuickTime file turned -90, with GPS (the Eiffel
    Tower), the capture time with its offset, make and model, and maybe a ContentIdentifier."""
    meta = {
        "com.apple.quicktime.location.ISO6709": "+48.8584+002.2945+035.000/",
        "com.apple.quicktime.creationdate": taken,
        "com.apple.quicktime.make": "Apple",
        "com.apple.quicktime.model": "iPhone 15 Pro",
    }
    if identifier:
        meta["com.apple.quicktime.content.identifier"] = identifier
    return make_video(path, mov=True, rotation=-90, metadata=meta, seconds=1.5)


def still_jpeg(path: Path, *, taken: datetime, offset: str = "+02:00", identifier: str | None = None) -> Path:
    """A JPEG with DateTimeOriginal and its offset, as a Live Photo's still; ``identifier``: the
    ContentIdentifier in an Apple MakerNote, as an iPhone writes it."""
    image = Image.fromarray(picture(400, 300))
    exif = Image.Exif()
    exif[0x0110] = "iPhone 15 Pro"
    exif[0x010F] = "Apple"
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    ifd[0x9011] = offset
    if identifier:
        ifd[0x927C] = maker_note(identifier)
    buf = BytesIO()
    image.save(buf, "JPEG", exif=exif, quality=90)
    path.write_bytes(buf.getvalue())
    return path


def undecodable(path: Path, packets: int = 5000) -> Path:
    """An MP4 with a valid header whose every packet is noise: nothing ever decodes."""
    rng = np.random.default_rng(7)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for _ in stream.encode(av.VideoFrame.from_ndarray(picture(320, 240), format="rgb24")):
            pass
        for _ in stream.encode():
            pass  # opens the encoder, so the header carries its parameters
        for index in range(packets):
            packet = av.Packet(rng.integers(0, 256, 200, dtype=np.uint8).tobytes())
            packet.stream, packet.pts, packet.dts, packet.time_base = stream, index, index, TIME_BASE
            container.mux(packet)
    return path


def _ue(value: int) -> str:
    bits = bin(value + 1)[2:]
    return "0" * (len(bits) - 1) + bits


def _nal(bits: str, header: int) -> bytes:
    bits += "1"
    bits += "0" * (-len(bits) % 8)
    return bytes([header]) + int(bits, 2).to_bytes(len(bits) // 8, "big")


def huge_claim(path: Path, width: int = 100_000, height: int = 100_000) -> Path:
    """An MP4 whose H.264 header (its SPS) claims ``width`` x ``height`` frames and that holds
    a few bytes of data."""
    with av.open(str(path), "w", format="mp4") as container:
        stream: Any = container.add_stream("h264", rate=30)
        fields = [format(66, "08b"), "00000000", format(51, "08b"), _ue(0), _ue(0), _ue(2), _ue(1), "0"]
        sps = "".join([*fields, _ue(width // 16 - 1), _ue(height // 16 - 1), "1", "1", "0", "0"])
        s, p = _nal(sps, 0x67), _nal(_ue(0) + _ue(0) + "00" + _ue(0) * 3 + "000" + "1111" + "00", 0x68)
        avcc = bytes([1, s[1], s[2], s[3], 0xFF, 0xE1]) + len(s).to_bytes(2, "big") + s
        stream.codec_context.extradata = avcc + bytes([1]) + len(p).to_bytes(2, "big") + p
        stream.width, stream.height = 1600, 1600
        for index in range(10):
            packet = av.Packet(b"\x00\x00\x00\x05\x65\x88\x84\x00\x10")
            packet.stream, packet.pts, packet.dts, packet.time_base = stream, index, index, TIME_BASE
            packet.is_keyframe = True
            container.mux(packet)
    return path


def claimed_size(path: Path, width: int, height: int) -> Path:
    """A QuickTime Animation (qtrle) clip of 64x48 whose sample description claims ``width`` x
    ``height`` (FFmpeg takes that codec's size from the container)."""
    with av.open(str(path), "w", format="mov") as container:
        stream = container.add_stream("qtrle", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "rgb24"
        for _ in range(3):
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture(64, 48), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = bytearray(path.read_bytes())
    entry = data.find(b"rle ", data.find(b"stsd"))
    data[entry + 28 : entry + 32] = width.to_bytes(2, "big") + height.to_bytes(2, "big")
    path.write_bytes(bytes(data))
    return path
