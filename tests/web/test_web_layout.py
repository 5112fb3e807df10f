"""The timeline's justified rows, the month scrubber and selecting photos, in Chromium.

The photos are a stand-in API answered by the test (as for the 12,000-photo test): many months
of known sizes, so the geometry can be checked exactly, without uploading hundreds of files.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from tests.e2e.conftest import Server
from tests.web.test_web import Tab

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# (width, height) in turn: landscape, portrait, panorama-ish, square, 3:2.
SIZES = [(4000, 3000), (3000, 4000), (1920, 1080), (1000, 1000), (6000, 4000), (2000, 3000)]
# Newest first: December 2024 back to January 2019, every month with photos; some months hold
# a single photo, some dozens.
MONTHS = [f"{2024 - i // 12}-{12 - i % 12:02d}" for i in range(72)]
COUNTS = [1, 7, 3, 14, 1, 26, 2, 9, 1, 5, 40, 4]


def _thumb(photos: Path) -> str:
    with Image.open(photos / "flower.jpg") as im:
        small = im.convert("RGB")
        small.thumbnail((32, 32))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


class StandIn:
    """GET /timeline and GET /photos for MONTHS x COUNTS photos of SIZES."""

    def __init__(self, thumb: str) -> None:
        self.thumb = thumb
        self.photos: list[dict[str, Any]] = []
        for m, month in enumerate(MONTHS):
            for k in range(COUNTS[m % len(COUNTS)]):
                i = len(self.photos)
                width, height = SIZES[i % len(SIZES)]
                self.photos.append(
                    {
                        "id": f"p{i}",
                        "status": "ready",
                        "filename": f"IMG_{i:05d}.jpg",
                        "content_type": "image/jpeg",
                        "size": 1000,
                        "sha256": "0" * 64,
                        "width": width,
                        "height": height,
                        "taken_at": f"{month}-{28 - k % 27:02d}T12:00:00Z",
                        "camera": {"make": None, "model": None, "lens": None},
                        "location": None,
                        "favorite": False,
                        "created_at": "2024-12-31T00:00:00Z",
                        "updated_at": "2024-12-31T00:00:00Z",
                        "thumb_url": f"{thumb}#{i}",
                    }
                )

    def months(self) -> list[dict[str, Any]]:
        return [{"month": m, "count": COUNTS[i % len(COUNTS)]} for i, m in enumerate(MONTHS)]

    def __call__(self, route: Any) -> None:
        url = urlsplit(route.request.url)
        query = parse_qs(url.query)
        path = url.path.rstrip("/")
        if path == "/api/v1/timeline":
            body: Any = self.months()
        elif path == "/api/v1/photos":
            start, limit = int(query.get("cursor", ["0"])[0]), int(query["limit"][0])
            end = min(len(self.photos), start + limit)
            body = {"items": self.photos[start:end], "next_cursor": str(end) if end < len(self.photos) else None}
        elif path.startswith("/api/v1/photos/") and path.count("/") == 4:  # one photo (the viewer's people)
            body = next(p for p in self.photos if p["id"] == path.rsplit("/", 1)[-1])
        elif path.startswith("/api/v1/photos/") and path.rsplit("/", 1)[-1] in ("preview", "thumb"):
            body = {"url": self.thumb, "expires_at": "2999-01-01T00:00:00Z"}
        elif path == "/api/v1/users/me":
            body = {"id": "u1", "email": "f@example.com", "display_name": "Fam", "used_bytes": 0, "quota_bytes": 1}
        else:
            route.continue_()
            return
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


@pytest.fixture
def stand_in(photos: Path) -> StandIn:
    return StandIn(_thumb(photos))


def open_tab(browser: Any, server: Server, stand_in: StandIn, **options: Any) -> Tab:
    t = Tab(browser, server, service_workers="block", **options)
    session = {"token": "t", "expires_at": "2999-01-01T00:00:00Z", "user": {"id": "u1", "display_name": "Fam"}}
    t.page.add_init_script(f"localStorage.setItem('auroravault.session', {json.dumps(json.dumps(session))})")
    t.page.route("**/api/v1/**", stand_in)
    t.page.goto("/")
    t.page.wait_for_selector(".tile[data-id=p0] img.thumb.loaded")
    return t


@pytest.fixture
def desktop(browser: Any, web_server: Server, stand_in: StandIn) -> Iterator[Tab]:
    t = open_tab(browser, web_server, stand_in)
    yield t
    t.close()


# Every tile and heading on screen, relative to the timeline: what the user sees.
GEOMETRY = """() => {
    const root = document.querySelector('#timeline').getBoundingClientRect();
    const rect = (el) => { const r = el.getBoundingClientRect();
        return { x: r.left - root.left, y: r.top - root.top, w: r.width, h: r.height }; };
    return {
        width: root.width,
        tiles: [...document.querySelectorAll('.tile[data-id]')].map((t) => ({ id: t.dataset.id, ...rect(t) })),
        headings: [...document.querySelectorAll('.month')].map((h) => ({ month: h.dataset.month,
            text: h.textContent, ...rect(h) })),
    };
}"""


def rows_of(tiles: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    rows: dict[int, list[dict[str, Any]]] = {}
    for tile in tiles:
        rows.setdefault(round(tile["y"]), []).append(tile)
    return [sorted(row, key=lambda t: t["x"]) for _, row in sorted(rows.items())]


def test_months_pack_into_justified_rows_by_aspect_ratio(desktop: Tab, stand_in: StandIn, artifacts: Path) -> None:
    page = desktop.page
    geometry = page.evaluate(GEOMETRY)
    by_id = {p["id"]: p for p in stand_in.photos}
    last_id = stand_in.photos[-1]["id"]
    rows = rows_of(geometry["tiles"])
    assert len(rows) >= 3
    for row in rows:
        # Each photo at its own shape, the whole row at one height.
        for tile in row:
            photo = by_id[tile["id"]]
            assert tile["w"] / tile["h"] == pytest.approx(photo["width"] / photo["height"], rel=0.02), tile
        assert max(t["h"] for t in row) - min(t["h"] for t in row) < 1
        # The row fills the width edge to edge: no half-empty rows.
        if all(t["id"] != last_id for t in row):
            assert row[0]["x"] == pytest.approx(0, abs=1)
            assert row[-1]["x"] + row[-1]["w"] == pytest.approx(geometry["width"], abs=1.5), row
    # December 2024 holds one photo: November 2024 starts in the same row, beside it.
    headings = {h["month"]: h for h in geometry["headings"]}
    assert "1 photo" in headings["2024-12"]["text"]
    assert headings["2024-11"]["y"] == pytest.approx(headings["2024-12"]["y"], abs=1)
    assert headings["2024-11"]["x"] > headings["2024-12"]["x"]
    first = next(t for t in geometry["tiles"] if t["id"] == "p0")
    second = next(t for t in geometry["tiles"] if t["id"] == "p1")
    assert second["y"] == pytest.approx(first["y"], abs=1) and second["x"] > first["x"] + first["w"]
    page.screenshot(path=str(artifacts / "justified-desktop.png"))


def heading_at_top(page: Any) -> str:
    """The month whose heading is nearest under the top bar."""
    return str(
        page.evaluate(
            """() => {
                const bar = document.querySelector('.topbar').getBoundingClientRect().bottom;
                const below = [...document.querySelectorAll('.month')]
                    .map((h) => ({ month: h.dataset.month, top: h.getBoundingClientRect().top }))
                    .filter((h) => h.top >= bar - 2).sort((a, b) => a.top - b.top);
                return below.length ? below[0].month : '';
            }"""
        )
    )


def wait_month_on_top(page: Any, month: str) -> None:
    page.wait_for_function(
        """(month) => {
            const bar = document.querySelector('.topbar').getBoundingClientRect().bottom;
            const h = document.querySelector(`.month[data-month="${month}"]`);
            if (!h) return false;
            const top = h.getBoundingClientRect().top;
            return top >= bar - 2 && top < bar + 60 && document.querySelector('.tile[data-id] img.thumb.loaded');
        }""",
        arg=month,
    )


def test_the_scrubber_jumps_to_a_year_and_a_month(desktop: Tab, artifacts: Path) -> None:
    page = desktop.page
    scrubber = page.locator("#scrubber")
    assert scrubber.is_visible()
    years = page.locator(".scrubber-year").all_inner_texts()
    assert years == ["2024", "2023", "2022", "2021", "2020", "2019"]

    # Pointing shows the month under the pointer; a click on a year goes to its newest month.
    page.hover(".scrubber-year >> text=2021")
    assert page.inner_text(".scrubber-bubble") == "December 2021"
    page.click(".scrubber-year >> text=2021")
    wait_month_on_top(page, "2021-12")
    assert page.locator(".tile[data-id]").count() < 300
    page.screenshot(path=str(artifacts / "scrubber-2021.png"))

    # The keyboard: a month down, a year down, the very end.
    page.focus("#scrubber")
    page.keyboard.press("ArrowDown")
    wait_month_on_top(page, "2021-11")
    assert scrubber.get_attribute("aria-valuetext") == "November 2021"
    page.keyboard.press("PageDown")
    wait_month_on_top(page, "2020-12")
    page.keyboard.press("Home")
    wait_month_on_top(page, "2024-12")
    assert heading_at_top(page) == "2024-12"


def test_select_with_clicks_shift_and_keys_then_clear(desktop: Tab) -> None:
    page = desktop.page
    bar = page.locator("#action-bar")
    assert not bar.is_visible()
    page.click(".tile[data-id=p1] .check")
    assert page.inner_text("#select-count") == "1 selected"
    assert page.get_attribute(".tile[data-id=p1]", "data-selected") == "true"
    assert not page.locator("#viewer[open]").count(), "the check selects, it does not open the photo"
    # Shift-click: the whole range, across a month boundary.
    page.click(".tile[data-id=p5]", modifiers=["Shift"])
    assert page.inner_text("#select-count") == "5 selected"
    assert page.locator(".tile[data-selected=true]").count() == 5
    # While selecting, a click on a tile selects it too.
    page.click(".tile[data-id=p9]")
    assert page.inner_text("#select-count") == "6 selected"
    assert bar.is_visible() and page.locator("#bulk-trash").is_visible()
    page.keyboard.press("Escape")
    assert not bar.is_visible()
    assert page.locator(".tile[data-selected=true]").count() == 0
    # Without a selection a click opens the viewer, as before; `x` selects the focused photo.
    page.click(".tile[data-id=p2]")
    page.wait_for_selector("#viewer[open]")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.dataset.id === 'p2'")
    page.keyboard.press("x")
    assert page.inner_text("#select-count") == "1 selected"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+X")
    assert page.inner_text("#select-count") == "2 selected"


def test_a_long_press_selects_on_a_phone(browser: Any, web_server: Server, stand_in: StandIn, artifacts: Path) -> None:
    t = open_tab(
        browser,
        web_server,
        stand_in,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = t.page
    box = page.locator(".tile[data-id=p3]").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    page.wait_for_selector("#action-bar:not([hidden])")
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert page.inner_text("#select-count") == "1 selected"
    assert not page.locator("#viewer[open]").count(), "a long press selects, it does not open"
    # Then a tap adds another.
    page.tap(".tile[data-id=p4]")
    assert page.inner_text("#select-count") == "2 selected"
    geometry = page.evaluate(GEOMETRY)
    for row in rows_of(geometry["tiles"])[:-1]:
        assert row[-1]["x"] + row[-1]["w"] == pytest.approx(geometry["width"], abs=1.5)
    page.screenshot(path=str(artifacts / "select-phone.png"))
    t.close()


class Processed(StandIn):
    """The first /timeline answer is from before the newest photo was processed: it counts that
    photo under the upload month (2026-12), while every /photos page already has its EXIF date."""

    def __init__(self, thumb: str) -> None:
        super().__init__(thumb)
        self.answers = 0

    def months(self) -> list[dict[str, Any]]:
        self.answers += 1
        fresh = super().months()
        if self.answers > 1:
            return fresh
        fresh[0]["count"] -= 1  # December 2024 holds one photo: before processing, it had none
        return [{"month": "2026-12", "count": 1}] + [m for m in fresh if m["count"]]


def test_a_photo_processed_between_the_counts_and_the_page_is_under_its_own_month(
    browser: Any, web_server: Server, photos: Path
) -> None:
    stale = Processed(_thumb(photos))
    tab = open_tab(browser, web_server, stale)
    try:
        page = tab.page
        page.wait_for_selector('.month[data-month="2024-12"]')
        headings = page.eval_on_selector_all(".month", "els => els.map((e) => e.dataset.month)")
        assert "2026-12" not in headings
        assert headings[:2] == ["2024-12", "2024-11"]
        assert "1 photo" in page.inner_text('.month[data-month="2024-12"]')
        assert stale.answers >= 2  # the counts were read again after the page
    finally:
        tab.close()
