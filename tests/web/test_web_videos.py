"""Videos and Live Photos in the web app: Chromium against ``auroravault serve``.

The clips are generated with PyAV (tests/videos.py). A video's tile shows its duration, the
viewer plays it with the browser's own controls and seeks (storage answers byte ranges with
206), and a Live Photo is one tile whose motion plays while LIVE is hovered.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.videos import iphone_mov, make_video, still_jpeg
from tests.web.test_web import Tab, api_get, open_photo, register, wait_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_video_plays_and_seeks_and_a_live_photo_shows_once(
    browser: Any, web_server: Server, tmp_path: Path, artifacts: Path
) -> None:
    clip = make_video(tmp_path / "birthday.mp4", width=640, height=360, seconds=4)
    still = still_jpeg(tmp_path / "IMG_0100.JPG", taken=datetime(2024, 5, 1, 12, 20, 30))
    motion = iphone_mov(tmp_path / "IMG_0100.MOV", taken="2024-05-01T12:20:31+0200")
    # Without a service worker in between, Playwright sees the player's requests to storage.
    t = Tab(browser, web_server, service_workers="block")
    page = t.page
    blob_answers: list[tuple[str | None, int]] = []
    page.on(
        "response",
        lambda r: blob_answers.append((r.request.headers.get("range"), r.status)) if "/blobs/" in r.url else None,
    )
    register(page, name="Filmmaker")
    page.set_input_files("#file-input", [str(clip), str(still), str(motion)])
    wait_rows(page, "done", 3)
    page.click("#upload-toggle")
    page.wait_for_function(
        """() => {
            const tiles = [...document.querySelectorAll('.tile[data-id]')];
            return tiles.length === 2 && tiles.every((t) => t.dataset.status === 'ready')
                && document.querySelector('.tile[data-live=true]') !== null;
        }"""
    )
    # One tile for the Live Photo (its still), one for the video, which shows its length.
    listed = api_get(page, "/photos?limit=50")["items"]
    assert sorted(p["filename"] for p in listed) == ["IMG_0100.JPG", "birthday.mp4"]
    video_tile = page.locator('.tile[data-filename="birthday.mp4"]')
    assert video_tile.get_attribute("data-media-type") == "video"
    assert video_tile.locator(".length").inner_text() == "0:04"
    assert page.locator('.tile[data-filename="IMG_0100.JPG"] .length').inner_text() == "LIVE"
    page.screenshot(path=str(artifacts / "videos-grid.png"))

    # The video plays with native controls, then seeks to 3 s: byte ranges from storage.
    open_photo(page, "birthday.mp4")
    page.wait_for_selector("#viewer-video:not([hidden])[src]")
    assert page.get_attribute("#viewer-video", "controls") is not None
    assert page.locator("#viewer-image").is_hidden()
    page.evaluate("() => { const v = document.querySelector('#viewer-video'); v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('#viewer-video').currentTime > 0.3")
    page.evaluate(
        """() => new Promise((resolve) => {
            const v = document.querySelector('#viewer-video');
            v.addEventListener('seeked', resolve, { once: true });
            v.currentTime = 3;
        })"""
    )
    assert page.evaluate("() => document.querySelector('#viewer-video').currentTime") >= 2.9
    page.wait_for_function("() => document.querySelector('#viewer-video').readyState >= 2")
    assert any(status == 206 and rng for rng, status in blob_answers), blob_answers
    page.screenshot(path=str(artifacts / "videos-player.png"))

    # The Live Photo: the still shows, LIVE plays its motion while hovered.
    page.click("#viewer-close")
    open_photo(page, "IMG_0100.JPG")
    page.wait_for_selector("#viewer-image[data-variant=preview]")
    page.wait_for_selector("#viewer-live:not([hidden])")
    assert page.locator("#viewer-video").is_hidden()
    page.hover("#viewer-live")
    page.wait_for_selector("#viewer-video[data-motion=playing]:not([hidden])")
    page.wait_for_function("() => document.querySelector('#viewer-video').currentTime > 0.1")
    assert page.evaluate("() => document.querySelector('#viewer-video').controls") is False
    page.mouse.move(5, 5)
    page.wait_for_selector("#viewer-video", state="hidden")
    assert page.locator("#viewer-image").is_visible()
    t.close()
