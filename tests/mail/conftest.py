"""Real receivers for the mail tests: an aiosmtpd server, a moto SES server, an outbox folder.

Everything binds to 127.0.0.1. Sent mail is read back from the receiver itself:

- SMTP: the ``Recorder`` handler keeps each envelope it accepted;
- SES: moto keeps every ``SendRawEmail`` call in its backend and serves it over HTTP at
  ``GET /moto-api/data.json`` as ``{"ses": {"RawMessage": [{"source", "destinations",
  "raw_data", "id"}, ...]}}``;
- log: the ``.eml`` files in the outbox.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import pytest
from aiosmtpd.controller import Controller

from auroravault.config import SesSettings, SmtpSettings
from auroravault.mail.base import Mailer

FROM = "AuroraVault <vault@aurora.test>"
SES_DOMAIN = "aurora.test"  # verified on moto as a domain: any sender @aurora.test may send
REGION = "us-east-1"

ReadBack = Callable[[], list[EmailMessage]]


class MailHarness(NamedTuple):
    mailer: Mailer
    read_back: ReadBack  # every message the receiver got since the harness was built
    from_address: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse(raw: bytes) -> EmailMessage:
    """Parse a message off the wire; like a mail client, read CRLF as a line break."""
    return email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)


# -- SMTP ---------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """aiosmtpd handler storing what it accepts; a reply set for a stage refuses it."""

    mail_reply: str | None = None
    rcpt_reply: str | None = None
    data_reply: str | None = None
    received: list[Received] = field(default_factory=list)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@contextmanager
def running_smtp(handler: Recorder, **kwargs: Any) -> Iterator[Controller]:
    """An aiosmtpd server on 127.0.0.1 for the duration of the block."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp_settings(port: int, **kwargs: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, timeout_seconds=kwargs.pop("timeout_seconds", 5.0), **kwargs)


@pytest.fixture
def smtp_recorder() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    with running_smtp(handler) as controller:
        yield handler, controller.port


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert, key), to trust via SSL_CERT_FILE."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def server_tls_context(tls_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """Server side TLS context; the client trusts the certificate through SSL_CERT_FILE."""
    cert_path, key_path = tls_cert
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


# -- SES (moto server) --------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """A moto server process of its own on 127.0.0.1, for SES, stopped at the end of the session.

    Its own process, not the in-process DynamoDB server: moto keeps one global state per
    process, mail is read back through ``/moto-api/data.json``, which dumps every backend,
    and the tables other tests leave behind would make that dump time out.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server for SES did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def ses_settings(endpoint_url: str) -> SesSettings:
    return SesSettings(region=REGION, endpoint_url=endpoint_url, access_key="testing", secret_key="testing")


@pytest.fixture(scope="session")
def ses_url(moto_url: str) -> str:
    """The moto endpoint, with the sender domain verified."""
    client = boto3.client(
        "ses",
        region_name=REGION,
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.verify_domain_identity(Domain=SES_DOMAIN)
    client.close()
    return moto_url


def moto_raw_messages(moto_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{moto_url}/moto-api/data.json", timeout=10) as resp:
        data = json.load(resp)
    return list(data.get("ses", {}).get("RawMessage", []))


def ses_read_back(moto_url: str, source: str) -> ReadBack:
    """Messages moto accepted from ``source`` (a per-test sender keeps tests apart)."""

    def read() -> list[EmailMessage]:
        return [parse(m["raw_data"].encode()) for m in moto_raw_messages(moto_url) if m["source"] == source]

    return read


def unique_ses_sender() -> tuple[str, str]:
    """(From header, bare address): a fresh sender in the verified domain."""
    addr = f"vault-{uuid.uuid4().hex[:12]}@{SES_DOMAIN}"
    return f"AuroraVault <{addr}>", addr


# -- the contract harness -----------------------------------------------------------


@pytest.fixture(params=["log", "smtp", "ses"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MailHarness]:
    """(mailer, read_back, from_address) for each backend, on a real receiver."""
    mailer: Mailer
    read_back: ReadBack
    from_address = FROM
    if request.param == "log":
        from auroravault.mail.log import LogMailer

        outbox = tmp_path / "outbox"
        mailer = LogMailer(outbox, from_address=from_address)

        def read_back() -> list[EmailMessage]:
            return [parse(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]

    elif request.param == "smtp":
        from auroravault.mail.smtp import SmtpMailer

        recorder, port = request.getfixturevalue("smtp_recorder")
        mailer = SmtpMailer(smtp_settings(port), from_address)

        def read_back() -> list[EmailMessage]:
            return [parse(r.data) for r in recorder.received]

    else:
        from auroravault.mail.ses import SesMailer

        url = request.getfixturevalue("ses_url")
        from_address, addr = unique_ses_sender()
        mailer = SesMailer(ses_settings(url), from_address)
        read_back = ses_read_back(url, addr)

    yield MailHarness(mailer, read_back, from_address)
    await mailer.close()
