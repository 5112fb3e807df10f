"""Emails that always arrive: registration and reset mail through the job queue to real receivers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from litestar import Litestar

from auroravault.app import create_app
from tests.api.helpers import auth
from tests.asgi import AppClient, app_client
from tests.conftest import make_settings
from tests.mail.conftest import REGION, Recorder, free_port, parse, ses_read_back, unique_ses_sender

PASSWORD = "correct horse battery"


async def register(client: AppClient, email: str, name: str = "Ada") -> dict[str, Any]:
    resp = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": name})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def smtp_app(tmp_path: Path, port: int, **jobs: Any) -> Litestar:
    settings = make_settings(
        tmp_path,
        mail={"backend": "smtp", "from_address": "AuroraVault <vault@aurora.test>"},
        smtp={"host": "127.0.0.1", "port": port, "timeout_seconds": 15.0},  # a timed-out send is sent again
        jobs={"backoff_base": 0.05, "backoff_cap": 0.2, "max_attempts": 30, **jobs},
    )
    return create_app(settings)


class Smtp:
    """An aiosmtpd server on a fixed 127.0.0.1 port that can go down and come back."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        # aiosmtpd closes a controller's loop on stop: coming back takes a new controller
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
async def smtp_world(tmp_path: Path) -> AsyncIterator[tuple[AppClient, Recorder, Smtp]]:
    smtp = Smtp(Recorder())
    smtp.start()
    try:
        async with app_client(smtp_app(tmp_path, smtp.port, concurrency=4)) as client:
            yield client, smtp.recorder, smtp
    finally:
        smtp.stop()


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None, "both parts must be there"
    return text.get_content(), html.get_content()


async def test_the_welcome_email_arrives_once_with_both_parts_and_the_name_escaped(smtp_world) -> None:
    client, recorder, _ = smtp_world
    await register(client, "ada@example.com", name="<script>alert(1)</script> Ada")
    services = client.app.state.services
    await services.runner.drain(within=30)
    # the job running again (a lease expired, a retry) sends nothing more
    [job] = await services.meta.list_jobs("done", 10)
    await services.notifications.handle(job.payload)
    assert len(recorder.received) == 1
    message = parse(recorder.received[0].data)
    assert message["To"] == "ada@example.com"
    assert message["From"] == "AuroraVault <vault@aurora.test>"
    assert "Welcome" in message["Subject"]
    assert message["Message-ID"] and message["Date"]
    text, html = text_and_html(message)
    assert "<script>alert(1)</script> Ada" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ada" in html and "<script>" not in html
    assert "http://testserver.local" in text and "http://testserver.local" in html


async def test_registrations_succeed_while_smtp_is_down_and_mail_follows(smtp_world) -> None:
    client, recorder, controller = smtp_world
    controller.stop()
    services = client.app.state.services
    for i in range(20):
        await register(client, f"member{i}@example.com", name=f"Member {i}")
    for _ in range(60):  # the runner keeps trying for a while, as it would in the background
        await services.runner.pump()
        await asyncio.sleep(0.05)
    jobs = await services.meta.list_jobs(None, 100)
    assert {j.state for j in jobs} <= {"queued", "running"}
    assert len(jobs) == 20
    assert all(j.attempts >= 1 and "mail_unavailable" in (j.last_error or "") for j in jobs)
    assert all(j.run_at > j.created_at for j in jobs)  # backed off, not retried in a hot loop
    assert recorder.received == []
    controller.start()  # SMTP is back
    await services.runner.drain(within=180)
    recipients = sorted(parse(r.data)["To"] for r in recorder.received)
    assert recipients == sorted(f"member{i}@example.com" for i in range(20))
    assert (await services.meta.job_counts())["done"] == 20


async def test_a_refused_recipient_ends_dead_with_the_reason(tmp_path: Path) -> None:
    recorder = Recorder(rcpt_reply="550 5.1.1 <nobody@example.com>: no such user here")
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        async with app_client(smtp_app(tmp_path, controller.port)) as client:
            await register(client, "nobody@example.com")
            services = client.app.state.services
            await services.runner.drain(within=30)
            [dead] = await services.meta.list_jobs("dead", 10)
            assert dead.attempts == 1
            assert "550" in dead.last_error and "no such user" in dead.last_error
    finally:
        controller.stop()


async def test_password_reset_end_to_end_and_the_token_works_once(smtp_world) -> None:
    client, recorder, _ = smtp_world
    body = await register(client, "ada@example.com")
    old_token = body["token"]
    services = client.app.state.services
    await services.runner.drain(within=30)
    recorder.received.clear()
    for email in ("ada@example.com", "nobody@example.com", "not an email"):
        resp = await client.post("/api/v1/auth/password-reset", json={"email": email})
        assert resp.status_code == 202  # the same answer whether or not the account exists
    await services.runner.drain(within=30)
    [received] = recorder.received
    message = parse(received.data)
    assert message["To"] == "ada@example.com" and "Reset" in message["Subject"]
    text, _ = text_and_html(message)
    token = re.search(r"reset_token=(\S+)", text).group(1)
    weak = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    ok = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "a brand new password"}
    )
    assert ok.status_code == 204
    again = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "another new password"}
    )
    assert again.status_code == 400 and again.json()["code"] == "invalid_reset_token"
    # every old session ended; the new password works, the old one does not
    assert (await client.get("/api/v1/users/me", headers=auth(old_token))).status_code == 401
    old = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "a brand new password"})
    assert new.status_code == 200


async def test_the_welcome_email_through_ses(tmp_path: Path, ses_url: str) -> None:
    from_header, sender = unique_ses_sender()
    settings = make_settings(
        tmp_path,
        mail={"backend": "ses", "from_address": from_header},
        ses={"region": REGION, "endpoint_url": ses_url, "access_key": "testing", "secret_key": "testing"},
    )
    async with app_client(create_app(settings)) as client:
        await register(client, "grandma@example.com", name="Grandma <b>Jo</b>")
        await client.app.state.services.runner.drain(within=30)
    [message] = ses_read_back(ses_url, sender)()
    assert message["To"] == "grandma@example.com"
    text, html = text_and_html(message)
    assert "Grandma <b>Jo</b>" in text and "Grandma &lt;b&gt;Jo&lt;/b&gt;" in html


async def test_the_offline_default_writes_the_outbox(client, settings) -> None:
    await register(client, "ada@example.com")
    await client.app.state.services.runner.drain(within=30)
    [eml] = list((settings.data_path / "outbox").glob("*.eml"))
    assert "ada@example.com" in eml.read_text()
