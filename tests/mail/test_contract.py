"""The Mailer contract, run against every adapter on a real receiver (see conftest.py)."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from auroravault.config import MailSettings, ServerSettings, Settings
from auroravault.errors import Invalid
from auroravault.mail import build_mailer
from auroravault.mail.base import Mailer, Message
from auroravault.mail.log import LogMailer

from .conftest import FROM, MailHarness, Recorder, running_smtp, smtp_settings

FAMILY = "Ana Example <ana@example.com>"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def _body(got: EmailMessage, subtype: str) -> str:
    part = got.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content()).strip()


def _addresses(header: object) -> list[tuple[str, str]]:
    return [(a.display_name, a.addr_spec) for a in header.addresses]  # type: ignore[attr-defined]


async def test_check_passes(harness: MailHarness) -> None:
    await harness.mailer.check()
    assert isinstance(harness.mailer, Mailer)


async def test_message_arrives_with_both_parts_and_headers(harness: MailHarness) -> None:
    await harness.mailer.send(
        Message(
            to=FAMILY,
            subject="Your photos are ready",
            text="Hello Ana, 12 photos were added.",
            html="<p>Hello Ana, <b>12</b> photos were added.</p>",
            headers={"X-AuroraVault-Job": "job-42", "Reply-To": "Help <help@aurora.test>"},
        )
    )
    [got] = harness.read_back()
    assert _addresses(got["To"]) == [("Ana Example", "ana@example.com")]
    assert str(got["From"]) == harness.from_address
    assert got["Subject"] == "Your photos are ready"
    assert got["Message-ID"] and got["Date"]
    assert got["X-AuroraVault-Job"] == "job-42"
    assert _addresses(got["Reply-To"]) == [("Help", "help@aurora.test")]
    assert "Bcc" not in got and "Cc" not in got
    assert got.get_content_type() == "multipart/alternative"
    assert _body(got, "plain") == "Hello Ana, 12 photos were added."
    assert _body(got, "html") == "<p>Hello Ana, <b>12</b> photos were added.</p>"


async def test_text_only_message(harness: MailHarness) -> None:
    await harness.mailer.send(Message(to="ana@example.com", subject="Plain", text="Just text."))
    [got] = harness.read_back()
    assert got.get_content_type() == "text/plain"
    assert got.get_content().strip() == "Just text."


async def test_unicode_survives(harness: MailHarness) -> None:
    subject = "Grüße aus Köln — 🎉 日本の写真"
    text = "Zoë a partagé 3 photos.\nÜber-schön! 🌅 ありがとう"
    await harness.mailer.send(
        Message(to="Zoë Ünal <zoe@example.com>", subject=subject, text=text, html=f"<p>{text}</p>")
    )
    [got] = harness.read_back()
    assert got["Subject"] == subject
    assert _addresses(got["To"]) == [("Zoë Ünal", "zoe@example.com")]
    assert _body(got, "plain") == text
    assert _body(got, "html") == f"<p>{text}</p>"


async def test_display_name_with_quotes_and_commas_is_kept_safe(harness: MailHarness) -> None:
    await harness.mailer.send(Message(to=r'"Doe, Jane \"JJ\"" <jane@example.com>', subject="Hi", text="x"))
    [got] = harness.read_back()
    assert _addresses(got["To"]) == [('Doe, Jane "JJ"', "jane@example.com")]


async def test_each_send_is_one_message(harness: MailHarness) -> None:
    for i in range(3):
        await harness.mailer.send(Message(to=FAMILY, subject=f"n{i}", text="x"))
    assert sorted(m["Subject"] for m in harness.read_back()) == ["n0", "n1", "n2"]


INJECTIONS = [
    pytest.param(Message(to="a@b.c\r\nBcc: x@y.z", subject="Hi", text="x"), id="to-crlf"),
    pytest.param(Message(to="a@b.c\nBcc: x@y.z", subject="Hi", text="x"), id="to-lf"),
    pytest.param(Message(to="a@b.c", subject="Hi\nBcc: x@y.z", text="x"), id="subject-lf"),
    pytest.param(Message(to="a@b.c", subject="Hi\rBcc: x@y.z", text="x"), id="subject-cr"),
    pytest.param(Message(to="a@b.c", subject="Hi", text="x", headers={"X-A": "1\r\nBcc: x@y.z"}), id="value"),
    pytest.param(Message(to="a@b.c", subject="Hi", text="x", headers={"X-A\r\nBcc": "x@y.z"}), id="name"),
    pytest.param(Message(to="a@b.c", subject="Hi", text="x", headers={"Bcc": "x@y.z"}), id="reserved-bcc"),
    pytest.param(Message(to="a@b.c", subject="Hi", text="x", headers={"From": "x@y.z"}), id="reserved-from"),
    pytest.param(Message(to="a@b.c", subject="Hi", text="x", headers={"X A": "1"}), id="name-space"),
]


@pytest.mark.parametrize("message", INJECTIONS)
async def test_header_injection_is_refused_and_nothing_sent(harness: MailHarness, message: Message) -> None:
    with pytest.raises(Invalid) as info:
        await harness.mailer.send(message)
    assert info.value.code == "invalid_header"
    assert harness.read_back() == []


@pytest.mark.parametrize(
    "to", ["a@b.c, x@y.z", "not an address", "a@", "@b.c", "", "Zoë <zoë@example.com>", "a@b.c; x@y.z"]
)
async def test_bad_recipient_is_refused_and_nothing_sent(harness: MailHarness, to: str) -> None:
    with pytest.raises(Invalid) as info:
        await harness.mailer.send(Message(to=to, subject="Hi", text="x"))
    assert info.value.code == "invalid_address"
    assert harness.read_back() == []


async def test_close_twice_is_harmless(harness: MailHarness) -> None:
    await harness.mailer.close()
    await harness.mailer.close()


# -- adapter specifics -----------------------------------------------------------------


async def test_smtp_envelope_uses_bare_addresses(smtp_recorder: tuple[Recorder, int]) -> None:
    from auroravault.mail.smtp import SmtpMailer

    recorder, port = smtp_recorder
    await SmtpMailer(smtp_settings(port), FROM).send(Message(to=FAMILY, subject="Hi", text="x"))
    [rec] = recorder.received
    assert rec.mail_from == "vault@aurora.test"
    assert rec.rcpt_tos == ["ana@example.com"]


async def test_smtp_login_when_username_set() -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from auroravault.mail.smtp import SmtpMailer

    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    recorder = Recorder()
    with running_smtp(recorder, authenticator=authenticator, auth_require_tls=False) as controller:
        mailer = SmtpMailer(smtp_settings(controller.port, username="vault", password="s3cret"), FROM)
        await mailer.check()
        await mailer.send(Message(to=FAMILY, subject="Hi", text="x"))
    assert len(recorder.received) == 1
    assert seen and all(s == (b"vault", b"s3cret") for s in seen)


async def test_log_writes_atomic_named_eml_and_one_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    outbox = tmp_path / "deep" / "outbox"
    mailer = LogMailer(outbox)
    with caplog.at_level(logging.INFO, logger="auroravault.mail"):
        await mailer.send(Message(to=FAMILY, subject="Welcome", text="secret-token-123"))
    files = _files(outbox)
    assert len(files) == 1, files  # no temp file left behind
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}\.eml", files[0].name)
    lines = [r.getMessage() for r in caplog.records if r.name == "auroravault.mail"]
    assert len(lines) == 1
    assert "ana@example.com" in lines[0] and "Welcome" in lines[0]
    assert "secret-token-123" not in lines[0]


async def test_log_default_from_is_the_settings_default(tmp_path: Path) -> None:
    await LogMailer(tmp_path).send(Message(to=FAMILY, subject="Hi", text="x"))
    [path] = _files(tmp_path)
    assert f"From: {MailSettings().from_address}" in path.read_text()


# -- build_mailer ------------------------------------------------------------------------


def test_build_mailer_picks_the_configured_backend(tmp_path: Path) -> None:
    base = Settings(server=ServerSettings(data_dir=str(tmp_path)))
    log = build_mailer(base)
    assert isinstance(log, LogMailer) and log.name == "log"
    assert log.outbox == tmp_path / "outbox"
    for backend in ("smtp", "ses"):
        mailer = build_mailer(Settings(mail=MailSettings(backend=backend)))
        assert mailer.name == backend
        assert isinstance(mailer, Mailer)


def test_build_mailer_imports_adapters_lazily() -> None:
    code = (
        "import sys\n"
        "from auroravault.config import Settings\n"
        "from auroravault.mail import build_mailer\n"
        "build_mailer(Settings())\n"
        "print(sorted(m for m in ('boto3', 'aiosmtplib', 'auroravault.mail.ses', 'auroravault.mail.smtp')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
