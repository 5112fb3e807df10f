"""`auroravault check` run as an operator runs it (a real process), and `migrate_storage`.

Backends are real: SeaweedFS for S3, an aiosmtpd server for SMTP, moto for DynamoDB,
SQLite and folders under tmp_path. Every listener is on 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from auroravault.config import Settings, load_settings
from auroravault.errors import Unavailable
from auroravault.ops import migrate_storage
from tests.servers.fixtures import create_bucket, unique_bucket
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name
from tests.servers.moto import moto_server as moto_server  # session fixture
from tests.servers.seaweedfs import SeaweedFS

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def toml(values: dict[str, dict[str, Any]]) -> str:
    lines = []
    for section, keys in values.items():
        lines.append(f"[{section}]")
        for key, value in keys.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int | float):
                lines.append(f"{key} = {value}")
            else:
                lines.append(f'{key} = "{value}"')
    return "\n".join(lines) + "\n"


def write_config(tmp_path: Path, **sections: dict[str, Any]) -> Path:
    sections.setdefault("server", {})
    sections["server"].setdefault("data_dir", str(tmp_path / "data"))
    path = tmp_path / "auroravault.toml"
    path.write_text(toml(sections))
    return path


def check(config: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AURORAVAULT_")}
    return subprocess.run(
        [sys.executable, "-m", "auroravault", "--config", str(config), "check", *extra],
        env=env,
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def line(result: subprocess.CompletedProcess[str], component: str) -> str:
    found = [ln for ln in result.stdout.splitlines() if ln[6:].startswith(component + " ")]
    assert len(found) == 1, result.stdout + result.stderr
    return found[0]


def s3_section(seaweedfs: SeaweedFS, bucket: str) -> dict[str, Any]:
    return {
        "endpoint_url": seaweedfs.endpoint,
        "region": seaweedfs.region,
        "bucket": bucket,
        "access_key": seaweedfs.access_key,
        "secret_key": seaweedfs.secret_key,
        "path_style": True,
        "secure": False,
    }


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


@pytest.fixture
def smtp_port() -> Iterator[int]:
    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


# -- auroravault check ---------------------------------------------------------------------------


def test_the_embedded_default_is_all_ok(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = check(config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert line(result, "config").startswith("ok    config  ") and str(config) in line(result, "config")
    storage = line(result, "storage")
    assert storage.startswith("ok") and "local folder" in storage and "wrote, read and deleted a marker" in storage
    assert line(result, "meta").startswith("ok    meta    sqlite ")
    assert line(result, "mail").startswith("ok    mail    log")
    # The marker is gone and no signing secret was generated just for the check.
    assert not [p for p in (tmp_path / "data" / "photos").rglob("*") if p.is_file()]
    assert not (tmp_path / "data" / "secret.key").exists()


@pytest.mark.parametrize("backend", ["s3", "minio"])
def test_seaweedfs_and_smtp_are_all_ok(tmp_path: Path, seaweedfs: SeaweedFS, smtp_port: int, backend: str) -> None:
    bucket = unique_bucket("chk")
    create_bucket(seaweedfs, bucket)
    config = write_config(
        tmp_path,
        storage={"backend": backend},
        s3=s3_section(seaweedfs, bucket),
        mail={"backend": "smtp", "from_address": "AuroraVault <vault@example.com>"},
        smtp={"host": "127.0.0.1", "port": smtp_port},
    )
    result = check(config)
    assert result.returncode == 0, result.stdout + result.stderr
    storage = line(result, "storage")
    assert storage.startswith(f"ok    storage {backend} at {seaweedfs.endpoint}, bucket '{bucket}'")
    assert "wrote, read and deleted a marker" in storage
    assert line(result, "mail") == f"ok    mail    smtp 127.0.0.1:{smtp_port} (no TLS): connected, the server answered"
    assert "warn" not in result.stdout
    # The marker object was deleted.
    listed = seaweedfs.s3_client().list_objects_v2(Bucket=bucket)
    assert listed.get("KeyCount", 0) == 0


def test_unreachable_storage_and_mail_fail_in_plain_words(tmp_path: Path) -> None:
    s3_port, smtp_port = free_port(), free_port()
    config = write_config(
        tmp_path,
        storage={"backend": "s3"},
        s3={"endpoint_url": f"http://127.0.0.1:{s3_port}", "access_key": "k", "secret_key": "s"},
        mail={"backend": "smtp", "from_address": "vault@example.com"},
        smtp={"host": "127.0.0.1", "port": smtp_port},
    )
    started = time.monotonic()
    result = check(config)
    assert time.monotonic() - started < 30
    assert result.returncode == 1, result.stdout + result.stderr
    storage, mail = line(result, "storage"), line(result, "mail")
    assert storage.startswith("FAIL  storage s3 at")
    assert f"nothing answers at 127.0.0.1:{s3_port} (connection refused)" in storage
    assert "is the storage server running" in storage
    assert mail.startswith(f"FAIL  mail    smtp 127.0.0.1:{smtp_port}")
    assert f"nothing answers at 127.0.0.1:{smtp_port} (connection refused)" in mail
    assert "is the mail server running" in mail
    assert line(result, "meta").startswith("ok"), "one failing backend does not hide the others"
    assert "Traceback" not in result.stderr


def test_a_missing_bucket_says_to_run_migrate(tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    bucket = unique_bucket("none")
    config = write_config(tmp_path, storage={"backend": "s3"}, s3=s3_section(seaweedfs, bucket))
    result = check(config)
    assert result.returncode == 1
    assert f"bucket '{bucket}' does not exist — run 'auroravault migrate'" in line(result, "storage")


def test_refused_credentials_name_the_settings(tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    bucket = unique_bucket("cred")
    create_bucket(seaweedfs, bucket)
    s3 = {**s3_section(seaweedfs, bucket), "secret_key": "not-the-secret"}
    result = check(write_config(tmp_path, storage={"backend": "s3"}, s3=s3))
    assert result.returncode == 1
    storage = line(result, "storage")
    assert "refused the access key" in storage and "s3.secret_key" in storage


def test_a_missing_dynamodb_table_says_to_run_migrate(tmp_path: Path, moto_server: str) -> None:
    table = unique_name("chk")
    config = write_config(
        tmp_path,
        meta={"backend": "dynamodb"},
        dynamodb={"table": table, "region": MOTO_REGION, "endpoint_url": moto_server, **MOTO_CREDENTIALS},
    )
    result = check(config)
    assert result.returncode == 1
    assert line(result, "meta") == (
        f"FAIL  meta    dynamodb table '{table}' at {moto_server}: "
        f"table '{table}' does not exist — run 'auroravault migrate' to create it"
    )


def test_a_wrong_key_exits_2_naming_it(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[server]\nportt = 8000\n")
    result = check(config)
    assert result.returncode == 2
    assert result.stdout.startswith("FAIL  config  ") and "server.portt" in result.stdout


def test_an_unusable_endpoint_is_a_configuration_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, storage={"backend": "s3"}, s3={"endpoint_url": "http://127.0.0.1:9000/sub/path"})
    result = check(config)
    assert result.returncode == 2
    assert "configuration error" in line(result, "storage") and "s3.endpoint_url" in line(result, "storage")


def test_a_silent_host_times_out_instead_of_hanging(tmp_path: Path) -> None:
    # A listener that accepts connections but never says a word: SMTP waits for a greeting.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        config = write_config(
            tmp_path,
            mail={"backend": "smtp", "from_address": "vault@example.com"},
            smtp={"host": "127.0.0.1", "port": port, "timeout_seconds": 30.0},
        )
        started = time.monotonic()
        result = check(config, "--timeout", "1")
        assert time.monotonic() - started < 15
    assert result.returncode == 1
    assert f"no answer within 1 s from 127.0.0.1:{port}" in line(result, "mail")


def test_compose_settings_warn_when_devices_cannot_reach_storage(tmp_path: Path) -> None:
    # config/compose.toml without the public address compose adds: a warning, not a failure.
    config = tmp_path / "compose.toml"
    config.write_text(
        (REPO / "config" / "compose.toml")
        .read_text()
        .replace('public_endpoint_url = "http://localhost:9000"', 'public_endpoint_url = ""')
    )
    from auroravault.ops import config_warnings

    warnings = config_warnings(load_settings(config, environ={}))
    assert [w.component for w in warnings] == ["storage"]
    assert "s3.public_endpoint_url is empty" in warnings[0].message


# -- migrate_storage -----------------------------------------------------------------------------


def s3_settings(tmp_path: Path, seaweedfs: SeaweedFS, backend: str, bucket: str, origins: list[str]) -> Settings:
    return load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data"), "cors_origins": origins},
            "storage": {"backend": backend},
            "s3": s3_section(seaweedfs, bucket),
        },
    )


async def test_migrate_storage_creates_the_bucket_once_with_cors(tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    bucket = unique_bucket("mig")
    origin = "https://photos.example"
    settings = s3_settings(tmp_path, seaweedfs, "s3", bucket, [origin])
    first = await migrate_storage(settings)
    again = await migrate_storage(settings)  # idempotent
    assert first == again
    assert f"bucket '{bucket}' at {seaweedfs.endpoint} is ready" in first and origin in first

    client = seaweedfs.s3_client()
    client.head_bucket(Bucket=bucket)
    rules = client.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == [origin]
    assert set(rules[0]["AllowedMethods"]) >= {"PUT", "GET"}
    # The bucket works: `auroravault check` is happy with it.
    config = write_config(tmp_path, storage={"backend": "s3"}, s3=s3_section(seaweedfs, bucket))
    assert check(config).returncode == 0


async def test_migrate_storage_without_origins_leaves_cors_alone(tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    bucket = unique_bucket("mig")
    message = await migrate_storage(s3_settings(tmp_path, seaweedfs, "s3", bucket, []))
    assert "CORS left as it was" in message
    seaweedfs.s3_client().head_bucket(Bucket=bucket)


async def test_migrate_storage_with_the_minio_sdk(tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    bucket = unique_bucket("mig")
    origin = "http://nas.local:8000"
    message = await migrate_storage(s3_settings(tmp_path, seaweedfs, "minio", bucket, [origin]))
    assert await migrate_storage(s3_settings(tmp_path, seaweedfs, "minio", bucket, [origin])) == message
    assert "MINIO_API_CORS_ALLOW_ORIGIN" in message and origin in message
    seaweedfs.s3_client().head_bucket(Bucket=bucket)


async def test_migrate_storage_is_a_no_op_for_local_storage(tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"server": {"data_dir": str(tmp_path / "data")}})
    assert "nothing to create" in await migrate_storage(settings)
    assert not (tmp_path / "data").exists()


async def test_migrate_storage_reports_an_unreachable_server(tmp_path: Path) -> None:
    settings = load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data")},
            "storage": {"backend": "s3"},
            "s3": {"endpoint_url": f"http://127.0.0.1:{free_port()}", "access_key": "k", "secret_key": "s"},
        },
    )
    with pytest.raises(Unavailable):
        await migrate_storage(settings)
