"""Each service asks for the parts of the meta store it uses, never for the whole
``MetaStore`` (mypy then proves it touches nothing else: ``make lint``)."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest

from auroravault.jobs.queue import JobQueue
from auroravault.jobs.runner import JobRunner
from auroravault.meta.base import MetaStore
from auroravault.meta.protocols import (
    AGGREGATES,
    AccountStore,
    AlbumStore,
    CounterStore,
    FamilyStore,
    JobStore,
    LibraryStore,
    LinkStore,
    PhotoStore,
    SearchStore,
    SharingStore,
    StoreLifecycle,
    UploadStore,
    UserAdminStore,
)
from auroravault.services.accounts import AccountService
from auroravault.services.admin import AdminService
from auroravault.services.albums import AlbumService
from auroravault.services.deletion import DeletionService
from auroravault.services.families import FamilyService
from auroravault.services.library import LibraryService
from auroravault.services.links import LinkService
from auroravault.services.map import MapService
from auroravault.services.memories import MemoryService
from auroravault.services.notifications import NotificationService
from auroravault.services.photos import PhotoService
from auroravault.services.places_backfill import PlacesBackfill
from auroravault.services.processing import ProcessingService
from auroravault.services.public import PublicService
from auroravault.services.quarantine import QuarantineService
from auroravault.services.search import SearchService
from auroravault.services.sharing import SharingService
from auroravault.services.sharing_mail import SharingMail
from auroravault.services.sweep import SweepService
from auroravault.services.sync import SyncService
from auroravault.services.uploads import UploadService
from auroravault.services.users_admin import UsersAdminService

NEEDS: dict[type, set[type]] = {
    AccountService: {AccountStore, CounterStore, UserAdminStore},
    NotificationService: {AccountStore, CounterStore},
    QuarantineService: {AccountStore},
    AdminService: {JobStore},
    JobQueue: {JobStore},
    JobRunner: {JobStore},
    PhotoService: {PhotoStore, LibraryStore, AlbumStore, SharingStore},
    LibraryService: {PhotoStore, LibraryStore, AlbumStore, SharingStore},
    SyncService: {PhotoStore, LibraryStore, AlbumStore, SharingStore},
    DeletionService: {PhotoStore, LibraryStore},
    UploadService: {PhotoStore, UploadStore, LibraryStore, AlbumStore, SharingStore},
    ProcessingService: {PhotoStore, UploadStore, JobStore},
    SweepService: {PhotoStore, UploadStore, JobStore, StoreLifecycle},
    AlbumService: {AccountStore, PhotoStore, LibraryStore, AlbumStore, SharingStore},
    SearchService: {SearchStore, LibraryStore, AlbumStore, SharingStore},
    MapService: {SearchStore},
    MemoryService: {PhotoStore, LibraryStore, SearchStore, SharingStore},
    PlacesBackfill: {AccountStore, CounterStore, PhotoStore},
    FamilyService: {FamilyStore, AccountStore, CounterStore},
    UsersAdminService: {AccountStore, UserAdminStore, LibraryStore},
    SharingService: {AccountStore, AlbumStore, SharingStore, FamilyStore},
    SharingMail: {AccountStore, AlbumStore, SharingStore},
    LinkService: {LinkStore, AlbumStore, PhotoStore, LibraryStore, SharingStore},
    PublicService: {LinkStore, PhotoStore, AlbumStore, AccountStore, CounterStore},
}


def aggregates_of(protocol: Any) -> set[type]:
    # A union (AdminService: the meta store's jobs, or the SQS view of them): the store parts.
    parts = typing.get_args(protocol) if isinstance(protocol, types.UnionType) else (protocol,)
    return {base for part in parts for base in part.__mro__ if base in AGGREGATES}


@pytest.mark.parametrize("service", list(NEEDS), ids=lambda s: s.__name__)
def test_a_service_asks_only_for_the_stores_it_uses(service: type) -> None:
    wanted = typing.get_type_hints(service.__init__)["meta"]
    assert wanted is not MetaStore
    assert aggregates_of(wanted) == NEEDS[service]


def test_no_service_asks_for_every_store() -> None:
    assert all(len(needs) < len(AGGREGATES) for needs in NEEDS.values())
    assert aggregates_of(MetaStore) == set(AGGREGATES)
