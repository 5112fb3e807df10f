"""People in the web app, in Chromium, with the real face model: three portraits of Grace Hopper
and one of Eileen Collins become people on the People page (most faces first, with their face
crops); Grace is renamed inline, her photos open as tiles and the viewer's info names her, the
name linking back to her photos; hide, "Show hidden" and unhide; the two merged into one; and
with people off, the page says why."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from auroravault.services.people import FACES_UNAVAILABLE
from tests.faces.conftest import VARIANTS, astronaut, hopper
from tests.web.conftest import start_server
from tests.web.test_web import Tab, register, tab, wait_rows  # noqa: F401  (tab: the fixture)
from tests.web.test_web_accounts import toast_says

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def portraits(folder: Path) -> list[str]:
    files = []
    for name in ("as_is", "dark", "mirrored"):
        files.append(folder / f"grace_{name}.jpg")
        VARIANTS[name](hopper()).save(files[-1], "JPEG", quality=90)
    files.append(folder / "eileen.jpg")
    astronaut().save(files[-1], "JPEG", quality=90)
    return [str(f) for f in files]


def upload_until_ready(page: Any, files: list[str]) -> None:
    """Upload ``files`` with the picker and wait until each is a ready tile."""
    page.set_input_files("#file-input", files)
    wait_rows(page, "done", len(files))
    page.wait_for_function("(n) => document.querySelectorAll('.tile[data-status=ready]').length >= n", arg=len(files))


def open_people_when_found(page: Any, counts: list[str], timeout: float = 180) -> None:
    """The faces jobs run after processing, one photo at a time and in no set order: open People
    until its cards count ``counts`` (the page is drawn once; it does not wait for late faces)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto("/#photos")
        page.click("nav.views a[data-view=people]")
        page.wait_for_selector(".person-card, .people-empty:not([hidden]), .people-off")
        seen = page.locator(".person-card .person-count").all_inner_texts()
        if seen == counts:
            return
        assert time.monotonic() < deadline, f"people seen: {seen}"
        time.sleep(1)


def test_people_are_shown_renamed_opened_and_named_in_the_viewer(tab: Tab, tmp_path: Path) -> None:  # noqa: F811
    page = tab.page
    register(page)
    files = portraits(tmp_path)
    upload_until_ready(page, files)

    open_people_when_found(page, ["3 faces", "1 face"])  # Grace, then Eileen
    assert page.get_attribute("nav.views a[data-view=people]", "aria-current") == "page"
    grace = page.locator(".person-card").first
    page.wait_for_function(  # her face crop, fetched with the session
        "() => { const i = document.querySelector('.person-card .cover img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert grace.locator(".person-name").input_value() == ""
    grace.locator(".person-name").fill("Grace")
    grace.locator(".person-name").press("Enter")
    page.wait_for_function("() => document.querySelector('.person-card .person-name').dataset.saved === 'Grace'")

    # A reload keeps the name (the server has it).
    page.reload()
    page.wait_for_function("() => document.querySelector('.person-card .person-name')?.value === 'Grace'")

    # Every photo was looked at, and the people are grouped as DBSCAN would group them.
    page.click("#people-find")
    toast_says(page, "Every photo has been looked at already.")
    page.click("#people-regroup")
    toast_says(page, "Regrouped: nothing to change.")
    page.wait_for_function("() => document.querySelector('.person-card .person-name')?.value === 'Grace'")

    page.locator(".person-card").first.locator(".person-link").click()
    page.wait_for_function("() => location.hash.startsWith('#person/')")
    page.wait_for_function("() => document.querySelector('#view-title').textContent === 'Grace'")
    page.wait_for_function("() => document.querySelectorAll('.tile[data-status=ready]').length === 3")
    page.locator(".tile").first.click()
    page.wait_for_selector("#viewer[open]")
    people = page.locator("#viewer-meta dd[data-field=people] a")
    people.wait_for()
    assert people.all_inner_texts() == ["Grace"]
    people.first.click()  # back to her photos
    page.wait_for_function("() => !document.querySelector('#viewer').open && location.hash.startsWith('#person/')")

    # Hide her: she leaves the page, and "Show hidden" brings her back to unhide.
    page.click("nav.views a[data-view=people]")
    page.wait_for_function("() => document.querySelectorAll('.person-card').length === 2")  # the page is drawn
    before = page.locator(".person-card").count()
    assert page.locator(".person-count").all_inner_texts() == ["3 faces", "1 face"]  # Grace, then Eileen
    page.locator(".person-card").first.locator(".person-hide").click()
    page.wait_for_function("(n) => document.querySelectorAll('.person-card').length === n - 1", arg=before)
    assert "Grace" not in [c.input_value() for c in page.locator(".person-name").all()]
    assert page.inner_text("#people-hidden-count") == "(1)"
    page.check("#people-show-hidden")
    hidden = page.locator(".person-card[data-hidden=true]")
    hidden.wait_for()
    assert hidden.locator(".person-name").input_value() == "Grace"
    assert hidden.locator(".person-hide").inner_text() == "Unhide"
    hidden.locator(".person-hide").click()
    page.wait_for_function("() => !document.querySelector('.person-card[data-hidden=true]')")
    page.uncheck("#people-show-hidden")
    page.wait_for_function("(n) => document.querySelectorAll('.person-card').length === n", arg=before)

    # Merge: both ticked, "Merge" makes them one, under the name of the one with more faces.
    assert page.is_disabled("#people-merge")
    page.locator(".person-select").nth(0).check()
    assert page.is_disabled("#people-merge")  # one alone is nothing to merge
    page.locator(".person-select").nth(1).check()
    page.click("#people-merge")
    page.wait_for_function("() => document.querySelectorAll('.person-card').length === 1")
    assert page.locator(".person-count").all_inner_texts() == ["4 faces"]
    assert page.locator(".person-name").input_value() == "Grace"


def test_with_people_off_the_page_says_so(browser: Any, tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", env={"AURORAVAULT_FACES__ENABLED": "false"})
    off = Tab(browser, server)
    try:
        page = off.page
        register(page)
        page.click("nav.views a[data-view=people]")
        message = page.locator(".people-off")
        message.wait_for()
        assert message.inner_text() == FACES_UNAVAILABLE  # the server's own words (the 409's detail)
        assert page.locator(".person-card").count() == 0
        assert page.locator("#people-merge").count() == 0
    finally:
        off.close()
        server.stop()
