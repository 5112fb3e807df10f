"""The phone app's web build in Chromium against a real AuroraVault server.

The web export (``mobile/dist/web``, made by ``make mobile-test`` or ``npx expo export --platform
web``) is served by a static file server on 127.0.0.1; the AuroraVault server runs under uvicorn in
a subprocess with CORS open to that origin. Nothing here skips: a missing build fails with what to run.
"""

from __future__ import annotations

import functools
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.conftest import Server
from tests.web.conftest import browser, photos, start_server  # noqa: F401 - fixtures reused

REPO = Path(__file__).resolve().parents[2]
MOBILE = REPO / "mobile"
WEB_BUILD = MOBILE / "dist" / "web"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _build_web() -> None:
    if (WEB_BUILD / "index.html").is_file():
        return
    if not (MOBILE / "node_modules").is_dir():
        pytest.fail("the phone app is not installed: run `make mobile-test` (or `cd mobile && npm ci`)")
    subprocess.run(
        ["npx", "expo", "export", "--platform", "web", "--output-dir", "dist/web"],
        cwd=MOBILE,
        check=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """The web export on its own origin, as a phone's app is a different origin from the server."""
    _build_web()
    handler = functools.partial(_Quiet, directory=str(WEB_BUILD))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def vault(tmp_path: Path, app_url: str) -> Iterator[Server]:
    server = start_server(tmp_path / "data", {"AURORAVAULT_SERVER__CORS_ORIGINS": f'["{app_url}"]'})
    try:
        yield server
    finally:
        server.stop()
