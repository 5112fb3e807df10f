"""The in-process bus (the default): the same single welcome mail as ever, every domain
event reaches its subscribers with ids only, and a failing subscriber fails no request."""

from __future__ import annotations

from pathlib import Path

from auroravault.bus.events import EVENT_NAMES, Detail
from tests.api.sharing_helpers import album_with, kin, person, photos_of, share
from tests.asgi import AppClient
from tests.bus.cloud import mailed


async def test_one_welcome_mail_as_before(client: AppClient) -> None:
    services = client.app.state.services
    assert services.bus.name == "local" and services.events is None
    await person(client, "Ada")
    await services.runner.drain(within=30)
    [subject] = mailed(services.settings, "ada@example.com")
    assert "welcome" in subject.lower()


async def test_every_event_reaches_its_subscribers(client: AppClient, photos_dir: Path) -> None:
    services = client.app.state.services
    seen: list[tuple[str, Detail]] = []

    def recorder(name: str):  # type: ignore[no-untyped-def]
        async def record(detail: Detail) -> None:
            seen.append((name, detail))

        return record

    for name in EVENT_NAMES:
        services.bus.subscribe(name, recorder(name))
    ada, bob = await person(client, "Ada"), await person(client, "Bob")
    [photo_id] = await photos_of(client, ada, [photos_dir / "Landscape_3.jpg"])
    await kin(client, ada, bob)
    album_id = await album_with(client, ada, [photo_id])
    await share(client, ada, album_id, bob, "viewer")
    trashed = await client.post("/api/v1/photos/trash", json={"ids": [photo_id]}, headers=ada.headers)
    assert trashed.status_code == 200, trashed.text
    deleted = await client.post("/api/v1/trash/delete", json={"ids": [photo_id]}, headers=ada.headers)
    assert deleted.status_code == 200, deleted.text
    await services.runner.drain(within=30)

    assert ("user.registered", {"user_id": ada.id}) in seen
    assert ("user.registered", {"user_id": bob.id}) in seen
    assert ("photo.ready", {"photo_id": photo_id, "owner_id": ada.id}) in seen
    assert ("album.shared", {"album_id": album_id, "user_id": bob.id, "by_id": ada.id}) in seen
    assert ("photo.deleted", {"photo_id": photo_id, "owner_id": ada.id}) in seen
    family = await services.meta.family_member(bob.id)
    assert ("family.joined", {"family_id": family.family_id, "user_id": bob.id}) in seen


async def test_a_failing_subscriber_fails_no_request(client: AppClient, photos_dir: Path) -> None:
    services = client.app.state.services

    async def broken(detail: Detail) -> None:
        raise RuntimeError("a subscriber with a bug")

    for name in EVENT_NAMES:
        services.bus.subscribe(name, broken)
    ada = await person(client, "Ada")  # 201 all the same
    [photo_id] = await photos_of(client, ada, [photos_dir / "Landscape_4.jpg"])
    resp = await client.get(f"/api/v1/photos/{photo_id}", headers=ada.headers)
    assert resp.json()["status"] == "ready"
    await services.runner.drain(within=30)
    assert len(mailed(services.settings, "ada@example.com")) == 1  # the others still ran
