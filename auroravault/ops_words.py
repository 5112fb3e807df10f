"""What ``auroravault check`` says about each backend: where it is, and why it failed, in words.

Split from ``auroravault.ops``; only that module uses these.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

from auroravault.config import Settings
from auroravault.errors import AuroraError

# -- what each backend is, in words ------------------------------------------------------------


def _with_scheme(url: str, secure: bool) -> str:
    return url if "://" in url else ("https://" if secure else "http://") + url


def _storage_where(settings: Settings) -> str:
    s3 = settings.s3
    if s3.endpoint_url:
        return f"at {_with_scheme(s3.endpoint_url, s3.secure)}"
    return f"on AWS S3 ({s3.region})"


def _storage_desc(settings: Settings) -> str:
    backend = settings.storage.backend
    if backend == "local":
        return f"local folder {settings.local_root.resolve()}"
    return f"{backend} {_storage_where(settings)}, bucket {settings.s3.bucket!r}"


def _meta_desc(settings: Settings) -> str:
    if settings.meta.backend == "sqlite":
        return f"sqlite {settings.sqlite_path.resolve()}"
    d = settings.dynamodb
    where = f"at {d.endpoint_url}" if d.endpoint_url else f"on AWS DynamoDB ({d.region})"
    return f"dynamodb table {d.table!r} {where}"


def _mail_desc(settings: Settings) -> str:
    backend = settings.mail.backend
    if backend == "log":
        return f"log, outbox {(settings.data_path / 'outbox').resolve()}"
    if backend == "smtp":
        s = settings.smtp
        security = {"none": "no TLS", "starttls": "STARTTLS", "tls": "implicit TLS"}[s.security]
        login = f", login {s.username!r}" if s.username else ""
        return f"smtp {s.host}:{s.port} ({security}{login})"
    ses = settings.ses
    return f"ses at {ses.endpoint_url}" if ses.endpoint_url else f"ses ({ses.region})"


def _where(component: str, settings: Settings) -> str:
    """``host:port`` the component talks to, or "" for local files and AWS defaults."""
    url = ""
    if component == "storage" and settings.storage.backend != "local":
        url = _with_scheme(settings.s3.endpoint_url, settings.s3.secure) if settings.s3.endpoint_url else ""
    elif component == "meta" and settings.meta.backend == "dynamodb":
        url = settings.dynamodb.endpoint_url
    elif component == "mail" and settings.mail.backend == "smtp":
        return f"{settings.smtp.host}:{settings.smtp.port}"
    elif component == "mail" and settings.mail.backend == "ses":
        url = settings.ses.endpoint_url
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.port is None:
        return f"{parts.hostname}:{443 if parts.scheme == 'https' else 80}"
    return parts.netloc.rpartition("@")[2]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def explain(exc: BaseException, component: str, settings: Settings) -> str:
    """A failure in plain words, with what to do about it."""
    causes = list(_chain(exc))
    codes = {c.code for c in causes if isinstance(c, AuroraError)}
    names = {type(c).__name__ for c in causes}
    texts = " | ".join(str(c) for c in causes)
    where = _where(component, settings) or "the AWS endpoint"
    what = {"storage": "the storage server", "meta": "DynamoDB", "mail": "the mail server"}[component]
    detail = next((c.detail for c in causes if isinstance(c, AuroraError)), str(exc) or type(exc).__name__)

    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"nothing answers at {where} (connection refused) — is {what} running, and are host and port right?"
    if any(isinstance(c, socket.gaierror) for c in causes) or "Failed to resolve" in texts:
        host = where.rsplit(":", 1)[0]
        return f"cannot find the host {host} (name lookup failed) — is the name right, and is this machine online?"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        tls = next(c for c in causes if isinstance(c, ssl.SSLError))
        return f"the TLS handshake with {where} failed ({tls}) — does it speak TLS there, is the certificate valid?"
    if any(isinstance(c, TimeoutError) for c in causes) or any("Timeout" in n for n in names):
        return f"{where} did not answer in time — is the host up, and no firewall in the way?"
    if names & {"EndpointConnectionError", "MaxRetryError", "NewConnectionError", "SMTPConnectError"}:
        return f"cannot connect to {where} ({detail}) — is {what} running and reachable from here?"

    if component == "storage":
        bucket = settings.s3.bucket
        if "storage_bucket_missing" in codes:
            return f"bucket {bucket!r} does not exist — run 'auroravault migrate' to create it"
        if "storage_access_denied" in codes:
            return (
                f"{where} refused the access key for bucket {bucket!r} — check s3.access_key and s3.secret_key "
                "(AURORAVAULT_S3__ACCESS_KEY, AURORAVAULT_S3__SECRET_KEY) and the key's permissions"
            )
        if "storage_misconfigured" in codes or "NoCredentialsError" in names or "fail to fetch credentials" in texts:
            return (
                "no storage credentials: set s3.access_key and s3.secret_key, or give this machine an AWS role "
                "(the standard AWS credential chain is used when both are empty)"
            )
        return detail
    if component == "meta":
        if "not found (run migrate)" in texts:
            return f"table {settings.dynamodb.table!r} does not exist — run 'auroravault migrate' to create it"
        if "NoCredentialsError" in names:
            return "no AWS credentials: set dynamodb.access_key and dynamodb.secret_key, or give this machine a role"
        if names & {"UnrecognizedClientException", "AccessDeniedException", "InvalidSignatureException"}:
            return f"DynamoDB refused the credentials or the permission ({detail}) — check the keys and the IAM policy"
        return detail
    # mail
    if "SMTPAuthenticationError" in names:
        return f"the mail server refused the login ({detail}) — check smtp.username and smtp.password"
    if "STARTTLS extension not supported" in texts:
        return 'the mail server does not offer STARTTLS — set smtp.security = "none", or "tls" for port 465'
    if "NoCredentialsError" in names:
        return "no AWS credentials: set ses.access_key and ses.secret_key, or give this machine a role"
    return detail
