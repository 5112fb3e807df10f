"""The web app sends a large file part by part, in Chromium, against a real server (local storage)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.conftest import Server
from tests.web.conftest import start_server
from tests.web.test_web import Tab, api_get, register

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MIB = 1024 * 1024
SIZE = 16_000_000  # four parts of 5 MiB (the last one shorter)


@pytest.fixture(scope="module")
def small_parts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "AURORAVAULT_UPLOADS__MULTIPART_THRESHOLD_BYTES": str(6 * MIB),
        "AURORAVAULT_UPLOADS__MULTIPART_PART_BYTES": str(5 * MIB),
    }
    server = start_server(tmp_path_factory.mktemp("web-multipart") / "data", env)
    try:
        yield server
    finally:
        server.stop()


def padded_jpeg(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 160, 90)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue() + os.urandom(SIZE - buffer.tell()))
    return path


def test_a_large_file_goes_up_in_parts_and_becomes_a_photo(
    browser: Any, small_parts_server: Server, tmp_path: Path
) -> None:
    tab = Tab(browser, small_parts_server)
    try:
        page = tab.page
        register(page)
        big = padded_jpeg(tmp_path / "long_video_still.jpg")
        page.set_input_files("#file-input", str(big))
        page.wait_for_selector('#upload-list li[data-name="long_video_still.jpg"][data-state="done"]', timeout=60_000)
        page.wait_for_selector('.tile[data-filename="long_video_still.jpg"][data-status="ready"]', timeout=60_000)
        [photo] = api_get(page, "/photos?limit=10")["items"]
        assert photo["size"] == SIZE  # joined whole, its sha256 verified by the pipeline
        parts = re.findall(r'"PUT /blob-parts/\S+?[?&]part=(\d+)\S* HTTP/1\.1" 200', small_parts_server.log())
        assert sorted(map(int, parts)) == [1, 2, 3, 4]
        assert not re.search(r'"PUT /blobs/\S+ HTTP/1\.1" 200', small_parts_server.log())  # never one PUT
    finally:
        tab.close()


def test_a_reload_halfway_resumes_the_parts_and_sends_only_the_missing_ones(
    browser: Any, small_parts_server: Server, tmp_path: Path
) -> None:
    # Playwright sees the page's requests only without a service worker in between.
    tab = Tab(browser, small_parts_server, service_workers="block")
    try:
        page = tab.page
        start = len(small_parts_server.log())  # the module's server logged the other test's parts

        def landed() -> list[int]:
            log = small_parts_server.log()[start:]
            found = re.findall(r'"PUT /blob-parts/\S+?[?&]part=(\d+)\S* HTTP/1\.1" 200', log)
            return sorted(map(int, found))

        register(page, name="Halfway")
        big = padded_jpeg(tmp_path / "halfway_there.jpg")
        digest = hashlib.sha256(big.read_bytes()).hexdigest()

        # Two parts reach storage; every later part hangs, like a very slow link.
        before: list[int] = []

        def throttle(route: Any) -> None:
            if route.request.method != "PUT":
                route.continue_()
            elif len(before) < 2:
                before.append(part_number(route.request.url))
                route.continue_()
            # else: never answered

        page.route("**/blob-parts/**", throttle)
        page.set_input_files("#file-input", str(big))
        deadline = time.monotonic() + 60
        while len(landed()) < 2:
            assert time.monotonic() < deadline, "two parts never landed"
            page.wait_for_timeout(100)
        arrived = landed()
        assert arrived == sorted(before)

        # The throttle stays registered (unrouting it would let the hung PUTs through before
        # the reload); this handler takes precedence for every new request.
        after: list[int] = []

        def count(route: Any) -> None:
            if route.request.method == "PUT":
                after.append(part_number(route.request.url))
            route.continue_()

        page.route("**/blob-parts/**", count)
        page.reload()
        page.wait_for_selector("#resume-banner:not([hidden])")
        assert page.inner_text("#resume-text").startswith("1 photo was chosen earlier but not finished uploading.")
        page.click("#resume-yes")
        page.wait_for_selector('#upload-list li[data-name="halfway_there.jpg"][data-state="done"]', timeout=60_000)
        page.wait_for_selector('.tile[data-filename="halfway_there.jpg"][data-status="ready"]', timeout=60_000)

        # Only the parts that had not arrived went up again. (A part whose PUT failed on the way
        # is sent once more: that is the retry, and the server log shows why.)
        puts = re.findall(r'"PUT /blob-parts/\S+?[?&]part=(\d+)\S* HTTP/1\.1" (\d+)', small_parts_server.log()[start:])
        missing = {1, 2, 3, 4} - set(arrived)
        assert set(after) == missing, f"server saw (part, status): {puts}"
        if len(after) > len(missing):
            print(f"a part was sent again after a failure; server saw (part, status): {puts}")
        [photo] = api_get(page, "/photos?limit=10")["items"]
        assert photo["size"] == SIZE
        assert photo["sha256"] == digest
        assert sorted(set(landed())) == [1, 2, 3, 4]
    finally:
        tab.close()


def part_number(url: str) -> int:
    found = re.search(r"[?&]part=(\d+)", url)
    assert found, url
    return int(found.group(1))


def test_a_part_whose_put_fails_is_sent_again_and_the_others_once(
    browser: Any, small_parts_server: Server, tmp_path: Path
) -> None:
    tab = Tab(browser, small_parts_server, service_workers="block")
    try:
        page = tab.page
        start = len(small_parts_server.log())
        register(page, name="Flaky link")
        sent: list[int] = []

        def drop_part_two_once(route: Any) -> None:
            if route.request.method != "PUT":
                return route.continue_()
            number = part_number(route.request.url)
            sent.append(number)
            if number == 2 and sent.count(2) == 1:
                return route.abort("connectionreset")  # the link drops in the middle of part 2
            return route.continue_()

        page.route("**/blob-parts/**", drop_part_two_once)
        page.set_input_files("#file-input", str(padded_jpeg(tmp_path / "over_a_flaky_link.jpg")))
        page.wait_for_selector('#upload-list li[data-name="over_a_flaky_link.jpg"][data-state="done"]', timeout=60_000)
        page.wait_for_selector('.tile[data-filename="over_a_flaky_link.jpg"][data-status="ready"]', timeout=60_000)
        stored = re.findall(r'"PUT /blob-parts/\S+?[?&]part=(\d+)\S* HTTP/1\.1" 200', small_parts_server.log()[start:])
        assert sorted(map(int, stored)) == [1, 2, 3, 4]  # each part stored once
        assert sorted(sent) == [1, 2, 2, 3, 4]  # only the dropped part went twice
        [photo] = [p for p in api_get(page, "/photos?limit=10")["items"] if p["filename"] == "over_a_flaky_link.jpg"]
        assert photo["size"] == SIZE
    finally:
        tab.close()
