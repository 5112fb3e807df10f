"""Dependencies shared by the controllers: the services, and the user behind the token."""

from __future__ import annotations

from litestar import Request
from litestar.di import Provide

from auroravault.errors import Forbidden, Unauthorized
from auroravault.meta.base import User
from auroravault.services.container import Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "send 'Authorization: Bearer <token>'; log in to get a token")
    return token.strip()


async def provide_user(request: Request) -> User:
    return await services_of(request).accounts.authenticate(bearer_token(request))


async def provide_admin(request: Request) -> User:
    user = await provide_user(request)
    if not user.is_admin:
        raise Forbidden("admin_only", "only an admin may do this")
    return user


def provide_services(request: Request) -> Services:
    return services_of(request)


USER = {"user": Provide(provide_user)}
ADMIN = {"user": Provide(provide_admin)}
SERVICES = {"services": Provide(provide_services, sync_to_thread=False)}
