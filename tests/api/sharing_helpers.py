"""What the sharing tests share: users, albums, uploads, members and partners over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.helpers import auth, register, upload_files
from tests.asgi import AppClient


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


async def share(client: AppClient, by: Person, album_id: str, to: Person, role: str) -> dict[str, Any]:
    resp = await client.post(
        f"/api/v1/albums/{album_id}/members", json={"user_id": to.id, "role": role}, headers=by.headers
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def partner(client: AppClient, owner: Person, to: Person, *, in_timeline: bool = False) -> None:
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
