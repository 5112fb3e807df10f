"""Sharing in the web app, end to end: Chromium against ``auroravault serve``.

Ada shares an album with Bob from its "Share" dialog (by email, with a role), Bob finds it in
his albums with its owner and sees its photos; Ada changes his role and removes him, and the
album is gone for him. On a phone (390x844): Ada shares her library with Bob on the Partners
page (Bob is of her family), Bob turns "Show in my timeline" on and his Photos view merges her photos.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.web.test_web import Tab, api_get, register
from tests.web.test_web_family import mailed_link
from tests.web.test_web_library import go, tile, upload, wait_tiles

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def api_call(page: Any, method: str, path: str, body: Any = None) -> Any:
    """Call the API with the page's own session (setting up what another test covers)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const { token } = JSON.parse(localStorage.getItem('auroravault.session'));
            const headers = { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' };
            const sent = body === null ? undefined : JSON.stringify(body);
            const r = await fetch('/api/v1' + path, { method, headers, body: sent });
            return r.status === 204 ? null : r.json();
        }""",
        [method, path, body],
    )


def toast_says(page: Any, text: str) -> None:
    page.wait_for_function("(t) => document.querySelector('#toast-text').textContent.includes(t)", arg=text)


def test_an_album_shared_from_its_dialog_with_roles_and_removal(
    browser: Any, web_server: Server, photos: Path, artifacts: Path
) -> None:
    ada_tab, bob_tab = Tab(browser, web_server), Tab(browser, web_server)
    ada, bob = ada_tab.page, bob_tab.page
    register(ada, "Ada")
    bob_email = register(bob, "Bob")
    upload(ada, photos, ["flower.jpg", "starfish.jpg"])
    ids = [p["id"] for p in api_get(ada, "/photos?limit=10")["items"]]
    album = api_call(ada, "POST", "/albums", {"name": "Beach", "photo_ids": ids})
    ada.evaluate("(id) => { location.hash = '#album/' + id; }", album["id"])
    ada.wait_for_selector("#album-share:not([hidden])")

    ada.click("#album-share")
    ada.wait_for_selector("#share-dialog[open]")
    assert ada.inner_text("#share-title") == "Share “Beach”"
    ada.fill("#share-form input[name=email]", bob_email)
    ada.select_option("#share-form select[name=role]", "contributor")
    ada.click("#share-add")
    toast_says(ada, "Album shared with Bob.")
    ada.wait_for_selector("#share-members li[data-user-id]")
    assert "Bob" in ada.inner_text("#share-members")
    # Twice: said so, nothing changed.
    ada.fill("#share-form input[name=email]", bob_email)
    ada.click("#share-add")
    ada.wait_for_function("() => document.querySelector('#share-form .form-error').textContent.includes('already')")
    ada.screenshot(path=str(artifacts / "share-dialog.png"))
    ada.click("#share-close")

    # Bob: the album in his list, with its owner, and its photos.
    bob.evaluate("() => { location.hash = '#albums'; }")
    bob.wait_for_selector(f'.album-card[data-album-id="{album["id"]}"]')
    assert "Shared by Ada" in bob.inner_text(f'.album-card[data-album-id="{album["id"]}"]')
    bob.click(f'.album-card[data-album-id="{album["id"]}"]')
    wait_tiles(bob, 2)
    assert bob.locator(tile("flower.jpg")).count() == 1
    assert bob.locator("#album-share").is_hidden()  # a contributor does not manage people

    # Ada makes him a viewer, then removes him.
    ada.click("#album-share")
    bob_id = api_get(bob, "/users/me")["id"]
    ada.select_option(f'#share-members li[data-user-id="{bob_id}"] select', "viewer")
    toast_says(ada, "Bob is now viewer.")
    assert api_get(ada, f"/albums/{album['id']}")["members"][0]["role"] == "viewer"
    ada.click(f'#share-members li[data-user-id="{bob_id}"] button')
    toast_says(ada, "Bob no longer sees the album.")
    ada.click("#share-close")
    bob.reload()
    bob.wait_for_function("() => document.querySelector('#album-name').textContent === 'Album not found'")
    ada_tab.close()
    bob_tab.close()


def test_partners_on_a_phone_merge_a_shared_library_into_the_timeline(
    browser: Any, web_server: Server, photos: Path, artifacts: Path
) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    ada_tab, bob_tab = Tab(browser, web_server, **phone), Tab(browser, web_server, **phone)
    ada, bob = ada_tab.page, bob_tab.page
    register(ada, "Ada")
    bob_email = register(bob, "Bob")
    upload(ada, photos, ["flower.jpg", "starfish.jpg"])
    upload(bob, photos, ["hopper.png"])
    # Partners are among one family: Ada founds hers and Bob joins from the mailed link
    # (the family page's own test clicks through this).
    api_call(ada, "POST", "/family", {"name": "Lovelace"})
    api_call(ada, "POST", "/family/invites", {"email": bob_email, "role": "member"})
    token = mailed_link(web_server, bob_email).rsplit("/", 1)[1]
    assert api_call(bob, "POST", "/family/join", {"token": token})["name"] == "Lovelace"

    ada.evaluate("() => { location.hash = '#partners'; }")
    ada.wait_for_selector("#partner-add:not([disabled])")
    ada.tap("#partner-add")
    toast_says(ada, "You share your library with Bob.")
    ada.wait_for_selector("#partners-by-me li")
    assert "Bob" in ada.inner_text("#partners-by-me")
    assert ada.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    bob.evaluate("() => { location.hash = '#partners'; }")
    bob.wait_for_selector("#partners-with-me li")
    assert "Ada" in bob.inner_text("#partners-with-me")
    bob.tap("#partners-with-me input[type=checkbox]")
    toast_says(bob, "photos are in your timeline.")
    bob.screenshot(path=str(artifacts / "partners-phone.png"))
    go(bob, "photos")
    wait_tiles(bob, 3)
    assert bob.locator(tile("flower.jpg")).count() == 1 and bob.locator(tile("hopper.png")).count() == 1
    assert bob.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # Ada stops sharing: Bob's timeline is his own again after a reload.
    ada.tap("#partners-by-me button")
    toast_says(ada, "You no longer share your library with Bob.")
    bob.reload()
    bob.wait_for_selector("#gallery-view:not([hidden])")
    wait_tiles(bob, 1)
    ada_tab.close()
    bob_tab.close()
