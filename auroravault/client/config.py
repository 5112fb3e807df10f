"""Where the client keeps its login and its state, following the XDG base directories.

- Credentials: ``$XDG_CONFIG_HOME/auroravault/credentials.json`` (default
  ``~/.config/auroravault/``), mode 0600 in a 0700 folder, written atomically. It holds one
  entry per server URL and remembers the last server logged in to as the default.
- State (upload queue and hash cache): ``$XDG_STATE_HOME/auroravault/`` (default
  ``~/.local/state/auroravault/``), one SQLite file per server and account.

``--server`` and ``AURORAVAULT_SERVER_URL`` choose the server; ``AURORAVAULT_TOKEN`` supplies a
token without any file (for scripts and CI).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

import msgspec

SERVER_ENV = "AURORAVAULT_SERVER_URL"
TOKEN_ENV = "AURORAVAULT_TOKEN"


class Credential(msgspec.Struct, kw_only=True):
    server: str
    token: str
    email: str = ""
    user_id: str = ""
    expires_at: str = ""


class CredentialFile(msgspec.Struct, kw_only=True):
    default: str | None = None
    servers: dict[str, Credential] = msgspec.field(default_factory=dict)


class NotLoggedIn(Exception):
    """No server or no token: the user must run ``auroravault login`` first."""


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "")
    # The spec says relative values are invalid and must be ignored.
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "auroravault"


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / "auroravault"


def credentials_path() -> Path:
    return config_dir() / "credentials.json"


def normalize_server(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://", url):
        url = "http://" + url
    return url


def load_credentials() -> CredentialFile:
    path = credentials_path()
    try:
        return msgspec.json.decode(path.read_bytes(), type=CredentialFile)
    except FileNotFoundError:
        return CredentialFile()
    except (msgspec.DecodeError, msgspec.ValidationError):
        # A damaged file must not lock the user out: start over, they can log in again.
        return CredentialFile()


def save_credentials(creds: CredentialFile) -> Path:
    """Write the credentials atomically with mode 0600 (the folder 0700)."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".credentials.", suffix=".tmp")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(msgspec.json.format(msgspec.json.encode(creds)))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def remember(cred: Credential) -> Path:
    creds = load_credentials()
    creds.servers[cred.server] = cred
    creds.default = cred.server
    return save_credentials(creds)


def forget(server: str) -> bool:
    creds = load_credentials()
    found = creds.servers.pop(server, None) is not None
    if creds.default == server:
        creds.default = next(iter(creds.servers), None)
    save_credentials(creds)
    return found


def resolve_server(option: str | None) -> str:
    """The server to talk to: ``--server``, else ``$AURORAVAULT_SERVER_URL``, else the last login."""
    value = option or os.environ.get(SERVER_ENV) or load_credentials().default
    if not value:
        raise NotLoggedIn("no server: run `auroravault login --server URL` or set AURORAVAULT_SERVER_URL")
    return normalize_server(value)


def resolve(option: str | None) -> Credential:
    """Server and token for a command that needs a login."""
    server = resolve_server(option)
    env_token = os.environ.get(TOKEN_ENV)
    if env_token:
        stored = load_credentials().servers.get(server)
        return Credential(
            server=server,
            token=env_token,
            email=stored.email if stored and stored.token == env_token else "",
            user_id=stored.user_id if stored and stored.token == env_token else "",
        )
    cred = load_credentials().servers.get(server)
    if cred is None:
        raise NotLoggedIn(f"not logged in to {server}: run `auroravault login --server {server}`")
    return cred


def default_state_path(server: str, account: str) -> Path:
    """One state file per server and account, named so a person can tell them apart."""
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", re.sub(r"^https?://", "", server)).strip("_")
    # The account id (or a token digest when only a token is known) keeps accounts apart.
    who = re.sub(r"[^A-Za-z0-9_-]+", "_", account) or "anonymous"
    if len(who) > 40:
        who = hashlib.sha256(who.encode()).hexdigest()[:16]
    return state_dir() / f"{slug}__{who}.sqlite"
