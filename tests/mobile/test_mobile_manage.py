"""The phone app, web build, against a real server: what a family manages from the phone.

Albums: the owner renames one, removes a photo from it in the viewer and deletes it (the photos
stay). Share links: a password link is edited (password cleared, upload allowed, expiry set).
Family: Ada founds one and invites by email from Settings; Bob, who joined by the emailed link,
leaves it from his phone; Ada removes Cy."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.mobile.test_mobile_albums import ARTIFACTS, _api
from tests.mobile.test_mobile_web import PASSWORD, PICKED, TIMEOUT_MS, _register, _sign_in, _wait_ready
from tests.web.test_web_family import mailed_link

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _until(check: Any, what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _join(vault: Server, email: str, name: str) -> tuple[str, str]:
    """Register ``email`` and join the family by the link in the invitation emailed to it."""
    token = mailed_link(vault, email).rsplit("/", 1)[1]
    res = httpx.post(
        f"{vault.url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name},
        timeout=10,
    )
    res.raise_for_status()
    session, user_id = str(res.json()["token"]), str(res.json()["user"]["id"])
    _api(vault, session, "POST", "/family/join", {"token": token})
    return session, user_id


def test_owner_renames_removes_from_and_deletes_an_album_and_edits_a_link(
    browser: Any, app_url: str, vault: Server, photos: Path
) -> None:
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
        chooser.value.set_files([str(photos / name) for name in PICKED])
        page.get_by_text("3 backed up, 0 to go", exact=False).wait_for(timeout=TIMEOUT_MS)
        by_name = {p["filename"]: p for p in _wait_ready(vault, token, len(PICKED))}
        flower, starfish = by_name["flower.jpg"], by_name["starfish.jpg"]
        album = _api(vault, token, "POST", "/albums", {"name": "Gardn", "photo_ids": [flower["id"], starfish["id"]]})
        aid = album["id"]

        # Rename.
        page.get_by_test_id("tab-albums").click()
        page.get_by_test_id(f"album-{aid}").click(timeout=TIMEOUT_MS)
        page.get_by_test_id("album-edit-open").click(timeout=TIMEOUT_MS)
        page.get_by_test_id("album-name").fill("Garden")
        page.get_by_test_id("album-rename").click()
        page.get_by_test_id("album-edit").wait_for(state="detached", timeout=TIMEOUT_MS)
        assert page.get_by_test_id("album-title").inner_text() == "Garden"
        assert _api(vault, token, "GET", f"/albums/{aid}")["name"] == "Garden"

        # Remove a photo from it in the viewer: out of the album, still in the library.
        page.get_by_test_id(f"thumb-{flower['id']}").click(timeout=TIMEOUT_MS)
        page.get_by_test_id("viewer-remove-album").click(timeout=TIMEOUT_MS)
        page.get_by_text("Removed from Garden").wait_for(timeout=TIMEOUT_MS)
        inside = _api(vault, token, "GET", f"/albums/{aid}/photos")["items"]
        assert [p["id"] for p in inside] == [starfish["id"]]
        assert _api(vault, token, "GET", f"/photos/{flower['id']}")["id"] == flower["id"]
        page.get_by_test_id("viewer-close").click()
        page.get_by_test_id(f"thumb-{starfish['id']}").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id(f"thumb-{flower['id']}").count() == 0

        # Edit a password link: clear the password, allow upload, expire in 3 days.
        link = _api(
            vault, token, "POST", "/links", {"album_id": aid, "password": "open sesame", "allow_download": False}
        )
        page.get_by_test_id("album-share").click()
        page.get_by_test_id(f"link-edit-{link['id']}").click(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"link-edit-days-{link['id']}").fill("3")
        page.get_by_test_id(f"link-edit-clear-password-{link['id']}").click()
        page.get_by_test_id(f"link-edit-upload-{link['id']}").click()
        page.get_by_test_id(f"link-edit-save-{link['id']}").click()
        page.get_by_text("· no download · upload allowed", exact=False).wait_for(timeout=TIMEOUT_MS)
        (edited,) = _api(vault, token, "GET", "/links")["items"]
        assert (edited["has_password"], edited["allow_upload"], edited["allow_download"]) == (False, True, False)
        assert edited["expires_at"] is not None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "link-edit.png"))

        # Delete the album after the second press; its photos stay.
        page.get_by_test_id("share-back").click()
        page.get_by_test_id("album-edit-open").click(timeout=TIMEOUT_MS)
        page.get_by_test_id("album-delete").click()
        assert len(_api(vault, token, "GET", "/albums")["items"]) == 1
        page.get_by_test_id("album-delete-confirm").click()
        page.get_by_test_id("albums").wait_for(timeout=TIMEOUT_MS)
        _until(lambda: _api(vault, token, "GET", "/albums")["items"] == [], "the album was not deleted")
        assert page.get_by_test_id(f"album-{aid}").count() == 0
        assert len(_api(vault, token, "GET", "/photos")["items"]) == len(PICKED)
        assert errors == []
    finally:
        context.close()


def test_family_founded_invited_left_and_a_member_removed_from_the_phone(
    browser: Any, app_url: str, vault: Server
) -> None:
    ada = _register(vault, "ada@example.com")
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        _sign_in(page, vault, "ada@example.com", PASSWORD)
        page.get_by_test_id("tab-settings").click(timeout=TIMEOUT_MS)
        page.get_by_test_id("family-name").fill("Lovelace")
        page.get_by_test_id("family-create").click()
        page.get_by_text("Lovelace · you own it").wait_for(timeout=TIMEOUT_MS)
        for address in ("bob@example.com", "cy@example.com"):
            page.get_by_test_id("family-invite-email").fill(address)
            page.get_by_test_id("family-invite").click()
            page.get_by_text(f"{address} · invited", exact=False).wait_for(timeout=TIMEOUT_MS)
        invites = _api(vault, ada, "GET", "/family")["invites"]
        assert sorted(i["email"] for i in invites) == ["bob@example.com", "cy@example.com"]
        # A refusal shows the server's code.
        page.get_by_test_id("family-invite-email").fill("bob@example.com")
        page.get_by_test_id("family-invite").click()
        page.get_by_text("(already_invited)", exact=False).wait_for(timeout=TIMEOUT_MS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "family.png"))
    finally:
        context.close()

    _, bob_id = _join(vault, "bob@example.com", "Bob")
    _, cy_id = _join(vault, "cy@example.com", "Cy")

    # Bob leaves from his phone.
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        _sign_in(page, vault, "bob@example.com", PASSWORD)
        page.get_by_test_id("tab-settings").click(timeout=TIMEOUT_MS)
        page.get_by_text("Bob · member (you)").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id("family-invite-email").count() == 0
        assert page.get_by_test_id(f"family-remove-{cy_id}").count() == 0
        page.get_by_test_id("family-leave").click()
        page.get_by_test_id("family-leave-confirm").click()
        page.get_by_test_id("family-create").wait_for(timeout=TIMEOUT_MS)
    finally:
        context.close()
    members = [m["user"]["id"] for m in _api(vault, ada, "GET", "/family")["members"]]
    assert bob_id not in members and cy_id in members

    # Ada removes Cy.
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        _sign_in(page, vault, "ada@example.com", PASSWORD)
        page.get_by_test_id("tab-settings").click(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"family-remove-{cy_id}").click(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"family-member-{cy_id}").wait_for(state="detached", timeout=TIMEOUT_MS)
        members = [m["user"]["id"] for m in _api(vault, ada, "GET", "/family")["members"]]
        assert cy_id not in members and len(members) == 1
        assert errors == []
    finally:
        context.close()
