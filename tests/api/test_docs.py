"""The OpenAPI docs are served by the app itself: no CDN, every asset answers, a CSP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

ATTRS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
SCRIPTS = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
async def test_swagger_ui_names_no_other_host_and_every_asset_answers(client, path: str) -> None:
    page = await client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = ATTRS.findall(page.text)
    assert refs, "the page references its scripts and styles"
    assert not re.search(r"https?://|//[a-z0-9]", page.text, re.IGNORECASE), "the page names another host"
    for ref in refs:
        parts = urlsplit(ref)
        assert not parts.scheme and not parts.netloc, ref
        asset = await client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.headers.get("x-content-type-options") == "nosniff"
        assert asset.content
    kinds = {urlsplit(r).path.rsplit(".", 1)[-1] for r in refs}
    assert {"js", "css"} <= kinds


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
async def test_swagger_ui_runs_under_a_csp_without_inline_script(client, path: str) -> None:
    page = await client.get(path)
    csp = {d.strip().split(" ", 1)[0]: d.strip() for d in page.headers["content-security-policy"].split(";")}
    assert csp["default-src"] == "default-src 'none'"
    assert csp["script-src"] == "script-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    for attrs, body in SCRIPTS.findall(page.text):
        assert "src=" in attrs and not body.strip(), "no inline script"
    start = await client.get("/schema/swagger-ui/init.js")
    assert "/schema/openapi.json" in start.text and "validatorUrl: null" in start.text


async def test_the_document_is_served_and_other_dist_files_are_not(client) -> None:
    doc = await client.get("/schema/openapi.json")
    assert doc.status_code == 200 and doc.json()["info"]["title"] == "AuroraVault"
    assert (await client.get("/schema/swagger-ui/LICENSE")).status_code == 404
    assert (await client.get("/schema/swagger-ui/..%2F..%2Fcore.py")).status_code == 404
