"""The phone app, web build, against a real server: the Albums tab (cover, count, open into the
grid and the viewer), "add to album" from the viewer, and text search into the grid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.mobile.test_mobile_web import PASSWORD, PICKED, TIMEOUT_MS, _register, _sign_in, _wait_ready
from tests.web.conftest import REPO

ARTIFACTS = REPO / "test-artifacts" / "mobile"

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _api(vault: Server, token: str, method: str, path: str, body: object = None) -> Any:
    res = httpx.request(
        method, f"{vault.url}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    res.raise_for_status()
    return res.json()


def _loaded_img(page: Any, testid: str) -> None:
    page.wait_for_function(
        "(id) => [...document.querySelectorAll(`[data-testid='${id}'] img, img[data-testid='${id}']`)]"
        ".some((i) => i.complete && i.naturalWidth > 0)",
        arg=testid,
        timeout=TIMEOUT_MS,
    )


def test_albums_add_to_album_and_search(browser: Any, app_url: str, vault: Server, photos: Path) -> None:
    email = "ada@example.com"
    token = _register(vault, email)
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        _sign_in(page, vault, email, PASSWORD)
        page.get_by_test_id("tab-backup").click(timeout=TIMEOUT_MS)
        with page.expect_file_chooser(timeout=TIMEOUT_MS) as chooser:
            page.get_by_test_id("pick").click()
        chooser.value.set_files([str(photos / name) for name in PICKED])
        page.get_by_text("3 backed up, 0 to go", exact=False).wait_for(timeout=TIMEOUT_MS)
        items = _wait_ready(vault, token, len(PICKED))
        by_name = {p["filename"]: p for p in items}
        flower, starfish = by_name["flower.jpg"], by_name["starfish.jpg"]
        album = _api(vault, token, "POST", "/albums", {"name": "Garden", "photo_ids": [flower["id"]]})

        # The Albums tab: the album, its count and its cover.
        page.get_by_test_id("tab-albums").click()
        page.get_by_test_id(f"album-{album['id']}").wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("1 photo", exact=True).wait_for(timeout=TIMEOUT_MS)
        _loaded_img(page, f"album-cover-{album['id']}")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "albums.png"))

        # Open it: the grid holds its photo only; the viewer opens on it.
        page.get_by_test_id(f"album-{album['id']}").click()
        page.get_by_test_id(f"thumb-{flower['id']}").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id(f"thumb-{starfish['id']}").count() == 0
        page.get_by_test_id(f"thumb-{flower['id']}").click()
        assert page.get_by_test_id("viewer-filename").inner_text(timeout=TIMEOUT_MS) == "flower.jpg"
        page.get_by_test_id("viewer-close").click()
        page.get_by_test_id("album-view").wait_for(timeout=TIMEOUT_MS)
        page.get_by_test_id("album-back").click()

        # Add to album from the viewer, from the timeline: the server has it in the album.
        page.get_by_test_id("tab-timeline").click()
        page.get_by_test_id(f"thumb-{starfish['id']}").click(timeout=TIMEOUT_MS)
        page.get_by_test_id("viewer-add-album").click(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"pick-{album['id']}").click(timeout=TIMEOUT_MS)
        page.get_by_text("Added to Garden").wait_for(timeout=TIMEOUT_MS)
        inside = _api(vault, token, "GET", f"/albums/{album['id']}/photos")["items"]
        assert {p["id"] for p in inside} == {flower["id"], starfish["id"]}

        # ... or to a new album, made on the spot.
        page.get_by_test_id("viewer-add-album").click()
        page.get_by_test_id("new-album-name").fill("Sea")
        page.get_by_test_id("new-album-create").click()
        page.get_by_text("Added to Sea").wait_for(timeout=TIMEOUT_MS)
        albums = {a["name"]: a for a in _api(vault, token, "GET", "/albums")["items"]}
        assert albums["Sea"]["photo_count"] == 1 and albums["Garden"]["photo_count"] == 2
        page.get_by_test_id("viewer-close").click()

        # Search by text: the results in the grid.
        page.get_by_test_id("tab-search").click()
        page.get_by_test_id("search-input").fill("starfish")
        page.get_by_test_id("search-submit").click()
        page.get_by_test_id(f"thumb-{starfish['id']}").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id(f"thumb-{flower['id']}").count() == 0
        _loaded_img(page, f"thumb-{starfish['id']}")
        page.screenshot(path=str(ARTIFACTS / "search.png"))
        assert errors == []
    finally:
        context.close()
