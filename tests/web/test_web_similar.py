"""Similar photos in the web app, in Chromium: a real photo and a smaller re-saved copy show as
one group side by side, the original kept and the copy ticked; "Trash the extras" moves the copy
to the trash; different photos never show."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.web.test_web import Tab, api_get, register, tab  # noqa: F401  (tab: the fixture)
from tests.web.test_web_albums import toast_says
from tests.web.test_web_library import go, upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_review_similar_photos_and_trash_the_copy(tab: Tab, tmp_path: Path, photos_dir: Path) -> None:  # noqa: F811
    page = tab.page
    register(page)
    for name in ("flower.jpg", "starfish.jpg", "canon_hdr_NO.jpg"):
        shutil.copy(photos_dir / name, tmp_path / name)
    Image.open(photos_dir / "flower.jpg").resize((240, 180)).save(tmp_path / "flower_copy.jpg", "JPEG", quality=50)
    upload(page, tmp_path, ["flower.jpg", "starfish.jpg", "canon_hdr_NO.jpg", "flower_copy.jpg"])

    go(page, "similar")
    page.wait_for_selector(".similar-group")
    assert page.locator(".similar-group").count() == 1
    cells = page.locator(".similar-group .similar-photo")
    assert cells.count() == 2
    page.wait_for_function("() => document.querySelectorAll('.similar-photo img').length === 2")
    assert "flower.jpg" in cells.nth(0).inner_text() and "Keep" in cells.nth(0).inner_text()
    assert "flower_copy.jpg" in cells.nth(1).inner_text() and "Trash" in cells.nth(1).inner_text()
    assert not cells.nth(0).locator("input").is_checked() and cells.nth(1).locator("input").is_checked()

    page.click(".similar-trash")
    toast_says(page, "1 photo moved to the trash.")
    page.wait_for_selector("#page p.empty")
    trashed = api_get(page, "/trash")["items"]
    assert [p["filename"] for p in trashed] == ["flower_copy.jpg"]
    assert len(api_get(page, "/photos?limit=50")["items"]) == 3
