"""Tests of auroravault.imaging on real photos (tests/data/photos) and generated files.

No mocks: every test reads or writes real image files and decodes the variants back.
"""

from __future__ import annotations

import base64
import csv
import io
import math
import random
import shutil
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageOps, ImageStat
from PIL.TiffImagePlugin import IFDRational

from auroravault.config import ImageSettings
from auroravault.errors import PermanentJobError
from auroravault.imaging import (
    ImageMeta,
    ImageRejected,
    ProcessedImage,
    probe,
    process_image,
    register_heif,
    thumbhash_encode,
)

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / "tests" / "data" / "photos"
SETTINGS = ImageSettings()


# --------------------------------------------------------------------------- the manifest


def _manifest() -> list[dict[str, str]]:
    with open(PHOTOS / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


MANIFEST = _manifest()
BY_NAME = {row["file"]: row for row in MANIFEST}


def expected_rejection(row: dict[str, str]) -> str | None:
    """The rejection code a manifest row must produce, or None when it must process.

    Truncated files whose header decodes (the JPEGs, truncated.heic) are processed as far as
    their data goes, and carry ``damage`` (see ``is_truncated``).
    """
    if row["format"] == "not openable by Pillow":
        return "unsupported_format"
    return None


def is_truncated(row: dict[str, str]) -> bool:
    return "TRUNCATED" in row["notes"]


OK_ROWS = [row for row in MANIFEST if expected_rejection(row) is None]


def displayed_size(row: dict[str, str]) -> tuple[int, int]:
    """The manifest size is as Pillow reports it before any EXIF transpose; HEIC is upright."""
    width, height = (int(v) for v in row["width_x_height"].split("x"))
    fmt = row["format"].split()[0]
    orientation = int(row["Orientation"]) if row["Orientation"] else 1
    if fmt != "HEIF" and orientation >= 5:
        return height, width
    return width, height


def parse_gps(value: str) -> tuple[float, float] | None:
    if not value.startswith("yes ("):
        return None
    lat, lon = value[len("yes (") : -1].split(",")
    return float(lat), float(lon)


@pytest.fixture(scope="session")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ProcessedImage | ImageRejected]:
    """Every manifest file processed once (the outcome of process_image, or its rejection)."""
    out: dict[str, ProcessedImage | ImageRejected] = {}
    for row in MANIFEST:
        workdir = tmp_path_factory.mktemp(row["file"].replace(".", "_"))
        try:
            out[row["file"]] = process_image(PHOTOS / row["file"], workdir, SETTINGS)
        except ImageRejected as exc:
            out[row["file"]] = exc
    return out


def ok(results: dict[str, ProcessedImage | ImageRejected], name: str) -> ProcessedImage:
    result = results[name]
    assert isinstance(result, ProcessedImage), f"{name} was rejected: {result}"
    return result


def test_testdata_is_there() -> None:
    assert len(MANIFEST) == 34
    assert all((PHOTOS / row["file"]).is_file() for row in MANIFEST)


@pytest.mark.parametrize("row", MANIFEST, ids=[row["file"] for row in MANIFEST])
def test_manifest_outcome(row: dict[str, str], results: dict[str, ProcessedImage | ImageRejected]) -> None:
    result = results[row["file"]]
    code = expected_rejection(row)
    if code is not None:
        assert isinstance(result, ImageRejected), f"expected {code}, got {result}"
        assert result.code == code
        return
    assert isinstance(result, ProcessedImage), f"rejected: {result}"
    if is_truncated(row):
        assert result.damage is not None and result.damage.code == "truncated"
    else:
        assert result.damage is None
    meta = result.meta
    assert meta.format == row["format"].split()[0]
    assert (meta.width, meta.height) == displayed_size(row)
    assert meta.orientation == (int(row["Orientation"]) if row["Orientation"] else None)

    if row["DateTimeOriginal"]:
        expected = datetime.strptime(row["DateTimeOriginal"], "%Y:%m:%d %H:%M:%S")
        assert meta.taken_at is not None
        assert meta.taken_at.replace(tzinfo=None) == expected
        assert meta.taken_at_source == "exif_original"
    else:
        assert meta.taken_at_source != "exif_original"

    if row["camera_make_model"]:
        make, model = row["camera_make_model"].split(" / ")
        assert (meta.camera_make, meta.camera_model) == (make, model)
    else:
        assert (meta.camera_make, meta.camera_model) == (None, None)

    gps = parse_gps(row["has_GPS"])
    if gps is None:
        assert (meta.lat, meta.lon, meta.alt) == (None, None, None)
    else:
        assert meta.lat == pytest.approx(gps[0], abs=1e-5)
        assert meta.lon == pytest.approx(gps[1], abs=1e-5)


@pytest.mark.parametrize("row", OK_ROWS, ids=[row["file"] for row in OK_ROWS])
def test_probe_matches_process(row: dict[str, str], results: dict[str, ProcessedImage | ImageRejected]) -> None:
    """probe() reads the same metadata without decoding (PNG eXIf after IDAT included)."""
    assert probe(PHOTOS / row["file"], SETTINGS.max_pixels) == ok(results, row["file"]).meta


@pytest.mark.parametrize("row", OK_ROWS, ids=[row["file"] for row in OK_ROWS])
def test_variants(row: dict[str, str], results: dict[str, ProcessedImage | ImageRejected]) -> None:
    """Thumb is WebP and preview JPEG, upright, never upscaled, with no metadata at all."""
    result = ok(results, row["file"])
    width, height = displayed_size(row)
    short = min(width, height)
    cases = [
        (result.thumb_path, "WEBP", SETTINGS.thumb_size, (result.thumb_width, result.thumb_height)),
        (result.preview_path, "JPEG", SETTINGS.preview_size, (result.preview_width, result.preview_height)),
    ]
    for path, fmt, target, reported in cases:
        with Image.open(path) as variant:
            assert variant.format == fmt
            assert variant.size == reported
            assert min(variant.size) == min(target, short)  # never upscaled
            # Same aspect ratio and orientation as displayed (rounding of the long edge only).
            assert (variant.width >= variant.height) == (width >= height)
            assert max(variant.size) == pytest.approx(max(width, height) * min(variant.size) / short, abs=1)
            assert len(variant.getexif()) == 0
            for key in ("exif", "xmp", "icc_profile", "XML:com.adobe.xmp"):
                assert key not in variant.info
            assert variant.mode in (("RGB",) if fmt == "JPEG" else ("RGB", "RGBA"))
    assert 15 <= len(base64.b64decode(result.thumbhash)) <= 30


def test_not_an_image_is_unsupported(tmp_path: Path) -> None:
    for name, data in {
        "empty.jpg": b"",
        "text.jpg": b"hello, this is not a photo\n" * 20,
        "doc.heic": b"%PDF-1.7\n" + bytes(500),
        "live_photo.heic": b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + bytes(500),  # a MOV
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ImageRejected) as err:
            process_image(path, tmp_path / "out", SETTINGS)
        assert err.value.code == "unsupported_format"
        with pytest.raises(ImageRejected):
            probe(path, SETTINGS.max_pixels)


def test_damaged_header_of_known_format_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + random.Random(7).randbytes(3000))
    with pytest.raises(ImageRejected) as err:
        process_image(path, tmp_path / "out", SETTINGS)
    assert err.value.code == "corrupt_image"


@pytest.mark.parametrize("name", ["flower.jpg", "icc_profile_big.jpg", "hopper.png", "flower.webp", "truncated.heic"])
def test_damaged_files_never_crash(name: str, tmp_path: Path) -> None:
    """Seeded truncations and byte flips: each either processes or is rejected with a code."""
    data = (PHOTOS / name).read_bytes()
    rnd = random.Random(name)
    for i in range(12):
        damaged = bytearray(data)
        if i % 2:
            damaged = damaged[: rnd.randrange(1, len(data))]
        else:
            for _ in range(rnd.randrange(1, 16)):
                damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        src = tmp_path / f"damaged_{i}"
        src.write_bytes(bytes(damaged))
        try:
            result = process_image(src, tmp_path / f"out_{i}", SETTINGS)
        except ImageRejected as err:
            assert err.code in ("corrupt_image", "unsupported_format")
        else:
            assert result.thumb_path.is_file() and result.preview_path.is_file()


def test_register_heif_is_idempotent() -> None:
    register_heif()
    register_heif()
    assert probe(PHOTOS / "truncated.heic", SETTINGS.max_pixels).format == "HEIF"


def test_rejection_is_a_permanent_job_error() -> None:
    err = ImageRejected("corrupt_image", "bad")
    assert isinstance(err, PermanentJobError)
    assert (err.code, err.detail) == ("corrupt_image", "bad")


def test_format_comes_from_bytes_not_name(tmp_path: Path) -> None:
    heic_as_jpg = tmp_path / "really_heic.jpg"
    shutil.copy(PHOTOS / "arrow.heic", heic_as_jpg)
    meta = process_image(heic_as_jpg, tmp_path / "a", SETTINGS).meta
    assert (meta.format, meta.mime) == ("HEIF", "image/heic")
    assert (meta.width, meta.height) == (3024, 4032)  # rotated once, not twice

    png_as_heic = tmp_path / "really_png.heic"
    shutil.copy(PHOTOS / "hopper.png", png_as_heic)
    assert probe(png_as_heic, SETTINGS.max_pixels).mime == "image/png"


# --------------------------------------------------------------------------- orientation


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


@pytest.mark.parametrize("n", range(2, 9))
def test_landscape_orientations_end_up_upright(n: int, results: dict[str, ProcessedImage | ImageRejected]) -> None:
    """Landscape_2..8 are the same picture stored 7 different ways: all variants must match 1."""
    reference, other = ok(results, "Landscape_1.jpg"), ok(results, f"Landscape_{n}.jpg")
    for attr in ("preview_path", "thumb_path"):
        with Image.open(getattr(reference, attr)) as a, Image.open(getattr(other, attr)) as b:
            assert a.size == b.size
            assert mean_difference(a, b) < 6
            # Control: the comparison is sensitive to a wrong orientation.
            assert mean_difference(a, b.transpose(Image.Transpose.ROTATE_180)) > 20


def test_heic_rotation_is_applied_once(results: dict[str, ProcessedImage | ImageRejected]) -> None:
    result = ok(results, "arrow.heic")
    assert (result.meta.width, result.meta.height) == (3024, 4032)
    assert (result.preview_width, result.preview_height) == (1440, 1920)
    with Image.open(result.preview_path) as preview:
        assert preview.size == (1440, 1920)


# --------------------------------------------------------------------------- colour


def test_cmyk_jpeg_has_sensible_rgb(results: dict[str, ProcessedImage | ImageRejected]) -> None:
    result = ok(results, "pil_sample_cmyk.jpg")
    with Image.open(PHOTOS / "pil_sample_cmyk.jpg") as original:
        reference = original.convert("RGB")
    for path in (result.preview_path, result.thumb_path):
        with Image.open(path) as variant:
            assert variant.mode == "RGB"
            assert variant.size == reference.size
            # Lossy re-encoding of this busy sample alone costs about 6.4 levels.
            assert mean_difference(variant, reference) < 10
            assert mean_difference(variant, ImageOps.invert(reference)) > 100  # not inverted


def _display_p3_profile() -> bytes:
    register_heif()
    with Image.open(PHOTOS / "pug.heic") as heic:
        icc = heic.info["icc_profile"]
    assert isinstance(icc, bytes)
    return icc


def test_icc_profile_is_converted_to_srgb(tmp_path: Path) -> None:
    icc = _display_p3_profile()
    colour = (200, 100, 50)
    src = tmp_path / "p3.png"
    Image.new("RGB", (64, 48), colour).save(src, icc_profile=icc)
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), colour),
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        ImageCms.createProfile("sRGB"),
        outputMode="RGB",
    )
    assert expected is not None
    want = expected.getpixel((0, 0))
    assert isinstance(want, tuple)
    assert max(abs(w - c) for w, c in zip(want, colour, strict=True)) > 10  # P3 really differs

    result = process_image(src, tmp_path / "out", SETTINGS)
    with Image.open(result.preview_path) as preview:
        assert "icc_profile" not in preview.info
        got = preview.getpixel((32, 24))
    assert isinstance(got, tuple)
    assert max(abs(g - w) for g, w in zip(got, want, strict=True)) <= 4


def test_alpha_is_white_in_preview_and_kept_in_thumb(tmp_path: Path) -> None:
    src = tmp_path / "alpha.png"
    im = Image.new("RGBA", (600, 400), (255, 0, 0, 0))
    im.paste((0, 0, 255, 255), (300, 0, 600, 400))  # right half opaque blue, left transparent
    im.save(src)
    result = process_image(src, tmp_path / "out", SETTINGS)
    with Image.open(result.preview_path) as preview:
        assert preview.mode == "RGB"
        left, right = preview.getpixel((50, 200)), preview.getpixel((550, 200))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert min(left) > 240  # composited on white
    assert right[2] > 200 and right[0] < 40
    with Image.open(result.thumb_path) as thumb:
        assert thumb.mode == "RGBA"
        assert thumb.size == (375, 250)
        assert thumb.getchannel("A").getpixel((10, 125)) == 0
    assert base64.b64decode(result.thumbhash)[2] & 0x80  # has_alpha bit of the ThumbHash header


@pytest.mark.parametrize(
    ("mode", "make", "expected_rgb"),
    [
        ("P with transparency", lambda: _palette_with_transparency(), None),
        ("LA", lambda: Image.new("LA", (300, 300), (128, 255)), (128, 128, 128)),
        ("16-bit grey", lambda: Image.new("I;16", (300, 300), 40000), (156, 156, 156)),
        ("1-bit", lambda: Image.new("1", (300, 300), 1), (255, 255, 255)),
    ],
)
def test_unusual_modes(tmp_path: Path, mode: str, make: object, expected_rgb: tuple[int, ...] | None) -> None:
    src = tmp_path / "in.png"
    make().save(src)  # type: ignore[operator]
    result = process_image(src, tmp_path / "out", SETTINGS)
    with Image.open(result.preview_path) as preview:
        assert preview.mode == "RGB"
        assert preview.size == (300, 300)
        if expected_rgb is not None:
            pixel = preview.getpixel((150, 150))
            assert isinstance(pixel, tuple)
            assert all(abs(p - e) <= 3 for p, e in zip(pixel, expected_rgb, strict=True))


def _palette_with_transparency() -> Image.Image:
    im = Image.new("P", (300, 300), 1)
    im.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
    im.info["transparency"] = 0
    return im


# --------------------------------------------------------------------------- EXIF edge cases


def _jpeg_with_exif(path: Path, exif: Image.Exif, size: tuple[int, int] = (60, 40)) -> None:
    Image.new("RGB", size, (10, 200, 30)).save(path, "JPEG", exif=exif.tobytes())


def test_exif_values_are_parsed_and_cleaned(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon\x00\x00  "
    exif[ExifTags.Base.Model] = "  EOS R5\x00garbage"
    exif[ExifTags.Base.Orientation] = 6
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2024:02:29 23:59:58"
    sub[ExifTags.Base.OffsetTimeOriginal] = "-05:30"
    sub[ExifTags.Base.FNumber] = IFDRational(0, 0)  # zero denominator -> None
    sub[ExifTags.Base.ExposureTime] = IFDRational(1, 250)
    sub[ExifTags.Base.ISOSpeedRatings] = 400
    sub[ExifTags.Base.FocalLength] = IFDRational(50, 1)
    sub[ExifTags.Base.LensModel] = "RF24-105mm F4 L IS USM\x00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (IFDRational(33, 1), IFDRational(52, 1), IFDRational(1234, 100))
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (IFDRational(151, 1), IFDRational(12, 1), IFDRational(0, 1))
    gps[ExifTags.GPS.GPSAltitudeRef] = b"\x01"
    gps[ExifTags.GPS.GPSAltitude] = IFDRational(105, 10)
    src = tmp_path / "exif.jpg"
    _jpeg_with_exif(src, exif)

    meta = probe(src, SETTINGS.max_pixels)
    assert meta.lat == pytest.approx(-(33 + 52 / 60 + 12.34 / 3600), abs=1e-6)
    assert msgspec.structs.replace(meta, lat=None) == ImageMeta(
        format="JPEG",
        mime="image/jpeg",
        width=40,
        height=60,
        orientation=6,
        taken_at=datetime(2024, 2, 29, 23, 59, 58, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        taken_at_source="exif_original",
        camera_make="Canon",
        camera_model="EOS R5",
        lens="RF24-105mm F4 L IS USM",
        f_number=None,
        exposure_time=0.004,
        iso=400,
        focal_length=50.0,
        lat=None,
        lon=-151.2,
        alt=-10.5,
    )


def test_garbage_exif_values_become_none(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "\x00\x00\x00   "
    exif[ExifTags.Base.Orientation] = 0  # invalid
    exif[ExifTags.Base.DateTime] = "2019:07:01 08:09:10"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "0000:00:00 00:00:00"
    sub[ExifTags.Base.ExposureTime] = IFDRational(1, 0)
    sub[ExifTags.Base.FocalLength] = IFDRational(0, 1)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (IFDRational(1, 0), IFDRational(0, 1), IFDRational(0, 1))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (IFDRational(10, 1), IFDRational(0, 1), IFDRational(0, 1))
    src = tmp_path / "garbage.jpg"
    _jpeg_with_exif(src, exif)
    meta = process_image(src, tmp_path / "out", SETTINGS).meta
    assert meta.camera_make is None
    assert meta.orientation is None
    assert (meta.width, meta.height) == (60, 40)
    assert meta.taken_at == datetime(2019, 7, 1, 8, 9, 10)
    assert meta.taken_at_source == "exif_datetime"
    assert (meta.exposure_time, meta.focal_length) == (None, None)
    assert (meta.lat, meta.lon, meta.alt) == (None, None, None)


# --------------------------------------------------------------------------- bombs


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 300)) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_rejected_before_decoding(tmp_path: Path) -> None:
    src = tmp_path / "bomb.png"
    src.write_bytes(_png_claiming(100_000, 100_000))
    assert src.stat().st_size < 200
    started = time.perf_counter()
    for call in (
        lambda: process_image(src, tmp_path / "out", SETTINGS),
        lambda: probe(src, SETTINGS.max_pixels),
    ):
        with pytest.raises(ImageRejected) as err:
            call()
        assert err.value.code == "image_too_large"
    assert time.perf_counter() - started < 1.0
    assert not (tmp_path / "out").exists()


def test_real_image_over_a_low_limit_is_too_large(tmp_path: Path) -> None:
    low = ImageSettings(max_pixels=1800 * 1200 - 1)
    with pytest.raises(ImageRejected) as err:
        process_image(PHOTOS / "Landscape_1.jpg", tmp_path, low)
    assert err.value.code == "image_too_large"
    exactly = ImageSettings(max_pixels=1800 * 1200)
    assert process_image(PHOTOS / "Landscape_1.jpg", tmp_path, exactly).meta.width == 1800


# --------------------------------------------------------------------------- ThumbHash


def _synthetic_rgba(w: int, h: int, alpha: bool) -> bytes:
    out = bytearray()
    for y in range(h):
        for x in range(w):
            a = int(127.5 + 127.5 * math.sin(x * 0.09 - y * 0.05)) if alpha else 255
            r = int(127.5 + 127.5 * math.sin(x * 0.13 + y * 0.07))
            g = int(127.5 + 127.5 * math.cos(x * 0.05 - y * 0.11))
            out += bytes((r, g, (x * 7 + y * 13) % 256, a))
    return bytes(out)


# Produced by the reference JavaScript encoder (npm package thumbhash 0.1.1, rgbaToThumbHash)
# from the same synthetic pixels; our encoder must match it byte for byte.
REFERENCE_HASHES = [
    (100, 75, False, "df070a0d8889867989965df79756c7687fbd076879"),
    (37, 11, False, "e9590d52962f7677679777979fc7f7a685"),
    (60, 100, True, "20f885130628789bf9965e889bbf0a1074799a70e77977"),
    (100, 100, True, "2008860d06277899d559bd423f78f47e7a305896890a7a7d87"),
    (9, 40, True, "eb4a82110624752ea80419796e6f270785877f77898787"),
]


@pytest.mark.parametrize(("w", "h", "alpha", "expected"), REFERENCE_HASHES)
def test_thumbhash_matches_reference_encoder(w: int, h: int, alpha: bool, expected: str) -> None:
    assert thumbhash_encode(w, h, _synthetic_rgba(w, h, alpha)).hex() == expected


def test_thumbhash_rejects_big_input() -> None:
    with pytest.raises(ValueError):
        thumbhash_encode(101, 10, bytes(101 * 10 * 4))


def test_thumbhash_average_colour(results: dict[str, ProcessedImage | ImageRejected]) -> None:
    """The DC terms in the header decode back to the thumb's average colour."""
    result = ok(results, "flower.jpg")
    header = int.from_bytes(base64.b64decode(result.thumbhash)[:3], "little")
    lum, p, q = (header & 63) / 63, ((header >> 6) & 63) / 31.5 - 1, ((header >> 12) & 63) / 31.5 - 1
    b = lum - 2 / 3 * p
    r = (3 * lum - b + q) / 2
    g = r - q
    with Image.open(result.thumb_path) as thumb:
        mean = ImageStat.Stat(thumb.convert("RGB")).mean
    assert [r * 255, g * 255, b * 255] == pytest.approx(mean, abs=10)


# --------------------------------------------------------------------------- concurrency, big files


def test_concurrent_calls_agree_with_sequential(
    tmp_path: Path, results: dict[str, ProcessedImage | ImageRejected]
) -> None:
    names = ["Landscape_6.jpg", "pug.heic", "exif.png", "flower.webp", "canon_hdr_NO.jpg", "starfish.jpg"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda n: process_image(PHOTOS / n, tmp_path / n.replace(".", "_"), SETTINGS), names))
    for name, result in zip(names, got, strict=True):
        expected = ok(results, name)
        assert result.meta == expected.meta
        assert result.thumbhash == expected.thumbhash


def _write_big_jpeg(path: Path, width: int, height: int, orientation: int) -> None:
    """A photo-like JPEG: smooth gradients with some texture, and an EXIF orientation."""
    tile = Image.effect_noise((512, 512), 40).convert("L")
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = tile.resize((width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Generated"
    Image.merge("RGB", (red, green, blue)).save(path, "JPEG", quality=85, exif=exif.tobytes())


@pytest.fixture(scope="session")
def big_jpeg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50.3 MP JPEG stored landscape, Orientation 6 (displayed portrait)."""
    path = tmp_path_factory.mktemp("big") / "big_50mp.jpg"
    _write_big_jpeg(path, 8192, 6144, orientation=6)
    return path


def test_big_photo(big_jpeg: Path, tmp_path: Path) -> None:
    result = process_image(big_jpeg, tmp_path, SETTINGS)
    assert (result.meta.width, result.meta.height) == (6144, 8192)
    assert (result.preview_width, result.preview_height) == (1440, 1920)
    assert (result.thumb_width, result.thumb_height) == (250, 333)
    with Image.open(result.preview_path) as preview:
        assert preview.size == (1440, 1920)
        # Red is stored as a black-at-top gradient; Orientation 6 turns the picture 90 degrees
        # clockwise, so the stored top edge (red 0) ends up on the right.
        left, right = preview.getpixel((20, 960)), preview.getpixel((1420, 960))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[0] - right[0] > 150


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so a child of this (large)
# pytest process would report the parent's peak. VmHWM belongs to the child's own memory map.
_RSS_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from auroravault.config import ImageSettings
    from auroravault.imaging import process_image
    process_image(Path(sys.argv[1]), Path(sys.argv[2]), ImageSettings())
    status = Path("/proc/self/status").read_text()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    """
)


def _peak_rss_mb(src: Path, workdir: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(src), str(workdir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # VmHWM is in KiB


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_big_photo_memory(big_jpeg: Path, tmp_path: Path) -> None:
    # Decoded at 1/4 scale (2048x1536, 9 MB), so the peak is the interpreter plus a little.
    assert _peak_rss_mb(big_jpeg, tmp_path) < 200


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_200_megapixel_photo_memory(tmp_path: Path) -> None:
    src = tmp_path / "big_200mp.jpg"
    _write_big_jpeg(src, 16384, 12288, orientation=1)
    peak = _peak_rss_mb(src, tmp_path / "out")
    # The budget is 1.5 GB; DCT scaling at 1/8 keeps it near 65 MB, so guard well below that.
    assert peak < 400, f"peak RSS {peak:.0f} MB"
