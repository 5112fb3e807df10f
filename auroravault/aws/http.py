"""``handler``: the HTTP API on Lambda, API Gateway HTTP API (payload 2.0) -> Mangum -> Litestar.

A Lambda container serves one request at a time and may be frozen between them and reused for
thousands, so what is costly is done once per container, on its first request: settings from
the environment, the adapters (boto3 clients, connection pools) and the app, all bound to one
event loop kept for the container's life. Mangum's lifespan is off (it would start and stop the
app around every request); the start-up here is cheap on purpose: one ``meta.check()``, no
migration (``auroravault migrate`` runs at deploy time), no scratch sweep (a container's /tmp is
its own) and no places backfill (the jobs function's work).

The job runner does not start inside Lambda: a frozen container runs no background tasks, and
the jobs queue has its own function. ``AURORAVAULT_JOBS__ENABLED=true`` starts it anyway.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any, cast

from litestar import Litestar
from mangum import Mangum

from auroravault.app import build_services, create_app
from auroravault.config import Settings, load_settings
from auroravault.errors import ConfigError
from auroravault.services.container import Services

#: What a Lambda container needs unless the environment says otherwise: only /tmp is writable,
#: and jobs run in the jobs function, not in a container that is frozen between requests.
LAMBDA_DEFAULTS = {"AURORAVAULT_JOBS__ENABLED": "false", "AURORAVAULT_SERVER__DATA_DIR": "/tmp/auroravault"}

#: Response types sent as text; everything else (photos, thumbs, zips) goes base64-encoded.
TEXT_TYPES = [
    "text/",
    "application/json",
    "application/problem+json",
    "application/manifest+json",
    "application/javascript",
    "application/xml",
    "application/vnd.oai.openapi",
    "image/svg+xml",
]


def lambda_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the function's environment over ``LAMBDA_DEFAULTS``.

    ``server.secret`` is required: without it every container would make its own signing key
    in its own /tmp and the URLs one signed would fail on the next.
    """
    env = {**LAMBDA_DEFAULTS, **(os.environ if environ is None else environ)}
    settings = load_settings(environ=env)
    if not settings.server.secret:
        raise ConfigError("setting 'server.secret': required on Lambda (set AURORAVAULT_SERVER__SECRET)")
    return settings


class LambdaApp:
    """The app, its services and its event loop for one container's life."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.services = self.loop.run_until_complete(self._start())
        except BaseException:
            self.loop.close()
            asyncio.set_event_loop(None)
            raise
        self.app: Litestar = create_app(settings, self.services)
        # Litestar and Mangum spell the same ASGI callable with different type hints.
        self.adapter = Mangum(cast("Any", self.app), lifespan="off", text_mime_types=TEXT_TYPES)

    async def _start(self) -> Services:
        services = build_services(self.settings)  # inside the loop: clients bind to it
        try:
            await services.meta.check()
            if self.settings.jobs.enabled:
                await services.runner.start()
        except BaseException:
            await services.close()
            raise
        return services

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        asyncio.set_event_loop(self.loop)  # Mangum runs the request on get_event_loop()
        return self.adapter(event, context)

    def close(self) -> None:
        """Stop what ``_start`` started (tests; Lambda just freezes and later drops a container)."""

        async def stop() -> None:
            if self.settings.jobs.enabled:
                await self.services.runner.stop()
            await self.services.close()

        try:
            self.loop.run_until_complete(stop())
        finally:
            self.loop.close()
            asyncio.set_event_loop(None)


_container: LambdaApp | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The function's entry point: builds the app on the first request (a failed start is
    tried again on the next), then hands each event to it."""
    global _container
    if _container is None:
        _container = LambdaApp(lambda_settings())
    return _container(event, context)


def reset() -> None:
    """Drop this container's app (tests start each with a fresh environment)."""
    global _container
    if _container is not None:
        app, _container = _container, None
        app.close()
