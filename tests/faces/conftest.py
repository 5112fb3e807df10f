"""Real faces for the people tests: NASA's astronaut portrait (scikit-image's sample data,
public domain) and Grace Hopper (tests/data/photos/hopper.png), transformed by the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PIL import Image, ImageEnhance
from skimage import data

from auroravault.config import FaceSettings
from auroravault.faces import load_model
from auroravault.ids import new_id
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.services.decode_pool import DecodePool
from auroravault.services.people import PeopleService
from tests.conftest import PHOTOS
from tests.meta.test_contract import a_batch, a_user, photo_and_upload


def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


def hopper() -> Image.Image:
    with Image.open(PHOTOS / "hopper.png") as img:
        return img.convert("RGB")


#: Each person seen in several ways: sizes, a small rotation, crops, lighting, a mirror.
VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "as_is": lambda im: im,
    "bigger": lambda im: im.resize((im.width * 3, im.height * 3), Image.Resampling.BICUBIC),
    "smaller": lambda im: im.resize((im.width * 3 // 4, im.height * 3 // 4), Image.Resampling.LANCZOS),
    "tilted": lambda im: im.resize((im.width * 2, im.height * 2)).rotate(6, resample=Image.Resampling.BICUBIC),
    "cropped": lambda im: im.crop((im.width // 8, 0, im.width, im.height * 7 // 8)).resize((600, 525)),
    "dark": lambda im: ImageEnhance.Brightness(im.resize((im.width * 2, im.height * 2))).enhance(0.55),
    "bright": lambda im: ImageEnhance.Brightness(im.resize((im.width * 2, im.height * 2))).enhance(1.35),
    "mirrored": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).resize((im.width * 2, im.height * 2)),
}


class Library:
    """One owner's photos on a real SQLite file, with the real face model behind the service."""

    def __init__(self, meta: SqliteMetaStore, service: PeopleService, folder: Path) -> None:
        self.meta, self.service, self.folder = meta, service, folder
        self.owner = a_user()

    async def add(self, image: Image.Image, fmt: str = "JPEG") -> str:
        """Store the photo row and its file; returns the photo id (not yet tagged)."""
        batch = a_batch(self.owner)
        photo, upload = photo_and_upload(self.owner, batch, new_id().ljust(64, "0")[:64].lower())
        await self.meta.create_uploads(batch, [photo], [upload], 100)
        path = self.folder / f"{photo.id}.{fmt.lower()}"
        image.save(path, fmt, quality=90) if fmt == "JPEG" else image.save(path, fmt)
        return photo.id

    async def tag(self, photo_id: str) -> list[str | None]:
        ext = next(self.folder.glob(f"{photo_id}.*"))
        return [f.person_id for f in await self.service.tag_photo(self.owner.id, photo_id, ext)]


@pytest.fixture(scope="session")
def face_model():
    model = load_model()
    if model is None:
        pytest.fail("the faces extra is part of the test extra: pip install -e '.[test]'")
    return model


@pytest.fixture
async def library(tmp_path: Path, face_model) -> AsyncIterator[Library]:
    meta = SqliteMetaStore(tmp_path / "meta.db")
    await meta.migrate()
    pool = DecodePool(workers=2, memory_bytes=512 * 2**20)
    lib = Library(meta, PeopleService(meta, face_model, pool, FaceSettings()), tmp_path)
    await meta.create_user(lib.owner)
    try:
        yield lib
    finally:
        pool.close()
        await meta.close()
