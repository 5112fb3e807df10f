"""The phone app, web build, against a real server: Ada shares an album with Bob of her family
from the album's Share screen, and Bob sees it in his Albums tab as shared by Ada, as a viewer
with no add or remove actions."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.mobile.test_mobile_albums import ARTIFACTS, _api
from tests.mobile.test_mobile_web import PASSWORD, TIMEOUT_MS, _register, _sign_in
from tests.web.test_web_family import mailed_link

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_ada_shares_an_album_with_bob_who_sees_it(browser: Any, app_url: str, vault: Server) -> None:
    ada = _register(vault, "ada@example.com")
    ada_id = str(_api(vault, ada, "GET", "/users/me")["id"])
    _api(vault, ada, "POST", "/family", {"name": "Lovelace"})
    _api(vault, ada, "POST", "/family/invites", {"email": "bob@example.com", "role": "member"})
    join_token = mailed_link(vault, "bob@example.com").rsplit("/", 1)[1]
    res = httpx.post(
        f"{vault.url}/api/v1/auth/register",
        json={"email": "bob@example.com", "password": PASSWORD, "display_name": "Bob"},
        timeout=10,
    )
    res.raise_for_status()
    bob = str(res.json()["token"])
    bob_id = str(res.json()["user"]["id"])
    _api(vault, bob, "POST", "/family/join", {"token": join_token})
    album = _api(vault, ada, "POST", "/albums", {"name": "Garden"})

    errors: list[str] = []
    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        _sign_in(page, vault, "ada@example.com", PASSWORD)
        page.get_by_test_id("tab-albums").click(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"album-{album['id']}").click(timeout=TIMEOUT_MS)
        page.get_by_test_id("album-share").click(timeout=TIMEOUT_MS)
        page.get_by_text("Not shared with anyone yet.").wait_for(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"add-{bob_id}").click(timeout=TIMEOUT_MS)
        page.get_by_text("Bob · viewer").wait_for(timeout=TIMEOUT_MS)
        members = _api(vault, ada, "GET", f"/albums/{album['id']}/members")["members"]
        assert [(m["user"]["id"], m["role"]) for m in members] == [(bob_id, "viewer")]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "share.png"))

        # A share link with a password and no download, made on the same screen.
        page.get_by_test_id("link-days").fill("7")
        page.get_by_test_id("link-password").fill("open sesame")
        page.get_by_test_id("link-download").click()
        page.get_by_test_id("link-create").click()
        page.get_by_text("· password · no download", exact=False).wait_for(timeout=TIMEOUT_MS)
        (link,) = _api(vault, ada, "GET", "/links")["items"]
        assert (link["album_id"], link["has_password"], link["allow_download"]) == (album["id"], True, False)
        assert link["expires_at"] is not None

        # Partners: Ada shares her whole library with Bob from Settings.
        page.get_by_test_id("share-back").click()
        page.get_by_test_id("tab-settings").click()
        page.get_by_test_id(f"partner-share-{bob_id}").click(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"partner-stop-{bob_id}").wait_for(timeout=TIMEOUT_MS)
    finally:
        context.close()

    context = browser.new_context(viewport={"width": 420, "height": 860})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        _sign_in(page, vault, "bob@example.com", PASSWORD)
        page.get_by_test_id("tab-albums").click(timeout=TIMEOUT_MS)
        page.get_by_text("0 photos · Shared by Ada · you: viewer").wait_for(timeout=TIMEOUT_MS)
        page.get_by_test_id(f"album-{album['id']}").click()
        page.get_by_test_id("album-share").click(timeout=TIMEOUT_MS)
        page.get_by_text("Bob · viewer").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id("share-add").count() == 0
        assert page.get_by_test_id(f"remove-{bob_id}").count() == 0
        page.screenshot(path=str(ARTIFACTS / "shared-with-bob.png"))

        # Ada's library is shared with Bob: he shows it in his timeline.
        page.get_by_test_id("share-back").click()
        page.get_by_test_id("tab-settings").click()
        page.get_by_text("Ada: show in my timeline").wait_for(timeout=TIMEOUT_MS)
        page.get_by_test_id("partner-timeline-" + ada_id).click()
        deadline = time.monotonic() + 10
        while not _api(vault, bob, "GET", "/partners")["shared_with_me"][0]["in_timeline"]:
            assert time.monotonic() < deadline, "the switch never reached the server"
            time.sleep(0.2)
        assert errors == []
    finally:
        context.close()
