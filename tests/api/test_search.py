"""Search, suggestions, places, map markers and memories over HTTP, on both meta adapters,
with real photos named by the offline geocoder."""

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
PORTO = (41.1579, -8.6291)


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def _library(client: AppClient, tmp_path: Path, email: str = "ada@example.com") -> tuple[str, dict[str, str]]:
    """Ada's photos: Tallinn 2019-07-14, Lisbon 2019-07-14 (evening), Porto 2021-07-14, an
    unlocated one of 2022-01-02; returned by name."""
    token = (await register(client, email=email))["token"]
    specs = {
        "tallinn_old_town.jpg": jpeg(taken="2019:07:14 12:00:00", gps=TALLINN, color=(10, 20, 30)),
        "lisbon_tram.jpg": jpeg(taken="2019:07:14 21:30:00", gps=LISBON, color=(200, 20, 30)),
        "porto_bridge.jpg": jpeg(taken="2021:07:14 10:00:00", gps=PORTO, color=(10, 200, 30)),
        "garden.jpg": jpeg(taken="2022:01:02 09:00:00", color=(10, 20, 200)),
    }
    paths = []
    for name, data in specs.items():
        path = tmp_path / email / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    _, items = await upload_files(client, token, paths)
    await client.app.state.services.runner.drain(within=120)
    return token, {name: item["photo_id"] for name, item in zip(specs, items, strict=True)}


async def _search(client: AppClient, token: str, query: str) -> list[str]:
    resp = await client.get(f"/api/v1/search?{query}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return [p["id"] for p in resp.json()["items"]]


async def test_search_by_words_and_filters_finds_what_a_family_asks_for(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    tallinn, lisbon, porto, garden = (ids[n] for n in ids)
    assert await _search(client, token, "q=portugal") == [porto, lisbon]  # place names, newest first
    assert await _search(client, token, "q=Portugal%20tram") == [lisbon]  # every word: a place and a filename word
    assert await _search(client, token, "q=old") == [tallinn]  # a filename word
    assert await _search(client, token, "country=PT&from=2021-01-01") == [porto]
    assert await _search(client, token, "country=Portugal&to=2019-12-31") == [lisbon]
    assert await _search(client, token, "city=tallinn") == [tallinn]
    assert await _search(client, token, "has_location=false") == [garden]
    assert await _search(client, token, "camera=TestCam&from=2022-01-02&to=2022-01-02") == [garden]  # whole days
    assert await _search(client, token, "type=video") == []
    resp = await client.patch(f"/api/v1/photos/{garden}", json={"description": "Grandma's café"}, headers=auth(token))
    assert resp.status_code == 200
    assert await _search(client, token, "q=cafe") == [garden]  # edits are found at once, accents folded
    await client.patch("/api/v1/photos", json={"ids": [porto], "favorite": True}, headers=auth(token))
    assert await _search(client, token, "favorite=true") == [porto]
    await client.patch("/api/v1/photos", json={"ids": [tallinn], "archived": True}, headers=auth(token))
    assert await _search(client, token, "q=estonia") == [tallinn]  # archived: still found
    page = (await client.get("/api/v1/search?q=portugal", headers=auth(token))).json()["items"][0]
    assert page["place"]["country"] == "Portugal" and page["thumb_url"] and page["favorite"] is True


async def test_search_pages_with_the_cursor_and_never_shows_the_trash(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    seen, cursor = [], ""
    while True:
        resp = await client.get(f"/api/v1/search?limit=1{cursor}", headers=auth(token))
        body = resp.json()
        seen += [p["id"] for p in body["items"]]
        if body["next_cursor"] is None:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert sorted(seen) == sorted(ids.values()) and len(seen) == 4
    await client.post("/api/v1/photos/trash", json={"ids": [ids["lisbon_tram.jpg"]]}, headers=auth(token))
    assert await _search(client, token, "q=lisbon") == []
    places = (await client.get("/api/v1/places", headers=auth(token))).json()
    assert "Lisbon" not in {p["city"] for p in places}


async def test_nobody_finds_what_is_not_theirs(client, tmp_path) -> None:
    await _library(client, tmp_path)
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    assert await _search(client, bob, "q=tallinn") == []
    assert await _search(client, bob, "") == []
    assert (await client.get("/api/v1/places", headers=auth(bob))).json() == []
    markers = await client.get("/api/v1/map/markers?bbox=-180,-90,180,90&zoom=0", headers=auth(bob))
    assert markers.json() == {"clusters": []}
    assert (await client.get("/api/v1/memories?date=2024-07-14", headers=auth(bob))).json() == []
    values = await client.get("/api/v1/search/suggestions?field=country", headers=auth(bob))
    assert values.json() == {"values": []}
    assert (await client.get("/api/v1/search?q=tallinn")).status_code == 401


async def test_suggestions_places_map_and_memories(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    get = client.get
    countries = (await get("/api/v1/search/suggestions?field=country&prefix=p", headers=auth(token))).json()
    assert countries == {"values": [{"value": "Portugal", "count": 2}]}
    years = (await get("/api/v1/search/suggestions?field=year", headers=auth(token))).json()["values"]
    assert years == [{"value": "2022", "count": 1}, {"value": "2021", "count": 1}, {"value": "2019", "count": 2}]
    cameras = (await get("/api/v1/search/suggestions?field=camera&prefix=test", headers=auth(token))).json()
    assert cameras == {"values": [{"value": "TestCam", "count": 4}]}

    places = (await get("/api/v1/places", headers=auth(token))).json()
    by_city = {p["city"]: p for p in places}
    named = [(await get(f"/api/v1/photos/{i}", headers=auth(token))).json()["place"] for i in ids.values()]
    assert set(by_city) == {n["city"] for n in named if n} and len(by_city) == 3  # as the geocoder named them
    assert sum(p["count"] for p in places if p["country"] == "Portugal") == 2
    assert by_city["Tallinn"] == {
        "country": "Estonia",
        "country_code": "EE",
        "region": "Harjumaa",
        "city": "Tallinn",
        "count": 1,
        "cover_photo_id": ids["tallinn_old_town.jpg"],
    }

    world = (await get("/api/v1/map/markers?bbox=-180,-90,180,90&zoom=0", headers=auth(token))).json()
    assert sum(c["count"] for c in world["clusters"]) == 3  # the unlocated photo is not on the map
    portugal = (await get("/api/v1/map/markers?bbox=-10,36,-6,42.5&zoom=12", headers=auth(token))).json()
    assert sorted(c["photo_id"] for c in portugal["clusters"]) == sorted(
        [ids["lisbon_tram.jpg"], ids["porto_bridge.jpg"]]
    )
    lisbon = next(c for c in portugal["clusters"] if c["photo_id"] == ids["lisbon_tram.jpg"])
    assert abs(lisbon["lat"] - LISBON[0]) < 0.001 and abs(lisbon["lon"] - LISBON[1]) < 0.001

    memories = (await get("/api/v1/memories?date=2024-07-14", headers=auth(token))).json()
    assert memories == [
        {"kind": "on_this_day", "year": 2021, "title": "3 years ago", "photo_ids": [ids["porto_bridge.jpg"]]},
        {
            "kind": "on_this_day",
            "year": 2019,
            "title": "5 years ago",
            "photo_ids": [ids["lisbon_tram.jpg"], ids["tallinn_old_town.jpg"]],
        },
    ]
    assert (await get("/api/v1/memories?date=2024-07-15", headers=auth(token))).json() == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/search?from=2023-02-30", 422, "invalid_date"),
        ("/search?from=2023-13-01", 422, "invalid_date"),
        ("/search?from=yesterday", 422, "invalid_date"),
        ("/search?from=2024-02-01&to=2024-01-01", 422, "invalid_date"),
        ("/search?album=a_unknown", 404, "album_not_found"),
        ("/search?cursor=not-a-cursor", 400, "invalid_cursor"),
        ("/search?limit=0", 400, "invalid_request"),
        ("/search/suggestions?field=shoe_size", 400, "invalid_request"),
        ("/map/markers?bbox=1,2,3", 422, "invalid_bbox"),
        ("/map/markers?bbox=a,b,c,d", 422, "invalid_bbox"),
        ("/map/markers?bbox=-190,0,10,10", 422, "invalid_bbox"),
        ("/map/markers?bbox=0,-91,10,10", 422, "invalid_bbox"),
        ("/map/markers?bbox=10,0,0,10", 422, "invalid_bbox"),
        ("/map/markers?bbox=nan,0,10,10", 422, "invalid_bbox"),
        ("/map/markers?bbox=0,0,10,10&zoom=23", 422, "invalid_zoom"),
        ("/memories?date=2023-02-29", 422, "invalid_date"),
        ("/memories?date=2023-7-4", 422, "invalid_date"),
    ],
)
async def test_bad_input_is_a_problem_with_a_code(client, tmp_path, path: str, status: int, code: str) -> None:
    token = (await register(client))["token"]
    resp = await client.get(f"/api/v1{path}", headers=auth(token))
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == code


async def test_album_names_and_the_album_filter(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    resp = await client.post(
        "/api/v1/albums",
        json={"name": "Summer with Grandma", "photo_ids": [ids["lisbon_tram.jpg"], ids["porto_bridge.jpg"]]},
        headers=auth(token),
    )
    assert resp.status_code == 201, resp.text
    album = resp.json()["id"]
    assert await _search(client, token, "q=grandma") == [ids["porto_bridge.jpg"], ids["lisbon_tram.jpg"]]
    assert await _search(client, token, f"album={album}&to=2020-01-01") == [ids["lisbon_tram.jpg"]]
    bob = (await register(client, email="bob@example.com", name="Bob"))["token"]
    resp = await client.get(f"/api/v1/search?album={album}", headers=auth(bob))
    assert resp.status_code == 404 and resp.json()["code"] == "album_not_found"  # not Bob's to see
    assert await _search(client, bob, "q=grandma") == []
