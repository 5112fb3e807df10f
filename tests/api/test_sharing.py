"""Album members and partner sharing over HTTP, on both meta adapters: adding, roles, what
each role may do, removal cutting access at once, the albums list, partners and the merged
timeline, uploads into a shared album, the sharing emails, and bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email import message_from_bytes
from pathlib import Path

import msgspec
import pytest

from auroravault.app import create_app
from auroravault.services.notifications import wants
from tests.api.helpers import file_spec
from tests.api.sharing_helpers import album_with, kin, paged_ids, partner, person, photos_of, share
from tests.api.test_job_outcomes import settings_for
from tests.api.test_sharing_uploads import upload_into
from tests.asgi import AppClient, app_client

NAMES = ["flower.jpg", "starfish.jpg", "hopper.png"]


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def test_a_member_sees_the_album_with_its_members_and_a_removed_one_sees_nothing(
    client, photos_dir: Path
) -> None:
    ada, bob = await person(client, "Ada"), await person(client, "Bob")
    ids = await photos_of(client, ada, [photos_dir / n for n in NAMES])
    album = await album_with(client, ada, ids[:2])
    added = await share(client, ada, album, bob, "viewer")
    assert added == {"user": {"id": bob.id, "display_name": "Bob"}, "role": "viewer", "added_by": ada.id}
    shown = (await client.get(f"/api/v1/albums/{album}", headers=bob.headers)).json()
    assert shown["role"] == "viewer" and shown["shared"] is True and shown["owner"]["display_name"] == "Ada"
    assert shown["members"] == [{"user": {"id": bob.id, "display_name": "Bob"}, "role": "viewer"}]
    assert sorted(await paged_ids(client, bob, f"/api/v1/albums/{album}/photos")) == sorted(ids[:2])
    assert await paged_ids(client, bob, "/api/v1/albums?filter=shared") == [album]
    assert await paged_ids(client, bob, "/api/v1/albums?filter=owned") == []
    assert await paged_ids(client, bob, "/api/v1/albums?filter=all") == [album]
    photo = (await client.get(f"/api/v1/photos/{ids[0]}", headers=bob.headers)).json()
    assert photo["albums"] == [album]
    thumb = await client.get(f"/api/v1/photos/{ids[0]}/thumb", headers=bob.headers, follow_redirects=False)
    assert thumb.status_code in (200, 302, 307), thumb.text
    # Not in the album: a stranger's photo to Bob.
    assert (await client.get(f"/api/v1/photos/{ids[2]}", headers=bob.headers)).status_code == 404
    # Removed: the very next request sees nothing.
    gone = await client.delete(f"/api/v1/albums/{album}/members/{bob.id}", headers=ada.headers)
    assert gone.status_code == 204
    for path in (f"/api/v1/albums/{album}", f"/api/v1/albums/{album}/photos", f"/api/v1/photos/{ids[0]}"):
        resp = await client.get(path, headers=bob.headers)
        assert resp.status_code == 404 and resp.json()["code"] in ("album_not_found", "photo_not_found")
    assert await paged_ids(client, bob, "/api/v1/albums?filter=all") == []


async def test_roles_decide_what_a_member_may_do(client, photos_dir: Path) -> None:
    ada, vic, cat, adm = [await person(client, n) for n in ("Ada", "Vic", "Cat", "Adm")]
    ada_ids = await photos_of(client, ada, [photos_dir / "flower.jpg"])
    cat_ids = await photos_of(client, cat, [photos_dir / "starfish.jpg"])
    album = await album_with(client, ada, ada_ids)
    for who, role in ((vic, "viewer"), (cat, "contributor"), (adm, "admin")):
        await share(client, ada, album, who, role)
    # A viewer may not add, rename or manage members.
    resp = await client.post(f"/api/v1/albums/{album}/photos", json={"ids": ada_ids}, headers=vic.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "not_allowed"
    assert (await client.patch(f"/api/v1/albums/{album}", json={"name": "x"}, headers=vic.headers)).status_code == 403
    # A contributor adds their own photo, cannot remove Ada's, removes their own.
    added = await client.post(f"/api/v1/albums/{album}/photos", json={"ids": cat_ids}, headers=cat.headers)
    assert added.json()["added"] == cat_ids
    refused = await client.post(f"/api/v1/albums/{album}/photos/remove", json={"ids": ada_ids}, headers=cat.headers)
    assert refused.json() == {"removed": [], "errors": [{"id": ada_ids[0], "code": "not_allowed"}]}
    assert (await client.patch(f"/api/v1/albums/{album}", json={"name": "x"}, headers=cat.headers)).status_code == 403
    # Everyone in the album sees Cat's photo; only Cat may trash or describe it.
    assert (await client.get(f"/api/v1/photos/{cat_ids[0]}", headers=vic.headers)).status_code == 200
    described = await client.patch(f"/api/v1/photos/{cat_ids[0]}", json={"description": "mine"}, headers=ada.headers)
    assert described.status_code == 403 and described.json()["code"] == "not_allowed"
    fav = await client.patch(f"/api/v1/photos/{cat_ids[0]}", json={"favorite": True}, headers=ada.headers)
    assert fav.status_code == 200 and fav.json()["favorite"] is True
    trash = await client.post("/api/v1/photos/trash", json={"ids": cat_ids}, headers=ada.headers)
    assert trash.json()["trashed"] == [] and trash.json()["errors"] == [{"id": cat_ids[0], "code": "not_allowed"}]
    # An admin renames, removes anyone's photo and manages members, but may not delete the album.
    assert (await client.patch(f"/api/v1/albums/{album}", json={"name": "Y"}, headers=adm.headers)).status_code == 200
    removed = await client.post(f"/api/v1/albums/{album}/photos/remove", json={"ids": cat_ids}, headers=adm.headers)
    assert removed.json()["removed"] == cat_ids
    promoted = await client.patch(
        f"/api/v1/albums/{album}/members/{vic.id}", json={"role": "contributor"}, headers=adm.headers
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "contributor"
    deleted = await client.delete(f"/api/v1/albums/{album}", headers=adm.headers)
    assert deleted.status_code == 403 and deleted.json()["code"] == "not_allowed"
    # A member leaves with their own id.
    assert (await client.delete(f"/api/v1/albums/{album}/members/{vic.id}", headers=vic.headers)).status_code == 204
    assert (await client.get(f"/api/v1/albums/{album}", headers=vic.headers)).status_code == 404


async def test_bad_member_requests_are_refused_with_codes_and_change_nothing(client) -> None:
    ada, bob, eve = await person(client, "Ada"), await person(client, "Bob"), await person(client, "Eve")
    album = await album_with(client, ada, [])
    await kin(client, ada, bob)  # by user id: among the family; Eve is in none
    cases = [
        (ada, {"user_id": bob.id, "role": "boss"}, 422, "invalid_role"),
        (ada, {"email": "nobody@example.com", "role": "viewer"}, 404, "user_not_found"),
        (ada, {"user_id": "u_missing", "role": "viewer"}, 404, "user_not_found"),
        (ada, {"user_id": eve.id, "role": "viewer"}, 404, "user_not_found"),  # not of Ada's family
        (ada, {"user_id": ada.id, "role": "viewer"}, 422, "invalid_member"),
        (ada, {"role": "viewer"}, 422, "invalid_member"),
        (eve, {"user_id": bob.id, "role": "viewer"}, 404, "album_not_found"),
    ]
    for who, body, status, code in cases:
        resp = await client.post(f"/api/v1/albums/{album}/members", json=body, headers=who.headers)
        assert (resp.status_code, resp.json()["code"]) == (status, code), body
    by_email = await client.post(
        f"/api/v1/albums/{album}/members", json={"email": "BOB@example.com", "role": "viewer"}, headers=ada.headers
    )
    assert by_email.status_code == 201
    again = await client.post(
        f"/api/v1/albums/{album}/members", json={"user_id": bob.id, "role": "admin"}, headers=ada.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "already_member"
    shown = (await client.get(f"/api/v1/albums/{album}", headers=ada.headers)).json()
    assert [(m["user"]["id"], m["role"]) for m in shown["members"]] == [(bob.id, "viewer")]
    missing = await client.patch(
        f"/api/v1/albums/{album}/members/{eve.id}", json={"role": "viewer"}, headers=ada.headers
    )
    assert missing.status_code == 404 and missing.json()["code"] == "member_not_found"
    bad = await client.patch(f"/api/v1/albums/{album}/members/{bob.id}", json={"role": "owner"}, headers=ada.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_role"


async def test_partners_share_one_way_and_merge_into_the_timeline_on_request(client, photos_dir: Path) -> None:
    ada, bob = await person(client, "Ada"), await person(client, "Bob")
    ada_ids = await photos_of(client, ada, [photos_dir / "flower.jpg", photos_dir / "starfish.jpg"])
    bob_ids = await photos_of(client, bob, [photos_dir / "hopper.png"])
    await partner(client, ada, bob)
    listed = (await client.get("/api/v1/partners", headers=bob.headers)).json()
    assert listed == {
        "shared_with_me": [{"user": {"id": ada.id, "display_name": "Ada"}, "in_timeline": False}],
        "shared_by_me": [],
    }
    assert (await client.get("/api/v1/partners", headers=ada.headers)).json()["shared_by_me"] == [
        {"user": {"id": bob.id, "display_name": "Bob"}}
    ]
    # Bob sees Ada's photos by id; Ada does not see Bob's (one way).
    assert (await client.get(f"/api/v1/photos/{ada_ids[0]}", headers=bob.headers)).status_code == 200
    assert (await client.get(f"/api/v1/photos/{bob_ids[0]}", headers=ada.headers)).status_code == 404
    # Not merged until Bob asks for it.
    assert await paged_ids(client, bob, "/api/v1/photos?with_partners=true") == bob_ids
    on = await client.patch(f"/api/v1/partners/{ada.id}", json={"in_timeline": True}, headers=bob.headers)
    assert on.json() == {"user": {"id": ada.id, "display_name": "Ada"}, "in_timeline": True}
    merged = await paged_ids(client, bob, "/api/v1/photos?with_partners=true", limit=1)
    assert sorted(merged) == sorted(ada_ids + bob_ids) and len(merged) == 3
    assert await paged_ids(client, bob, "/api/v1/photos") == bob_ids
    # What Ada archives leaves Bob's view of her library, by id too.
    await client.patch(f"/api/v1/photos/{ada_ids[0]}", json={"archived": True}, headers=ada.headers)
    assert sorted(await paged_ids(client, bob, "/api/v1/photos?with_partners=true")) == sorted(ada_ids[1:] + bob_ids)
    assert (await client.get(f"/api/v1/photos/{ada_ids[0]}", headers=bob.headers)).status_code == 404
    # Ada stops: gone on the next request.
    assert (await client.delete(f"/api/v1/partners/{bob.id}", headers=ada.headers)).status_code == 204
    assert (await client.get(f"/api/v1/photos/{ada_ids[1]}", headers=bob.headers)).status_code == 404
    assert await paged_ids(client, bob, "/api/v1/photos?with_partners=true") == bob_ids


async def test_bad_partner_requests_are_refused_with_codes(client) -> None:
    ada, bob, eve = await person(client, "Ada"), await person(client, "Bob"), await person(client, "Eve")
    await kin(client, ada, bob)
    for body, status, code in (
        ({"user_id": ada.id}, 422, "invalid_partner"),
        ({"user_id": "u_missing"}, 404, "user_not_found"),
        ({"user_id": eve.id}, 404, "user_not_found"),  # not of Ada's family: as if there were none
    ):
        resp = await client.post("/api/v1/partners", json=body, headers=ada.headers)
        assert (resp.status_code, resp.json()["code"]) == (status, code)
    await partner(client, ada, bob)
    twice = await client.post("/api/v1/partners", json={"user_id": bob.id}, headers=ada.headers)
    assert twice.status_code == 409 and twice.json()["code"] == "already_partner"
    nothing = await client.patch(f"/api/v1/partners/{bob.id}", json={"in_timeline": True}, headers=ada.headers)
    assert nothing.status_code == 404 and nothing.json()["code"] == "partner_not_found"
    assert (await client.delete(f"/api/v1/partners/{ada.id}", headers=ada.headers)).status_code == 404


async def test_a_contributor_uploads_into_the_album_on_their_own_quota_and_a_viewer_may_not(
    client, photos_dir: Path
) -> None:
    ada, cat, vic = await person(client, "Ada"), await person(client, "Cat"), await person(client, "Vic")
    album = await album_with(client, ada, [])
    await share(client, ada, album, cat, "contributor")
    await share(client, ada, album, vic, "viewer")
    items = await upload_into(client, cat.token, [photos_dir / "flower.jpg"], album)
    assert await paged_ids(client, ada, f"/api/v1/albums/{album}/photos") == [items[0]["photo_id"]]
    cat_me = (await client.get("/api/v1/users/me", headers=cat.headers)).json()
    ada_me = (await client.get("/api/v1/users/me", headers=ada.headers)).json()
    assert cat_me["used_bytes"] == (photos_dir / "flower.jpg").stat().st_size and ada_me["used_bytes"] == 0
    refused = await client.post(
        "/api/v1/uploads",
        json={"files": [file_spec(photos_dir / "starfish.jpg")], "album_id": album},
        headers=vic.headers,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert (await client.get("/api/v1/uploads", headers=vic.headers)).json()["items"] == []


def _mails(client: AppClient) -> list[tuple[str, str]]:
    outbox = client.app.state.services.settings.data_path / "outbox"
    found = []
    for eml in sorted(outbox.glob("*.eml")):
        msg = message_from_bytes(eml.read_bytes())
        found.append((str(msg["To"]), str(msg["Subject"])))
    return found


async def _run_digests(client: AppClient) -> None:
    """Run the queued digests now (they are due at the end of their hour), then the emails."""
    services = client.app.state.services
    for job in await services.meta.list_jobs("queued", 100):
        if job.kind == "album_digest":
            await services.runner.handlers["album_digest"](job.payload)
    await services.runner.drain(within=60)


async def test_sharing_emails_one_on_joining_and_one_digest_for_five_adds_in_an_hour(client, photos_dir: Path) -> None:
    ada, cat, vic = await person(client, "Ada"), await person(client, "Cat"), await person(client, "Vic")
    album = await album_with(client, ada, [], name="Summer")
    await share(client, ada, album, cat, "contributor")
    await share(client, ada, album, vic, "viewer")
    await client.app.state.services.runner.drain(within=60)
    shared = [m for m in _mails(client) if "shared the album" in m[1]]
    assert sorted(shared) == sorted(
        [
            ("cat@example.com", "Ada shared the album Summer with you"),
            ("vic@example.com", "Ada shared the album Summer with you"),
        ]
    )
    paths = [photos_dir / n for n in ["flower.jpg", "starfish.jpg", "hopper.png", "Landscape_1.jpg", "Landscape_2.jpg"]]
    ids = await photos_of(client, cat, paths)
    for photo_id in ids:  # five adds within the hour
        resp = await client.post(f"/api/v1/albums/{album}/photos", json={"ids": [photo_id]}, headers=cat.headers)
        assert resp.json()["added"] == [photo_id]
    await _run_digests(client)
    await _run_digests(client)  # a digest run twice sends nothing more
    digests = sorted(m for m in _mails(client) if "new photos" in m[1])
    assert digests == [("ada@example.com", "5 new photos in Summer"), ("vic@example.com", "5 new photos in Summer")]


async def test_the_notification_switches_hold_back_the_sharing_emails(client, photos_dir: Path) -> None:
    """Vic turns both sharing emails off in his settings (``PATCH /users/me``): he gets neither
    the "shared with you" email nor the digest, while Cat, who kept them, gets both."""
    ada, cat, vic = await person(client, "Ada"), await person(client, "Cat"), await person(client, "Vic")
    quiet = {"notify_album_shared": False, "notify_album_photos": False}
    off = await client.patch("/api/v1/users/me", json=quiet, headers=vic.headers)
    assert off.status_code == 200 and off.json()["notify_album_shared"] is False
    album = await album_with(client, ada, [], name="Summer")
    await share(client, ada, album, cat, "viewer")
    await share(client, ada, album, vic, "viewer")
    await client.app.state.services.runner.drain(within=60)
    (photo_id,) = await photos_of(client, ada, [photos_dir / "flower.jpg"])
    assert (
        await client.post(f"/api/v1/albums/{album}/photos", json={"ids": [photo_id]}, headers=ada.headers)
    ).status_code == 200
    await _run_digests(client)
    sharing = sorted(m for m in _mails(client) if "Summer" in m[1])
    assert sharing == [
        ("cat@example.com", "1 new photo in Summer"),
        ("cat@example.com", "Ada shared the album Summer with you"),
    ]
    assert not wants(msgspec.structs.replace(await client.app.state.services.meta.get_user(vic.id)), "album_shared")
