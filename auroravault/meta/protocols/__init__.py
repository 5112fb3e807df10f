"""The meta store, one protocol per aggregate.

Each protocol is a handful of methods on one kind of row, with the contract in its
docstrings; the general rules (atomic steps, conditional transitions, errors, times) are in
``auroravault.meta.base``, beside the records the methods take and return.

- ``AccountStore`` (``accounts``): users, sessions, reset tokens;
- ``UserAdminStore`` (``accounts``): the user list, admin flags and quotas, the first admin;
- ``CounterStore`` (``counters``): windowed counters (rate limits, markers);
- ``PhotoStore`` (``photos``): photo rows, the timeline, the pipeline's writes;
- ``UploadStore`` (``uploads``): batches and uploads;
- ``JobStore`` (``jobs``): the durable job queue;
- ``LibraryStore`` (``library``): flags, corrections, trash, deletion, tombstones, usage, changes;
- ``AlbumStore`` (``albums``): albums and their memberships;
- ``SearchStore`` (``search``): search, suggestions, places, map clusters;
- ``FamilyStore`` (``families``): families, members, invitations;
- ``SharingStore`` (``sharing``): album members and partner shares (issue 14);
- ``LinkStore`` (``links``): share links (issue 14);
- ``PeopleStore`` (``people``): faces and the people they are clustered into (issue 18);
- ``StoreLifecycle`` (``lifecycle``): migrate, check, close, and purging what expired;
- ``PhotoLibrary`` (``library``): photos and library together; ``ShownPhotos`` adds albums.

A service asks for the protocols it uses and no more (``AccountService(meta: AccountStore)``;
one that needs several names a protocol inheriting them, next to it). ``MetaStore``
(``auroravault.meta.base``) inherits them all: it is what an adapter implements and what
the app builds. ``auroravault.meta.conformance`` makes mypy prove that every adapter
satisfies every protocol.

The records are imported for type checking only, so that ``auroravault.meta.base`` can
build ``MetaStore`` from these protocols without an import cycle.
"""

from auroravault.meta.protocols.accounts import AccountStore, AdministeredUsers, UserAdminStore
from auroravault.meta.protocols.albums import AlbumStore
from auroravault.meta.protocols.counters import CounterStore, LimitedAccounts, ManagedAccounts
from auroravault.meta.protocols.families import FamilyStore, JoinRefusal
from auroravault.meta.protocols.jobs import JobStore
from auroravault.meta.protocols.library import LibraryStore, PhotoLibrary, ShownPhotos
from auroravault.meta.protocols.lifecycle import StoreLifecycle
from auroravault.meta.protocols.links import LinkStore
from auroravault.meta.protocols.people import PeopleStore
from auroravault.meta.protocols.photos import PhotoStore
from auroravault.meta.protocols.search import SearchStore
from auroravault.meta.protocols.sharing import SharingStore
from auroravault.meta.protocols.uploads import UploadStore

#: Every aggregate protocol, in the order ``MetaStore`` inherits them.
AGGREGATES: tuple[type, ...] = (
    AccountStore,
    CounterStore,
    PhotoStore,
    UploadStore,
    JobStore,
    LibraryStore,
    AlbumStore,
    SearchStore,
    LinkStore,
    StoreLifecycle,
    FamilyStore,
    UserAdminStore,
    SharingStore,
    PeopleStore,
)

__all__ = [
    "AGGREGATES",
    "AccountStore",
    "AdministeredUsers",
    "AlbumStore",
    "CounterStore",
    "FamilyStore",
    "JobStore",
    "JoinRefusal",
    "LibraryStore",
    "LimitedAccounts",
    "LinkStore",
    "ManagedAccounts",
    "PeopleStore",
    "PhotoLibrary",
    "PhotoStore",
    "SearchStore",
    "SharingStore",
    "ShownPhotos",
    "StoreLifecycle",
    "UploadStore",
    "UserAdminStore",
]
