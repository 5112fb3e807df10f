"""The web app in a real browser: Debian's Chromium, headless, driven by Playwright.

Everything goes through the UI (file input, clicks, keys) against ``auroravault serve`` in a
subprocess; the HTTP API is only read to check what the UI shows.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image, ImageOps

from auroravault.imaging import thumbhash_encode
from tests.e2e.conftest import Server
from tests.web.conftest import start_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 30_000

# A dozen photos: EXIF dates from 2003 to 2020, some without any date (they sort by upload
# time, so first), an EXIF-rotated one (Landscape_6: Orientation 6), PNG, WebP and CMYK.
DOZEN = [
    "flower.jpg",
    "dsc_09827.jpg",
    "r_sony.jpg",
    "starfish.jpg",
    "r_canon.jpg",
    "canon_hdr_NO.jpg",
    "empty_gps_ifd.jpg",
    "Landscape_1.jpg",
    "Landscape_6.jpg",
    "hopper.png",
    "hopper_orientation_6.webp",
    "pil_sample_cmyk.jpg",
]
# The dated ones, newest first, as the MANIFEST's DateTimeOriginal says.
DATED_NEWEST_FIRST = [
    "empty_gps_ifd.jpg",  # 2020-07-27
    "canon_hdr_NO.jpg",  # 2015-02-09
    "r_canon.jpg",  # 2013-12-17
    "starfish.jpg",  # 2013-05-10
    "r_sony.jpg",  # 2013-04-13
    "dsc_09827.jpg",  # 2004-05-22
    "flower.jpg",  # 2003-12-14
]

_users = itertools.count(1)


class Tab:
    """One browser context and page, collecting uncaught errors and CSP violations."""

    def __init__(self, browser: Any, server: Server, **options: Any) -> None:
        self.context = browser.new_context(
            base_url=server.url,
            viewport=options.pop("viewport", {"width": 1280, "height": 900}),
            locale="en-US",
            timezone_id="UTC",
            accept_downloads=True,
            **options,
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        self.page.on(
            "console",
            lambda msg: self.problems.append(msg.text) if "Content Security Policy" in msg.text else None,
        )

    def close(self) -> None:
        self.context.close()
        assert not self.problems, self.problems


@pytest.fixture
def tab(browser: Any, web_server: Server) -> Iterator[Tab]:
    t = Tab(browser, web_server)
    yield t
    t.close()


def register(page: Any, name: str = "Ada") -> str:
    email = f"user{next(_users)}-{id(page)}@example.com"
    page.goto("/")
    page.click("#tab-register")
    page.fill("input[name=display_name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#auth-submit")
    page.wait_for_selector("#gallery-view:not([hidden])")
    return email


def log_in(page: Any, email: str, password: str) -> None:
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("#auth-submit")


def wait_rows(page: Any, state: str, count: int) -> None:
    page.wait_for_function(
        "([state, n]) => document.querySelectorAll(`#upload-list li[data-state=${state}]`).length >= n",
        arg=[state, count],
    )


def wait_thumbnails(page: Any, count: int) -> None:
    """``count`` ready tiles whose thumbnails are loaded, decoded and of non-zero size."""
    page.wait_for_function(
        """(n) => {
            const imgs = [...document.querySelectorAll('.tile[data-status=ready] img.thumb.loaded')];
            return imgs.length >= n && imgs.every((img) => img.complete && img.naturalWidth > 0
                && img.getBoundingClientRect().width > 0 && img.getBoundingClientRect().height > 0);
        }""",
        arg=count,
    )
    page.evaluate("Promise.all([...document.querySelectorAll('.tile img.thumb.loaded')].map((i) => i.decode()))")


def grid_filenames(page: Any) -> list[str]:
    """The file names in the grid in order, scrolling through it (only tiles near the view exist)."""
    return list(
        page.evaluate(
            """async () => {
                const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                const seen = new Map();
                const start = window.scrollY;
                for (let y = 0; ; y += window.innerHeight / 2) {
                    window.scrollTo(0, y);
                    await frame();
                    for (const t of document.querySelectorAll('.tile[data-id]')) {
                        seen.set(Number(t.dataset.index), t.dataset.filename);
                    }
                    if (y + window.innerHeight >= document.documentElement.scrollHeight) break;
                }
                window.scrollTo(0, start);
                await frame();
                return [...seen.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
            }"""
        )
    )


def api_get(page: Any, path: str) -> Any:
    """GET the API with the page's own session (to check what the UI shows)."""
    return page.evaluate(
        """async (path) => {
            const { token } = JSON.parse(localStorage.getItem('auroravault.session'));
            const r = await fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + token } });
            return r.json();
        }""",
        path,
    )


def wait_grid_in_api_order(page: Any, count: int) -> list[str]:
    """Wait until every photo is processed and the grid shows them in the API's order."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        listed = api_get(page, "/photos?limit=200")["items"]
        names = [p["filename"] for p in listed]
        ready = len(listed) == count and all(p["status"] == "ready" for p in listed)
        if ready and grid_filenames(page) == names:
            return names
        if time.monotonic() > deadline:
            raise AssertionError(f"grid {grid_filenames(page)} never matched the API's {names}")
        page.wait_for_timeout(250)


def open_photo(page: Any, filename: str) -> None:
    page.click(f'.tile[data-filename="{filename}"]')
    page.wait_for_selector("#viewer[open]")
    page.wait_for_function("(name) => document.querySelector('#viewer-title').textContent === name", arg=filename)


def upright_difference(pixels: list[int], reference: Image.Image) -> float:
    """Mean absolute RGB difference between browser RGBA pixels and a Pillow image of the same size."""
    ref = list(reference.convert("RGB").tobytes())
    diffs = [abs(pixels[i * 4 + c] - ref[i * 3 + c]) for i in range(len(ref) // 3) for c in range(3)]
    return sum(diffs) / len(diffs)


# -- accounts --------------------------------------------------------------------------------
def test_register_logout_login_and_clear_messages(tab: Tab) -> None:
    page = tab.page
    email = register(page, name="Grace")
    assert page.inner_text("#user-name") == "Grace"
    # The empty state appears once the (empty) first page of photos has come back.
    page.wait_for_selector("#empty", state="visible")

    page.click("#logout")
    page.wait_for_selector("#auth-view:not([hidden])")
    log_in(page, email, "not the password")
    page.wait_for_selector("#auth-error:not([hidden])")
    assert page.inner_text("#auth-error") == "Wrong email or password."

    log_in(page, email, PASSWORD)
    page.wait_for_selector("#gallery-view:not([hidden])")
    page.click("#logout")
    page.wait_for_selector("#auth-view:not([hidden])")

    # Five failures per account and window; the sixth try is refused with 429.
    stranger = f"nobody-{id(page)}@example.com"
    for _ in range(6):
        log_in(page, stranger, "guess")
        page.wait_for_function("() => !document.querySelector('#auth-submit').disabled")
    assert "Too many failed attempts. Try again in 15 minutes." in page.inner_text("#auth-error")


def test_forgotten_password_reset_through_the_emailed_link(tab: Tab, web_server: Server) -> None:
    import email
    import email.policy
    import re

    page = tab.page
    address = register(page, name="Forgetful")
    page.click("#logout")
    page.wait_for_selector("#auth-view:not([hidden])")
    page.click("#forgot")
    assert page.is_hidden("#password-field")
    page.fill("input[name=email]", address)
    page.click("#auth-submit")
    page.wait_for_selector("#auth-note:not([hidden])")
    assert "link to choose a new password is on its way" in page.inner_text("#auth-note")

    # the offline default mailer writes the email to the outbox; the link is in it
    outbox = web_server.data_dir / "outbox"
    link = None
    deadline = time.monotonic() + 30
    while link is None and time.monotonic() < deadline:
        for eml in outbox.glob("*.eml"):
            msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if msg["To"] == address and "Reset" in msg["Subject"]:
                body = msg.get_body(("plain",)).get_content()
                link = re.search(r"(http\S+reset_token=\S+)", body).group(1)
        time.sleep(0.2)
    assert link, "no reset email arrived in the outbox"

    page.goto(urlsplit(link).path + "?" + urlsplit(link).query)
    page.wait_for_selector("#auth-view:not([hidden])")
    assert page.inner_text("#auth-submit") == "Set new password" and page.is_hidden("#email-field")
    page.fill("input[name=password]", "a whole new password")
    page.click("#auth-submit")
    page.wait_for_selector("#auth-note:not([hidden])")
    assert "Your password is changed" in page.inner_text("#auth-note")
    assert "reset_token" not in page.url  # used once, not kept in the address bar or history

    log_in(page, address, PASSWORD)
    page.wait_for_selector("#auth-error:not([hidden])")
    log_in(page, address, "a whole new password")
    page.wait_for_selector("#gallery-view:not([hidden])")

    page.goto(urlsplit(link).path + "?" + urlsplit(link).query)  # the link works once
    page.fill("input[name=password]", "yet another password")
    page.click("#auth-submit")
    page.wait_for_selector("#auth-error:not([hidden])")
    assert "unknown, used or expired" in page.inner_text("#auth-error")


def test_closed_registration_says_so(browser: Any, tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", env={"AURORAVAULT_AUTH__REGISTRATION": "closed"})
    try:
        t = Tab(browser, server)
        page = t.page
        page.goto("/")
        page.click("#tab-register")
        page.fill("input[name=display_name]", "Eve")
        page.fill("input[name=email]", "eve@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("#auth-submit")
        page.wait_for_selector("#auth-error:not([hidden])")
        assert page.inner_text("#auth-error").startswith("Registration is closed on this server.")
        t.close()
    finally:
        server.stop()


# -- the gallery -------------------------------------------------------------------------------
def test_upload_a_dozen_timeline_viewer_download_duplicate_offline(
    tab: Tab, photos: Path, artifacts: Path, tmp_path: Path
) -> None:
    page = tab.page
    register(page)
    # The service worker controls the page before any thumbnail is fetched, so it caches them.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    page.set_input_files("#file-input", [str(photos / name) for name in DOZEN])
    wait_rows(page, "done", len(DOZEN))
    assert page.inner_text("#upload-title").startswith(f"{len(DOZEN)} uploaded")
    page.click("#upload-toggle")  # fold the panel away from the grid
    # Newest first, by taken_at: exactly the API's order, and the EXIF dates in order.
    shown = wait_grid_in_api_order(page, len(DOZEN))
    # A window tall enough for all twelve at once (the grid only renders what is near the view).
    page.set_viewport_size({"width": 1280, "height": 2600})
    wait_thumbnails(page, len(DOZEN))
    assert sorted(shown) == sorted(DOZEN)
    assert [n for n in shown if n in DATED_NEWEST_FIRST] == DATED_NEWEST_FIRST
    months = page.eval_on_selector_all(".month", "els => els.map((e) => e.firstChild.textContent)")
    for month in ("July 2020", "February 2015", "December 2013", "May 2013", "April 2013", "May 2004"):
        assert month in months
    alts = page.eval_on_selector_all(".tile img.thumb", "imgs => imgs.map((i) => i.alt)")
    assert all(alts), "every thumbnail has alt text"
    page.screenshot(path=str(artifacts / "grid.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # The viewer shows Landscape_6 (EXIF Orientation 6) upright: like Landscape_1, landscape.
    open_photo(page, "Landscape_6.jpg")
    page.wait_for_selector("#viewer-image[data-variant=preview]")
    shot = page.evaluate(
        """async () => {
            const img = document.querySelector('#viewer-image');
            await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = 48; canvas.height = 32;
            const ctx = canvas.getContext('2d');
            ctx.drawImage(img, 0, 0, 48, 32);
            return { w: img.naturalWidth, h: img.naturalHeight, px: Array.from(ctx.getImageData(0, 0, 48, 32).data) };
        }"""
    )
    assert shot["w"] > shot["h"], f"displayed {shot['w']}x{shot['h']}, expected landscape"
    with Image.open(photos / "Landscape_1.jpg") as im:
        upright = ImageOps.exif_transpose(im).resize((48, 32), Image.Resampling.BILINEAR)
    same = upright_difference(shot["px"], upright)
    flipped = upright_difference(shot["px"], upright.transpose(Image.Transpose.ROTATE_180))
    assert same < 25 and same < flipped / 2, (same, flipped)

    # Download of the original: byte-identical, under its own name.
    with page.expect_download() as download_info:
        page.click("#viewer-download")
    download = download_info.value
    assert download.suggested_filename == "Landscape_6.jpg"
    assert Path(download.path()).read_bytes() == (photos / "Landscape_6.jpg").read_bytes()
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#viewer').open")

    # Metadata in the viewer: date, camera, exposure, place.
    open_photo(page, "starfish.jpg")
    meta = page.inner_text("#viewer-meta")
    assert "May 10, 2013" in meta
    assert "Nokia Lumia 820" in meta
    assert "List, Germany" in meta  # the place by name (GeoNames, offline), the spot in its title
    spot = page.get_attribute("#viewer-meta dd[data-field=place] a", "title") or ""
    assert spot.startswith("55.03876° N, 8.45719° E")
    assert "ISO" in meta or "ƒ/" in meta
    page.wait_for_selector("#viewer-image[data-variant=preview]")
    page.screenshot(path=str(artifacts / "viewer.png"))

    # Previous / next by keys follow the grid's order; Escape returns to the grid.
    index = shown.index("starfish.jpg")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(n) => document.querySelector('#viewer-title').textContent === n", arg=shown[index + 1])
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("(n) => document.querySelector('#viewer-title').textContent === n", arg=shown[index - 1])
    page.keyboard.press("Escape")
    # The dialog's close event (which moves focus to the photo last shown) fires after `open`
    # turns false, so wait for focus to land rather than reading it at once.
    page.wait_for_function(
        "(n) => !document.querySelector('#viewer').open && document.activeElement.dataset.filename === n",
        arg=shown[index - 1],
    )

    # The grid by keyboard alone: arrows move, Enter opens.
    page.keyboard.press("Home")
    page.wait_for_function("(n) => document.activeElement.dataset.filename === n", arg=shown[0])
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => document.querySelector('#viewer-title').textContent === n", arg=shown[1])
    page.keyboard.press("Escape")

    # The same bytes under another name: reported as already there, nothing new created.
    page.set_input_files("#file-input", str(photos / "img_1771.jpg"))
    row = page.wait_for_selector('#upload-list li[data-name="img_1771.jpg"][data-state="duplicate"]')
    assert row is not None and "Already in your vault" in row.inner_text()
    assert len(api_get(page, "/photos?limit=50")["items"]) == len(DOZEN)

    # A phone-sized window: rows of smaller tiles, still edge to edge.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.querySelector('.tile[data-id]').getBoundingClientRect().height < 170")
    page.screenshot(path=str(artifacts / "grid-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # Offline: the app shell, the list and the thumbnails seen come from the service worker.
    tab.context.set_offline(True)
    try:
        page.set_viewport_size({"width": 1280, "height": 2600})
        page.reload()
        wait_thumbnails(page, len(DOZEN))
        page.wait_for_selector("#offline-badge:not([hidden])")
        assert grid_filenames(page) == shown
        page.screenshot(path=str(artifacts / "grid-offline.png"))
    finally:
        tab.context.set_offline(False)

    # Failures say why: an empty file and random bytes named .jpg are refused in the browser;
    # a file that starts like a JPEG but is not one is accepted, fails processing on the
    # server, and keeps its original.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    fake = tmp_path / "fake_jpeg.jpg"
    fake.write_bytes(b"\xff\xd8\xff" + (photos / "not_an_image.jpg").read_bytes())
    page.set_input_files("#file-input", [str(photos / "notjpeg.jpg"), str(photos / "not_an_image.jpg"), str(fake)])
    empty = page.wait_for_selector('#upload-list li[data-name="notjpeg.jpg"][data-state="failed"]')
    assert empty is not None and "The file is empty." in empty.inner_text()
    random_bytes = page.wait_for_selector('#upload-list li[data-name="not_an_image.jpg"][data-state="failed"]')
    assert random_bytes is not None and "Not a photo" in random_bytes.inner_text()
    page.wait_for_selector('#upload-list li[data-name="fake_jpeg.jpg"][data-state="done"]')
    page.wait_for_selector('.tile[data-filename="fake_jpeg.jpg"][data-status="failed"]')
    open_photo(page, "fake_jpeg.jpg")
    assert "This photo could not be processed: " in page.inner_text("#viewer-status")
    with page.expect_download() as download_info:
        page.click("#viewer-download")
    assert Path(download_info.value.path()).read_bytes() == fake.read_bytes()


# -- the pending list ----------------------------------------------------------------------------
def test_reload_in_the_middle_of_an_upload_then_resume(browser: Any, web_server: Server, photos: Path) -> None:
    # Playwright sees the page's requests only without a service worker in between.
    t = Tab(browser, web_server, service_workers="block")
    page = t.page
    register(page, name="Resumer")
    names = [
        "Landscape_2.jpg",
        "Landscape_3.jpg",
        "Landscape_4.jpg",
        "Landscape_5.jpg",
        "Landscape_7.jpg",
        "r_canon.jpg",
    ]
    hashes = {hashlib.sha256((photos / n).read_bytes()).hexdigest() for n in names}

    # Two PUTs reach storage; every later one hangs, like a very slow link.
    passed: list[str] = []

    def throttle(route: Any) -> None:
        if route.request.method != "PUT":
            route.continue_()
        elif len(passed) < 2:
            passed.append(route.request.url)
            route.continue_()
        # else: never answered

    page.route("**/blobs/**", throttle)
    page.set_input_files("#file-input", [str(photos / n) for n in names])
    wait_rows(page, "done", 2)
    wait_rows(page, "sending", 4)
    # The throttle stays registered: unrouting it would let the hung PUTs through before the
    # reload. The handler added next takes precedence for every new request.

    # Reload mid-upload; then a flaky network: the first PUT after the reload is cut off.
    cut: list[str] = []

    def flaky(route: Any) -> None:
        if route.request.method == "PUT" and not cut:
            cut.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/blobs/**", flaky)
    page.reload()
    page.wait_for_selector("#resume-banner:not([hidden])")
    assert page.inner_text("#resume-text").startswith("4 photos were chosen earlier but not finished uploading.")
    page.click("#resume-yes")
    wait_rows(page, "done", 4)
    assert cut, "a PUT was cut off and retried"
    assert page.eval_on_selector_all("#upload-list li", "rows => rows.length") == 4

    wait_grid_in_api_order(page, len(names))
    wait_thumbnails(page, len(names))
    assert {p["sha256"] for p in api_get(page, "/photos?limit=50")["items"]} == hashes

    # Nothing is left in the pending list: the next visit offers nothing to resume.
    page.reload()
    page.wait_for_selector(".tile[data-id]")
    page.wait_for_timeout(500)
    assert page.is_hidden("#resume-banner")
    assert (
        page.evaluate(
            """() => new Promise((resolve) => {
            const req = indexedDB.open('auroravault');
            req.onsuccess = () => {
                const get = req.result.transaction('pending').objectStore('pending').count();
                get.onsuccess = () => resolve(get.result);
            };
        })"""
        )
        == 0
    )
    t.close()


# -- a big library -----------------------------------------------------------------------------
def test_twelve_thousand_photos_scroll_with_a_bounded_dom(browser: Any, web_server: Server, photos: Path) -> None:
    """The timeline is virtual: 12,000 photos (a stand-in API answered by the test) never mean
    12,000 DOM nodes, and scrolling to the end walks the keyset cursors page by page."""
    with Image.open(photos / "flower.jpg") as im:
        small = im.convert("RGBA")
        small.thumbnail((48, 48))
        placeholder = base64.b64encode(thumbhash_encode(small.width, small.height, small.tobytes())).decode()
        buffer = io.BytesIO()
        small.convert("RGB").save(buffer, "JPEG")
    # Thumbnails as data: URLs: no request per tile through the test's route handler.
    thumb = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
    months = [f"{2024 - i // 12}-{12 - i % 12:02d}" for i in range(120)]  # newest first
    per_month = 100
    total = len(months) * per_month

    def photo(i: int) -> dict[str, Any]:
        month = months[i // per_month]
        return {
            "id": f"p{i}",
            "status": "ready",
            "filename": f"IMG_{i:05d}.jpg",
            "content_type": "image/jpeg",
            "size": 1000,
            "sha256": "0" * 64,
            "width": 480,
            "height": 360,
            "taken_at": f"{month}-15T12:00:00",
            "taken_at_source": "exif_original",
            "camera": {"make": None, "model": None, "lens": None},
            "exposure": {"f_number": None, "exposure_time": None, "iso": None, "focal_length": None},
            "location": None,
            "created_at": "2024-12-31T00:00:00Z",
            "updated_at": "2024-12-31T00:00:00Z",
            "thumbhash": placeholder,
            "thumb_url": f"{thumb}#{i}",
        }

    cursors: list[str | None] = []

    def api(route: Any) -> None:
        url = urlsplit(route.request.url)
        query = parse_qs(url.query)
        if url.path.rstrip("/") == "/api/v1/timeline":
            body: Any = [{"month": m, "count": per_month} for m in months]
        elif url.path.rstrip("/") == "/api/v1/photos":
            cursor = query.get("cursor", [None])[0]
            cursors.append(cursor)
            start, limit = int(cursor or 0), int(query["limit"][0])
            end = min(total, start + limit)
            body = {"items": [photo(i) for i in range(start, end)], "next_cursor": str(end) if end < total else None}
        elif url.path == "/api/v1/users/me":
            body = {"id": "u1", "email": "big@example.com", "display_name": "Big", "is_admin": False}
        else:
            route.continue_()
            return
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    t = Tab(browser, web_server, service_workers="block")
    page = t.page
    session = {"token": "t", "expires_at": "2999-01-01T00:00:00Z", "user": {"id": "u1", "display_name": "Big"}}
    page.add_init_script(f"localStorage.setItem('auroravault.session', {json.dumps(json.dumps(session))})")
    page.route("**/api/v1/**", api)
    page.goto("/")
    page.wait_for_selector(".tile[data-id=p0] img.thumb.loaded")
    count_nodes = (
        "() => ({ tiles: document.querySelectorAll('.tile').length, all: document.getElementsByTagName('*').length })"
    )
    at_top = page.evaluate(count_nodes)

    # Jump to the very end: every page on the way is fetched with the previous page's cursor.
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_selector(f".tile[data-id=p{total - 1}]")
    assert cursors[0] is None and len(cursors) <= total // 120
    offsets = [0] + [int(c or 0) for c in cursors[1:]]
    assert offsets == sorted(set(offsets)), "each page continues from the previous one's cursor"

    at_end = page.evaluate(count_nodes)

    # And back up through the middle, a screen at a time.
    slowest = page.evaluate(
        """async () => {
            let slowest = 0;
            for (let i = 0; i < 20; i++) {
                const t0 = performance.now();
                window.scrollBy(0, -3000);
                await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                slowest = Math.max(slowest, performance.now() - t0);
            }
            return slowest;
        }"""
    )
    # Not a benchmark (headless, software rendering): a guard against work that grows with the library.
    assert slowest < 1500, f"a scroll step took {slowest:.0f} ms"
    in_middle = page.evaluate(count_nodes)
    for sample in (at_top, at_end, in_middle):
        assert sample["tiles"] < 300 and sample["all"] < 1200, sample
    page.evaluate("() => window.scrollTo(0, 0)")  # mid-month, a screen may hold no heading at all
    heading = page.locator(".month").first.evaluate("(h) => h.firstChild.textContent")
    assert heading.split()[-1].isdigit()

    page.focus(".tile[tabindex='0']")  # the grid's one tab stop; inside it, arrows, Home and End
    page.keyboard.press("End")
    page.wait_for_function(f"() => document.activeElement.dataset.id === 'p{total - 1}'")
    page.keyboard.press("Home")
    page.wait_for_function("() => document.activeElement.dataset.id === 'p0'")
    t.close()


# -- damaged photos ------------------------------------------------------------------------------
def test_a_truncated_photo_shows_what_it_holds_with_a_damaged_badge(tab: Tab, photos: Path) -> None:
    page = tab.page
    register(page)
    page.set_input_files("#file-input", str(photos / "starfish_truncated.jpg"))
    wait_rows(page, "done", 1)
    tile = page.wait_for_selector('.tile[data-filename="starfish_truncated.jpg"][data-status="ready"]')
    assert tile is not None
    assert tile.get_attribute("data-damaged") == "truncated"
    assert "damaged: The file is incomplete" in (tile.get_attribute("aria-label") or "")
    wait_thumbnails(page, 1)
    badge = page.evaluate(
        """() => {
            const badge = document.querySelector('.tile[data-damaged] .badge');
            const box = badge.getBoundingClientRect();
            return { display: getComputedStyle(badge).display, w: box.width, h: box.height };
        }"""
    )
    assert badge["display"] != "none" and badge["w"] > 0 and badge["h"] > 0, badge

    open_photo(page, "starfish_truncated.jpg")
    page.wait_for_selector("#viewer-image[data-variant=preview]")
    notice = page.wait_for_selector("#viewer-damage:not([hidden])")
    assert notice is not None and "The file is incomplete" in notice.inner_text()
    assert "Damaged" in page.inner_text("#viewer-meta")
    # A complete photo opened next shows no such notice.
    page.keyboard.press("Escape")
    page.set_input_files("#file-input", str(photos / "starfish.jpg"))
    page.wait_for_selector('.tile[data-filename="starfish.jpg"][data-status="ready"]')
    assert page.get_attribute('.tile[data-filename="starfish.jpg"]', "data-damaged") is None
    open_photo(page, "starfish.jpg")
    page.wait_for_selector("#viewer-image[data-variant=preview]")
    assert page.is_hidden("#viewer-damage")


def test_the_top_bar_keeps_every_control_on_screen_at_any_width(tab: Tab) -> None:
    """From a phone to a wide screen, "Log out", "Upload" and the usage stay inside the window
    and the page never scrolls sideways; only the row of views may scroll within itself."""
    page = tab.page
    register(page, name="Grace")
    page.wait_for_selector("#empty", state="visible")
    for width in (390, 800, 1024, 1280, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(100)
        boxes = page.evaluate(
            """() => ['#logout', '.upload-button', '#usage', '#search-input'].map((s) => {
                 const r = document.querySelector(s).getBoundingClientRect();
                 return [s, r.left, r.right, r.width];
               })"""
        )
        for selector, left, right, w in boxes:
            assert w > 0 and left >= 0 and right <= width, (width, selector, left, right)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
