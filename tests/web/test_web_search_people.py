"""Search by person in the web app, in Chromium, with the real face model: two portraits of
Grace Hopper and one of Eileen Collins become people; once Grace is named, typing "gra" in the
search box offers her as a Person (with her photo count), choosing her shows a "Person: Grace"
chip and exactly her photos, and a typed word of a name (Enter: ``q``) finds that person too."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.faces.conftest import VARIANTS, astronaut, hopper
from tests.web.test_web import Tab, api_get, grid_filenames, register, tab  # noqa: F401  (tab: the fixture)
from tests.web.test_web_library import wait_tiles
from tests.web.test_web_people import upload_until_ready
from tests.web.test_web_search_places import search_box

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def portraits(folder: Path) -> list[str]:
    files = []
    for name in ("as_is", "dark"):
        files.append(folder / f"grace_{name}.jpg")
        VARIANTS[name](hopper()).save(files[-1], "JPEG", quality=90)
    files.append(folder / "eileen.jpg")
    astronaut().save(files[-1], "JPEG", quality=90)
    return [str(f) for f in files]


def people_when_found(page: Any, counts: list[int], timeout: float = 180) -> list[dict[str, Any]]:
    """GET /people once the faces jobs (after processing, in no set order) filed every face."""
    deadline = time.monotonic() + timeout
    while True:
        people: list[dict[str, Any]] = api_get(page, "/people")
        if [p["face_count"] for p in people] == counts:
            return people
        assert time.monotonic() < deadline, f"people seen: {people}"
        time.sleep(1)


def rename(page: Any, person_id: str, name: str) -> None:
    status = page.evaluate(
        """async ([id, name]) => {
            const { token } = JSON.parse(localStorage.getItem('auroravault.session'));
            const r = await fetch('/api/v1/people/' + id, {
                method: 'PATCH',
                headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
                body: JSON.stringify({ name }),
            });
            return r.status;
        }""",
        [person_id, name],
    )
    assert status == 200


def test_a_person_is_suggested_in_the_search_box_and_finds_their_photos(tab: Tab, tmp_path: Path) -> None:  # noqa: F811
    page = tab.page
    register(page)
    files = portraits(tmp_path)
    upload_until_ready(page, files)
    page.click("#upload-toggle")
    grace, eileen = people_when_found(page, [2, 1])
    rename(page, grace["id"], "Grace Hopper")
    rename(page, eileen["id"], "Eileen Collins")

    search_box(page, "gra")
    option = page.locator('#search-suggestions li[data-field=person][data-value="Grace Hopper"]')
    option.wait_for()
    assert option.locator(".suggestion-field").inner_text() == "Person"
    assert option.locator(".suggestion-count").inner_text() == "2"
    option.click()
    page.wait_for_selector('#search-chips .chip.on[data-field="person"]')
    assert page.inner_text('#search-chips .chip[data-field="person"]').startswith("Person: Grace Hopper")
    page.wait_for_function("() => location.hash.includes('person=Grace')")
    wait_tiles(page, 2)
    assert sorted(grid_filenames(page)) == ["grace_as_is.jpg", "grace_dark.jpg"]

    # A click on the chip takes the person away; a typed word of a name (Enter) searches the text, names too.
    page.click('#search-chips .chip[data-field="person"]')
    page.wait_for_function("() => !location.hash.includes('person=')")
    search_box(page, "collins")
    page.press("#search-input", "Enter")
    page.wait_for_selector('#search-chips .chip.on[data-field="q"]')
    wait_tiles(page, 1)
    assert grid_filenames(page) == ["eileen.jpg"]
