"""What the sharing tests share: users, albums, uploads, members and partners over HTTP."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.api.helpers import auth, register, upload_files
from tests.asgi import AppClient
from tests.mail.conftest import parse

JOIN_TOKEN = re.compile(r"#/join/(av_[A-Za-z0-9_-]+)")


class Person:
    def __init__(self, token: str, user_id: str, name: str) -> None:
        self.token, self.id, self.name = token, user_id, name

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)


async def person(client: AppClient, name: str) -> Person:
    body = await register(client, email=f"{name.lower()}@example.com", name=name)
    return Person(body["token"], body["user"]["id"], name)


async def photos_of(client: AppClient, who: Person, paths: list[Path]) -> list[str]:
    _, items = await upload_files(client, who.token, paths)
    await client.app.state.services.runner.drain(within=120)
    return [i["photo_id"] for i in items]


async def album_with(client: AppClient, who: Person, ids: list[str], name: str = "Holiday") -> str:
    resp = await client.post("/api/v1/albums", json={"name": name, "photo_ids": ids}, headers=who.headers)
    assert resp.status_code == 201, resp.text
    album_id: str = resp.json()["id"]
    return album_id


async def _family_id(client: AppClient, who: Person) -> str | None:
    resp = await client.get("/api/v1/family", headers=who.headers)
    if resp.status_code == 404:
        return None
    assert resp.status_code == 200, resp.text
    family_id: str = resp.json()["id"]
    return family_id


def _mailed_token(client: AppClient, email: str) -> str:
    """The join token of the latest invitation mailed to ``email`` (the log outbox)."""
    outbox = client.app.state.services.settings.data_path / "outbox"
    token = None
    for eml in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = parse(eml.read_bytes())
        if message["To"] == email and "invited you" in message["Subject"]:
            found = JOIN_TOKEN.search(message.get_body(("plain",)).get_content())
            token = found.group(1) if found else token
    assert token is not None, f"no invitation mailed to {email}"
    return token


async def kin(client: AppClient, head: Person, *others: Person) -> None:
    """Put ``others`` in ``head``'s family (founding it when ``head`` has none) the way people
    do: an invitation by email, its mailed link, Join. Sharing by user id and partners are
    only among one family; whoever is already in it is left alone."""
    family = await _family_id(client, head)
    if family is None:
        resp = await client.post("/api/v1/family", json={"name": f"{head.name}'s family"}, headers=head.headers)
        assert resp.status_code == 201, resp.text
        family = resp.json()["id"]
    for other in others:
        if await _family_id(client, other) == family:
            continue
        email = f"{other.name.lower()}@example.com"
        resp = await client.post(
            "/api/v1/family/invites", json={"email": email, "role": "member"}, headers=head.headers
        )
        assert resp.status_code == 201, resp.text
        await client.app.state.services.runner.drain(within=30)
        joined = await client.post(
            "/api/v1/family/join", json={"token": _mailed_token(client, email)}, headers=other.headers
        )
        assert joined.status_code == 200, joined.text


async def share(client: AppClient, by: Person, album_id: str, to: Person, role: str) -> dict[str, Any]:
    """Share an album with ``to`` by user id (``kin`` first puts them in one family)."""
    await kin(client, by, to)
    resp = await client.post(
        f"/api/v1/albums/{album_id}/members", json={"user_id": to.id, "role": role}, headers=by.headers
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def partner(client: AppClient, owner: Person, to: Person, *, in_timeline: bool = False) -> None:
    await kin(client, owner, to)
    resp = await client.post("/api/v1/partners", json={"user_id": to.id}, headers=owner.headers)
    assert resp.status_code == 201, resp.text
    if in_timeline:
        resp = await client.patch(f"/api/v1/partners/{owner.id}", json={"in_timeline": True}, headers=to.headers)
        assert resp.status_code == 200, resp.text


async def paged_ids(client: AppClient, who: Person, path: str, limit: int = 200) -> list[str]:
    """Every id of a paged list (``{items, next_cursor}``), page after page."""
    ids: list[str] = []
    cursor = None
    sep = "&" if "?" in path else "?"
    while True:
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        resp = await client.get(url, headers=who.headers)
        assert resp.status_code == 200, resp.text
        ids += [item["id"] for item in resp.json()["items"]]
        cursor = resp.json()["next_cursor"]
        if cursor is None:
            return ids
