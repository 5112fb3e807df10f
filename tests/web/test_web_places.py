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


def test_the_about_button_fits_the_top_bar_on_a_phone(browser, web_server) -> None:
    phone = Tab(browser, web_server, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    try:
        page = phone.page
        register(page)
        about = page.evaluate(
            "() => { const r = document.querySelector('#about').getBoundingClientRect();"
            " return {left: r.left, right: r.right, width: r.width, height: r.height, screen: window.innerWidth}; }"
        )
        assert about["width"] >= 24 and about["height"] >= 24, about  # a round "i", big enough to tap
        assert about["left"] >= 0 and about["right"] <= about["screen"], about
        page.click("#about")
        page.wait_for_selector("#about-dialog[open]")
    finally:
        phone.close()
