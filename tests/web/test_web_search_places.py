"""Search, places, the map and "on this day" in the web app: Chromium against ``auroravault serve``.

Two photos with GPS (starfish.jpg on Sylt, Germany; iphone_hdr_NO.jpg in Madrid) and two without: a
search from a typeahead suggestion and its chips, the places page (countries, then cities),
the map drawn from the bundled outline with the server's clusters and no other network at
all, a cluster that opens its photo, and the memory card of a photo dated today years ago.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Server
from tests.web.test_web import Tab, api_get, grid_filenames, open_photo, register
from tests.web.test_web_library import go, upload, wait_tiles

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LOCATED = ["starfish.jpg", "iphone_hdr_NO.jpg"]
UNLOCATED = ["flower.jpg", "r_canon.jpg"]


def wait_places(page: Any, count: int) -> list[dict[str, Any]]:
    """GET /places once the server has named ``count`` places."""
    for _ in range(120):
        rows: list[dict[str, Any]] = api_get(page, "/places")
        if len(rows) >= count:
            return rows
        page.wait_for_timeout(250)
    raise AssertionError(f"the server named fewer than {count} places: {rows}")


def search_box(page: Any, text: str) -> None:
    page.fill("#search-input", "")
    page.type("#search-input", text, delay=30)


def test_search_places_map_and_memories(browser: Any, web_server: Server, photos: Path, artifacts: Path) -> None:
    t = Tab(browser, web_server)
    page = t.page
    # Nothing but this server, ever: the map must draw with no network.
    origin = urlsplit(web_server.url).netloc
    elsewhere: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).netloc == origin or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    t.context.route("**/*", guard)
    register(page)
    upload(page, photos, LOCATED + UNLOCATED)
    places = wait_places(page, 2)
    spain = next(p for p in places if p["country_code"] == "ES")
    germany = next(p for p in places if p["country_code"] == "DE")

    # -- search: a suggestion becomes a chip ---------------------------------------------------
    search_box(page, spain["country"][:3])
    option = page.locator(f'#search-suggestions li[data-field=country][data-value="{spain["country"]}"]')
    option.wait_for()
    assert option.locator(".suggestion-count").inner_text() == "1"
    option.click()
    page.wait_for_selector('#search-chips .chip.on[data-field="country"]')
    assert page.inner_text('#search-chips .chip[data-field="country"]').startswith(f"Country: {spain['country']}")
    wait_tiles(page, 1)
    assert grid_filenames(page) == ["iphone_hdr_NO.jpg"]
    page.screenshot(path=str(artifacts / "search.png"))
    # An on/off chip narrows it further: no favorite in Spain.
    page.click('#search-chips .chip[data-field="favorite"]')
    page.wait_for_selector('#search-chips .chip[data-field="favorite"][aria-pressed=true]')
    page.wait_for_selector("#empty:not([hidden])")
    assert page.inner_text("#empty") == "No photos match this search."
    page.click('#search-chips .chip[data-field="favorite"]')
    wait_tiles(page, 1)
    # The cross takes the country away; words typed and Enter search the text itself.
    page.click('#search-chips .chip[data-field="country"]')
    page.wait_for_function("() => !document.querySelector('#search-chips .chip[data-field=country]')")
    search_box(page, "starfish")
    page.keyboard.press("Enter")
    page.wait_for_selector('#search-chips .chip[data-field="q"]')
    wait_tiles(page, 1)
    assert grid_filenames(page) == ["starfish.jpg"]
    open_photo(page, "starfish.jpg")  # the same viewer
    page.click("#viewer-close")

    # -- places: countries, then cities --------------------------------------------------------
    go(page, "places")
    cards = page.locator(".place-card")
    cards.first.wait_for()
    countries = {c.get_attribute("data-code"): c for c in cards.all()}
    assert set(countries) == {"ES", "DE"}
    assert countries["ES"].locator(".card-facts").text_content() == "1 photo · 1 place"
    page.wait_for_function("() => document.querySelectorAll('.place-card .cover img').length === 2")
    page.screenshot(path=str(artifacts / "places.png"))
    countries["DE"].click()
    page.wait_for_function("(name) => document.querySelector('#page h1').textContent === name", arg=germany["country"])
    city = page.locator(".place-card")
    assert city.count() == 1
    assert city.get_attribute("data-city") == (germany["city"] or "")
    city.click()
    page.wait_for_selector('#search-chips .chip[data-field="country"]')
    wait_tiles(page, 1)
    assert grid_filenames(page) == ["starfish.jpg"]

    # -- the map: the bundled outline, the server's clusters, a photo opened ------------------
    go(page, "map")
    page.wait_for_selector("#map[data-state=ready]")
    land = page.evaluate("() => document.querySelector('#map-svg .land').getBBox().width")
    assert land > 200, "the world outline is drawn"
    assert page.get_attribute("#map", "data-tiles") == "off"
    page.wait_for_function("() => document.querySelectorAll('#map .cluster').length === 2")
    assert page.inner_text("#map-status") == "2 photos in view"
    page.screenshot(path=str(artifacts / "map.png"))
    # Zooming asks again for the box on screen; the clusters stay.
    page.click("#map-zoom-in")
    page.wait_for_selector("#map[data-zoom='3'][data-state=ready]")
    assert page.locator("#map .cluster").count() >= 1
    madrid = page.locator('#map .cluster[data-count="1"]').first
    photo_id = madrid.get_attribute("data-photo-id")
    madrid.click()
    page.wait_for_selector("#viewer[open]")
    opened = api_get(page, f"/photos/{photo_id}")
    page.wait_for_function(
        "(name) => document.querySelector('#viewer-title').textContent === name", arg=opened["filename"]
    )
    assert opened["filename"] in LOCATED
    page.click("#viewer-close")

    # -- on this day: r_canon.jpg dated today, five years ago ---------------------------------
    go(page, "photos")
    assert page.locator("#memories").is_hidden()
    open_photo(page, "r_canon.jpg")
    page.click("#viewer-edit")
    today = date.today()
    then = today.replace(year=today.year - 5)
    page.fill("#viewer-edit-form input[name=taken_at]", f"{then.isoformat()}T09:30:00")
    page.click("#viewer-edit-form [type=submit]")
    page.wait_for_selector("#viewer-edit-form", state="hidden")
    page.click("#viewer-close")
    page.reload()
    card = page.locator(f'#memories .memory[data-year="{then.year}"]')
    card.wait_for()
    assert card.locator("strong").text_content() == "5 years ago"
    assert card.locator(".card-facts").text_content() == f"{then.year} · 1 photo"
    page.wait_for_function("() => [...document.querySelectorAll('#memories img')].some((i) => i.naturalWidth > 0)")
    page.screenshot(path=str(artifacts / "memories.png"))
    card.click()
    wait_tiles(page, 1)
    assert grid_filenames(page) == ["r_canon.jpg"]

    assert elsewhere == [], f"the app reached outside its server: {elsewhere}"
    t.close()
