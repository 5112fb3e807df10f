"""The family page in the web app, end to end: Chromium against ``auroravault serve``.

An owner founds a family, invites by email (the link is read from the server's outbox, as the
invitee's mail client would show it), sees and revokes pending invitations, sets the pooled
and a member's storage limits, renames it and removes a member. The invitation's link opens on
a phone (390x844) for a visitor without an account, who registers from it and lands in the
family; a logged-in user opens another link and presses Join; a used link says so.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.web.test_web import PASSWORD, Tab, api_get, register
from tests.web.test_web_library import go

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"(http://\S+/#/join/\S+)")


def mailed_link(server: Server, to: str) -> str:
    """The join link of the invitation emailed to ``to`` (the default mailer's outbox)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for eml in (server.data_dir / "outbox").glob("*.eml"):
            msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if msg["To"] == to and "invited you" in msg["Subject"]:
                return LINK.search(msg.get_body(("plain",)).get_content()).group(1)
        time.sleep(0.2)
    raise AssertionError(f"no invitation email to {to} arrived in the outbox")


def local(link: str) -> str:
    """The link on the test server: the same path and fragment."""
    return "/" + link.split("/", 3)[3]


def invite(page: Any, address: str) -> None:
    page.fill("#family-invite input[name=email]", address)
    page.click("#family-invite button[type=submit]")
    page.wait_for_selector(f'#family-invites li:has-text("{address}")')


def members(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#family-members li .family-who strong").all_inner_texts()]


def no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_family_is_founded_joined_from_the_email_on_a_phone_and_managed(
    browser: Any, web_server: Server, artifacts: Path
) -> None:
    owner_tab = Tab(browser, web_server)
    page = owner_tab.page
    register(page, name="Ada")
    go(page, "family")
    page.wait_for_selector("#family-create")
    page.fill("#family-create input[name=name]", "Lovelace")
    page.click("#family-create button[type=submit]")
    page.wait_for_function("() => document.querySelector('#family-name')?.textContent === 'Lovelace'")
    assert members(page) == ["Ada (you)"]
    assert "Owner" in page.inner_text("#family-members")

    # Two invitations: one is revoked, its link then refused.
    suffix = str(id(page))
    bob, eve = f"bob-{suffix}@example.com", f"eve-{suffix}@example.com"
    invite(page, bob)
    invite(page, eve)
    page.click(f'button[aria-label="Revoke the invitation of {eve}"]')
    page.wait_for_function("(e) => !document.querySelector('#family-invites')?.textContent.includes(e)", arg=eve)
    eve_link = mailed_link(web_server, eve)
    link = mailed_link(web_server, bob)

    # Bob has no account: the link opens the register form on his phone, and he is in.
    phone = Tab(browser, web_server, viewport=PHONE, is_mobile=True, has_touch=True)
    bob_page = phone.page
    bob_page.goto(local(link))
    bob_page.wait_for_selector("#auth-view:not([hidden])")
    assert bob_page.inner_text("#auth-submit") == "Create account"
    bob_page.wait_for_function("() => document.querySelector('#auth-note').textContent.includes('Lovelace')")
    assert bob_page.inner_text("#auth-note").startswith("Ada invited you to join the family “Lovelace”.")
    bob_page.fill("input[name=display_name]", "Bob")
    bob_page.fill("input[name=email]", f"robert-{suffix}@example.com")  # the link is the permission
    bob_page.fill("input[name=password]", PASSWORD)
    bob_page.click("#auth-submit")
    bob_page.wait_for_function("() => document.querySelector('#family-name')?.textContent === 'Lovelace'")
    assert "#family" in bob_page.url and "join" not in bob_page.url
    assert members(bob_page) == ["Ada", "Bob (you)"]
    assert bob_page.locator("#family-invite").count() == 0  # members do not invite
    assert bob_page.locator("text=Leave family").is_visible()
    no_sideways_scroll(bob_page, PHONE["width"])
    bob_page.screenshot(path=str(artifacts / "family-phone.png"))

    # The revoked link, on the phone's browser now logged in: Join says why it cannot.
    bob_page.goto(local(eve_link))
    bob_page.wait_for_selector("#family-join")
    bob_page.wait_for_function("() => document.querySelector('#family-invitation').textContent.includes('revoked')")
    bob_page.click("#family-join")
    bob_page.wait_for_selector(".page .form-error")
    assert "unknown, already used or revoked" in bob_page.inner_text(".page .form-error")

    # The owner: limits for the family and for Bob, a rename, then Bob removed.
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#family-members li').length === 2")
    page.fill("#family-quota", "5")
    page.click(".family-row button")
    page.wait_for_function("() => document.querySelector('#family-usage')?.textContent.includes('of 5.0 GB')")
    bob_id = api_get(page, "/family")["members"][1]["user"]["id"]
    row = page.locator(f'#family-members li[data-user-id="{bob_id}"]')
    row.locator("input").fill("1.5")
    row.locator("button", has_text="Set").click()
    page.wait_for_function(
        "(id) => document.querySelector(`#family-members li[data-user-id='${id}'] .family-used`)"
        "?.textContent.includes('of 1.5 GB')",
        arg=bob_id,
    )
    shown = api_get(page, "/family")
    assert shown["quota_bytes"] == 5 * 10**9 and shown["members"][1]["quota_bytes"] == 1_500_000_000
    page.once("dialog", lambda d: d.accept("Byron"))
    page.click("#family-rename")
    page.wait_for_function("() => document.querySelector('#family-name')?.textContent === 'Byron'")
    page.screenshot(path=str(artifacts / "family.png"))
    page.click('button[aria-label="Remove Bob"]')
    page.wait_for_selector("#confirm[open]")
    page.click("#confirm-ok")
    page.wait_for_function("() => document.querySelectorAll('#family-members li').length === 1")
    assert members(page) == ["Ada (you)"]

    # Bob, no longer a member, is offered to found a family of his own.
    bob_page.goto("/#family")
    bob_page.reload()
    bob_page.wait_for_selector("#family-create")
    phone.close()
    owner_tab.close()


def test_a_logged_in_user_joins_with_the_link_and_can_leave(browser: Any, web_server: Server) -> None:
    owner_tab = Tab(browser, web_server)
    page = owner_tab.page
    register(page, name="Grace")
    go(page, "family")
    page.fill("#family-create input[name=name]", "Hopper")
    page.click("#family-create button[type=submit]")
    page.wait_for_selector("#family-invite")
    member_tab = Tab(browser, web_server, viewport=PHONE)
    other = member_tab.page
    address = register(other, name="Alan")
    invite(page, address)
    link = mailed_link(web_server, address)
    other.goto(local(link))
    other.wait_for_selector("#family-join")
    other.wait_for_function("() => document.querySelector('#family-invitation').textContent.includes('Hopper')")
    assert other.inner_text("#family-invitation") == "Grace invited you to join the family “Hopper”."
    assert other.locator('.views a[data-view="family"][aria-current=page]').count() == 1
    other.click("#family-join")
    other.wait_for_function("() => document.querySelector('#family-name')?.textContent === 'Hopper'")
    assert members(other) == ["Grace", "Alan (you)"]
    other.click("text=Leave family")
    other.wait_for_selector("#confirm[open]")
    other.click("#confirm-ok")
    other.wait_for_selector("#family-create")
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#family-members li').length === 1")
    member_tab.close()
    owner_tab.close()
