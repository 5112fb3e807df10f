"""The family invitation through real SMTP (aiosmtpd): SMTP down while inviting, the invitation
exists at once and its email arrives once SMTP is back, exactly once, with a working link."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from auroravault.app import create_app
from tests.api.helpers import auth
from tests.asgi import AppClient, app_client
from tests.conftest import make_settings
from tests.mail.conftest import Recorder, parse
from tests.mail.test_delivery import PASSWORD, Smtp, register, text_and_html
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name

LINK = re.compile(r"http://testserver\.local/#/join/(av_[A-Za-z0-9_-]+)")


@pytest.fixture(params=["sqlite", "dynamodb"])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[AppClient, Recorder, Smtp]]:
    meta: dict[str, dict[str, object]] = {}
    if request.param == "dynamodb":
        endpoint = request.getfixturevalue("moto_server")
        meta = {
            "meta": {"backend": "dynamodb"},
            "dynamodb": {
                "table": unique_name("fam"),
                "region": MOTO_REGION,
                "endpoint_url": endpoint,
                **MOTO_CREDENTIALS,
            },
        }
    smtp = Smtp(Recorder())
    smtp.start()
    settings = make_settings(
        tmp_path,
        mail={"backend": "smtp", "from_address": "AuroraVault <vault@aurora.test>"},
        # generous: on a loaded machine a send that timed out after the server took it is sent again
        smtp={"host": "127.0.0.1", "port": smtp.port, "timeout_seconds": 15.0},
        jobs={"backoff_base": 0.05, "backoff_cap": 0.2, "max_attempts": 30},
        **meta,
    )
    try:
        async with app_client(create_app(settings)) as client:
            yield client, smtp.recorder, smtp
    finally:
        smtp.stop()


async def test_an_invitation_made_while_smtp_is_down_arrives_once_it_is_back(world) -> None:
    client, recorder, smtp = world
    services = client.app.state.services
    owner = (await register(client, "ada@example.com", name="Ada <b>Lovelace</b>"))["token"]
    await services.runner.drain(within=30)  # the welcome email
    welcomed = len(recorder.received)
    resp = await client.post("/api/v1/family", json={"name": "Lovelace & Co"}, headers=auth(owner))
    assert resp.status_code == 201, resp.text
    smtp.stop()
    resp = await client.post("/api/v1/family/invites", json={"email": "bob@example.com"}, headers=auth(owner))
    assert resp.status_code == 201, resp.text
    invite_id = resp.json()["id"]
    family = await client.get("/api/v1/family", headers=auth(owner))
    assert [i["id"] for i in family.json()["invites"]] == [invite_id]  # it exists, mail or not
    for _ in range(40):  # the runner keeps trying for a while, as it would in the background
        await services.runner.pump()
        await asyncio.sleep(0.05)
    [job] = [j for j in await services.meta.list_jobs(None, 100) if j.payload.get("template") == "family_invite"]
    assert job.state in ("queued", "running") and job.attempts >= 1 and "mail_unavailable" in (job.last_error or "")
    assert len(recorder.received) == welcomed
    smtp.start()  # SMTP is back
    await services.runner.drain(within=120)
    [mail] = recorder.received[welcomed:]
    message = parse(mail.data)
    assert message["To"] == "bob@example.com" and "invited you" in message["Subject"]
    text, html = text_and_html(message)
    assert "Lovelace & Co" in text and "Lovelace &amp; Co" in html and "<b>" not in html
    token = LINK.search(text).group(1)
    assert token in html
    [done] = [j for j in await services.meta.list_jobs("done", 100) if j.payload.get("template") == "family_invite"]
    assert token not in str(done.payload)
    # the job running again (a lease expired) sends nothing more, and the link still works
    await services.notifications.handle(done.payload)
    assert len(recorder.received) == welcomed + 1
    resp = await client.post(
        "/api/v1/auth/register",
        json={"email": "bob@example.com", "password": PASSWORD, "display_name": "Bob", "invite_token": token},
    )
    assert resp.status_code == 201, resp.text
    mine = await client.get("/api/v1/family", headers=auth(resp.json()["token"]))
    assert mine.status_code == 200 and mine.json()["name"] == "Lovelace & Co"


async def test_a_revoked_invitation_sends_no_email(world) -> None:
    client, recorder, smtp = world
    services = client.app.state.services
    owner = (await register(client, "ada@example.com"))["token"]
    await services.runner.drain(within=30)
    welcomed = len(recorder.received)
    await client.post("/api/v1/family", json={"name": "Lovelace"}, headers=auth(owner))
    smtp.stop()
    resp = await client.post("/api/v1/family/invites", json={"email": "bob@example.com"}, headers=auth(owner))
    await services.runner.pump()
    assert (await client.delete(f"/api/v1/family/invites/{resp.json()['id']}", headers=auth(owner))).status_code == 204
    smtp.start()
    await services.runner.drain(within=120)
    assert [m for m in recorder.received if "bob@example.com" in m.rcpt_tos] == []
    assert len(recorder.received) == welcomed
