"""The phone app, web build: sign in, back up photos from the web stand-in for the media library,
see them in the timeline with their thumbnails, open the viewer. Against a real server."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.web.conftest import REPO

ARTIFACTS = REPO / "test-artifacts" / "mobile"

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 30_000
PICKED = ["flower.jpg", "Landscape_1.jpg", "starfish.jpg"]


def _register(vault: Server, email: str) -> str:
    res = httpx.post(
        f"{vault.url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Ada"},
        timeout=10,
    )
    res.raise_for_status()
    return str(res.json()["token"])


def _photos(vault: Server, token: str) -> list[dict[str, Any]]:
    res = httpx.get(f"{vault.url}/api/v1/photos?limit=100", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    res.raise_for_status()
    return list(res.json()["items"])


def _wait_ready(vault: Server, token: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        items = _photos(vault, token)
        if len(items) == count and all(p["status"] == "ready" for p in items):
            return items
        time.sleep(0.2)
    raise AssertionError(f"photos never became ready: {_photos(vault, token)}")


def _sign_in(page: Any, vault: Server, email: str, password: str) -> None:
    page.get_by_test_id("server").fill(vault.url)
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("submit").click()


def test_sign_in_back_up_see_thumbnails_open_viewer(browser: Any, app_url: str, vault: Server, photos: Path) -> None:
    email = "ada@example.com"
    token = _register(vault, email)
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        # A wrong password shows the server's own message and code.
        _sign_in(page, vault, email, "not the password at all")
        message = page.get_by_test_id("signin-error")
        message.wait_for(timeout=TIMEOUT_MS)
        assert "invalid_credentials" in message.inner_text()

        _sign_in(page, vault, email, PASSWORD)
        page.get_by_test_id("tab-backup").click(timeout=TIMEOUT_MS)
        with page.expect_file_chooser(timeout=TIMEOUT_MS) as chooser:
            page.get_by_test_id("pick").click()
        chooser.value.set_files([str(photos / name) for name in PICKED])
        page.get_by_text("3 backed up, 0 to go", exact=False).wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("Up to date").wait_for(timeout=TIMEOUT_MS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "backup.png"))

        # The server has exactly these bytes, once each.
        items = _wait_ready(vault, token, len(PICKED))
        expected = {hashlib.sha256((photos / n).read_bytes()).hexdigest() for n in PICKED}
        assert {p["sha256"] for p in items} == expected

        # Choosing the same photos again sends nothing: the server already has them.
        with page.expect_file_chooser(timeout=TIMEOUT_MS) as chooser:
            page.get_by_test_id("pick").click()
        chooser.value.set_files([str(photos / name) for name in PICKED])
        page.get_by_text("3 backed up, 0 to go", exact=False).wait_for(timeout=TIMEOUT_MS)
        assert len(_photos(vault, token)) == len(PICKED)

        # The timeline shows them, with month headers and real thumbnails.
        page.get_by_test_id("tab-timeline").click()
        page.get_by_test_id("month-header").first.wait_for(timeout=TIMEOUT_MS)
        for p in items:
            img = page.locator(f'[data-testid="thumb-{p["id"]}"] img')
            img.first.wait_for(timeout=TIMEOUT_MS)
            page.wait_for_function(
                "(id) => [...document.querySelectorAll(`[data-testid='thumb-${id}'] img`)]"
                ".some((i) => i.complete && i.naturalWidth > 0 && i.src.startsWith('blob:'))",
                arg=p["id"],
                timeout=TIMEOUT_MS,
            )

        page.screenshot(path=str(ARTIFACTS / "timeline.png"))

        # The viewer: the photo's name and date, and its preview.
        first = items[0]
        page.get_by_test_id(f"thumb-{first['id']}").click()
        page.get_by_test_id("viewer").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id("viewer-filename").inner_text() == first["filename"]
        page.wait_for_function(
            "() => [...document.querySelectorAll(`[data-testid='viewer'] img`)]"
            ".some((i) => i.complete && i.naturalWidth > 0 && i.src.startsWith('blob:'))",
            timeout=TIMEOUT_MS,
        )
        page.screenshot(path=str(ARTIFACTS / "viewer.png"))
        page.get_by_test_id("viewer-close").click()
        page.get_by_test_id("timeline").wait_for(timeout=TIMEOUT_MS)
        assert errors == []
    finally:
        context.close()


def test_backup_waits_out_a_server_outage_and_carries_on(
    browser: Any, app_url: str, vault: Server, photos: Path
) -> None:
    email = "grace@example.com"
    token = _register(vault, email)
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    try:
        page.goto(app_url)
        _sign_in(page, vault, email, PASSWORD)
        page.get_by_test_id("tab-backup").click(timeout=TIMEOUT_MS)
        vault.stop()  # the home server goes down
        with page.expect_file_chooser(timeout=TIMEOUT_MS) as chooser:
            page.get_by_test_id("pick").click()
        chooser.value.set_files([str(photos / name) for name in PICKED])
        page.get_by_text("no connection to the server", exact=False).first.wait_for(timeout=TIMEOUT_MS)
        assert "0 backed up" in page.get_by_test_id("backup-counts").inner_text()

        vault.start()  # back, same address and data: the backoff's next try gets through
        page.get_by_text("3 backed up, 0 to go", exact=False).wait_for(timeout=60_000)
        items = _wait_ready(vault, token, len(PICKED))
        expected = {hashlib.sha256((photos / n).read_bytes()).hexdigest() for n in PICKED}
        assert {p["sha256"] for p in items} == expected
    finally:
        context.close()
