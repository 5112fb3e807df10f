"""Pytest plugin: a real S3 server (SeaweedFS) for the session, and stores on it.

Load it from ``tests/conftest.py``::

    pytest_plugins = ["tests.servers.fixtures"]

``seaweedfs`` starts one ``weed mini`` per test session (about a second) and kills its
process group at the end. ``make_s3_store`` / ``make_minio_store`` create a bucket and
return a store on it; use a fresh ``unique_bucket()`` per test so tests never see each
other's objects. Fault tests that stop the server must restart it (``seaweedfs.start()``)
before they end, or use a ``SeaweedFS`` of their own.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from auroravault.config import S3Settings
from auroravault.storage.minio import MinioBlobStore
from auroravault.storage.s3 import S3BlobStore
from tests.servers.seaweedfs import SeaweedFS


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedFS]:
    server = SeaweedFS()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


def unique_bucket(prefix: str = "t") -> str:
    """A bucket name no other test uses (S3 rules: 3-63 of ``[a-z0-9-]``)."""
    return f"{prefix}-{secrets.token_hex(6)}"


def s3_settings(seaweedfs: SeaweedFS, bucket: str, **overrides: Any) -> S3Settings:
    """``[s3]`` settings pointing at ``seaweedfs``; ``overrides`` replace any field."""
    settings = S3Settings(
        endpoint_url=seaweedfs.endpoint,
        region=seaweedfs.region,
        bucket=bucket,
        access_key=seaweedfs.access_key,
        secret_key=seaweedfs.secret_key,
        path_style=True,
        secure=False,
    )
    return msgspec.structs.replace(settings, **overrides)


def create_bucket(seaweedfs: SeaweedFS, bucket: str) -> None:
    """Create ``bucket`` (no error if it exists)."""
    client = seaweedfs.s3_client()
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)


def make_s3_store(seaweedfs: SeaweedFS, bucket: str, **overrides: Any) -> S3BlobStore:
    """Create ``bucket`` and return an ``S3BlobStore`` on it (the caller closes it)."""
    create_bucket(seaweedfs, bucket)
    return S3BlobStore(s3_settings(seaweedfs, bucket, **overrides))


def make_minio_store(seaweedfs: SeaweedFS, bucket: str, **overrides: Any) -> MinioBlobStore:
    """Create ``bucket`` and return a ``MinioBlobStore`` on it (the caller closes it)."""
    create_bucket(seaweedfs, bucket)
    return MinioBlobStore(s3_settings(seaweedfs, bucket, **overrides))
