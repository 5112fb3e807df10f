"""The library in the web app, end to end: Chromium against ``auroravault serve``.

Favorite, archive, trash with its Undo, restore, delete permanently and empty the trash (with
their confirmation), the viewer's actions and edits, the usage line, on a desktop and a phone.
Everything goes through the UI; the API is only read to check what the server now holds.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.web.test_web import Tab, api_get, open_photo, register, wait_rows, wait_thumbnails

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FOUR = ["flower.jpg", "r_sony.jpg", "starfish.jpg", "r_canon.jpg"]


def upload(page: Any, photos: Path, names: list[str]) -> None:
    page.set_input_files("#file-input", [str(photos / name) for name in names])
    wait_rows(page, "done", len(names))
    page.click("#upload-toggle")
    page.wait_for_function("(n) => document.querySelectorAll('.tile[data-status=ready]').length >= n", arg=len(names))
    wait_thumbnails(page, len(names))


def tile(filename: str) -> str:
    return f'.tile[data-filename="{filename}"]'


def ids_of(page: Any, path: str) -> set[str]:
    return {p["id"] for p in api_get(page, path)["items"]}


def wait_tiles(page: Any, count: int) -> None:
    page.wait_for_function("(n) => document.querySelectorAll('.tile[data-id]').length === n", arg=count)


def go(page: Any, view: str) -> None:
    page.click(f'.views a[data-view="{view}"]')
    page.wait_for_selector(f'.views a[data-view="{view}"][aria-current=page]')


def test_favorite_trash_undo_restore_delete_and_empty(
    browser: Any, web_server: Server, photos: Path, artifacts: Path
) -> None:
    t = Tab(browser, web_server)
    page = t.page
    register(page)
    upload(page, photos, FOUR)
    by_name = {p["filename"]: p["id"] for p in api_get(page, "/photos?limit=50")["items"]}

    # Select two, favorite them from the bar.
    page.click(f"{tile('flower.jpg')} .check")
    page.click(tile("starfish.jpg"))
    page.click("#bulk-favorite")
    page.wait_for_selector(f"{tile('starfish.jpg')}[data-favorite=true]")
    assert not page.locator("#action-bar").is_visible()
    assert ids_of(page, "/photos?favorite=true") == {by_name["flower.jpg"], by_name["starfish.jpg"]}
    # `f` on the focused photo, in the grid.
    page.focus(tile("r_canon.jpg"))
    page.keyboard.press("f")
    page.wait_for_selector(f"{tile('r_canon.jpg')}[data-favorite=true]")
    page.keyboard.press("f")
    page.wait_for_selector(f"{tile('r_canon.jpg')}:not([data-favorite])")
    go(page, "favorites")
    wait_tiles(page, 2)
    page.screenshot(path=str(artifacts / "favorites.png"))
    go(page, "photos")
    wait_tiles(page, 4)

    # Delete on the focused photo: to the trash, and Undo brings it back.
    page.focus(tile("r_sony.jpg"))
    page.keyboard.press("Delete")
    page.wait_for_selector("#toast-action:visible")
    assert page.inner_text("#toast-text") == "1 photo moved to the trash."
    wait_tiles(page, 3)
    assert ids_of(page, "/trash") == {by_name["r_sony.jpg"]}
    # The keyboard stays in the grid, on the photo that took its place.
    page.wait_for_function("() => document.activeElement.classList.contains('tile')")
    page.click("#toast-action")
    page.wait_for_selector(tile("r_sony.jpg"))
    wait_tiles(page, 4)
    assert ids_of(page, "/trash") == set()

    # Three to the trash from the bar; then the trash view.
    page.click(f"{tile('r_sony.jpg')} .check")
    page.click(tile("r_canon.jpg"))
    page.click(tile("flower.jpg"))
    page.click("#bulk-trash")
    wait_tiles(page, 1)
    go(page, "trash")
    wait_tiles(page, 3)
    assert page.locator("#empty-trash").is_visible()
    page.screenshot(path=str(artifacts / "trash.png"))

    # Restore one.
    page.click(f"{tile('r_canon.jpg')} .check")
    page.click("#bulk-restore")
    wait_tiles(page, 2)
    assert by_name["r_canon.jpg"] not in ids_of(page, "/trash")
    assert by_name["r_canon.jpg"] in ids_of(page, "/photos?limit=50")

    # Delete one permanently: the question first, and Cancel changes nothing.
    page.click(f"{tile('r_sony.jpg')} .check")
    page.click("#bulk-delete")
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-title") == "Delete 1 photo permanently?"
    page.screenshot(path=str(artifacts / "confirm-delete.png"))
    assert "cannot be undone" in page.inner_text("#confirm-text")
    page.click("#confirm-cancel")
    page.wait_for_selector("#confirm:not([open])", state="attached")
    assert len(ids_of(page, "/trash")) == 2
    page.click("#bulk-delete")
    page.click("#confirm-ok")
    wait_tiles(page, 1)
    assert ids_of(page, "/trash") == {by_name["flower.jpg"]}

    # Empty the trash.
    page.click("#empty-trash")
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-title") == "Empty the trash?"
    page.click("#confirm-ok")
    page.wait_for_selector("#empty:not([hidden])")
    assert ids_of(page, "/trash") == set()
    assert page.inner_text("#empty") == "The trash is empty."
    go(page, "photos")
    wait_tiles(page, 2)
    t.close()


def test_viewer_actions_and_edits_on_a_phone(browser: Any, web_server: Server, photos: Path, artifacts: Path) -> None:
    t = Tab(browser, web_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = t.page
    register(page)
    upload(page, photos, FOUR)
    me = api_get(page, "/users/me")
    page.wait_for_function("() => /photos, .* of /.test(document.querySelector('#usage').textContent)")
    assert page.inner_text("#usage").startswith(f"{me.get('photo_count', 4)} photos, ")

    open_photo(page, "starfish.jpg")
    photo_id = page.get_attribute("#viewer", "data-photo-id")
    # Favorite by the button, then off again by the key.
    page.click("#viewer-favorite")
    page.wait_for_selector("#viewer-favorite[aria-pressed=true]")
    assert api_get(page, f"/photos/{photo_id}")["favorite"] is True
    page.keyboard.press("f")
    page.wait_for_selector("#viewer-favorite[aria-pressed=false]")
    assert api_get(page, f"/photos/{photo_id}")["favorite"] is False

    # Edit the date and the description.
    page.click("#viewer-edit")
    page.fill("#viewer-edit-form textarea[name=description]", "Grandma's beach, the big starfish")
    page.fill("#viewer-edit-form input[name=taken_at]", "2001-06-15T10:30:00")
    page.screenshot(path=str(artifacts / "viewer-edit-phone.png"))
    page.click("#viewer-edit-form [type=submit]")
    page.wait_for_selector("#viewer-edit-form", state="hidden")
    fresh = api_get(page, f"/photos/{photo_id}")
    assert fresh["description"] == "Grandma's beach, the big starfish"
    assert fresh["taken_at"].startswith("2001-06-15T10:30:00")
    assert page.inner_text("#viewer-meta dd[data-field=description]") == "Grandma's beach, the big starfish"

    # Archive: it leaves the timeline, the viewer goes on with the next photo.
    page.click("#viewer-archive")
    page.wait_for_function("(id) => document.querySelector('#viewer').dataset.photoId !== id", arg=photo_id)
    page.keyboard.press("Escape")
    wait_tiles(page, 3)
    assert photo_id not in ids_of(page, "/photos?limit=50")
    go(page, "archive")
    wait_tiles(page, 1)
    assert ids_of(page, "/photos?archived=only") == {photo_id}
    page.screenshot(path=str(artifacts / "archive-phone.png"))

    # Trash from the viewer, by the key, and Undo over the viewer.
    go(page, "photos")
    wait_tiles(page, 3)
    open_photo(page, "flower.jpg")
    flower = page.get_attribute("#viewer", "data-photo-id")
    page.keyboard.press("Delete")
    page.wait_for_selector("#viewer #toast-action:visible")
    assert flower in ids_of(page, "/trash")
    page.click("#toast-action")
    page.wait_for_function("(id) => !document.querySelector('#toast-action:not([hidden])')", arg=flower)
    page.keyboard.press("Escape")
    wait_tiles(page, 3)
    assert ids_of(page, "/trash") == set()
    page.screenshot(path=str(artifacts / "timeline-phone.png"))
    t.close()


def test_a_photo_without_a_date_takes_its_file_date(
    browser: Any, web_server: Server, photos: Path, tmp_path: Path
) -> None:
    """hopper.png has no capture date: the uploader sends File.lastModified, which becomes taken_at."""
    tab = Tab(browser, web_server)
    page = tab.page
    register(page)
    undated = tmp_path / "scan-of-grandpa.png"
    shutil.copyfile(photos / "hopper.png", undated)
    when = datetime(2011, 5, 4, 9, 30, tzinfo=UTC).timestamp()
    os.utime(undated, (when, when))
    page.set_input_files("#file-input", str(undated))
    wait_rows(page, "done", 1)
    page.wait_for_selector('.month[data-month="2011-05"]')
    [photo] = api_get(page, "/photos?limit=5")["items"]
    assert photo["taken_at"].startswith("2011-05-04")
    tab.close()


def test_the_trash_shows_its_photos_thumbnails_and_previews(
    browser: Any, web_server: Server, photos: Path, artifacts: Path
) -> None:
    t = Tab(browser, web_server)
    page = t.page
    register(page)
    upload(page, photos, ["flower.jpg", "starfish.jpg"])
    page.click(f"{tile('flower.jpg')} .check")
    page.click("#bulk-trash")
    wait_tiles(page, 1)
    go(page, "trash")
    wait_tiles(page, 1)
    wait_thumbnails(page, 1)  # the trashed photo's own thumbnail, loaded, not a placeholder
    assert page.locator(f"{tile('flower.jpg')} img.thumb.loaded").evaluate("(img) => img.naturalWidth") > 0
    page.screenshot(path=str(artifacts / "trash-thumbnails.png"))
    open_photo(page, "flower.jpg")
    page.wait_for_selector("#viewer-image[data-variant=preview]")
    assert page.evaluate("() => document.querySelector('#viewer-image').naturalWidth") > 0
    t.close()
