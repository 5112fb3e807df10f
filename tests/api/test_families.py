"""Families over HTTP on both meta adapters: found one, invite by email (the link arrives in the
outbox), join, register with an invitation, members, leaving, quotas on uploads, bad input."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from auroravault.ids import new_id, token_hash
from auroravault.meta.family_records import Invite
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, file_spec, register
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client
from tests.mail.conftest import parse

JOIN_LINK = re.compile(r"http://testserver\.local/#/join/(av_[A-Za-z0-9_-]+)")


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def user(client: AppClient, name: str) -> tuple[str, str]:
    """Register ``name`` (email ``<name>@example.com``): the token and the user id."""
    body = await register(client, email=f"{name.lower()}@example.com", name=name)
    return body["token"], body["user"]["id"]


async def found(client: AppClient, token: str, name: str = "Lovelace") -> dict[str, Any]:
    resp = await client.post("/api/v1/family", json={"name": name}, headers=auth(token))
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def family(client: AppClient, token: str) -> dict[str, Any]:
    resp = await client.get("/api/v1/family", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def invite_links(client: AppClient) -> dict[str, str]:
    """The join tokens mailed so far, by recipient (the latest per recipient)."""
    outbox = client.app.state.services.settings.data_path / "outbox"
    found: dict[str, str] = {}
    for eml in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = parse(eml.read_bytes())
        if "invited you" in message["Subject"]:
            text = message.get_body(("plain",)).get_content()
            found[message["To"]] = JOIN_LINK.search(text).group(1)
    return found


async def invited(client: AppClient, owner: str, email: str) -> tuple[dict[str, Any], str]:
    resp = await client.post("/api/v1/family/invites", json={"email": email, "role": "member"}, headers=auth(owner))
    assert resp.status_code == 201, resp.text
    await client.app.state.services.runner.drain(within=30)
    return resp.json(), invite_links(client)[email.lower()]


def problem(resp: Any, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == code


async def test_a_family_is_founded_shown_renamed_and_deleted(client: AppClient) -> None:
    ada, ada_id = await user(client, "Ada")
    problem(await client.get("/api/v1/family", headers=auth(ada)), 404, "family_not_found")
    created = await found(client, ada, "  The   Lovelaces ")
    assert created["name"] == "The Lovelaces" and created["role"] == "owner" and created["quota_bytes"] is None
    [me] = created["members"]
    assert me["user"] == {"id": ada_id, "display_name": "Ada", "email": "ada@example.com"}
    assert (me["role"], me["quota_bytes"], me["used_bytes"]) == ("owner", None, 0)
    assert created["invites"] == [] and created["used_bytes"] == 0
    assert await family(client, ada) == created
    problem(await client.post("/api/v1/family", json={"name": "Two"}, headers=auth(ada)), 409, "already_in_family")
    problem(await client.patch("/api/v1/family", json={"name": "\x07"}, headers=auth(ada)), 422, "invalid_family_name")
    problem(await client.patch("/api/v1/family", json={"quota_bytes": -1}, headers=auth(ada)), 422, "invalid_quota")
    resp = await client.patch("/api/v1/family", json={"name": "Byrons", "quota_bytes": 10**9}, headers=auth(ada))
    assert resp.status_code == 200 and (resp.json()["name"], resp.json()["quota_bytes"]) == ("Byrons", 10**9)
    assert (await client.delete("/api/v1/family", headers=auth(ada))).status_code == 204
    problem(await client.get("/api/v1/family", headers=auth(ada)), 404, "family_not_found")


async def test_an_invitation_is_mailed_and_its_link_joins_once(client: AppClient) -> None:
    ada, _ = await user(client, "Ada")
    bob, bob_id = await user(client, "Bob")
    cy, _ = await user(client, "Cy")
    await found(client, ada)
    invite, token = await invited(client, ada, "Bob@Example.com")
    assert set(invite) >= {"id", "email", "role", "expires_at"} and invite["email"] == "bob@example.com"
    assert invite["role"] == "member"
    # the token is in the mail only: never in a job's payload, stored only as a hash
    # what the link invites to, without an account
    preview = await client.post("/api/v1/family/invitation", json={"token": token})
    assert preview.status_code == 200, preview.text
    assert preview.json()["family_name"] == "Lovelace" and preview.json()["inviter_name"] == "Ada"
    assert preview.json()["email"] == "bob@example.com"
    jobs = await client.app.state.services.meta.list_jobs(None, 100)
    assert jobs and all(token not in str(j.payload) for j in jobs)
    shown = await family(client, ada)
    assert [i["id"] for i in shown["invites"]] == [invite["id"]]
    joined = await client.post("/api/v1/family/join", json={"token": token}, headers=auth(bob))
    assert joined.status_code == 200, joined.text
    assert joined.json()["role"] == "member" and joined.json()["invites"] == []  # members see no invitations
    assert [m["user"]["id"] for m in joined.json()["members"]][1:] == [bob_id]
    assert (await family(client, ada))["invites"] == []
    problem(await client.post("/api/v1/family/join", json={"token": token}, headers=auth(cy)), 404, "invite_not_found")
    problem(await client.get("/api/v1/family", headers=auth(cy)), 404, "family_not_found")
    problem(await client.post("/api/v1/family/invitation", json={"token": token}), 404, "invite_not_found")
    # a member may not invite
    resp = await client.post("/api/v1/family/invites", json={"email": "dan@example.com"}, headers=auth(bob))
    problem(resp, 403, "not_allowed")


async def test_bad_invitations_change_nothing(client: AppClient) -> None:
    ada, _ = await user(client, "Ada")
    bob, _ = await user(client, "Bob")
    await found(client, ada)
    _, token = await invited(client, ada, "bob@example.com")
    assert (await client.post("/api/v1/family/join", json={"token": token}, headers=auth(bob))).status_code == 200
    before = await family(client, ada)
    cases = [
        ({"email": "bob@example.com"}, 409, "already_member"),
        ({"email": "not an email"}, 422, "invalid_email"),
        ({"email": "cy@example.com", "role": "owner"}, 422, "invalid_role"),
        ({"email": "cy@example.com", "role": "admin"}, 422, "invalid_role"),
    ]
    for body, status, code in cases:
        problem(await client.post("/api/v1/family/invites", json=body, headers=auth(ada)), status, code)
    await invited(client, ada, "cy@example.com")
    again = await client.post("/api/v1/family/invites", json={"email": "CY@example.com"}, headers=auth(ada))
    problem(again, 409, "already_invited")
    after = await family(client, ada)
    assert after["members"] == before["members"] and len(after["invites"]) == 1
    problem(
        await client.post("/api/v1/family/join", json={"token": "av_nope"}, headers=auth(bob)), 404, "invite_not_found"
    )


async def test_a_revoked_or_expired_invitation_is_refused(client: AppClient) -> None:
    ada, _ = await user(client, "Ada")
    bob, bob_id = await user(client, "Bob")
    fam = await found(client, ada)
    invite, token = await invited(client, ada, "bob@example.com")
    assert (await client.delete(f"/api/v1/family/invites/{invite['id']}", headers=auth(ada))).status_code == 204
    problem(await client.delete(f"/api/v1/family/invites/{invite['id']}", headers=auth(ada)), 404, "invite_not_found")
    problem(await client.post("/api/v1/family/join", json={"token": token}, headers=auth(bob)), 404, "invite_not_found")
    # an invitation past its 7 days
    meta = client.app.state.services.meta
    past = utcnow() - timedelta(days=8)
    old = Invite(
        id=new_id("fi_"), family_id=fam["id"], email="bob@example.com", role="member", invited_by=fam["owner_id"],
        created_at=past, expires_at=past + timedelta(days=7),
    )  # fmt: skip
    await meta.create_invite(old, utcnow())
    await meta.set_invite_token(old.id, token_hash("av_old"))
    problem(
        await client.post("/api/v1/family/join", json={"token": "av_old"}, headers=auth(bob)), 410, "invite_expired"
    )
    assert await meta.family_of(bob_id) is None
    problem(await client.post("/api/v1/family/invitation", json={"token": "av_old"}), 410, "invite_expired")
    assert (await family(client, ada))["invites"] == []  # expired ones are not pending


async def test_registering_with_an_invitation_joins_even_when_registration_is_closed(client: AppClient) -> None:
    ada, _ = await user(client, "Ada")
    await found(client, ada)
    _, token = await invited(client, ada, "bob@example.com")
    client.app.state.services.settings.auth.registration = "closed"
    body = {"email": "robert@example.com", "password": "correct horse battery", "display_name": "Bob"}
    problem(await client.post("/api/v1/auth/register", json=body), 403, "registration_closed")
    bad = await client.post("/api/v1/auth/register", json={**body, "invite_token": "av_wrong"})
    problem(bad, 404, "invite_not_found")
    assert await client.app.state.services.meta.get_user_by_email("robert@example.com") is None
    # the link is the permission: another email than the invited one may use it
    resp = await client.post("/api/v1/auth/register", json={**body, "invite_token": token})
    assert resp.status_code == 201, resp.text
    mine = await family(client, resp.json()["token"])
    assert mine["role"] == "member" and {m["user"]["email"] for m in mine["members"]} == {
        "ada@example.com",
        "robert@example.com",
    }
    again = await client.post("/api/v1/auth/register", json={**body, "email": "x@example.com", "invite_token": token})
    problem(again, 404, "invite_not_found")


async def test_members_leave_or_are_removed_but_the_owner_stays(client: AppClient) -> None:
    ada, ada_id = await user(client, "Ada")
    bob, bob_id = await user(client, "Bob")
    cy, cy_id = await user(client, "Cy")
    await found(client, ada)
    for name, tok in (("bob", bob), ("cy", cy)):
        _, link = await invited(client, ada, f"{name}@example.com")
        assert (await client.post("/api/v1/family/join", json={"token": link}, headers=auth(tok))).status_code == 200
    problem(await client.delete(f"/api/v1/family/members/{ada_id}", headers=auth(ada)), 409, "owner_cannot_leave")
    problem(await client.delete(f"/api/v1/family/members/{ada_id}", headers=auth(bob)), 403, "not_allowed")
    problem(await client.delete(f"/api/v1/family/members/{cy_id}", headers=auth(bob)), 403, "not_allowed")
    problem(await client.delete("/api/v1/family", headers=auth(bob)), 403, "not_allowed")
    problem(await client.delete("/api/v1/family", headers=auth(ada)), 409, "family_not_empty")
    resp = await client.patch(f"/api/v1/family/members/{ada_id}", json={"role": "member"}, headers=auth(ada))
    problem(resp, 409, "owner_cannot_leave")
    resp = await client.patch(f"/api/v1/family/members/{bob_id}", json={"role": "owner"}, headers=auth(ada))
    problem(resp, 422, "invalid_role")
    assert (await client.delete(f"/api/v1/family/members/{bob_id}", headers=auth(bob))).status_code == 204  # leaves
    assert (await client.delete(f"/api/v1/family/members/{cy_id}", headers=auth(ada))).status_code == 204
    problem(await client.delete(f"/api/v1/family/members/{cy_id}", headers=auth(ada)), 404, "member_not_found")
    problem(await client.get("/api/v1/family", headers=auth(cy)), 404, "family_not_found")
    assert [m["user"]["id"] for m in (await family(client, ada))["members"]] == [ada_id]
    assert (await client.delete("/api/v1/family", headers=auth(ada))).status_code == 204


async def test_member_and_pooled_quotas_cap_uploads(client: AppClient, photos_dir: Path) -> None:
    ada, _ = await user(client, "Ada")
    bob, bob_id = await user(client, "Bob")
    await found(client, ada)
    _, link = await invited(client, ada, "bob@example.com")
    assert (await client.post("/api/v1/family/join", json={"token": link}, headers=auth(bob))).status_code == 200
    flower, starfish = file_spec(photos_dir / "flower.jpg"), file_spec(photos_dir / "starfish.jpg")

    async def init(token: str, spec: dict[str, Any]) -> Any:
        return await client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(token))

    assert (await init(ada, flower)).status_code == 201  # reserves flower's bytes on Ada
    # Bob's own cap, below the file's size
    resp = await client.patch(
        f"/api/v1/family/members/{bob_id}", json={"quota_bytes": starfish["size"] - 1}, headers=auth(ada)
    )
    assert resp.status_code == 200 and resp.json()["quota_bytes"] == starfish["size"] - 1
    problem(await init(bob, starfish), 413, "quota_exceeded")
    resp = await client.patch(f"/api/v1/family/members/{bob_id}", json={"quota_bytes": None}, headers=auth(ada))
    assert resp.json()["quota_bytes"] is None
    # the pool: Ada's bytes count against Bob's room
    pool = flower["size"] + starfish["size"] - 1
    assert (await client.patch("/api/v1/family", json={"quota_bytes": pool}, headers=auth(ada))).status_code == 200
    problem(await init(bob, starfish), 413, "quota_exceeded")
    shown = await family(client, ada)
    assert shown["used_bytes"] == flower["size"]
    assert {m["user"]["id"]: m["used_bytes"] for m in shown["members"]}[bob_id] == 0  # nothing was reserved
    await client.patch("/api/v1/family", json={"quota_bytes": pool + 1}, headers=auth(ada))
    assert (await init(bob, starfish)).status_code == 201
    assert (await family(client, bob))["used_bytes"] == pool + 1


async def test_a_family_sends_a_bounded_number_of_invitations_a_day(client: AppClient) -> None:
    ada, _ = await user(client, "Ada")
    await found(client, ada)
    client.app.state.services.settings.families.invites_per_day = 3
    for n in range(3):
        resp = await client.post("/api/v1/family/invites", json={"email": f"m{n}@example.com"}, headers=auth(ada))
        assert resp.status_code == 201, resp.text
    more = await client.post("/api/v1/family/invites", json={"email": "m9@example.com"}, headers=auth(ada))
    problem(more, 429, "too_many_invites")
    assert int(more.headers["retry-after"]) > 0
    assert [i["email"] for i in (await family(client, ada))["invites"]] == [f"m{n}@example.com" for n in range(3)]
