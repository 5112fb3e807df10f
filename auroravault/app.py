"""``create_app(settings)``: adapters, services, lifespan, routes and errors, in named steps."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from auroravault.api.accounts import AuthController, UsersController
from auroravault.api.admin import AdminController, AdminUsersController
from auroravault.api.albums import AlbumController
from auroravault.api.blob_parts import BlobPartController
from auroravault.api.blobs import BlobController
from auroravault.api.events import EventController
from auroravault.api.families import FamilyController
from auroravault.api.headers import add_security_headers
from auroravault.api.health import healthz, readyz
from auroravault.api.library import TrashController
from auroravault.api.links import LinkController
from auroravault.api.openapi import complete_document, openapi_config
from auroravault.api.people import PeopleController, PhotoFacesController
from auroravault.api.photos import PhotoController, TimelineController
from auroravault.api.problems import EXCEPTION_HANDLERS
from auroravault.api.public import PublicController
from auroravault.api.request import VaultRequest
from auroravault.api.search import MapController, MemoriesController, PlacesController, SearchController
from auroravault.api.sharing import AlbumMemberController, PartnerController
from auroravault.api.similar import SimilarController
from auroravault.api.sync import SyncController
from auroravault.api.uploads import UploadController
from auroravault.api.web import web_routes
from auroravault.config import Settings, signing_secret
from auroravault.errors import AuroraError, ConfigError
from auroravault.executors import Executors
from auroravault.layout import check_folders
from auroravault.meta import build_meta_store
from auroravault.services.container import Services
from auroravault.storage import build_blob_store
from auroravault.timeutil import utcnow

log = logging.getLogger("auroravault")


def build_services(settings: Settings) -> Services:
    executors = Executors.from_settings(settings.workers)
    meta = build_meta_store(settings)
    blobs = build_blob_store(settings, signing_secret(settings), executor=executors.storage)
    return Services.build(settings, meta, blobs, executors=executors)


def _lifespan(services: Services) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        jobs = services.settings.jobs.enabled
        try:
            started = utcnow()
            try:
                check_folders(services.settings)
                await services.meta.migrate()
                await services.blobs.check()
                # What a killed process left half-written is nobody's now.
                await services.sweep.clean_scratch(started)
                # Every vault gets its places, once (logins alone miss who never logs in again).
                await services.places_backfill.start_every_vault()
            except ConfigError as exc:
                log.error("AuroraVault cannot start: %s", exc)
                raise
            except AuroraError as exc:
                # Refuse to run on storage or meta that cannot hold photos, and say why plainly.
                log.error(
                    "AuroraVault cannot start: %s (%s). Run 'auroravault check' for details.", exc.detail, exc.code
                )
                raise
            log.info(
                "AuroraVault ready: meta=%s storage=%s url=%s",
                services.meta.name,
                services.blobs.name,
                services.settings.server.base_url(),
            )
            if jobs:
                await services.runner.start()
            yield
        finally:
            # Also on a failed start: an open SQLite connection's thread would keep the
            # process alive after uvicorn gave up.
            if jobs:
                await services.runner.stop()
            await services.close()

    return lifespan


def _routes(settings: Settings) -> list[object]:
    api = Router(
        path="/api/v1",
        route_handlers=[
            AuthController,
            UsersController,
            UploadController,
            PhotoController,
            TimelineController,
            TrashController,
            AlbumController,
            SyncController,
            SearchController,
            PlacesController,
            MapController,
            MemoriesController,
            EventController,
            SimilarController,
            AdminController,
            FamilyController,
            AdminUsersController,
            AlbumMemberController,
            PartnerController,
            LinkController,
            PublicController,
            PeopleController,
            PhotoFacesController,
        ],
    )
    routes: list[object] = [api, healthz, readyz, *web_routes(settings)]
    if settings.storage.backend == "local":
        routes.append(BlobController)
        routes.append(BlobPartController)
    return routes


def _forwarded(app: ASGIApp, trusted: list[str]) -> ASGIApp:
    # uvicorn's middleware is plain ASGI; only its type hints differ from Litestar's.
    return cast("ASGIApp", ProxyHeadersMiddleware(cast("Any", app), trusted_hosts=trusted))


def _middleware(settings: Settings) -> list[DefineMiddleware]:
    """The client's address (and scheme) from X-Forwarded-For/-Proto, only when the direct
    peer is one of ``server.trusted_proxies``; the right-most hop that is not one is the client."""
    if not settings.server.trusted_proxies:
        return []
    return [DefineMiddleware(_forwarded, trusted=list(settings.server.trusted_proxies))]


def create_app(settings: Settings, services: Services | None = None) -> Litestar:
    """Build the ASGI app. ``services`` may be given to share adapters (tests, several apps)."""
    services = services or build_services(settings)
    cors = CORSConfig(allow_origins=settings.server.cors_origins) if settings.server.cors_origins else None
    app = Litestar(
        route_handlers=_routes(settings),  # type: ignore[arg-type]
        lifespan=[_lifespan(services)],
        middleware=_middleware(settings),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=openapi_config(),
        cors_config=cors,
        request_max_body_size=1024 * 1024,
        request_class=VaultRequest,
        before_send=[add_security_headers],
        debug=False,
    )
    app.state.services = services
    complete_document(app.openapi_schema, settings)
    return app
