"""Videos in ``imaging.video``: sniffing, container metadata, the poster, hostile files.

Every clip is generated here with PyAV (tests/videos.py)."""

from __future__ import annotations

import os
import resource
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from auroravault.config import ImageSettings, VideoSettings
from auroravault.imaging.apple import content_identifier, maker_note
from auroravault.imaging.video import VideoRejected, process_video, sniff_video
from tests.videos import claimed_size, huge_claim, iphone_mov, make_video, undecodable

IMAGES = ImageSettings()
VIDEOS = VideoSettings()


def rejected(src: Path, tmp_path: Path, settings: VideoSettings = VIDEOS) -> VideoRejected:
    with pytest.raises(VideoRejected) as info:
        process_video(src, tmp_path, IMAGES, settings)
    return info.value


def colour(image: Image.Image, fx: float, fy: float) -> str:
    r, g, b = image.convert("RGB").getpixel((int(image.width * fx), int(image.height * fy)))[:3]
    if r > 180 and b < 90:
        return "red"
    if b > 180 and r < 90:
        return "blue"
    return "black" if max(r, g, b) < 90 else f"{r},{g},{b}"


def test_an_h264_mp4_has_its_duration_size_and_a_poster_at_photo_sizes(tmp_path: Path) -> None:
    src = make_video(tmp_path / "clip.mp4", width=1920, height=1080, seconds=3)
    done = process_video(src, tmp_path, IMAGES, VIDEOS)
    meta = done.meta
    assert (meta.mime, meta.codec, meta.width, meta.height) == ("video/mp4", "h264", 1920, 1080)
    assert meta.duration_ms == pytest.approx(3000, abs=50)
    assert meta.taken_at is None and meta.lat is None and meta.camera_make is None
    with Image.open(done.variants.thumb_path) as thumb:
        assert thumb.format == "WEBP" and min(thumb.size) == 250 and thumb.width > thumb.height
    with Image.open(done.variants.preview_path) as preview:
        assert (preview.format == "JPEG" and preview.size == (2560, 1440)) or min(preview.size) == 1080
        assert colour(preview, 0.1, 0.1) == "blue" and colour(preview, 0.1, 0.6) == "red"
        assert colour(preview, 0.9, 0.3) == "black"
    assert done.variants.thumbhash


def test_an_iphone_mov_is_shown_upright_with_its_place_time_and_camera(tmp_path: Path) -> None:
    src = iphone_mov(tmp_path / "IMG_0001.MOV", identifier="6F1C-LIVE")
    done = process_video(src, tmp_path, IMAGES, VIDEOS)
    meta = done.meta
    assert meta.mime == "video/quicktime" and meta.rotation == -90
    assert (meta.width, meta.height) == (240, 320)  # stored 320x240, displayed turned a quarter
    assert meta.taken_at == datetime(2024, 5, 1, 12, 20, 30, tzinfo=timezone(timedelta(hours=2)))
    assert (meta.lat, meta.lon, meta.alt) == (48.8584, 2.2945, 35.0)
    assert (meta.camera_make, meta.camera_model) == ("Apple", "iPhone 15 Pro")
    assert meta.content_identifier == "6F1C-LIVE"
    assert meta.duration_ms == pytest.approx(1500, abs=50)
    with Image.open(done.variants.preview_path) as preview:
        assert preview.size == (240, 320)  # never upscaled
        # Turned clockwise: the stored top (blue) is on the right, the stored left (red) on top.
        assert colour(preview, 0.95, 0.5) == "blue"
        assert colour(preview, 0.2, 0.2) == "red"
        assert colour(preview, 0.2, 0.9) not in ("red", "blue")  # the stored bottom right


def test_the_utc_creation_time_is_read_when_there_is_no_apple_date(tmp_path: Path) -> None:
    src = make_video(tmp_path / "a.mp4", metadata={"creation_time": "2023-08-09T07:06:05.000000Z"})
    assert process_video(src, tmp_path, IMAGES, VIDEOS).meta.taken_at == datetime(2023, 8, 9, 7, 6, 5, tzinfo=UTC)


def test_malformed_metadata_is_ignored_not_fatal(tmp_path: Path) -> None:
    bad = {"creation_time": "yesterday", "location": "+999.0+000.0/", "com.apple.quicktime.make": "   "}
    src = make_video(tmp_path / "a.mp4", metadata=bad)
    meta = process_video(src, tmp_path, IMAGES, VIDEOS).meta
    assert meta.taken_at is None and meta.lat is None and meta.camera_make is None


def test_types_are_sniffed_from_the_bytes(tmp_path: Path) -> None:
    assert sniff_video(make_video(tmp_path / "x.mov").read_bytes()[:32]) == "video/mp4"  # named .mov, is MP4
    assert sniff_video(make_video(tmp_path / "y.mp4", mov=True).read_bytes()[:32]) == "video/quicktime"
    assert sniff_video(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") is None  # a HEIC stays a photo
    assert sniff_video(b"\xff\xd8\xff\xe0" + b"\x00" * 28) is None
    assert sniff_video(b"") is None


def test_a_truncated_video_fails_as_corrupt(tmp_path: Path) -> None:
    data = make_video(tmp_path / "a.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])  # the moov atom (at the end) is gone
    error = rejected(cut, tmp_path)
    assert error.code == "corrupt_video" and str(tmp_path) not in error.detail
    cut.write_bytes(data[:40])
    assert rejected(cut, tmp_path).code == "corrupt_video"


def test_empty_or_random_bytes_are_not_a_video(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert rejected(empty, tmp_path).code == "unsupported_format"
    noise = tmp_path / "noise.mov"
    noise.write_bytes(os.urandom(4096))
    assert rejected(noise, tmp_path).code == "unsupported_format"


def test_a_stream_of_noise_fails_after_a_bounded_read(tmp_path: Path) -> None:
    src = undecodable(tmp_path / "noise.mp4", packets=3000)
    error = rejected(src, tmp_path, VideoSettings(max_packets=500))
    assert error.code == "corrupt_video"


def test_an_endless_stream_gives_up_at_the_time_limit(tmp_path: Path) -> None:
    src = undecodable(tmp_path / "noise.mp4", packets=3000)
    assert rejected(src, tmp_path, VideoSettings(max_decode_seconds=1e-9)).code == "video_unreadable"


def test_a_100000_pixel_square_claim_fails_without_taking_memory(tmp_path: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = rejected(huge_claim(tmp_path / "huge.mp4"), tmp_path)
    assert error.code in ("video_too_large", "corrupt_video")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200 * 1024


def test_frames_over_the_limit_fail_from_the_header(tmp_path: Path) -> None:
    error = rejected(claimed_size(tmp_path / "big.mov", 12000, 12000), tmp_path)
    assert error.code == "video_too_large" and "12000x12000" in error.detail
    small = make_video(tmp_path / "a.mp4")
    assert rejected(small, tmp_path, VideoSettings(max_frame_pixels=320 * 240 - 1)).code == "video_too_large"


def test_the_apple_maker_note_gives_the_content_identifier() -> None:
    note = maker_note("9C1D-55")
    assert content_identifier(note) == "9C1D-55"
    assert content_identifier(note[:20]) is None  # cut off
    assert content_identifier(b"Nikon\x00" + note[6:]) is None
    assert content_identifier("not bytes") is None
    assert content_identifier(note[:14] + (60000).to_bytes(2, "big") + note[16:]) is None
