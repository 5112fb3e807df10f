"""Places through the HTTP contract: a photo with GPS is named, and its offset-less EXIF time
is read in the local zone of where it was taken; the backfill names photos that predate that."""

from __future__ import annotations

from pathlib import Path

import msgspec

from auroravault.app import create_app
from auroravault.meta import build_meta_store
from auroravault.services.places_backfill import PLACES_BACKFILL, PLACES_BACKFILL_VAULTS
from tests.api.helpers import auth, register, upload_files
from tests.asgi import app_client
from tests.meta.test_contract import with_user
from tests.places.photos import jpeg
from tests.services.test_places_backfill import ready_photo

TALLINN = (59.4370, 24.7536)


async def _upload(client, token: str, tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    _, [item] = await upload_files(client, token, [path])
    await client.app.state.services.runner.drain(within=120)
    resp = await client.get(f"/api/v1/photos/{item['photo_id']}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_a_trip_photo_is_named_and_its_noon_is_tallinns_noon(client, tmp_path) -> None:
    token = (await register(client))["token"]
    photo = await _upload(client, token, tmp_path, "tallinn.jpg", jpeg(taken="2019:07:14 12:00:00", gps=TALLINN))
    assert photo["status"] == "ready"
    assert photo["place"] == {"city": "Tallinn", "region": "Harjumaa", "country": "Estonia", "country_code": "EE"}
    # No OffsetTimeOriginal: Tallinn is on summer time (UTC+3) in July.
    assert photo["taken_at"] == "2019-07-14T12:00:00+03:00"
    assert photo["exif_taken_at"] == "2019-07-14T12:00:00+03:00"
    # Ordered by the real instant: 09:00 UTC.
    page = (await client.get("/api/v1/photos", headers=auth(token))).json()
    assert [p["id"] for p in page["items"]] == [photo["id"]]
    timeline = (await client.get("/api/v1/timeline", headers=auth(token))).json()
    assert timeline and timeline[0]["month"] == "2019-07"


async def test_an_offset_in_the_exif_is_kept_as_the_camera_wrote_it(client, tmp_path) -> None:
    token = (await register(client))["token"]
    data = jpeg(taken="2019:07:14 12:00:00", offset="+01:00", gps=TALLINN)
    photo = await _upload(client, token, tmp_path, "offset.jpg", data)
    assert photo["taken_at"] == "2019-07-14T12:00:00+01:00"
    assert photo["place"]["city"] == "Tallinn"


async def test_no_gps_means_no_place_and_the_wall_clock_as_before(client, tmp_path) -> None:
    token = (await register(client))["token"]
    photo = await _upload(client, token, tmp_path, "home.jpg", jpeg(taken="2019:07:14 12:00:00"))
    assert photo["place"] is None
    assert photo["location"] is None
    assert photo["taken_at"] == "2019-07-14T12:00:00"


async def test_another_users_photo_and_its_place_stay_hidden(client, tmp_path) -> None:
    ada = (await register(client))["token"]
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    photo = await _upload(client, ada, tmp_path, "tallinn.jpg", jpeg(gps=TALLINN))
    resp = await client.get(f"/api/v1/photos/{photo['id']}", headers=auth(bob))
    assert resp.status_code == 404
    assert "Tallinn" not in resp.text


async def test_login_backfills_photos_processed_before_places_existed(client, tmp_path) -> None:
    ada = await register(client)
    token = ada["token"]
    photo = await _upload(client, token, tmp_path, "old.jpg", jpeg(taken="2019:07:14 12:00:00", gps=TALLINN))
    # Make it what a vault from before places holds: no place, the wall clock without an offset.
    services = client.app.state.services
    stored = await services.meta.get_photo(photo["id"])
    old = msgspec.structs.replace(
        stored, place=None, taken_at="2019-07-14T12:00:00", exif_taken_at="2019-07-14T12:00:00"
    )
    assert await services.meta.save_processed_photo(old, "ready")
    assert (await client.get(f"/api/v1/photos/{photo['id']}", headers=auth(token))).json()["place"] is None

    login = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
    )
    assert login.status_code == 200, login.text
    await services.runner.drain(within=120)
    after = (await client.get(f"/api/v1/photos/{photo['id']}", headers=auth(token))).json()
    assert after["place"]["city"] == "Tallinn"
    assert after["taken_at"] == "2019-07-14T12:00:00+03:00"
    # A second login does not walk the library again while the first walk's job is kept.
    await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"})
    jobs = [job for job in await services.meta.list_jobs(None, 100) if job.kind == PLACES_BACKFILL]
    logins = [job for job in jobs if job.payload["walk"] == "login"]
    assert len(logins) == 1 and logins[0].state == "done"


async def test_the_owners_corrected_location_is_named_too(client, tmp_path) -> None:
    token = (await register(client))["token"]
    photo = await _upload(client, token, tmp_path, "tallinn.jpg", jpeg(gps=TALLINN))
    resp = await client.patch(
        f"/api/v1/photos/{photo['id']}", json={"location": {"lat": 38.7077, "lon": -9.1365}}, headers=auth(token)
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["place"]["country"] == "Portugal"
    again = (await client.get(f"/api/v1/photos/{photo['id']}", headers=auth(token))).json()
    assert again["place"]["country_code"] == "PT"
    cleared = await client.patch(f"/api/v1/photos/{photo['id']}", json={"location": None}, headers=auth(token))
    assert cleared.json()["place"] is None
    bad = await client.patch(
        f"/api/v1/photos/{photo['id']}", json={"location": {"lat": 91, "lon": 0}}, headers=auth(token)
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_location"
    assert (await client.get(f"/api/v1/photos/{photo['id']}", headers=auth(token))).json()["place"] is None


async def test_starting_the_server_names_every_vault_without_anyone_logging_in(settings) -> None:
    # A vault as the code before places left it: two families' photos with GPS, no place, the
    # wall clock without an offset; nobody logs in after the upgrade (their phones keep tokens).
    meta = build_meta_store(settings)
    await meta.migrate()
    ada = await with_user(meta)
    bob = await with_user(meta, email="bob@example.com")
    lisbon = (38.7139, -9.1394)  # Rossio, central Lisbon
    photos = [
        await ready_photo(meta, ada, 1),
        await ready_photo(meta, ada, 2, gps=lisbon),
        await ready_photo(meta, bob, 3),
    ]
    await meta.close()

    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        await services.runner.drain(within=120)
        named = {p.id: await services.meta.get_photo(p.id) for p in photos}
        vaults = [job for job in await services.meta.list_jobs(None, 100) if job.kind == PLACES_BACKFILL_VAULTS]
    assert [named[p.id].place.city for p in photos] == ["Tallinn", "Lisbon", "Tallinn"]
    assert named[photos[0].id].taken_at == "2019-07-14T12:00:00+03:00"
    assert named[photos[1].id].taken_at == "2019-07-14T12:00:00+01:00"  # Lisbon's summer time
    assert [job.state for job in vaults] == ["done"]

    # A restart finds the pass done: nothing is queued again.
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        jobs = await services.meta.list_jobs(None, 100)
    assert [job.kind for job in jobs].count(PLACES_BACKFILL_VAULTS) == 1
    assert all(job.state == "done" for job in jobs)
