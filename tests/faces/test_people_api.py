"""People over HTTP: photos uploaded, processed, then faces found by the detect_faces jobs."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from auroravault.app import create_app
from tests.api.sharing_helpers import Person, album_with, person, photos_of, share
from tests.asgi import AppClient, app_client
from tests.conftest import PHOTOS, make_settings
from tests.faces.conftest import VARIANTS, astronaut, hopper


def portraits(folder: Path) -> tuple[list[Path], list[Path]]:
    """Three photos of Grace Hopper and two of Eileen Collins, as JPEG files."""
    grace, eileen = [], []
    for name in ("as_is", "dark", "mirrored"):
        grace.append(folder / f"grace_{name}.jpg")
        VARIANTS[name](hopper()).save(grace[-1], "JPEG", quality=90)
    for name in ("as_is", "bright"):
        eileen.append(folder / f"eileen_{name}.jpg")
        VARIANTS[name](astronaut()).save(eileen[-1], "JPEG", quality=90)
    return grace, eileen


async def people_of(client: AppClient, who: Person) -> list[dict]:
    resp = await client.get("/api/v1/people", headers=who.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_people_are_found_named_paged_merged_and_seen_by_album_members(client: AppClient, tmp_path: Path) -> None:
    ada = await person(client, "Ada")
    grace_files, eileen_files = portraits(tmp_path)
    grace_ids = await photos_of(client, ada, grace_files)
    await photos_of(client, ada, eileen_files)
    (flower,) = await photos_of(client, ada, [PHOTOS / "flower.jpg"])

    found = await people_of(client, ada)
    assert [p["face_count"] for p in found] == [3, 2]
    grace, eileen = found
    assert grace["name"] is None and not grace["hidden"] and grace["cover_photo_id"] in grace_ids
    crop = await client.get(grace["cover_face_url"], headers=ada.headers)
    assert crop.status_code == 200 and crop.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(crop.content)).size) <= 160

    named = await client.patch(f"/api/v1/people/{grace['id']}", json={"name": "Grace"}, headers=ada.headers)
    assert named.status_code == 200 and named.json()["name"] == "Grace"
    bad = await client.patch(f"/api/v1/people/{grace['id']}", json={"name": "x" * 300}, headers=ada.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "person_name_invalid"
    assert bad.headers["content-type"].startswith("application/problem+json")

    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"/api/v1/people/{grace['id']}/photos{query}", headers=ada.headers)).json()
        seen += [p["id"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert sorted(seen) == sorted(grace_ids)

    faces = (await client.get(f"/api/v1/photos/{grace_ids[0]}/faces", headers=ada.headers)).json()
    assert [(f["person_id"], f["name"]) for f in faces] == [(grace["id"], "Grace")]
    assert all(0 <= v <= 1 for v in faces[0]["box"])
    assert (await client.get(f"/api/v1/photos/{flower}/faces", headers=ada.headers)).json() == []
    # The photo itself carries its faces (DESIGN: faces: [{person_id, box}]).
    shown = (await client.get(f"/api/v1/photos/{grace_ids[0]}", headers=ada.headers)).json()
    assert [(f["person_id"], f["name"], f["box"]) for f in shown["faces"]] == [(grace["id"], "Grace", faces[0]["box"])]
    assert (await client.get(f"/api/v1/photos/{flower}", headers=ada.headers)).json()["faces"] == []

    # Bob, a member of an album holding one of Grace's photos, sees Ada's name for her.
    bob = await person(client, "Bob")
    album = await album_with(client, ada, [grace_ids[1]])
    await share(client, ada, album, bob, "viewer")
    seen_by_bob = (await client.get(f"/api/v1/photos/{grace_ids[1]}/faces", headers=bob.headers)).json()
    assert [f["name"] for f in seen_by_bob] == ["Grace"]
    assert (await client.get(f"/api/v1/photos/{grace_ids[0]}/faces", headers=bob.headers)).status_code == 404
    assert await people_of(client, bob) == []
    assert (
        await client.patch(f"/api/v1/people/{grace['id']}", json={"hidden": True}, headers=bob.headers)
    ).status_code == 404

    merged = await client.post(f"/api/v1/people/{grace['id']}/merge", json={"ids": [eileen["id"]]}, headers=ada.headers)
    assert merged.status_code == 200 and merged.json()["face_count"] == 5 and merged.json()["name"] == "Grace"
    assert (await client.post("/api/v1/people/recluster", headers=ada.headers)).json() == {"moved": 0}
    assert [p["id"] for p in await people_of(client, ada)] == [grace["id"]]

    face_id = faces[0]["id"]
    gone = await client.delete(f"/api/v1/photos/{grace_ids[0]}/faces/{face_id}/person", headers=ada.headers)
    assert gone.status_code == 204
    assert (await people_of(client, ada))[0]["face_count"] == 4

    # The backfill finds nothing new: every photo was looked at once already.
    assert (await client.post("/api/v1/people/backfill", headers=ada.headers)).json() == {"queued": 0}


async def test_with_people_off_every_route_says_so_and_the_backfill_catches_up_later(tmp_path: Path) -> None:
    async with app_client(create_app(make_settings(tmp_path, faces={"enabled": False}))) as off_client:
        ada, photos = await _library_while_off(off_client, tmp_path)
    async with app_client(create_app(make_settings(tmp_path))) as client:  # the same vault, people on
        assert await people_of(client, ada) == []
        first = await client.post("/api/v1/people/backfill", headers=ada.headers)
        assert first.status_code == 202 and first.json() == {"queued": 2}
        assert (await client.post("/api/v1/people/backfill", headers=ada.headers)).json() == {"queued": 0}
        await client.app.state.services.runner.drain(within=120)
        (grace,) = await people_of(client, ada)
        assert grace["face_count"] == 2 and grace["cover_photo_id"] in photos


async def _library_while_off(off_client: AppClient, tmp_path: Path) -> tuple[Person, list[str]]:
    ada = await person(off_client, "Ada")
    grace_files, _ = portraits(tmp_path)
    photos = await photos_of(off_client, ada, grace_files[:2])
    for method, path in [
        ("GET", "/api/v1/people"),
        ("PATCH", "/api/v1/people/pe_x"),
        ("GET", f"/api/v1/photos/{photos[0]}/faces"),
        ("POST", "/api/v1/people/backfill"),
    ]:
        resp = await off_client.request(method, path, headers=ada.headers, json={} if method == "PATCH" else None)
        assert resp.status_code == 409, (path, resp.text)
        assert resp.json()["code"] == "faces_unavailable" and "auroravault[faces]" in resp.json()["detail"]
    for photo in photos:  # processed as ever
        shown = await off_client.get(f"/api/v1/photos/{photo}", headers=ada.headers)
        assert shown.status_code == 200 and shown.json()["status"] == "ready"
        assert "faces" not in shown.json()  # people off: the photo says nothing of faces
    return ada, photos
