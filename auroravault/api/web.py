"""The web app: ``/`` serves the shell, ``/app/...`` its assets, ``/sw.js`` the service worker.

The app in ``auroravault/web`` is plain files (no build step) that speak only the public
HTTP contract. Every response here carries a Content-Security-Policy without inline
scripts; images and uploads may also go to the storage's own origin (S3/MinIO presigned
URLs), so that origin is added when the settings name it.

Nothing here shadows the API: the handlers are ``/``, ``/sw.js``, ``/web-config.json``
(the few settings the app reads before logging in: the map's tile server), ``/manifest.webmanifest``
and the ``/app`` static router, next to ``/api/v1``, ``/blobs``, ``/schema``, ``/healthz``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.handlers import HTTPRouteHandler
from litestar.response import File
from litestar.router import Router
from litestar.static_files import create_static_files_router

from auroravault.config import Settings

WEB_DIR = Path(str(resources.files("auroravault").joinpath("web")))

# No content hashes in file names (no build step), so the shell revalidates every time;
# the service worker is what makes a second visit instant and offline-capable.
REVALIDATE = "no-cache"


def storage_origins(settings: Settings | None) -> list[str]:
    """Origins the browser fetches photos from and uploads to, besides this server."""
    if settings is None:
        # Unknown backend: allow any http(s) origin for images and uploads, scripts stay 'self'.
        return ["https:", "http:"]
    if settings.storage.backend == "local":
        return []
    s3 = settings.s3
    endpoint = s3.public_endpoint_url or s3.endpoint_url
    if not endpoint:
        return ["https://*.amazonaws.com"]  # AWS: virtual-hosted or regional bucket hosts
    parts = urlsplit(endpoint if "://" in endpoint else f"{'https' if s3.secure else 'http'}://{endpoint}")
    origin = f"{parts.scheme}://{parts.netloc}"
    if not s3.path_style:
        # Virtual-hosted style puts the bucket in the host name: bucket.endpoint.
        return [origin, f"{parts.scheme}://*.{parts.netloc}"]
    return [origin]


def tile_origin(settings: Settings | None) -> str:
    """The origin of the configured map tile server ("" when none: the map is offline)."""
    url = settings.web.map_tile_url if settings is not None else ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def content_security_policy(settings: Settings | None = None) -> str:
    extra = " ".join(storage_origins(settings))
    tiles = tile_origin(settings)
    media = " ".join(part for part in ("'self' data: blob:", extra, tiles) if part)
    connect = f"'self' {extra}".strip()
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {media}",
            f"media-src {connect}",  # videos and Live Photos play straight from storage
            f"connect-src {connect}",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _security_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        # Presigned URLs carry signatures in their query: never leak them in a Referer.
        "Referrer-Policy": "no-referrer",
    }


def web_routes(settings: Settings | None = None) -> list[HTTPRouteHandler | Router]:
    """The web app's route handlers, to add to the app's ``route_handlers``."""
    security = _security_headers(content_security_policy(settings))

    def add_headers(response: Response) -> Response:
        for name, value in security.items():
            response.headers.setdefault(name, value)
        return response

    def served(name: str, media_type: str, **extra: str) -> File:
        return File(
            WEB_DIR / name,
            filename=name,
            media_type=media_type,
            content_disposition_type="inline",
            headers={**security, "Cache-Control": REVALIDATE, **extra},
        )

    @get("/", name="web:index", include_in_schema=False, sync_to_thread=False)
    def index() -> File:
        return served("index.html", "text/html")

    @get("/sw.js", name="web:sw", include_in_schema=False, sync_to_thread=False)
    def service_worker() -> File:
        # Served at the root so that its default scope is "/" (the whole app).
        return served("sw.js", "text/javascript", **{"Service-Worker-Allowed": "/"})

    # What the web app needs to know of the server's settings, before anyone logs in.
    tiles = settings.web.map_tile_url if settings is not None and tile_origin(settings) else ""
    web_config = {"map_tile_url": tiles}

    @get("/web-config.json", name="web:config", include_in_schema=False, sync_to_thread=False)
    def config() -> Response[dict[str, str]]:
        return Response(web_config, headers={**security, "Cache-Control": REVALIDATE})

    @get("/manifest.webmanifest", name="web:manifest", include_in_schema=False, sync_to_thread=False)
    def manifest() -> File:
        return served("manifest.webmanifest", "application/manifest+json")

    assets = create_static_files_router(
        path="/app",
        directories=[WEB_DIR],
        name="web:assets",
        cache_control=CacheControlHeader(no_cache=True),
        after_request=add_headers,
        include_in_schema=False,
    )
    return [index, service_worker, config, manifest, assets]
