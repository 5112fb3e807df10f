"""Password resets: no admin view holds a usable token, and a used link revokes the others."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from auroravault.app import create_app
from auroravault.ids import new_token, token_hash
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, register
from tests.asgi import AppClient, app_client
from tests.conftest import make_settings
from tests.mail.conftest import Recorder, free_port, parse

NEW_PASSWORD = "a brand new password"
# Anything in a response that could be a token: long runs of URL-safe characters.
CANDIDATE = re.compile(r"[A-Za-z0-9_\-]{16,}")


def reset_link(raw: bytes) -> str:
    text = parse(raw).get_body(("plain",)).get_content()
    match = re.search(r"(http\S+\?reset_token=(\S+))", text)
    assert match, text
    return match.group(2)


async def admin_views(client: AppClient, token: str) -> list[str]:
    """The text of every admin endpoint that shows jobs, read as an admin."""
    texts = []
    for query in ("", "?state=queued", "?state=running", "?state=done", "?state=dead", "?limit=500"):
        resp = await client.get(f"/api/v1/admin/jobs{query}", headers=auth(token))
        assert resp.status_code == 200, resp.text
        texts.append(resp.text)
    return texts


async def confirm(client: AppClient, token: str) -> int:
    body = {"token": token, "password": NEW_PASSWORD}
    return (await client.post("/api/v1/auth/password-reset/confirm", json=body)).status_code


async def test_no_admin_view_holds_a_usable_reset_token_and_the_mailed_link_works(tmp_path: Path) -> None:
    port = free_port()  # no mail server there yet: the reset mail goes dead first, to be retried
    settings = make_settings(
        tmp_path,
        mail={"backend": "smtp", "from_address": "AuroraVault <vault@aurora.test>"},
        smtp={"host": "127.0.0.1", "port": port, "timeout_seconds": 2.0},
        jobs={"max_attempts": 1},
    )
    async with app_client(create_app(settings)) as client:
        services = client.app.state.services
        await services.accounts.create_user("root@example.com", "an admin password", "Root", is_admin=True)
        admin = (
            await client.post("/api/v1/auth/login", json={"email": "root@example.com", "password": "an admin password"})
        ).json()["token"]
        await register(client, "ada@example.com")
        assert (await client.post("/api/v1/auth/password-reset", json={"email": "ada@example.com"})).status_code == 202
        seen = await admin_views(client, admin)
        await services.runner.drain(within=30)
        seen += await admin_views(client, admin)
        dead = [j for j in await services.meta.list_jobs("dead", 10) if j.payload["template"] == "password_reset"]
        assert len(dead) == 1
        retried = await client.post(f"/api/v1/admin/jobs/{dead[0].id}/retry", headers=auth(admin))
        assert retried.status_code == 200, retried.text
        seen.append(retried.text)

        candidates = {c for text in seen for c in CANDIDATE.findall(text)}
        assert candidates  # ids and dates are there: the search would find a token
        for candidate in sorted(candidates):
            assert await confirm(client, candidate) == 400, f"{candidate!r} from an admin view resets a password"

        recorder = Recorder()
        smtp = Controller(recorder, hostname="127.0.0.1", port=port)
        smtp.start()
        try:
            await services.runner.drain(within=30)
        finally:
            smtp.stop()
        resets = [r for r in recorder.received if "Reset" in parse(r.data)["Subject"]]
        assert len(resets) == 1
        token = reset_link(resets[0].data)
        after = await admin_views(client, admin)
        assert not any(token in text for text in [*seen, *after])
        assert await confirm(client, token) == 204
        login = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": NEW_PASSWORD})
        assert login.status_code == 200


def outbox_tokens(settings: Any) -> list[str]:
    """The reset tokens of the outbox's reset mails, oldest first."""
    mails = [eml.read_bytes() for eml in sorted((settings.data_path / "outbox").glob("*.eml"))]
    return [reset_link(raw) for raw in mails if "Reset" in parse(raw)["Subject"]]


async def test_using_one_reset_link_revokes_every_other(client: AppClient, settings: Any) -> None:
    await register(client, "ada@example.com")
    services = client.app.state.services
    await services.runner.drain(within=30)
    for _ in range(3):  # asked three times: three mails, three links
        await client.post("/api/v1/auth/password-reset", json={"email": "ada@example.com"})
    await services.runner.drain(within=30)
    tokens = outbox_tokens(settings)
    assert len(set(tokens)) == 3
    assert await confirm(client, tokens[-1]) == 204
    for older in tokens[:-1]:
        assert await confirm(client, older) == 400
    login = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 200


async def test_admin_views_redact_secret_looking_payload_values(client: AppClient) -> None:
    services = client.app.state.services
    await services.accounts.create_user("root@example.com", "an admin password", "Root", is_admin=True)
    login = await client.post("/api/v1/auth/login", json={"email": "root@example.com", "password": "an admin password"})
    admin = login.json()["token"]
    # e.g. a reset mail queued by an older version, which carried its token
    payload = {
        "template": "password_reset",
        "user_id": "u_1",
        "token": "av_oldstyle-token-value",
        "nested": {"api_key": "k-123456", "items": [{"Password": "hunter2-hunter2"}], "photo_id": "p_1"},
    }
    await services.queue.enqueue("send_email", payload)
    text = "".join(await admin_views(client, admin))
    for secret in ("av_oldstyle-token-value", "k-123456", "hunter2-hunter2"):
        assert secret not in text
    items = (await client.get("/api/v1/admin/jobs", headers=auth(admin))).json()["items"]
    [job] = [j for j in items if j["payload"].get("template") == "password_reset"]
    assert job["payload"] == {
        "template": "password_reset",
        "user_id": "u_1",
        "token": "[redacted]",
        "nested": {"api_key": "[redacted]", "items": [{"Password": "[redacted]"}], "photo_id": "p_1"},
    }


async def test_an_older_versions_reset_job_withdraws_the_token_it_carried(client: AppClient, settings: Any) -> None:
    await register(client, "ada@example.com")
    services = client.app.state.services
    user = await services.meta.get_user_by_email("ada@example.com")
    old_token = new_token()
    await services.meta.create_reset_token(token_hash(old_token), user.id, utcnow() + timedelta(hours=1))
    payload = {"template": "password_reset", "user_id": user.id, "token": old_token}
    await services.queue.enqueue("send_email", payload, dedupe_key=f"reset:{token_hash(old_token)}")
    await services.runner.drain(within=30)
    [mailed] = outbox_tokens(settings)
    assert mailed != old_token
    assert await confirm(client, old_token) == 400  # what admins could read no longer works
    assert await confirm(client, mailed) == 204
