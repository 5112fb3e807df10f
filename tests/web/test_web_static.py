"""The web app's files and routes, without a browser: headers, manifest, service worker, CORS."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from PIL import Image

from auroravault.api.web import WEB_DIR, content_security_policy, web_routes
from auroravault.app import create_app
from auroravault.config import Settings, load_settings
from tests.asgi import AppClient, app_client
from tests.conftest import make_settings


def with_web(settings: Settings) -> Litestar:
    """The app with the web routes, whether or not ``create_app`` mounts them yet."""
    app = create_app(settings)
    if not any(route.path == "/" for route in app.routes):
        for route in web_routes(settings):
            app.register(route)
    return app


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(with_web(make_settings(tmp_path))) as client:
        yield client


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data.strip()


async def test_index_is_served_at_the_root_with_a_strict_csp(web: AppClient) -> None:
    response = await web.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"

    # Nothing inline that the CSP would block: scripts by src, no handlers, no style attributes.
    page = Tags()
    page.feed(response.text)
    assert page.script_text == ""
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        assert tag != "style"
    scripts = [a["src"] for t, a in page.tags if t == "script"]
    assert scripts == ["/app/js/main.js"]
    # Every image has alt text (empty for decoration).
    assert all("alt" in a for t, a in page.tags if t == "img")
    # Every referenced local file exists.
    for tag, attrs in page.tags:
        ref = attrs.get("src") or (attrs.get("href") if tag == "link" else None)
        if ref and ref.startswith("/"):
            assert (await web.get(ref)).status_code == 200, ref


async def test_assets_under_app_with_headers(web: AppClient) -> None:
    for path, media in [
        ("/app/js/main.js", "text/javascript"),
        ("/app/style.css", "text/css"),
        ("/app/icons/icon-192.png", "image/png"),
        ("/app/icons/icon.svg", "image/svg+xml"),
    ]:
        response = await web.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media), (path, response.headers["content-type"])
        assert response.headers["cache-control"] == "no-cache"
        assert "content-security-policy" in response.headers
    missing = await web.get("/app/nope.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    for escape in ("/app/%2e%2e/api/web.py", "/app/..%2fapi/web.py", "/app/%2e%2e/__init__.py"):
        assert (await web.get(escape)).status_code == 404, escape


async def test_the_api_and_operations_are_not_shadowed(web: AppClient) -> None:
    assert (await web.get("/healthz")).json() == {"status": "ok"}
    me = await web.get("/api/v1/users/me")
    assert me.status_code == 401
    assert me.json()["code"] == "unauthorized"
    schema = (await web.get("/schema/openapi.json")).json()
    assert "/api/v1/photos" in schema["paths"]
    assert not [p for p in schema["paths"] if p == "/" or p.startswith("/app") or p == "/sw.js"]
    unknown = await web.get("/nothing-here")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_service_worker_covers_the_whole_app(web: AppClient) -> None:
    response = await web.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    # Every file of its app shell is served, and every module the app imports is in the shell.
    listed = re.search(r"const SHELL_FILES = \[(.*?)\];", response.text, re.S)
    assert listed is not None
    shell = re.findall(r"'([^']+)'", listed.group(1))
    for path in shell:
        assert (await web.get(path)).status_code == 200, path
    modules = {f"/app/js/{p.name}" for p in (WEB_DIR / "js").glob("*.js")}
    assert modules <= set(shell), modules - set(shell)


def test_modules_import_only_files_that_exist() -> None:
    for module in (WEB_DIR / "js").glob("*.js"):
        for target in re.findall(r"""from '(\./[^']+)'""", module.read_text()):
            assert (module.parent / target).is_file(), (module.name, target)
        assert "eval(" not in module.read_text()
        assert "innerHTML" not in module.read_text(), f"{module.name}: build DOM nodes, never parse HTML"


async def test_manifest_makes_the_app_installable(web: AppClient) -> None:
    response = await web.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest: dict[str, Any] = json.loads(response.text)
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        image = await web.get(icon["src"])
        assert image.status_code == 200, icon
        if icon["type"] == "image/png":
            with Image.open(io.BytesIO(image.content)) as im:
                assert f"{im.width}x{im.height}" == icon["sizes"]
                sizes.add(im.width)
    assert {192, 512} <= sizes
    assert any("maskable" in icon.get("purpose", "") for icon in manifest["icons"])


def test_csp_names_the_storage_origin_of_s3_and_minio() -> None:
    def settings(**s3: Any) -> Settings:
        return load_settings(environ={}, overrides={"storage": {"backend": "s3"}, "s3": s3})

    local = content_security_policy(load_settings(environ={}))
    assert "img-src 'self' data: blob:;" in local
    assert "connect-src 'self';" in local
    minio = content_security_policy(
        settings(endpoint_url="http://minio:9000", public_endpoint_url="https://photos.example")
    )
    assert "connect-src 'self' https://photos.example;" in minio
    assert "img-src 'self' data: blob: https://photos.example;" in minio
    aws = content_security_policy(settings())
    assert "connect-src 'self' https://*.amazonaws.com;" in aws
    virtual = content_security_policy(settings(endpoint_url="https://s3.example", path_style=False))
    assert "https://s3.example https://*.s3.example;" in virtual


async def test_blob_preflight_is_answered_for_configured_origins(tmp_path: Path) -> None:
    """A browser on another origin asks before its PUT to the local blob endpoint."""
    settings = load_settings(
        environ={
            "AURORAVAULT_SERVER__CORS_ORIGINS": '["http://example.test"]',
            "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "data"),
            "AURORAVAULT_JOBS__ENABLED": "false",
        }
    )
    assert settings.server.cors_origins == ["http://example.test"]
    async with app_client(with_web(settings)) as client:
        preflight = {
            "Origin": "http://example.test",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        }
        response = await client.options("/blobs/u_1/p_1/original?expires=1&sha256=x&signature=y", headers=preflight)
        assert response.status_code in (200, 204), response.text
        assert response.headers["access-control-allow-origin"] == "http://example.test"
        methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
        assert "PUT" in methods or "*" in methods
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "content-type" in allowed or "*" in allowed

        other = await client.options("/blobs/u_1/p_1/original", headers={**preflight, "Origin": "http://evil.test"})
        assert other.headers.get("access-control-allow-origin") != "http://evil.test"


async def test_the_map_is_offline_unless_a_tile_server_is_named(tmp_path: Path) -> None:
    """No tile server by default: the app is told none and the CSP allows no other image origin.
    One configured: the app is told its URL and the CSP lets the browser fetch its tiles."""
    async with app_client(with_web(make_settings(tmp_path / "a"))) as client:
        response = await client.get("/web-config.json")
        assert response.status_code == 200 and response.json() == {"map_tile_url": ""}
        csp = response.headers["content-security-policy"]
        assert "img-src 'self' data: blob:;" in csp
    tiles = "https://tiles.example:8443/{z}/{x}/{y}.png"
    settings = load_settings(
        environ={"AURORAVAULT_WEB__MAP_TILE_URL": tiles, "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "b")}
    )
    assert settings.web.map_tile_url == tiles
    async with app_client(with_web(settings)) as client:
        response = await client.get("/web-config.json")
        assert response.json() == {"map_tile_url": tiles}
        assert (
            "img-src 'self' data: blob: https://tiles.example:8443;"
            in (await client.get("/")).headers["content-security-policy"]
        )
    # Something that is not an http(s) URL names no origin and is not handed to the app.
    odd = load_settings(
        environ={
            "AURORAVAULT_WEB__MAP_TILE_URL": "javascript:alert(1)",
            "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "c"),
        }
    )
    assert "javascript" not in content_security_policy(odd)
    async with app_client(with_web(odd)) as client:
        assert (await client.get("/web-config.json")).json() == {"map_tile_url": ""}


def test_the_world_outline_ships_with_the_app() -> None:
    """The map's land (Natural Earth 110m) is a module of the app: nothing is fetched to draw it."""
    world = (WEB_DIR / "js" / "world.js").read_text()
    path = re.search(r"export const LAND = '([^']+)';", world)
    assert path is not None
    d = path.group(1)
    assert d.count("M") > 100 and d.endswith("Z")  # every island and continent a closed ring
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    assert min(numbers) > -300 and max(numbers) < 560  # Web Mercator world units (and copies across 180°)
    assert "http" not in (WEB_DIR / "js" / "map.js").read_text().replace("http://www.w3.org/2000/svg", "")
