"""Events in the web app, in Chromium: a generated library with months at home and two days in
Lisbon shows a trip card titled by place and dates; opening it shows its photos and "Make an
album" makes the album and opens it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.places.photos import jpeg
from tests.web.test_web import Tab, register, tab, wait_rows  # noqa: F401  (tab: the fixture)

TALLINN = (59.4370, 24.7536)
LISBON = (38.7223, -9.1393)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_events_page_shows_the_trip_and_makes_an_album_of_it(tab: Tab, tmp_path: Path) -> None:  # noqa: F811
    page = tab.page
    register(page)
    shots = [("2024:01:10 15:00:00", TALLINN), ("2024:03:10 15:00:00", TALLINN), ("2024:08:10 15:00:00", TALLINN)]
    shots += [(f"2024:06:0{d} {h}:00:00", LISBON) for d in (3, 4) for h in (10, 12)]
    files = []
    for n, (taken, gps) in enumerate(shots):
        path = tmp_path / f"e{n}.jpg"
        path.write_bytes(jpeg(taken=taken, gps=gps, color=(30 * n, 90, 200 - 20 * n)))
        files.append(str(path))
    page.set_input_files("#file-input", files)
    wait_rows(page, "done", len(files))
    page.wait_for_function("(n) => document.querySelectorAll('.tile[data-status=ready]').length >= n", arg=len(files))

    page.click("nav.views a[data-view=events]")
    trip = page.locator(".event-card[data-kind=trip]")
    trip.wait_for()
    assert trip.locator(".card-title").inner_text() == "Lisbon, 3-4 June 2024"
    assert "4 photos" in trip.inner_text()
    titles = page.locator(".event-card .card-title").all_inner_texts()
    assert titles[0] == "Tallinn, 10 August 2024"
    assert "Tallinn, 10 January 2024" in titles and "Lisbon, 3 June 2024" in titles
    page.wait_for_selector(".event-card[data-kind=trip] img")  # its cover thumbnail

    trip.click()
    page.wait_for_function("() => document.querySelectorAll('.event-photo img').length === 4")
    assert page.inner_text("#page .view-title") == "Lisbon, 3-4 June 2024"
    page.click("#event-album")
    page.wait_for_function("() => location.hash.startsWith('#album/')")
    page.wait_for_function("() => document.querySelector('#album-name').textContent === 'Lisbon, 3-4 June 2024'")
    page.wait_for_function("() => document.querySelectorAll('.tile[data-status=ready]').length === 4")
