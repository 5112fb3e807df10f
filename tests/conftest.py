"""Shared fixtures: real SQLite files and folders under tmp_path, the app, sample photos."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from auroravault.app import create_app
from auroravault.config import Settings, load_settings
from tests.asgi import AppClient, app_client

REPO = Path(__file__).resolve().parents[1]
PHOTOS = REPO / "tests" / "data" / "photos"

pytest_plugins = ["tests.servers.fixtures", "tests.servers.moto"]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    # The background runner is off unless a test turns it on: API tests then see exactly
    # what the request did, and pipeline tests run jobs with `services.runner.drain()`.
    base: dict[str, Any] = {
        "server": {"data_dir": str(tmp_path / "data"), "public_url": "http://testserver.local"},
        "jobs": {"enabled": False},
        # Previews right after thumbnails: a drain need not wait out the thumbs-first delay
        # (tests/api/test_thumbs_first.py sets it to see the order).
        "images": {"preview_delay_seconds": 0},
        # No re-cluster at a window's end in the middle of a test's drain (the people tests
        # that want it set the window: tests/faces/test_recluster_job.py).
        "faces": {"recluster_every_seconds": 0},
    }
    for section, values in overrides.items():
        base.setdefault(section, {}).update(values)
    return load_settings(environ={}, overrides=base)


@pytest.fixture
def photos_dir() -> Path:
    if not PHOTOS.is_dir():
        pytest.fail(f"sample photos not found at {PHOTOS}")
    return PHOTOS


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AppClient]:
    async with app_client(app) as c:
        yield c
