"""The contract for ``Photo.place`` on every MetaStore adapter: stored, read back in every
read, kept through the owner's location correction and the pipeline's saves."""

from __future__ import annotations

import msgspec

from auroravault.meta.base import MetaStore, PhotoView, Place
from auroravault.timeutil import utcnow
from tests.meta.test_contract import SHA_A, a_batch, photo_and_upload, with_user

TALLINN = Place(city="Tallinn", region="Harjumaa", country="Estonia", country_code="EE")
LISBON = Place(city="Lisbon", region="Lisbon", country="Portugal", country_code="PT")


async def test_a_place_round_trips_in_every_read(meta: MetaStore) -> None:
    user = await with_user(meta)
    batch = a_batch(user)
    photo, upload = photo_and_upload(user, batch, SHA_A)
    await meta.create_uploads(batch, [photo], [upload], 100)
    await meta.mark_upload_arrived(upload.id, utcnow())
    processing = await meta.get_photo(photo.id)
    assert processing.place is None  # no place until the pipeline names it
    ready = msgspec.structs.replace(processing, status="ready", lat=59.437, lon=24.7536, place=TALLINN)
    assert await meta.save_processed_photo(ready, "processing")
    assert (await meta.get_photo(photo.id)).place == TALLINN
    assert (await meta.get_photos([photo.id]))[photo.id].place == TALLINN
    [listed] = await meta.list_photos(user.id, limit=10, after=None, descending=True, view=PhotoView(viewer_id=user.id))
    assert listed.place == TALLINN

    # The owner moves the photo to Lisbon: the place follows, and reprocessing keeps it.
    edit = {"lat": 38.7077, "lon": -9.1365, "alt": None, "location_source": "owner", "place": LISBON}
    edited = await meta.edit_photo(photo.id, edit, utcnow())
    assert edited is not None and edited.place == LISBON
    again = msgspec.structs.replace(await meta.get_photo(photo.id), lat=59.437, lon=24.7536, place=TALLINN)
    assert await meta.save_processed_photo(again, "ready")
    kept = await meta.get_photo(photo.id)
    assert (kept.place, kept.lat, kept.location_source) == (LISBON, 38.7077, "owner")
