"""The web uploader tells a photo by its bytes, like the CLI, before it asks for any URL."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.web.test_web import Tab, api_get, register, wait_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def word_document(path: Path) -> Path:
    """A real (minimal) .docx: a zip with the parts Word reads."""
    with zipfile.ZipFile(path, "w") as docx:
        docx.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        docx.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Minutes of the family meeting</w:t></w:r></w:p></w:body></w:document>",
        )
    return path


@pytest.fixture
def tab(browser: Any, web_server: Server) -> Iterator[Tab]:
    t = Tab(browser, web_server)
    yield t
    t.close()


def test_a_word_file_named_jpg_is_refused_in_the_browser_and_a_misnamed_photo_goes(
    tab: Tab, photos: Path, tmp_path: Path
) -> None:
    page = tab.page
    register(page)
    asked: list[str] = []
    page.on(
        "request",
        lambda r: asked.append(r.post_data or "") if r.method == "POST" and r.url.endswith("/uploads") else None,
    )
    report = word_document(tmp_path / "report.jpg")
    misnamed = shutil.copy(photos / "flower.jpg", tmp_path / "flower.png")  # a JPEG, whatever its name

    page.set_input_files("#file-input", [str(report), str(misnamed)])
    refused = page.wait_for_selector('#upload-list li[data-name="report.jpg"][data-state="failed"]')
    assert refused is not None and "Not a photo" in refused.inner_text()
    wait_rows(page, "done", 1)

    assert all("report.jpg" not in body for body in asked), "no upload URL was asked for the Word file"
    assert any('"content_type":"image/jpeg"' in body.replace(" ", "") and "flower.png" in body for body in asked)
    listed = api_get(page, "/photos?limit=10")["items"]
    assert [p["filename"] for p in listed] == ["flower.png"]
    assert page.query_selector('.tile[data-filename="report.jpg"]') is None
