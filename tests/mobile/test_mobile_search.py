"""The phone app, web build, against a real server: search filters (favorites, country, media type)
and the places list, which opens a place's photos. starfish.jpg was taken on Sylt (Germany),
iphone_hdr_NO.jpg in Madrid; flower.jpg has no GPS."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.mobile.test_mobile_albums import ARTIFACTS, _api
from tests.mobile.test_mobile_web import PASSWORD, TIMEOUT_MS, _register, _sign_in, _wait_ready

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FILES = ["starfish.jpg", "iphone_hdr_NO.jpg", "flower.jpg"]


def _places(vault: Server, token: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while True:
        rows: list[dict[str, Any]] = _api(vault, token, "GET", "/places")
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.25)


def test_search_filters_and_places(browser: Any, app_url: str, vault: Server, photos: Path) -> None:
    token = _register(vault, "ada@example.com")
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        _sign_in(page, vault, "ada@example.com", PASSWORD)
        page.get_by_test_id("tab-backup").click(timeout=TIMEOUT_MS)
        with page.expect_file_chooser(timeout=TIMEOUT_MS) as chooser:
            page.get_by_test_id("pick").click()
        chooser.value.set_files([str(photos / name) for name in FILES])
        page.get_by_text("3 backed up, 0 to go", exact=False).wait_for(timeout=TIMEOUT_MS)
        ids = {p["filename"]: p["id"] for p in _wait_ready(vault, token, len(FILES))}
        rows = _places(vault, token, 2)
        assert len(rows) == 2, rows
        _api(vault, token, "PATCH", f"/photos/{ids['flower.jpg']}", {"favorite": True})

        # Favorites only, no words.
        page.get_by_test_id("tab-search").click()
        page.get_by_test_id("search-filters-toggle").click()
        page.get_by_test_id("filter-favorite").click()
        page.get_by_test_id("search-submit").click()
        page.get_by_test_id(f"thumb-{ids['flower.jpg']}").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id(f"thumb-{ids['starfish.jpg']}").count() == 0

        # A country instead.
        page.get_by_test_id("search-clear").click()
        page.get_by_test_id("search-filters-toggle").click()
        spain = next(r for r in rows if r["country_code"] == "ES")
        page.get_by_test_id("filter-country").fill(spain["country"])
        page.get_by_test_id("search-submit").click()
        page.get_by_test_id(f"thumb-{ids['iphone_hdr_NO.jpg']}").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id(f"thumb-{ids['starfish.jpg']}").count() == 0
        assert page.get_by_test_id(f"thumb-{ids['flower.jpg']}").count() == 0

        # Places: both, each with its count; Germany's opens starfish alone.
        page.get_by_test_id("search-places").click()
        page.get_by_test_id("place-1").wait_for(timeout=TIMEOUT_MS)
        names = [page.get_by_test_id(f"place-{i}").inner_text() for i in range(2)]
        assert all("1 photo" in n for n in names), names
        germany = next(i for i, n in enumerate(names) if "Germany" in n)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "places.png"))
        page.get_by_test_id(f"place-{germany}").click()
        page.get_by_test_id(f"thumb-{ids['starfish.jpg']}").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id(f"thumb-{ids['iphone_hdr_NO.jpg']}").count() == 0
        assert "Germany" in page.get_by_test_id("search-summary").inner_text()
        assert errors == []
    finally:
        context.close()
