"""Share links in the web app, end to end: Chromium against ``auroravault serve``.

The album's owner makes a password link with metadata hidden in the "Links" dialog, copies
it, and revokes it; a visitor with no account opens it, meets the password form, sees the
grid and the viewer without camera or place, downloads, and is told once it is revoked. On a
phone (390x844) a visitor adds a photo through an upload link and it lands in the album.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.web.test_web import Tab, api_get, register
from tests.web.test_web_library import upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SECRET = "sesame street"


def api_send(page: Any, method: str, path: str, body: Any) -> Any:
    """Call the API with the page's own session (to set up what the test is not about)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const { token } = JSON.parse(localStorage.getItem('auroravault.session'));
            const r = await fetch('/api/v1' + path, { method, body: JSON.stringify(body),
                headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' } });
            return r.json();
        }""",
        [method, path, body],
    )


def album_of(page: Any, name: str) -> dict[str, Any]:
    ids = [p["id"] for p in api_get(page, "/photos?limit=50")["items"]]
    album: dict[str, Any] = api_send(page, "POST", "/albums", {"name": name, "photo_ids": ids})
    return album


def previews_made(page: Any) -> None:
    """Previews come a while after thumbnails (``images.preview_delay_seconds``): wait for them."""
    for _ in range(60):
        if not any(p.get("preview_pending") for p in api_get(page, "/photos?limit=50")["items"]):
            return
        page.wait_for_timeout(500)
    raise AssertionError("the previews were never made")


def toast_says(page: Any, text: str) -> None:
    page.wait_for_function("(t) => document.querySelector('#toast-text').textContent.includes(t)", arg=text)


def public_tiles(page: Any, count: int) -> None:
    page.wait_for_function("(n) => document.querySelectorAll('#public-grid .tile[data-id]').length === n", arg=count)


def test_an_owner_shares_a_password_link_and_a_visitor_without_an_account_opens_it(
    browser: Any, web_server: Server, photos: Path, artifacts: Path
) -> None:
    owner = Tab(browser, web_server, permissions=["clipboard-read", "clipboard-write"])
    page = owner.page
    register(page, name="Ada")
    upload(page, photos, ["starfish.jpg", "flower.jpg"])
    album = album_of(page, "Beach 2013")

    # The album's Links dialog: a new link with a password and metadata hidden.
    page.evaluate("(id) => { location.hash = `#album/${id}`; }", album["id"])
    page.wait_for_function("() => document.querySelector('#album-name').textContent === 'Beach 2013'")
    page.click("#album-links")
    page.wait_for_selector("#links-dialog[open]")
    page.wait_for_selector("#links-list li.link-facts")  # "No links yet."
    page.fill("#links-form input[name=password]", SECRET)
    page.uncheck("#links-form input[name=show_metadata]")
    page.click("#links-create")
    toast_says(page, "Link created.")
    page.wait_for_selector("#links-list li[data-link-id]")
    links = api_get(page, "/links")["items"]
    assert len(links) == 1 and links[0]["has_password"] and not links[0]["show_metadata"]
    url = links[0]["url"]
    assert page.input_value("#links-list li[data-link-id] input") == url
    assert "password" in page.inner_text("#links-list li[data-link-id] .link-facts")
    page.click("#links-list .link-copy")
    toast_says(page, "Link copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    page.screenshot(path=str(artifacts / "links-dialog.png"))

    # A visitor with no account: the password form first, nothing of the photos.
    visitor = Tab(browser, web_server)
    guest = visitor.page
    key = url.split("#/s/")[1]
    guest.goto(f"/#/s/{key}")
    guest.wait_for_selector("#public-password")
    assert guest.inner_text("#public-title") == "Beach 2013"
    assert guest.inner_text("#public-owner") == "Shared by Ada"
    assert guest.locator("#public-grid").count() == 0
    guest.fill("#public-password input[name=password]", "open sesame")
    guest.click("#public-password button[type=submit]")
    guest.wait_for_selector("#public-password .form-error:not([hidden])")
    assert "not the password" in guest.inner_text("#public-password .form-error")
    guest.fill("#public-password input[name=password]", SECRET)
    guest.click("#public-password button[type=submit]")
    public_tiles(guest, 2)
    guest.screenshot(path=str(artifacts / "public-grid.png"))
    previews_made(page)

    # The viewer: the preview, no camera or place; a download (the preview: metadata hidden).
    guest.click('#public-grid .tile[data-filename="starfish.jpg"]')
    guest.wait_for_selector("#public-viewer[open]")
    guest.wait_for_function(
        "() => { const i = document.querySelector('#public-viewer-image');"
        " return i.dataset.variant === 'preview' && i.complete && i.naturalWidth > 300; }"
    )
    facts = guest.inner_text("#public-viewer-meta")
    assert "Taken" in facts and "Camera" not in facts and "Place" not in facts, facts
    assert guest.inner_text("#public-download") == "Download"
    with guest.expect_download() as download_info:
        guest.click("#public-download")
    assert download_info.value.suggested_filename.endswith(".jpg")
    guest.keyboard.press("Escape")

    # Edited in the dialog: downloads off. The visitor's token still opens it (same password),
    # and the viewer no longer offers a download.
    page.click("#links-list .link-edit")
    page.uncheck("#links-list li[data-link-id] form input[name=allow_download]")
    page.click("#links-list li[data-link-id] form button[type=submit]")
    toast_says(page, "Link changed.")
    assert api_get(page, "/links")["items"][0]["allow_download"] is False
    page.wait_for_function(
        "() => document.querySelector('#links-list li[data-link-id] .link-facts').textContent.includes('no download')"
    )
    guest.reload()
    public_tiles(guest, 2)
    guest.click('#public-grid .tile[data-filename="flower.jpg"]')
    guest.wait_for_selector("#public-viewer[open]")
    assert not guest.locator("#public-download").is_visible()
    guest.keyboard.press("Escape")

    # Revoked in the dialog: the visitor's next visit is told so.
    page.click("#links-list .link-revoke")
    page.wait_for_selector("#confirm[open]")
    page.click("#confirm-ok")
    toast_says(page, "Link revoked.")
    page.wait_for_function("() => document.querySelectorAll('#links-list li[data-link-id]').length === 0")
    assert api_get(page, "/links")["items"] == []
    guest.reload()
    guest.wait_for_selector(".public-problem")
    assert "does not exist" in guest.inner_text(".public-problem")
    visitor.close()
    owner.close()


def test_on_a_phone_a_visitor_adds_a_photo_through_an_upload_link(
    browser: Any, web_server: Server, photos: Path, artifacts: Path
) -> None:
    owner = Tab(browser, web_server)
    page = owner.page
    register(page, name="Bea")
    upload(page, photos, ["starfish.jpg", "flower.jpg"])
    album = album_of(page, "Garden")
    link = api_send(page, "POST", "/links", {"album_id": album["id"], "allow_upload": True})

    visitor = Tab(browser, web_server, **PHONE)
    guest = visitor.page
    guest.goto(f"/#/s/{link['key']}")
    public_tiles(guest, 2)
    assert guest.inner_text("#public-title") == "Garden"
    assert guest.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing off the side
    box = guest.locator("#public-grid .tile").first.bounding_box()
    assert box is not None and 100 <= box["width"] <= 140  # three across
    guest.set_input_files("#public-file-input", [str(photos / "r_canon.jpg")])
    guest.wait_for_function("() => document.querySelector('#public-status').textContent.includes('added')")
    page.wait_for_function(
        "(id) => fetch('/api/v1/albums/' + id, { headers: { Authorization: 'Bearer '"
        " + JSON.parse(localStorage.getItem('auroravault.session')).token } })"
        ".then((r) => r.json()).then((a) => a.photo_count === 3)",
        arg=album["id"],
    )
    # Once its thumbnail is made the visitor sees it too; it is the owner's photo, on their quota.
    for _ in range(30):
        guest.reload()
        public_tiles_now = guest.evaluate("() => document.querySelectorAll('#public-grid .tile[data-id]').length")
        if public_tiles_now == 3:
            break
        guest.wait_for_timeout(1000)
    public_tiles(guest, 3)
    names = {p["filename"] for p in api_get(page, "/photos?limit=50")["items"]}
    assert "r_canon.jpg" in names
    guest.click('#public-grid .tile[data-filename="r_canon.jpg"]')
    guest.wait_for_selector("#public-viewer[open]")
    assert guest.locator("#public-viewer .close").is_visible()
    assert guest.locator("#public-download").is_visible()  # downloads allowed: the original
    assert guest.inner_text("#public-download") == "Download original"
    guest.screenshot(path=str(artifacts / "public-phone.png"))
    visitor.close()
    owner.close()
