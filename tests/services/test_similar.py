"""Near-duplicates from real photos: a copy re-saved at another quality and size and a burst of
slightly shifted crops group with their original; different photos stay apart."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from auroravault.imaging.perceptual import dhash, distance
from auroravault.services.similar import MAX_DISTANCE, groups


def _resaved(image: Image.Image, quality: int, scale: float) -> Image.Image:
    out = io.BytesIO()
    size = (int(image.width * scale), int(image.height * scale))
    image.convert("RGB").resize(size).save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue()))


def _burst(image: Image.Image, frames: int) -> list[Image.Image]:
    w, h = image.size
    step = max(1, w // 100)  # each frame 1% further right, as a hand drifts
    return [
        image.crop((k * step, k * step // 2, w - (frames - k) * step, h - (frames - k) * step // 2))
        for k in range(frames)
    ]


def test_resaved_copies_and_bursts_group_and_different_photos_stay_apart(photos_dir: Path) -> None:
    names = ["flower.jpg", "starfish.jpg", "canon_hdr_NO.jpg", "iphone_hdr_NO.jpg", "hopper.png", "exif.png"]
    names += ["42_IndexError.jpg", "r_canon.jpg", "dsc_09827.jpg", "Landscape_1.jpg", "icc_profile_big.jpg"]
    originals = {n: ImageOps.exif_transpose(Image.open(photos_dir / n)) for n in names}
    hashes = [(n, dhash(im)) for n, im in originals.items()]
    # Eleven different photos: no group at all.
    assert groups(hashes) == []
    assert min(distance(a, b) for i, (_, a) in enumerate(hashes) for _, b in hashes[i + 1 :]) > MAX_DISTANCE

    flower = originals["flower.jpg"]
    copies = [
        ("flower_q40.jpg", dhash(_resaved(flower, 40, 0.5))),
        ("flower_q90.jpg", dhash(_resaved(flower, 90, 0.25))),
    ]
    starfish = originals["starfish.jpg"]
    burst = [(f"burst_{k}.jpg", dhash(frame)) for k, frame in enumerate(_burst(starfish, 4))]
    found = groups(hashes + copies + burst)
    assert found == [
        ["starfish.jpg", "burst_0.jpg", "burst_1.jpg", "burst_2.jpg", "burst_3.jpg"],
        ["flower.jpg", "flower_q40.jpg", "flower_q90.jpg"],
    ]


def test_the_same_photo_turned_by_its_orientation_tag_groups_once_upright(photos_dir: Path) -> None:
    upright = [
        (f"L{n}", dhash(ImageOps.exif_transpose(Image.open(photos_dir / f"Landscape_{n}.jpg")))) for n in range(1, 9)
    ]
    assert groups(upright) == [[f"L{n}" for n in range(1, 9)]]


def test_a_blank_image_hashes_to_zero_and_groups_are_empty_for_one_photo() -> None:
    assert dhash(Image.new("RGB", (50, 40), (10, 10, 10))) == 0
    assert groups([("a", 5)]) == []
    assert groups([]) == []
