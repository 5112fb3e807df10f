"""Cut-off photos (an old memory card, an interrupted copy) show what they hold, marked damaged.

Real truncated files from tests/data/photos, and real photos cut in the test; the variants are
decoded back and compared with the complete photo's.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from auroravault.config import ImageSettings
from auroravault.imaging import ImageRejected, ProcessedImage, process_image

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / "tests" / "data" / "photos"
SETTINGS = ImageSettings()


def cut(tmp_path: Path, name: str, keep: int) -> Path:
    """The first ``keep`` bytes of a sample photo, as a new file."""
    out = tmp_path / f"cut_{keep}_{name}"
    out.write_bytes((PHOTOS / name).read_bytes()[:keep])
    return out


def band(path: Path, top: float, bottom: float) -> Image.Image:
    """A horizontal band of an image (fractions of its height), small, in RGB."""
    with Image.open(path) as im:
        w, h = im.size
        return im.convert("RGB").crop((0, int(h * top), w, int(h * bottom))).resize((64, 16))


def difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.fixture(scope="module")
def starfish(tmp_path_factory: pytest.TempPathFactory) -> ProcessedImage:
    return process_image(PHOTOS / "starfish.jpg", tmp_path_factory.mktemp("whole"), SETTINGS)


def test_a_truncated_phone_jpeg_shows_its_upper_part_and_is_marked_truncated(
    starfish: ProcessedImage, tmp_path: Path
) -> None:
    # starfish_truncated.jpg is the first 180,000 of starfish.jpg's 329,277 bytes.
    result = process_image(PHOTOS / "starfish_truncated.jpg", tmp_path, SETTINGS)
    assert result.damage is not None and result.damage.code == "truncated"
    assert result.damage.detail
    # Metadata and sizes as the complete photo: it is the same photo, just cut off.
    assert result.meta == starfish.meta
    assert (result.preview_width, result.preview_height) == (starfish.preview_width, starfish.preview_height)
    # What the file holds is there and right; the part it lacks is plain grey.
    top_now, top_whole = band(result.preview_path, 0, 0.25), band(starfish.preview_path, 0, 0.25)
    assert difference(top_now, top_whole) < 3
    bottom = band(result.preview_path, 0.9, 1.0)
    assert ImageStat.Stat(bottom).stddev == pytest.approx([0, 0, 0], abs=2)
    assert ImageStat.Stat(bottom).mean == pytest.approx([128, 128, 128], abs=3)
    assert difference(bottom, band(starfish.preview_path, 0.9, 1.0)) > 20
    with Image.open(result.thumb_path) as thumb:
        assert thumb.size == (starfish.thumb_width, starfish.thumb_height)


def test_a_truncated_progressive_jpeg_is_shown_as_far_as_it_goes(tmp_path: Path) -> None:
    result = process_image(PHOTOS / "truncated_jpeg.jpg", tmp_path, SETTINGS)
    assert result.damage is not None and result.damage.code == "truncated"
    with Image.open(result.preview_path) as preview:
        assert preview.size == (100, 100)
        extrema = preview.getextrema()
    assert all(high - low > 100 for low, high in extrema)  # a picture, not a flat fill


def test_a_heic_cut_in_its_tiles_shows_the_tiles_it_holds(tmp_path: Path) -> None:
    whole = process_image(PHOTOS / "pug.heic", tmp_path / "whole", SETTINGS)
    size = (PHOTOS / "pug.heic").stat().st_size
    result = process_image(cut(tmp_path, "pug.heic", int(size * 0.3)), tmp_path / "cut", SETTINGS)
    assert result.damage is not None and result.damage.code == "truncated"
    assert result.meta == whole.meta
    assert difference(band(result.preview_path, 0, 0.1), band(whole.preview_path, 0, 0.1)) < 3
    assert difference(band(result.preview_path, 0.9, 1.0), band(whole.preview_path, 0.9, 1.0)) > 20


def test_a_heic_missing_only_a_secondary_image_is_truncated_but_complete(tmp_path: Path) -> None:
    # truncated.heic: two images, the second one's data lies past the end of the file.
    result = process_image(PHOTOS / "truncated.heic", tmp_path, SETTINGS)
    assert result.damage is not None and result.damage.code == "truncated"
    assert (result.preview_width, result.preview_height) == (16, 16)


@pytest.mark.parametrize(
    ("name", "keep"),
    [
        ("starfish.jpg", 30_880),  # ends exactly where the image data would start
        ("pug.heic", 26_000),  # ends before the first tile
        ("starfish.jpg", 20_000),  # ends inside the EXIF
    ],
)
def test_nothing_decodable_stays_corrupt(name: str, keep: int, tmp_path: Path) -> None:
    with pytest.raises(ImageRejected) as err:
        process_image(cut(tmp_path, name, keep), tmp_path / "out", SETTINGS)
    assert err.value.code == "corrupt_image"
    assert not (tmp_path / "out" / "preview.jpg").exists()


def test_complete_photos_are_never_marked_damaged(starfish: ProcessedImage, tmp_path: Path) -> None:
    assert starfish.damage is None
    for name in ("pug.heic", "IMG_5195.HEIC", "icc_profile_big.jpg", "42_IndexError.jpg"):
        assert process_image(PHOTOS / name, tmp_path / name.replace(".", "_"), SETTINGS).damage is None


def test_lenient_decoding_stays_in_its_own_thread(tmp_path: Path) -> None:
    """Truncated and complete photos decoded at once: each gets its own verdict, every time."""
    names = ["starfish_truncated.jpg", "starfish.jpg", "truncated_jpeg.jpg", "flower.jpg"] * 6
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda i: process_image(PHOTOS / names[i], tmp_path / str(i), SETTINGS), range(len(names)))
        )
    for name, result in zip(names, results, strict=True):
        assert (result.damage is not None) == ("truncated" in name), name
