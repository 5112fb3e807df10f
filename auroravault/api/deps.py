"""What the controllers get from Litestar's dependency injection: the user behind the
token, and the one service a controller calls (never the whole ``Services`` container).

Each ``*_SERVICE`` mapping provides one service under its own name; a controller lists the
ones it uses in ``dependencies`` and a handler asks for it by that name, e.g.
``accounts: NamedDependency[AccountService]``. The services are built once per app
(``create_app``) and live in ``app.state.services``; only this module reaches in there.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar import Request
from litestar.di import Provide

from auroravault.errors import Forbidden, Unauthorized
from auroravault.meta.base import User
from auroravault.services.accounts import AccountService
from auroravault.services.admin import AdminService
from auroravault.services.albums import AlbumService
from auroravault.services.container import Services
from auroravault.services.families import FamilyService
from auroravault.services.library import LibraryService
from auroravault.services.links import LinkService
from auroravault.services.map import MapService
from auroravault.services.memories import MemoryService
from auroravault.services.photos import PhotoService
from auroravault.services.public import PublicService
from auroravault.services.readiness import ReadinessService
from auroravault.services.search import SearchService
from auroravault.services.sharing import SharingService
from auroravault.services.similar import SimilarService
from auroravault.services.sync import SyncService
from auroravault.services.trips import EventService
from auroravault.services.uploads import UploadService
from auroravault.services.users_admin import UsersAdminService
from auroravault.storage.local import LocalBlobStore


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "send 'Authorization: Bearer <token>'; log in to get a token")
    return token.strip()


async def provide_user(request: Request) -> User:
    return await _services(request).accounts.authenticate(bearer_token(request))


async def provide_admin(request: Request) -> User:
    user = await provide_user(request)
    if not user.is_admin:
        raise Forbidden("admin_only", "only an admin may do this")
    return user


def provide_accounts(request: Request) -> AccountService:
    return _services(request).accounts


def provide_uploads(request: Request) -> UploadService:
    return _services(request).uploads


def provide_photos(request: Request) -> PhotoService:
    return _services(request).photos


def provide_library(request: Request) -> LibraryService:
    return _services(request).library


def provide_sync(request: Request) -> SyncService:
    return _services(request).sync


def provide_admin_service(request: Request) -> AdminService:
    return _services(request).admin


def provide_readiness(request: Request) -> ReadinessService:
    return _services(request).readiness


def provide_albums(request: Request) -> AlbumService:
    return _services(request).albums


def provide_search(request: Request) -> SearchService:
    return _services(request).search


def provide_map(request: Request) -> MapService:
    return _services(request).map


def provide_memories(request: Request) -> MemoryService:
    return _services(request).memories


def provide_events(request: Request) -> EventService:
    return _services(request).trips


def provide_similar(request: Request) -> SimilarService:
    return _services(request).similar


def provide_families(request: Request) -> FamilyService:
    return _services(request).families


def provide_users_admin(request: Request) -> UsersAdminService:
    return _services(request).users_admin


def provide_sharing(request: Request) -> SharingService:
    return _services(request).sharing


def provide_links(request: Request) -> LinkService:
    return _services(request).links


def provide_public(request: Request) -> PublicService:
    return _services(request).public


def provide_local_blobs(request: Request) -> LocalBlobStore:
    """The local store, for its presigned endpoint (mounted only when ``storage.backend = "local"``)."""
    store = _services(request).blobs
    assert isinstance(store, LocalBlobStore)
    return store


def _provide(provider: Callable[[Request], object]) -> Provide:
    # The providers only read an attribute: no thread needed.
    return Provide(provider, sync_to_thread=False)


USER = {"user": Provide(provide_user)}
ADMIN = {"user": Provide(provide_admin)}
ACCOUNTS_SERVICE = {"accounts": _provide(provide_accounts)}
UPLOADS_SERVICE = {"uploads": _provide(provide_uploads)}
PHOTOS_SERVICE = {"photos": _provide(provide_photos)}
LIBRARY_SERVICE = {"library": _provide(provide_library)}
SYNC_SERVICE = {"sync": _provide(provide_sync)}
ADMIN_SERVICE = {"admin": _provide(provide_admin_service)}
READINESS_SERVICE = {"readiness": _provide(provide_readiness)}
ALBUMS_SERVICE = {"albums": _provide(provide_albums)}
SEARCH_SERVICE = {"search": _provide(provide_search)}
MAP_SERVICE = {"map_service": _provide(provide_map)}
MEMORIES_SERVICE = {"memories": _provide(provide_memories)}
EVENTS_SERVICE = {"events": _provide(provide_events)}
SIMILAR_SERVICE = {"similar": _provide(provide_similar)}
FAMILIES_SERVICE = {"families": _provide(provide_families)}
SHARING_SERVICE = {"sharing": _provide(provide_sharing)}
LOCAL_BLOBS = {"store": _provide(provide_local_blobs)}
USERS_ADMIN_SERVICE = {"users_admin": _provide(provide_users_admin)}
LINKS_SERVICE = {"links": _provide(provide_links)}
PUBLIC_SERVICE = {"public": _provide(provide_public)}
