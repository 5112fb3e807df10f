"""Faults: each mailer tells a retryable failure (Unavailable) from a final one (PermanentJobError)."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.config import Config

from auroravault.errors import PermanentJobError, Unavailable
from auroravault.mail.base import Message
from auroravault.mail.log import LogMailer
from auroravault.mail.ses import SesMailer
from auroravault.mail.smtp import SmtpMailer

from .conftest import FROM, Recorder, free_port, running_smtp, ses_read_back, ses_settings, smtp_settings

MSG = Message(to="Ana <ana@example.com>", subject="Hello", text="Hi Ana", html="<p>Hi Ana</p>")


# -- SMTP ---------------------------------------------------------------------------------


async def test_smtp_stopped_server_is_unavailable() -> None:
    with running_smtp(Recorder()) as controller:
        port = controller.port
    mailer = SmtpMailer(smtp_settings(port), FROM)
    with pytest.raises(Unavailable) as info:
        await mailer.send(MSG)
    assert info.value.code == "mail_unavailable"
    with pytest.raises(Unavailable):
        await mailer.check()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (backlog) but never says a word."""
    with socket.create_server(("127.0.0.1", 0)) as srv:
        yield int(srv.getsockname()[1])


async def test_smtp_silent_server_times_out(silent_port: int) -> None:
    mailer = SmtpMailer(smtp_settings(silent_port, timeout_seconds=0.5), FROM)
    started = time.monotonic()
    with pytest.raises(Unavailable) as info:
        await mailer.send(MSG)
    assert "timed out" in info.value.detail
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("rcpt_reply", "550 5.1.1 no such user"),
        ("mail_reply", "553 5.7.1 sender not allowed"),
        ("data_reply", "554 5.6.0 message content rejected"),
    ],
)
async def test_smtp_5xx_refusal_is_permanent_with_the_reason(stage: str, reply: str) -> None:
    recorder = Recorder()
    setattr(recorder, stage, reply)
    with running_smtp(recorder) as controller, pytest.raises(PermanentJobError) as info:
        await SmtpMailer(smtp_settings(controller.port), FROM).send(MSG)
    assert info.value.code == "mail_rejected"
    assert reply in info.value.detail
    assert info.value.extra["smtp_code"] == int(reply[:3])
    assert recorder.received == []


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("rcpt_reply", "451 4.3.0 try again later"),
        ("mail_reply", "421 4.7.0 too busy"),
        ("data_reply", "452 4.3.1 insufficient system storage"),
    ],
)
async def test_smtp_4xx_is_unavailable(stage: str, reply: str) -> None:
    recorder = Recorder()
    setattr(recorder, stage, reply)
    with running_smtp(recorder) as controller, pytest.raises(Unavailable) as info:
        await SmtpMailer(smtp_settings(controller.port), FROM).send(MSG)
    assert info.value.code == "mail_unavailable"
    assert recorder.received == []


async def test_smtp_starttls_required_but_not_offered_is_unavailable() -> None:
    recorder = Recorder()
    with running_smtp(recorder) as controller:
        mailer = SmtpMailer(smtp_settings(controller.port, security="starttls"), FROM)
        with pytest.raises(Unavailable):
            await mailer.send(MSG)
    assert recorder.received == []  # never falls back to plain text


async def test_smtp_tls_against_a_plain_server_is_unavailable() -> None:
    with running_smtp(Recorder()) as controller:
        mailer = SmtpMailer(smtp_settings(controller.port, security="tls", timeout_seconds=2), FROM)
        with pytest.raises(Unavailable):
            await mailer.send(MSG)


async def test_smtp_wrong_password_is_unavailable() -> None:
    from aiosmtpd.smtp import AuthResult

    def deny(*_: object) -> AuthResult:
        return AuthResult(success=False, handled=False)

    recorder = Recorder()
    with running_smtp(recorder, authenticator=deny, auth_require_tls=False) as controller:
        mailer = SmtpMailer(smtp_settings(controller.port, username="vault", password="nope"), FROM)
        with pytest.raises(Unavailable) as info:
            await mailer.send(MSG)
    assert "login" in info.value.detail
    assert recorder.received == []


async def test_smtp_starttls_and_implicit_tls_deliver(server_tls_context: ssl.SSLContext) -> None:
    starttls = Recorder()
    with running_smtp(starttls, tls_context=server_tls_context, require_starttls=True) as controller:
        mailer = SmtpMailer(smtp_settings(controller.port, security="starttls"), FROM)
        await mailer.check()
        await mailer.send(MSG)
    assert len(starttls.received) == 1

    implicit = Recorder()
    with running_smtp(implicit, ssl_context=server_tls_context) as controller:
        mailer = SmtpMailer(smtp_settings(controller.port, security="tls"), FROM)
        await mailer.check()
        await mailer.send(MSG)
    assert len(implicit.received) == 1


async def test_smtp_untrusted_certificate_is_unavailable(
    server_tls_context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # back to the system trust store: the test cert is unknown
    recorder = Recorder()
    with running_smtp(recorder, ssl_context=server_tls_context) as controller:
        mailer = SmtpMailer(smtp_settings(controller.port, security="tls"), FROM)
        with pytest.raises(Unavailable):
            await mailer.send(MSG)
    assert recorder.received == []


# -- SES ------------------------------------------------------------------------------------


async def test_ses_unverified_sender_is_permanent(ses_url: str) -> None:
    mailer = SesMailer(ses_settings(ses_url), "Stranger <stranger@unverified.test>")
    with pytest.raises(PermanentJobError) as info:
        await mailer.send(MSG)
    await mailer.close()
    assert info.value.code == "mail_rejected"
    assert "MessageRejected" in info.value.detail
    assert ses_read_back(ses_url, "stranger@unverified.test")() == []


async def test_ses_nothing_listening_is_unavailable() -> None:
    fast = Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1, "mode": "standard"})
    mailer = SesMailer(ses_settings(f"http://127.0.0.1:{free_port()}"), FROM, botocore_config=fast)
    started = time.monotonic()
    with pytest.raises(Unavailable) as info:
        await mailer.send(MSG)
    assert info.value.code == "mail_unavailable"
    with pytest.raises(Unavailable):
        await mailer.check()
    await mailer.close()
    assert time.monotonic() - started < 10


# -- log --------------------------------------------------------------------------------------


async def test_log_unwritable_outbox_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the outbox should be")
    mailer = LogMailer(blocker / "outbox")
    with pytest.raises(Unavailable):
        await mailer.send(MSG)
    with pytest.raises(Unavailable):
        await mailer.check()
