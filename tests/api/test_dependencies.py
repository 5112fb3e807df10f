"""Controllers get the one service they call from Litestar's dependency injection, never
the whole ``Services`` container (issue 12).

The checks read what Litestar itself resolved for every route handler of the real app:
each handler's parameters and every provider in its scope (app, router, controller,
handler).
"""

from __future__ import annotations

from dataclasses import fields

from litestar import Controller, Litestar, Request, get
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler

from auroravault.services.container import Services
from auroravault.services.library import LibraryService
from auroravault.services.photos import PhotoService
from tests.asgi import AppClient


def handlers(app: Litestar) -> list[BaseRouteHandler]:
    found: list[BaseRouteHandler] = []
    for route in app.routes:
        found.extend(getattr(route, "route_handlers", None) or [route.route_handler])
    return found


def container_dependencies(app: Litestar) -> list[str]:
    """Where a handler could receive the whole container: a parameter typed ``Services``,
    or a provider in its scope that returns it or takes it."""
    found = []
    for handler in handlers(app):
        for name, field in handler.parsed_fn_signature.parameters.items():
            if field.annotation is Services:
                found.append(f"{handler.handler_name}({name})")
        for key, provide in handler.resolve_dependencies().items():
            signature = provide.parsed_fn_signature
            takes = [f.annotation for f in signature.parameters.values()]
            if signature.return_type.annotation is Services or Services in takes:
                found.append(f"{handler.handler_name}: provider {key!r}")
    return found


def service_types(services: Services) -> set[type]:
    kinds = {type(getattr(services, f.name)) for f in fields(services)}
    return {kind for kind in kinds if kind.__module__.startswith("auroravault.services.")}


def test_no_handler_can_receive_the_services_container(client: AppClient) -> None:
    assert len(handlers(client.app)) > 40
    assert container_dependencies(client.app) == []


def test_each_handler_receives_at_most_one_service(client: AppClient) -> None:
    kinds = service_types(client.app.state.services)
    assert {LibraryService, PhotoService} <= kinds
    received = {}
    for handler in handlers(client.app):
        got = [f.annotation for f in handler.parsed_fn_signature.parameters.values() if f.annotation in kinds]
        assert len(got) <= 1, f"{handler.handler_name} receives {got}"
        if got:
            received[handler.handler_name] = got[0]
    # The API's handlers call their service through injection (a sample of them).
    assert received["list_photos"] is PhotoService
    assert received["trash"] is LibraryService
    assert received["download_trashed"] is PhotoService
    assert received["me"] is LibraryService


def test_the_check_sees_a_controller_that_asks_for_the_container() -> None:
    def provide_services(request: Request) -> Services:
        services: Services = request.app.state.services
        return services

    class Greedy(Controller):
        path = "/greedy"
        dependencies = {"services": Provide(provide_services, sync_to_thread=False)}

        @get("/", sync_to_thread=False)
        def everything(self, services: NamedDependency[Services]) -> None:
            return None

    found = container_dependencies(Litestar([Greedy]))
    assert "everything(services)" in found
    assert "everything: provider 'services'" in found


async def test_injected_services_answer_requests(client: AppClient) -> None:
    """The providers hand out the app's own services: readiness and a full login round trip."""
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "meta": "sqlite", "storage": "local"}
    body = {"email": "ada@example.com", "password": "correct horse battery", "display_name": "Ada"}
    registered = await client.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 201
    token = registered.json()["token"]
    me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"
