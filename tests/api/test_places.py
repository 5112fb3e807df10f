"""Places through the HTTP contract: a photo with GPS is named, and its offset-less EXIF time
is read in the local zone of where it was taken; the backfill names photos that predate that."""

from __future__ import annotations

from pathlib import Path

import msgspec

from auroravault.services.places_backfill import PLACES_BACKFILL
from tests.api.helpers import auth, register, upload_files
from tests.places.photos import jpeg

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
    assert len(jobs) == 1 and jobs[0].state == "done"


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
