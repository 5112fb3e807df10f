"""The decode memory budget: no upload can make a decode take more than ``images.max_decode_bytes``.

Every memory figure is measured in a fresh subprocess (VmHWM of the child's own memory map, which
ru_maxrss is not after fork+exec): the peak during ``process_image`` minus the peak before it.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from auroravault.config import ImageSettings
from auroravault.imaging import ImageRejected, process_image
from tests.imaging.bombs import write_png_bomb

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / "tests" / "data" / "photos"
MiB = 1024 * 1024

_MEASURE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from auroravault.config import ImageSettings
    from auroravault.imaging import ImageRejected, process_image, register_heif

    def peak():
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) * 1024

    register_heif()
    settings = ImageSettings(**json.loads(sys.argv[3]))
    before = peak()
    try:
        result = process_image(Path(sys.argv[1]), Path(sys.argv[2]), settings)
        outcome = {"status": "ready", "preview": [result.preview_width, result.preview_height]}
    except ImageRejected as exc:
        outcome = {"status": "failed", "code": exc.code, "detail": exc.detail}
    outcome["decode_bytes"] = peak() - before
    print(json.dumps(outcome))
    """
)


def measure(src: Path, workdir: Path, **settings: int) -> dict:
    """Process ``src`` in a fresh interpreter: its outcome and the memory the decode took."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(src), str(workdir), json.dumps(settings)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    result: dict = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def png_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb16.png"
    write_png_bomb(path, 15_800)
    return path


def test_a_16_bit_png_bomb_fails_without_being_decoded(png_bomb: Path, tmp_path: Path) -> None:
    # 249.6 MP is under max_pixels (250 MP), yet its decode took 2.45 GB before the budget.
    assert png_bomb.stat().st_size < 1024 * 1024
    assert ImageSettings().max_pixels > 15_800 * 15_800
    outcome = measure(png_bomb, tmp_path / "out")
    assert outcome["status"] == "failed"
    assert outcome["code"] == "image_too_large"
    assert "MiB" in outcome["detail"]
    # Refused from its header: nowhere near the budget, let alone the 2.45 GB a decode takes.
    assert outcome["decode_bytes"] < ImageSettings().max_decode_bytes / 4
    assert not (tmp_path / "out").exists()


def _gradient(size: tuple[int, int]) -> Image.Image:
    noise = Image.effect_noise((size[0] // 10, size[1] // 10), 40).convert("L").resize(size)
    return Image.merge("RGB", (Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size), noise))


SIZE = (4000, 3000)
MAKERS = {
    "rgb.png": lambda im, p: im.save(p, compress_level=1),
    "rgba.png": lambda im, p: im.convert("RGBA").save(p, compress_level=1),
    "palette.png": lambda im, p: im.convert("P", palette=Image.Palette.ADAPTIVE).save(p, compress_level=1),
    "grey16.png": lambda im, p: im.convert("L").convert("I").point(lambda v: v * 256).convert("I;16").save(p),
    "photo.webp": lambda im, p: im.save(p, quality=80),
    "strips.tiff": lambda im, p: im.save(p, compression="tiff_lzw"),
    "progressive.jpg": lambda im, p: im.save(p, quality=85, progressive=True),
    "photo.heic": lambda im, p: im.save(p, "HEIF", quality=60),
}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import pillow_heif

    pillow_heif.register_heif_opener()
    folder = tmp_path_factory.mktemp("budget")
    base = _gradient(SIZE)
    for name, make in MAKERS.items():
        make(base, folder / name)
    return folder


def _estimate(src: Path) -> int:
    """What the budget check computes for ``src`` with the default sizes."""
    from auroravault.imaging.budget import decode_bytes
    from auroravault.imaging.decode import reduce_on_load
    from auroravault.imaging.formats import open_image
    from auroravault.imaging.variants import fit_short_edge

    settings = ImageSettings()
    im, _ = open_image(src)
    with im:
        full = im.size
        reduce_on_load(im, min(settings.preview_size, min(full)))
        return decode_bytes(im, src, full, fit_short_edge(full, settings.preview_size))


@pytest.mark.parametrize("name", list(MAKERS))
def test_an_image_within_the_budget_decodes_within_it(name: str, samples: Path, tmp_path: Path) -> None:
    src = samples / name
    budget = _estimate(src)
    ready = measure(src, tmp_path / "a", max_decode_bytes=budget)
    assert ready["status"] == "ready", ready
    assert ready["preview"] == [1920, 1440]
    assert ready["decode_bytes"] <= budget, f"{name} took {ready['decode_bytes'] / MiB:.0f} MiB of {budget / MiB:.0f}"
    # One byte less and it is refused before decoding, with the same permanent code.
    with pytest.raises(ImageRejected) as err:
        process_image(src, tmp_path / "b", ImageSettings(max_decode_bytes=budget - 1))
    assert err.value.code == "image_too_large"


def test_a_heic_over_the_budget_fails_and_under_it_is_ready(tmp_path: Path) -> None:
    # pillow-heif decodes a HEIC whole (no reduced decode): 12 MP needs more than 64 MiB.
    src = PHOTOS / "pug.heic"
    with pytest.raises(ImageRejected) as err:
        process_image(src, tmp_path / "small", ImageSettings(max_decode_bytes=64 * MiB))
    assert err.value.code == "image_too_large"
    assert process_image(src, tmp_path / "default", ImageSettings()).preview_width == 1920


def test_a_200_megapixel_heic_is_refused_from_its_header(tmp_path: Path) -> None:
    """pillow-heif has no reduced decode, and a 200 MP HEIC took 1.42 GB: its header is enough
    to refuse it. The file is a real HEIC whose image-size property says 16,320 x 12,240."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    small = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 100, 50)).save(small, "HEIF")
    data = bytearray(small.getvalue())
    ispe = data.index(b"ispe")  # size, "ispe", version + flags, width, height
    struct.pack_into(">II", data, ispe + 8, 16_320, 12_240)
    src = tmp_path / "200mp.heic"
    src.write_bytes(bytes(data))
    outcome = measure(src, tmp_path / "out")
    assert (outcome["status"], outcome["code"]) == ("failed", "image_too_large")
    assert "16320x12240 HEIF" in outcome["detail"]
    assert outcome["decode_bytes"] < 64 * MiB


def test_a_big_jpeg_is_decoded_reduced_within_a_small_budget(tmp_path: Path) -> None:
    """48 MP baseline: 183 MB decoded whole, so only a reduced decode fits in 96 MiB; the
    progressive version must keep every DCT coefficient (144 MB) and cannot."""
    size = (8000, 6000)
    base = _gradient(size)
    baseline, progressive = tmp_path / "baseline.jpg", tmp_path / "progressive.jpg"
    base.save(baseline, quality=85)
    base.save(progressive, quality=85, progressive=True)
    small = {"max_decode_bytes": 96 * MiB}

    ready = measure(baseline, tmp_path / "out", **small)
    assert ready["status"] == "ready", ready
    assert ready["decode_bytes"] < 96 * MiB
    result = process_image(baseline, tmp_path / "out", ImageSettings(**small))
    assert (result.preview_width, result.preview_height) == (1920, 1440)
    assert (result.thumb_width, result.thumb_height) == (333, 250)
    # The same picture, the same way up, as a full decode of the original (compared small: the
    # noise texture differs pixel by pixel after two JPEG encodes).
    reference = base.resize((160, 120), Image.Resampling.BOX)
    for variant in (result.preview_path, result.thumb_path):
        with Image.open(variant) as im:
            assert _mean_difference(im.resize((160, 120), Image.Resampling.BOX), reference) < 3

    refused = measure(progressive, tmp_path / "p", **small)
    assert (refused["status"], refused["code"]) == ("failed", "image_too_large")


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per RGB channel, 0-255."""
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3
