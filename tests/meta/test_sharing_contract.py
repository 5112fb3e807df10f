"""The sharing part of the store (issue 14), on every MetaStore adapter (the ``meta``
fixture): a batch's album, album members, partner shares."""

from __future__ import annotations

import msgspec

from auroravault.meta.base import MetaStore
from tests.meta.test_contract import a_batch, photo_and_upload, with_user


async def test_a_batch_keeps_the_album_its_photos_join(meta: MetaStore) -> None:
    ada = await with_user(meta)
    plain = a_batch(ada)
    into = msgspec.structs.replace(a_batch(ada), album_id="al_holiday")
    for batch, sha in ((plain, "a" * 64), (into, "b" * 64)):
        photo, upload = photo_and_upload(ada, batch, sha)
        await meta.create_uploads(batch, [photo], [upload], 0)
    assert await meta.get_batch(into.id) == into
    got = await meta.get_batch(plain.id)
    assert got == plain and got is not None and got.album_id is None
