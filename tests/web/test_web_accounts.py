"""Account settings in the web app, end to end: Chromium against ``auroravault serve`` (a
server of its own, so the first account — the admin — is this module's).

The name, the two email switches, a password change that ends the other session, the
session list with the current one marked and another ended, and an admin's accounts section
(quota, disable and enable, make admin, the last admin refused) — on a desktop window and
on a phone-sized one. Everything goes through the UI; the API is read to check the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.web.conftest import start_server
from tests.web.test_web import PASSWORD, Tab, api_get, log_in, register

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("accounts") / "data")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def admin_email(browser: Any, server: Server) -> str:
    """The server's first account: its admin."""
    t = Tab(browser, server)
    email = register(t.page, name="Root")
    assert api_get(t.page, "/users/me")["is_admin"] is True
    t.close()
    return email


def toast_says(page: Any, text: str) -> None:
    page.wait_for_function("(t) => document.querySelector('#toast-text').textContent.includes(t)", arg=text)


def open_settings(page: Any) -> None:
    page.click("#account-link")
    page.wait_for_selector("#settings-sessions li")


def api_login(server: Server, email: str, password: str = PASSWORD, agent: str = "Test") -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"User-Agent": agent},
        timeout=30,
    )


def still_works(server: Server, token: str) -> int:
    resp = httpx.get(f"{server.url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return resp.status_code


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_name_switches_password_and_sessions(
    browser: Any, server: Server, admin_email: str, artifacts: Path, device: str
) -> None:
    t = Tab(browser, server, **(PHONE if device == "phone" else {}))
    page = t.page
    email = register(page, name="Ada")
    other = api_login(server, email, agent="Mozilla/5.0 (Android 14) Firefox/128.0").json()["token"]
    open_settings(page)
    assert page.locator("#settings-users").count() == 0  # not an admin

    # The name.
    page.fill("#profile-form input[name=display_name]", "  Ada   Lovelace ")
    page.click("#profile-form button[type=submit]")
    toast_says(page, "Name saved.")
    assert page.input_value("#profile-form input[name=display_name]") == "Ada Lovelace"
    assert api_get(page, "/users/me")["display_name"] == "Ada Lovelace"
    page.fill("#profile-form input[name=display_name]", "   ")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#profile-form .form-error:not([hidden])")
    assert api_get(page, "/users/me")["display_name"] == "Ada Lovelace"

    # The switches.
    assert page.is_checked("#notify-album-shared") and page.is_checked("#notify-album-photos")
    page.click("#notify-album-photos")
    toast_says(page, "No more of these emails.")
    assert api_get(page, "/users/me")["notify_album_photos"] is False
    page.reload()
    page.wait_for_selector("#settings-sessions li")
    assert page.is_checked("#notify-album-shared") and not page.is_checked("#notify-album-photos")

    # The sessions: this one marked, the phone's listed with what it is.
    rows = page.locator("#sessions-list li")
    assert rows.count() == 2
    assert page.locator("#sessions-list li[data-current=true]").inner_text().count("This device") == 1
    phone_row = page.locator("#sessions-list li:not([data-current])")
    assert "Firefox on Android" in phone_row.inner_text()

    # A wrong current password: said in the form, this session goes on.
    page.fill("#password-form input[name=current_password]", "not my password")
    page.fill("#password-form input[name=new_password]", "a brand new secret")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#password-form .form-error:not([hidden])")
    assert "wrong" in page.inner_text("#password-form .form-error")
    assert page.locator("#gallery-view:not([hidden])").count() == 1
    assert still_works(server, other) == 200

    # The right one: changed, the other session ends and leaves the list.
    page.fill("#password-form input[name=current_password]", PASSWORD)
    page.fill("#password-form input[name=new_password]", "a brand new secret")
    page.click("#password-form button[type=submit]")
    toast_says(page, "Password changed.")
    page.wait_for_function("() => document.querySelectorAll('#sessions-list li').length === 1")
    assert still_works(server, other) == 401
    assert api_login(server, email).status_code == 401
    third = api_login(server, email, "a brand new secret", agent="Mozilla/5.0 (Windows NT 10.0) Chrome/126.0")
    assert third.status_code == 200

    # Ending a session from the list: its token stops working at once.
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#sessions-list li').length === 2")
    page.screenshot(path=str(artifacts / f"settings-{device}.png"), full_page=True)
    page.click("#sessions-list li:not([data-current]) button")
    toast_says(page, "That session has ended.")
    assert page.locator("#sessions-list li").count() == 1
    assert still_works(server, third.json()["token"]) == 401
    if device == "phone":  # nothing sticks out sideways on a phone
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    t.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_admin_sets_quotas_disables_and_makes_admins(
    browser: Any, server: Server, admin_email: str, artifacts: Path, device: str
) -> None:
    member = Tab(browser, server)
    bob = register(member.page, name="Bob")
    bob_id = api_get(member.page, "/users/me")["id"]
    member.close()
    bob_token = api_login(server, bob).json()["token"]

    t = Tab(browser, server, **(PHONE if device == "phone" else {}))
    page = t.page
    page.goto("/")
    log_in(page, admin_email, PASSWORD)
    page.wait_for_selector("#gallery-view:not([hidden])")
    open_settings(page)
    row = f'#users-list li[data-user-id="{bob_id}"]'
    page.wait_for_selector(row)
    assert bob in page.inner_text(row) and page.get_attribute(row, "data-admin") == "false"

    # A quota, in GB.
    page.fill(f"{row} input[name=quota_gb]", "2.5")
    page.click(f"{row} .quota-form button")
    toast_says(page, f"Quota of {bob} set to")
    users = {u["id"]: u for u in api_get(page, "/admin/users")["items"]}
    assert users[bob_id]["quota_bytes"] == 2_500_000_000
    assert "2.5 GB" in page.inner_text(row)

    # Disabled: Bob's session ends and he cannot log in; enabled again: he can.
    page.click(f"{row} button[data-action=disable]")
    toast_says(page, f"{bob} is disabled and logged out.")
    assert page.get_attribute(row, "data-disabled") == "true"
    assert still_works(server, bob_token) == 401
    refused = api_login(server, bob)
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"
    page.click(f"{row} button[data-action=disable]")
    toast_says(page, f"{bob} can log in again.")
    assert api_login(server, bob).status_code == 200

    # Make Bob an admin, then unmake him.
    page.click(f"{row} button[data-action=admin]")
    toast_says(page, f"{bob} is now an admin.")
    assert page.get_attribute(row, "data-admin") == "true"
    page.screenshot(path=str(artifacts / f"settings-admin-{device}.png"), full_page=True)
    page.click(f"{row} button[data-action=admin]")
    toast_says(page, f"{bob} is no longer an admin.")

    # The last admin cannot step down or disable themselves.
    me = "#users-list li[data-me=true]"
    page.click(f"{me} button[data-action=admin]")
    toast_says(page, "last admin")
    assert page.get_attribute(me, "data-admin") == "true"
    page.click(f"{me} button[data-action=disable]")
    toast_says(page, "last admin")
    assert api_get(page, "/users/me")["is_admin"] is True
    if device == "phone":
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    t.close()


def test_a_disabled_account_is_told_so_at_login(browser: Any, server: Server, admin_email: str) -> None:
    t = Tab(browser, server)
    page = t.page
    carol = register(page, name="Carol")
    carol_id = api_get(page, "/users/me")["id"]
    root = api_login(server, admin_email).json()["token"]
    resp = httpx.patch(
        f"{server.url}/api/v1/admin/users/{carol_id}",
        json={"disabled": True},
        headers={"Authorization": f"Bearer {root}"},
        timeout=30,
    )
    assert resp.status_code == 200
    page.reload()
    page.wait_for_selector("#auth-view:not([hidden])")  # the ended session leads to the login form
    log_in(page, carol, PASSWORD)
    page.wait_for_selector("#auth-error:not([hidden])")
    assert "disabled" in page.inner_text("#auth-error")
    t.close()
