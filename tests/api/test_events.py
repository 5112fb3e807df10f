"""Events and trips through the HTTP contract, from a generated library of JPEGs with EXIF
capture times and GPS: months at home in Tallinn and a week in Lisbon; on both meta adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from auroravault.app import create_app
from tests.api.helpers import auth, register, upload_files
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client
from tests.places.photos import jpeg

TALLINN = (59.4370, 24.7536)
LISBON = (38.7223, -9.1393)


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def _library(client, token: str, tmp_path: Path) -> None:
    shots: list[tuple[str, tuple[float, float]]] = []
    for month in ("01", "03", "05", "08"):
        shots += [(f"2024:{month}:10 15:00:00", TALLINN), (f"2024:{month}:10 15:30:00", TALLINN)]
    for day in range(3, 10):
        shots += [(f"2024:06:{day:02d} 10:00:00", LISBON), (f"2024:06:{day:02d} 13:00:00", LISBON)]
    paths = []
    for n, (taken, gps) in enumerate(shots):
        path = tmp_path / f"p{n:02d}.jpg"
        path.write_bytes(jpeg(taken=taken, gps=gps, color=(n * 9 % 256, 100 + n, 200 - n)))
        paths.append(path)
    await upload_files(client, token, paths)
    await client.app.state.services.runner.drain(within=120)


async def test_events_trip_and_an_album_of_the_trip(client, tmp_path: Path) -> None:
    token = (await register(client))["token"]
    assert (await client.get("/api/v1/events", headers=auth(token))).json() == []
    await _library(client, token, tmp_path)

    events = (await client.get("/api/v1/events", headers=auth(token))).json()
    titles = [e["title"] for e in events]
    assert titles[0] == "Tallinn, 10 August 2024"
    [trip] = [e for e in events if e["kind"] == "trip"]
    assert trip["title"] == "Lisbon, 3-9 June 2024"
    assert trip["place"] == "Lisbon" and trip["photo_count"] == 14
    assert trip["start_at"] < trip["end_at"]
    lisbon_days = [e for e in events if e["kind"] == "event" and e["place"] == "Lisbon"]
    assert len(lisbon_days) == 7 and all(e["trip"] == trip["id"] for e in lisbon_days)
    assert "Lisbon, 3 June 2024" in titles
    assert sum(1 for e in events if e["place"] == "Tallinn") == 4

    one = (await client.get(f"/api/v1/events/{trip['id']}", headers=auth(token))).json()
    assert len(one["photo_ids"]) == 14 and trip["cover_photo_id"] in one["photo_ids"]
    thumb = await client.get(trip["cover_thumb_url"], headers=auth(token))
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")

    made = await client.post(f"/api/v1/events/{trip['id']}/album", headers=auth(token))
    assert made.status_code == 201, made.text
    album = made.json()
    assert album["name"] == "Lisbon, 3-9 June 2024"
    page = (await client.get(f"/api/v1/albums/{album['id']}/photos", headers=auth(token))).json()
    assert sorted(p["id"] for p in page["items"]) == sorted(one["photo_ids"])

    # A trashed photo leaves its event.
    gone = one["photo_ids"][:2]
    await client.post("/api/v1/photos/trash", json={"ids": gone}, headers=auth(token))
    events = (await client.get("/api/v1/events", headers=auth(token))).json()
    [trip] = [e for e in events if e["kind"] == "trip"]
    assert trip["photo_count"] == 12 and trip["title"] == "Lisbon, 4-9 June 2024"


async def test_events_are_per_owner_and_unknown_ids_are_404(client, tmp_path: Path) -> None:
    token = (await register(client))["token"]
    await _library(client, token, tmp_path)
    [trip] = [e for e in (await client.get("/api/v1/events", headers=auth(token))).json() if e["kind"] == "trip"]
    other = (await register(client, email="other@example.com"))["token"]
    assert (await client.get("/api/v1/events", headers=auth(other))).json() == []
    for resp in (
        await client.get(f"/api/v1/events/{trip['id']}", headers=auth(other)),
        await client.post(f"/api/v1/events/{trip['id']}/album", headers=auth(other)),
        await client.get("/api/v1/events/ev_nope", headers=auth(token)),
    ):
        assert resp.status_code == 404
        assert resp.json()["code"] == "event_not_found"
    assert (await client.get("/api/v1/events")).status_code == 401


async def test_events_are_kept_until_the_library_changes_and_every_change_shows(client, tmp_path: Path) -> None:
    token = (await register(client))["token"]
    await _library(client, token, tmp_path)
    cache = client.app.state.services.trips.cache

    async def events() -> list[dict]:
        resp = await client.get("/api/v1/events", headers=auth(token))
        assert resp.status_code == 200, resp.text
        return resp.json()

    first = await events()
    computed = cache.computed
    assert await events() == first and cache.computed == computed  # unchanged library: the kept answer
    [trip] = [e for e in first if e["kind"] == "trip"]
    one = (await client.get(f"/api/v1/events/{trip['id']}", headers=auth(token))).json()
    assert cache.computed == computed

    # A correction moves a Lisbon photo to a day of its own: the next page shows it.
    moved = one["photo_ids"][0]
    fixed = await client.patch(
        f"/api/v1/photos/{moved}", json={"taken_at": "2024-06-20T12:00:00+01:00"}, headers=auth(token)
    )
    assert fixed.status_code == 200, fixed.text
    after = await events()
    assert cache.computed == computed + 1
    assert "Lisbon, 20 June 2024" in [e["title"] for e in after]

    # A new photo, a trashed one and a restored one each show at once.
    path = tmp_path / "new.jpg"
    path.write_bytes(jpeg(taken="2024:11:02 09:00:00", gps=TALLINN, color=(1, 2, 3)))
    await upload_files(client, token, [path])
    await client.app.state.services.runner.drain(within=120)
    assert (await events())[0]["title"] == "Tallinn, 2 November 2024"
    newest = (await events())[0]
    await client.post("/api/v1/photos/trash", json={"ids": [newest["cover_photo_id"]]}, headers=auth(token))
    assert (await events())[0]["title"] == "Tallinn, 10 August 2024"
    await client.post("/api/v1/trash/restore", json={"ids": [newest["cover_photo_id"]]}, headers=auth(token))
    assert (await events())[0]["title"] == "Tallinn, 2 November 2024"
