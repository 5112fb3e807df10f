"""Swagger UI works offline in Chromium: every request to another host is refused, no CSP report."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e]


def test_swagger_ui_renders_every_operation_with_no_other_host(browser: Any, web_server: Server) -> None:
    operations = sum(len(item) for item in httpx.get(f"{web_server.url}/schema/openapi.json").json()["paths"].values())
    context = browser.new_context(base_url=web_server.url)
    elsewhere: list[str] = []
    problems: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(web_server.url + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", only_this_server)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        page.on(
            "console",
            lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        page.goto("/schema/swagger")
        page.wait_for_selector(".opblock", timeout=30_000)
        page.wait_for_load_state("networkidle")
        assert page.locator(".opblock").count() == operations
        assert page.locator(".info .title").inner_text().startswith("AuroraVault")
        assert elsewhere == []
        assert problems == []
    finally:
        context.close()
