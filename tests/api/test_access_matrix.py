"""The access matrix (DESIGN.md "Who may see what"): every endpoint that shows or changes a
photo or an album, against every user relation, with the exact status and, for lists, exactly
the expected ids (0 leaks). The full run is on SQLite; DynamoDB runs the photo, album and
timeline rows (the same rule, its other adapter).

The vault: Ada owns P1 (in album A, with a place, dated 2019-07-01), P2 (in no album, its EXIF
has a place) and P3
(archived by Ada). Cat (contributor of A) added C1, his own. Adm is A's admin, Vic its viewer,
Pat Ada's partner (in his timeline), Rem a viewer removed from A, Eve a stranger (in no
family), Oth the founder of another family. Everyone but Eve and Oth is in Ada's family
(sharing by user id and partners are among one family: ``sharing_helpers.kin``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from tests.api.sharing_helpers import Person, album_with, partner, person, photos_of, share
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client

RELATIONS = ["owner", "admin", "contributor", "viewer", "partner", "stranger", "other_family", "removed"]
MEMBERS = {"owner", "admin", "contributor", "viewer"}


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        c.backend = request.param  # type: ignore[attr-defined]
        yield c


class World:
    def __init__(self, people: dict[str, Person], ids: dict[str, str], album: str) -> None:
        self.people, self.ids, self.album = people, ids, album

    def names(self, ids: list[str]) -> set[str]:
        """The matrix's names (P1, C1...) of ids; an unknown id is named as it is: a leak shows."""
        by_id = {v: k for k, v in self.ids.items()}
        return {by_id.get(i, i) for i in ids}


async def build(client: AppClient, photos_dir: Path) -> World:
    names = {"owner": "Ada", "admin": "Adm", "contributor": "Cat", "viewer": "Vic", "partner": "Pat"}
    names |= {"stranger": "Eve", "other_family": "Oth", "removed": "Rem"}
    people = {rel: await person(client, name) for rel, name in names.items()}
    ada, cat = people["owner"], people["contributor"]
    p1, p2, p3 = await photos_of(client, ada, [photos_dir / n for n in ("flower.jpg", "starfish.jpg", "hopper.png")])
    (c1,) = await photos_of(client, cat, [photos_dir / "Landscape_1.jpg"])
    for day, photo_id in ((1, p1), (2, p2), (3, p3)):
        body: dict[str, Any] = {"taken_at": f"2019-07-0{day}T12:00:00+00:00"}
        if photo_id == p1:
            body["location"] = {"lat": 38.72, "lon": -9.14}
        assert (await client.patch(f"/api/v1/photos/{photo_id}", json=body, headers=ada.headers)).status_code == 200
    await client.patch(f"/api/v1/photos/{p3}", json={"archived": True}, headers=ada.headers)
    album = await album_with(client, ada, [p1], name="Lisbon")
    for rel in ("admin", "contributor", "viewer", "removed"):
        await share(client, ada, album, people[rel], "viewer" if rel == "removed" else rel)
    added = await client.post(f"/api/v1/albums/{album}/photos", json={"ids": [c1]}, headers=cat.headers)
    assert added.json()["added"] == [c1]
    removed = await client.delete(f"/api/v1/albums/{album}/members/{people['removed'].id}", headers=ada.headers)
    assert removed.status_code == 204
    await partner(client, ada, people["partner"], in_timeline=True)
    # another family on the same server: Oth founded his own; he sees nothing of Ada's
    oth = people["other_family"]
    assert (await client.post("/api/v1/family", json={"name": "Others"}, headers=oth.headers)).status_code == 201
    return World(people, {"P1": p1, "P2": p2, "P3": p3, "C1": c1}, album)


#: Who sees each photo by id.
SEES = {
    "P1": {"owner", "admin", "contributor", "viewer", "partner"},
    "P2": {"owner", "partner"},
    "P3": {"owner"},  # archived by Ada: not her partner's
    "C1": {"owner", "admin", "contributor", "viewer"},  # Cat's, in Ada's album
}
#: The lists, exactly (sets of photo names) per relation.
TIMELINE = {"owner": {"P1", "P2"}, "contributor": {"C1"}}
MERGED = {"owner": {"P1", "P2"}, "contributor": {"C1"}, "partner": {"P1", "P2"}}
ALBUM_PHOTOS = {rel: {"P1", "C1"} for rel in MEMBERS}
SEARCH = {"owner": {"P1", "P2", "P3"}, "contributor": {"C1"}, "partner": {"P1", "P2"}}
# On 1-3 July: each day's memory; P3 is hidden by Ada's archive, from her and from her partner.
MEMORIES = {"owner": {"P1", "P2"}, "partner": {"P1", "P2"}}
OWN_PLACES = {"owner": {"P1", "P2"}}  # places and the map: the viewer's own library (P2 has GPS in its EXIF)


async def ids_of(client: AppClient, who: Person, path: str) -> tuple[int, list[str]]:
    resp = await client.get(path, headers=who.headers)
    if resp.status_code != 200:
        return resp.status_code, []
    body = resp.json()
    if isinstance(body, dict) and "items" in body:
        return 200, [i["id"] for i in body["items"]]
    if isinstance(body, dict) and "clusters" in body:
        return 200, [c["photo_id"] for c in body["clusters"]]
    if isinstance(body, dict) and "changed" in body:
        return 200, [p["id"] for p in body["changed"]]
    if isinstance(body, list) and body and "photo_ids" in body[0]:
        return 200, [i for m in body for i in m["photo_ids"]]
    if isinstance(body, list):
        return 200, [p["cover_photo_id"] for p in body]
    raise AssertionError(f"{path}: unexpected answer {body!r}")


async def check_photos_and_albums(client: AppClient, world: World, problems: list[str]) -> None:
    for rel in RELATIONS:
        who = world.people[rel]
        for name, photo_id in world.ids.items():
            want = 200 if rel in SEES[name] else 404
            got = (await client.get(f"/api/v1/photos/{photo_id}", headers=who.headers)).status_code
            if got != want:
                problems.append(f"GET /photos/{name} as {rel}: {got}, want {want}")
            for variant in ("thumb", "preview", "original"):
                resp = await client.get(
                    f"/api/v1/photos/{photo_id}/{variant}", headers=who.headers, follow_redirects=False
                )
                ok = resp.status_code == 302 if want == 200 else resp.status_code == 404
                if not ok:
                    problems.append(f"GET /photos/{name}/{variant} as {rel}: {resp.status_code}")
        albums = {rel: (200 if rel in MEMBERS else 404) for rel in RELATIONS}
        got = (await client.get(f"/api/v1/albums/{world.album}", headers=who.headers)).status_code
        if got != albums[rel]:
            problems.append(f"GET /albums/A as {rel}: {got}")
        status, ids = await ids_of(client, who, f"/api/v1/albums/{world.album}/photos")
        if (status, world.names(ids)) != (albums[rel], ALBUM_PHOTOS.get(rel, set())):
            problems.append(f"GET /albums/A/photos as {rel}: {status} {sorted(world.names(ids))}")
        _, listed = await ids_of(client, who, "/api/v1/albums?filter=all")
        if listed != ([world.album] if rel in MEMBERS else []):
            problems.append(f"GET /albums as {rel}: {listed}")
        for path, want_ids in (("/api/v1/photos", TIMELINE), ("/api/v1/photos?with_partners=true", MERGED)):
            _, ids = await ids_of(client, who, path)
            if world.names(ids) != want_ids.get(rel, set()):
                problems.append(f"GET {path} as {rel}: {sorted(world.names(ids))}")


async def check_search_and_friends(client: AppClient, world: World, problems: list[str]) -> None:
    for rel in RELATIONS:
        who = world.people[rel]
        checks = [
            ("/api/v1/search", 200, SEARCH.get(rel, set())),
            (f"/api/v1/search?album={world.album}", 200 if rel in MEMBERS else 404, ALBUM_PHOTOS.get(rel, set())),
            ("/api/v1/places", 200, OWN_PLACES.get(rel, set())),
            ("/api/v1/map/markers?bbox=-180,-90,180,90&zoom=2", 200, OWN_PLACES.get(rel, set())),
        ]
        for path, want_status, want in checks:
            status, ids = await ids_of(client, who, path)
            if (status, world.names(ids)) != (want_status, want if want_status == 200 else set()):
                problems.append(f"GET {path} as {rel}: {status} {sorted(world.names(ids))}")
        seen: set[str] = set()
        for day in ("01", "02", "03"):
            _, ids = await ids_of(client, who, f"/api/v1/memories?date=2024-07-{day}")
            seen |= world.names(ids)
        if seen != MEMORIES.get(rel, set()):
            problems.append(f"GET /memories as {rel}: {sorted(seen)}")
        # Sync covers the viewer's own library: never another's photo.
        _, ids = await ids_of(client, who, "/api/v1/sync/changes")
        own = {"owner": {"P1", "P2", "P3"}, "contributor": {"C1"}}.get(rel, set())
        if world.names(ids) != own:
            problems.append(f"GET /sync/changes as {rel}: {sorted(world.names(ids))}")


async def check_changes(client: AppClient, world: World, problems: list[str]) -> None:
    p1 = world.ids["P1"]
    for rel in RELATIONS:
        who = world.people[rel]
        resp = await client.patch("/api/v1/photos", json={"ids": [p1], "favorite": True}, headers=who.headers)
        want: dict[str, Any] = (
            {"updated": [p1], "errors": []}
            if rel in SEES["P1"]
            else {"updated": [], "errors": [{"id": p1, "code": "photo_not_found"}]}
        )
        if (resp.status_code, resp.json()) != (200, want):
            problems.append(f"PATCH /photos as {rel}: {resp.status_code} {resp.json()}")
        edit = await client.patch(f"/api/v1/photos/{p1}", json={"description": "x"}, headers=who.headers)
        want_status = 200 if rel == "owner" else 403 if rel in SEES["P1"] else 404
        if edit.status_code != want_status:
            problems.append(f"PATCH /photos/P1 description as {rel}: {edit.status_code}")
    for rel in [r for r in RELATIONS if r != "owner"] + ["owner"]:  # the owner last: it trashes
        resp = await client.post("/api/v1/photos/trash", json={"ids": [p1]}, headers=world.people[rel].headers)
        code = "not_allowed" if rel in SEES["P1"] else "photo_not_found"
        want = (
            {"trashed": [p1], "errors": []} if rel == "owner" else {"trashed": [], "errors": [{"id": p1, "code": code}]}
        )
        if resp.json() != want:
            problems.append(f"POST /photos/trash as {rel}: {resp.json()}")
    # Trashed: its owner alone sees it, in the trash; gone from the album for everyone.
    for rel in RELATIONS:
        who = world.people[rel]
        if (await client.get(f"/api/v1/photos/{p1}", headers=who.headers)).status_code != 404:
            problems.append(f"GET /photos/P1 trashed as {rel}: not 404")
        _, trash = await ids_of(client, who, "/api/v1/trash")
        if world.names(trash) != ({"P1"} if rel == "owner" else set()):
            problems.append(f"GET /trash as {rel}: {sorted(world.names(trash))}")
        _, ids = await ids_of(client, who, f"/api/v1/albums/{world.album}/photos")
        if rel in MEMBERS and world.names(ids) != {"C1"}:
            problems.append(f"GET /albums/A/photos after trash as {rel}: {sorted(world.names(ids))}")
        trashed_thumb = await client.get(f"/api/v1/trash/{p1}/thumb", headers=who.headers, follow_redirects=False)
        if trashed_thumb.status_code != (302 if rel == "owner" else 404):
            problems.append(f"GET /trash/P1/thumb as {rel}: {trashed_thumb.status_code}")


async def test_every_endpoint_answers_every_relation_exactly(client, photos_dir: Path) -> None:
    world = await build(client, photos_dir)
    problems: list[str] = []
    await check_photos_and_albums(client, world, problems)
    if client.backend == "sqlite":  # the full run; DynamoDB runs the photo, album and timeline rows
        await check_search_and_friends(client, world, problems)
        await check_changes(client, world, problems)
    assert not problems, "\n".join(problems)
