"""Albums in the web app, end to end: Chromium against ``auroravault serve``.

An album made of a selection, a photo added from the viewer, the albums list with its cover,
count and dates, the album's own grid and viewer, rename, cover, order, remove, and delete with
its question (the photos stay). Everything goes through the UI; the API is only read to check
what the server now holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.web.test_web import Tab, api_get, grid_filenames, open_photo, register
from tests.web.test_web_library import FOUR, go, tile, upload, wait_tiles

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def albums_of(page: Any) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in api_get(page, "/albums?filter=all")["items"]}


def toast_says(page: Any, text: str) -> None:
    page.wait_for_function("(t) => document.querySelector('#toast-text').textContent.includes(t)", arg=text)


def test_albums_made_filled_renamed_covered_reordered_and_deleted(
    browser: Any, web_server: Server, photos: Path, artifacts: Path
) -> None:
    t = Tab(browser, web_server)
    page = t.page
    register(page)
    upload(page, photos, FOUR)
    by_name = {p["filename"]: p["id"] for p in api_get(page, "/photos?limit=50")["items"]}

    # A new album made of a selection.
    page.click(f"{tile('flower.jpg')} .check")
    page.click(tile("starfish.jpg"))
    page.click("#bulk-album")
    page.wait_for_selector("#album-picker[open]")
    assert page.inner_text("#album-picker-title") == "Add 2 photos to an album"
    page.wait_for_selector("#album-picker-list li.muted")  # no albums yet: a new one
    page.fill("#album-picker-form input[name=name]", "Holiday")
    page.click("#album-picker-create")
    toast_says(page, "Album “Holiday” created with 2 photos.")
    page.wait_for_selector("#album-picker:not([open])", state="attached")
    assert not page.locator("#action-bar").is_visible()  # the selection went into the album
    holiday = albums_of(page)["Holiday"]
    assert holiday["photo_count"] == 2

    # One more from the viewer, into the album that now exists.
    open_photo(page, "r_canon.jpg")
    page.click("#viewer-album")
    page.click(f'#album-picker-list button[data-album-id="{holiday["id"]}"]')
    toast_says(page, "1 photo added to “Holiday”.")
    # Again: already there, nothing added twice.
    page.click("#viewer-album")
    page.click(f'#album-picker-list button[data-album-id="{holiday["id"]}"]')
    toast_says(page, "0 photos added to “Holiday”. 1 photo already there.")
    page.click("#viewer-close")
    assert albums_of(page)["Holiday"]["photo_count"] == 3

    # The albums list: a card with its cover, its count and its dates (2003 to 2013).
    go(page, "albums")
    card = page.locator(f'.album-card[data-album-id="{holiday["id"]}"]')
    card.locator(".card-facts").wait_for()
    assert card.locator(".card-title").text_content() == "Holiday"
    facts = card.locator(".card-facts").first.text_content() or ""
    assert facts.startswith("3 photos · ") and "2003" in facts and "2013" in facts, facts
    page.wait_for_function(
        "(id) => { const img = document.querySelector(`.album-card[data-album-id='${id}'] .cover img`);"
        " return img && img.complete && img.naturalWidth > 0; }",
        arg=holiday["id"],
    )
    page.screenshot(path=str(artifacts / "albums.png"))

    # The album itself: its header, the same grid, newest first.
    card.click()
    page.wait_for_function("() => document.querySelector('#album-name').textContent === 'Holiday'")
    assert page.locator('.views a[data-view="albums"][aria-current=page]').count() == 1
    wait_tiles(page, 3)
    assert grid_filenames(page) == ["r_canon.jpg", "starfish.jpg", "flower.jpg"]

    # Rename (and describe) it.
    page.click("#album-rename")
    page.wait_for_selector("#album-name-dialog[open]")
    page.fill("#album-name-form input[name=name]", "Summer 2013")
    page.fill("#album-name-form textarea[name=description]", "By the sea")
    page.click("#album-name-save")
    page.wait_for_function("() => document.querySelector('#album-name').textContent === 'Summer 2013'")
    assert page.inner_text("#album-description") == "By the sea"
    assert albums_of(page)["Summer 2013"]["description"] == "By the sea"

    # The cover, from the album's viewer.
    open_photo(page, "starfish.jpg")
    assert page.locator("#viewer-cover").is_visible()
    page.click("#viewer-cover")
    toast_says(page, "Album cover changed.")
    page.click("#viewer-close")
    assert albums_of(page)["Summer 2013"]["cover_photo_id"] == by_name["starfish.jpg"]

    # Oldest first.
    page.select_option("#album-order", "oldest")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tile[data-id]')].sort((a, b) => a.dataset.index - b.dataset.index)"
        "[0].dataset.filename === 'flower.jpg'"
    )
    assert grid_filenames(page) == ["flower.jpg", "starfish.jpg", "r_canon.jpg"]
    assert albums_of(page)["Summer 2013"]["order"] == "oldest"

    # Remove one: it leaves the album, never the vault.
    page.click(f"{tile('flower.jpg')} .check")
    page.click("#bulk-album-remove")
    toast_says(page, "1 photo removed from “Summer 2013”.")
    wait_tiles(page, 2)
    assert albums_of(page)["Summer 2013"]["photo_count"] == 2
    assert by_name["flower.jpg"] in {p["id"] for p in api_get(page, "/photos?limit=50")["items"]}
    page.screenshot(path=str(artifacts / "album.png"))

    # Delete: the question first, and Cancel changes nothing.
    page.click("#album-delete")
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-title") == "Delete the album “Summer 2013”?"
    assert "photos stay" in page.inner_text("#confirm-text")
    page.click("#confirm-cancel")
    page.wait_for_selector("#confirm:not([open])", state="attached")
    assert "Summer 2013" in albums_of(page)
    page.click("#album-delete")
    page.click("#confirm-ok")
    page.wait_for_function("() => location.hash === '#albums'")
    page.wait_for_selector("#page p.empty")
    assert albums_of(page) == {}
    assert len(api_get(page, "/photos?limit=50")["items"]) == 4, "deleting an album never deletes a photo"
    # A deleted album's address says so instead of showing an empty grid.
    page.evaluate("(id) => { location.hash = `#album/${id}`; }", holiday["id"])
    page.wait_for_function("() => document.querySelector('#album-name').textContent === 'Album not found'")
    t.close()


def test_an_album_on_a_phone(browser: Any, web_server: Server, photos: Path, artifacts: Path) -> None:
    t = Tab(browser, web_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = t.page
    register(page)
    upload(page, photos, ["flower.jpg", "r_sony.jpg"])
    page.tap(f"{tile('flower.jpg')} .check")
    page.tap(tile("r_sony.jpg"))
    page.tap("#bulk-album")
    page.fill("#album-picker-form input[name=name]", "Phone")
    page.keyboard.press("Enter")  # Enter in the name makes the album (Cancel is the form's first button)
    toast_says(page, "Album “Phone” created with 2 photos.")
    page.evaluate("() => { location.hash = '#albums'; }")
    page.wait_for_selector(".album-card")
    # The tabs scroll along the bottom rather than overflow the phone's width.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "albums-phone.png"))
    page.tap(".album-card")
    wait_tiles(page, 2)
    t.close()
