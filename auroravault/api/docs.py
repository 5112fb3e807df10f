"""The OpenAPI docs at ``/schema``: Swagger UI served by the app itself, offline.

Litestar's Swagger plugin loads Swagger UI from a CDN and inlines the document and its
start-up script in the page: a third party's script on the origin that holds the token,
broken offline, and impossible under a CSP without ``'unsafe-inline'``. Here the page
names only files of this server: Swagger UI's own dist files (shipped by the pinned
``swagger-ui-py`` wheel, read from its folder) under ``/schema/swagger-ui/``, and a small
start-up script that loads ``/schema/openapi.json``. The CSP that goes with it is set for
every ``/schema`` response by ``auroravault.api.headers``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import FromPath
from litestar.response import File
from litestar.router import Router

ASSETS = "/swagger-ui"
# The files the page uses, and their types; nothing else of the dist folder is served.
DIST_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
INIT_SCRIPT = "init.js"


def swagger_dist_dir() -> Path:
    """The folder of Swagger UI's dist files in the installed ``swagger-ui-py`` package."""
    spec = importlib.util.find_spec("swagger_ui")  # found without importing it (and its Jinja)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed (pip install auroravault)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def _init_script(schema_url: str) -> bytes:
    return f"""window.addEventListener("load", function () {{
  window.ui = SwaggerUIBundle({{
    url: {schema_url!r},
    dom_id: "#swagger-container",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    validatorUrl: null,
  }});
}});
""".encode()


class OfflineSwaggerPlugin(SwaggerRenderPlugin):
    """Swagger UI from this server: no CDN, no inline script or style."""

    def __init__(self, base: str = "/schema", path: str = "/swagger") -> None:
        self.base = base.rstrip("/")
        assets = f"{self.base}{ASSETS}"
        super().__init__(
            js_url=f"{assets}/swagger-ui-bundle.js",
            css_url=f"{assets}/swagger-ui.css",
            standalone_preset_js_url=f"{assets}/swagger-ui-standalone-preset.js",
            path=path,
            favicon=f"<link rel='icon' type='image/png' href='{assets}/favicon-32x32.png'>",
            style="",
        )
        self.dist = swagger_dist_dir()

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = str(openapi_schema.get("info", {}).get("title", "API")).replace("<", "&lt;")
        assets = f"{self.base}{ASSETS}"
        return f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title}</title>
    {self.favicon}
    <link rel="stylesheet" href="{self.css_url}">
    <script src="{self.js_url}"></script>
    <script src="{self.standalone_preset_js_url}"></script>
    <script src="{assets}/{INIT_SCRIPT}"></script>
  </head>
  <body>
    <div id="swagger-container"></div>
  </body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        """Serve the dist files and the start-up script (no OAuth2 redirect page: tokens are bearer)."""
        dist, init = self.dist, _init_script(f"{self.base}/openapi.json")

        @get(f"{ASSETS}/{{name:str}}", sync_to_thread=False, include_in_schema=False, name="schema:swagger-ui")
        def asset(name: FromPath[str]) -> File | Response[bytes]:
            if name == INIT_SCRIPT:
                return Response(init, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
            media_type = DIST_FILES.get(name)
            if media_type is None:
                raise NotFoundException(f"no asset {name!r}")
            return File(
                dist / name,
                filename=name,
                media_type=media_type,
                content_disposition_type="inline",
                headers={"Cache-Control": "public, max-age=86400"},
            )

        router.register(asset)
