"""Places in the web app, in Chromium: the viewer names where a photo was taken, and the
about box credits the data that names it."""

from __future__ import annotations

from pathlib import Path

from tests.places.photos import jpeg
from tests.web.test_web import Tab, open_photo, register, tab, wait_rows  # noqa: F401  (tab: the fixture)


def test_the_viewer_says_tallinn_estonia_not_coordinates(tab: Tab, tmp_path: Path) -> None:  # noqa: F811
    page = tab.page
    register(page)
    trip = tmp_path / "tallinn.jpg"
    trip.write_bytes(jpeg(taken="2019:07:14 12:00:00", gps=(59.4370, 24.7536)))
    page.set_input_files("#file-input", [str(trip)])
    wait_rows(page, "done", 1)
    page.wait_for_selector('.tile[data-filename="tallinn.jpg"][data-status=ready]')
    open_photo(page, "tallinn.jpg")
    place = page.locator("#viewer-meta dd[data-field=place]")
    place.wait_for()
    assert place.inner_text() == "Tallinn, Estonia"
    assert "59.43700° N" in (place.locator("a").get_attribute("title") or "")
    # Noon in Tallinn, as the camera's clock said (the offset came from the coordinates).
    assert "July 14, 2019" in page.inner_text("#viewer-meta")
    assert "12:00" in page.inner_text("#viewer-meta dd[data-field=taken]")


def test_the_about_box_credits_geonames(tab: Tab) -> None:  # noqa: F811
    page = tab.page
    register(page)
    page.click("#about")
    page.wait_for_selector("#about-dialog[open]")
    text = page.inner_text("#about-dialog")
    assert "GeoNames" in text and "CC BY 4.0" in text
    assert page.get_attribute("#about-dialog a[href*=geonames]", "href") == "https://www.geonames.org/"
    page.click("#about-close")
    page.wait_for_function("() => !document.querySelector('#about-dialog').open")


def test_on_a_phone_the_logo_opens_the_about_box(browser, web_server) -> None:
    phone = Tab(browser, web_server, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = phone.page
        register(page)
        logo = page.locator(".topbar .brand img").bounding_box()
        assert logo is not None
        # A tap on the middle of the logo lands on the about button lying over it.
        page.touchscreen.tap(logo["x"] + logo["width"] / 2, logo["y"] + logo["height"] / 2)
        page.wait_for_selector("#about-dialog[open]")
        assert "CC BY 4.0" in page.inner_text("#about-dialog")
    finally:
        phone.close()
