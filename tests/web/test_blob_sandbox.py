"""A crafted upload served from /blobs cannot run script on the app's origin (real Chromium).

The bytes are an HTML page and an SVG image with a script that writes a marker into the
origin's localStorage. They are stored through a real presigned PUT and opened through a
presigned GET signed for ``text/html`` / ``image/svg+xml``: the worst a URL could serve.
The blob's ``Content-Security-Policy: sandbox; default-src 'none'`` keeps the script from
running, and the document lives in an opaque origin, so the marker never appears.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest

from auroravault.config import load_settings, signing_secret
from auroravault.storage.local import LocalBlobStore
from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e]

T = TypeVar("T")
SCRIPT = "localStorage.setItem('owned', document.location.href); document.title = 'script ran'"
CRAFTED = {
    "text/html": f"<!doctype html><html><head><title>photo</title><script>{SCRIPT}</script></head></html>",
    "image/svg+xml": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>photo</title>'
        f"<script>{SCRIPT}</script><rect width='10' height='10'/></svg>"
    ),
}


def run(coro: Coroutine[Any, Any, T]) -> T:
    # Sync Playwright keeps an event loop marked as running in this thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def store_of(server: Server) -> LocalBlobStore:
    settings = load_settings(environ={"AURORAVAULT_SERVER__DATA_DIR": str(server.data_dir)})
    return LocalBlobStore(settings.local_root, base_url=server.url, secret=signing_secret(settings))


def crafted_url(server: Server, content_type: str, key: str) -> str:
    """Store ``CRAFTED[content_type]`` through a presigned PUT; a GET URL serving it as that type."""
    store = store_of(server)
    data = CRAFTED[content_type].encode()
    put = run(
        store.presign_put(
            key, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(), expires_in=300
        )
    )
    assert httpx.put(put.url, content=data, headers=put.headers).status_code == 200
    return run(store.presign_get(key, expires_in=300, content_type=content_type))


@pytest.mark.parametrize("content_type", sorted(CRAFTED))
def test_a_crafted_blob_runs_no_script_on_the_origin(browser: Any, web_server: Server, content_type: str) -> None:
    url = crafted_url(web_server, content_type, f"crafted/{content_type.replace('/', '-').replace('+', '-')}/original")
    context = browser.new_context(base_url=web_server.url)
    try:
        page = context.new_page()
        page.goto("/healthz")
        assert page.evaluate("localStorage.getItem('owned')") is None
        resp = page.goto(url)
        assert resp is not None and resp.status == 200
        assert resp.headers["content-type"].startswith(content_type)
        page.wait_for_load_state("load")
        assert page.title() != "script ran"
        # The document is in an opaque origin, not the app's.
        assert page.evaluate("window.origin") == "null"
        page.goto("/healthz")
        assert page.evaluate("localStorage.getItem('owned')") is None, "the blob's script ran on the app's origin"
    finally:
        context.close()
