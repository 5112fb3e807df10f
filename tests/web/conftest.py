"""Browser tests: Debian's Chromium driven by Playwright against uvicorn in a subprocess.

A missing browser or Playwright fails these tests with what to install; it never skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / "tests" / "data" / "photos"
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM = os.environ.get("AURORAVAULT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def start_server(data_dir: Path, env: dict[str, str] | None = None) -> Server:
    data_dir.mkdir(parents=True, exist_ok=True)
    server = Server(data_dir=data_dir, env=env or {})
    server.start()
    return server


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("web") / "data")
    try:
        yield server
    finally:
        server.stop()


# Module scope, not session: sync Playwright marks an asyncio loop as running in this thread
# for as long as it lives, which would break every async test that runs after it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright for Python: .venv/bin/pip install playwright")
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"the browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium "
            "(or point AURORAVAULT_CHROMIUM at a Chromium binary)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def photos() -> Path:
    if not PHOTOS.is_dir():
        pytest.fail(f"sample photos not found at {PHOTOS}")
    return PHOTOS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
