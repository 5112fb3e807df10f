"""Folders that must not overlap: checked at start-up and by ``auroravault check``.

The server keeps four kinds of things on disk, each in its own place:

- ``server.data_dir``: the generated ``secret.key``, and by default everything below;
- ``local.root`` (local storage; default ``<data_dir>/photos``): photo bytes, every file
  of which housekeeping may look at;
- ``sqlite.path`` (SQLite meta; default ``<data_dir>/auroravault.db``, with its ``-wal``
  and ``-shm`` files beside it): the database;
- ``<data_dir>/outbox`` (the log mailer): mail written to disk;
- ``server.work_dir`` (default ``<data_dir>/work``): processing's scratch copies, whose old
  entries are removed at start and by housekeeping.

``data_dir`` may contain the others: that is the default layout. Otherwise neither of two
may be or contain the other: a photo folder that holds the database (``local.root`` set
to the data folder, say) would let storage code see ``auroravault.db`` as an object; a
database inside the outbox would be mailed around. Housekeeping also only ever looks at
keys of the user layout (``u_.../p_.../original``), so even a bad layout cannot make it
touch the database, but the server refuses to start on one rather than rely on that.
"""

from __future__ import annotations

from pathlib import Path

from auroravault.config import Settings
from auroravault.errors import ConfigError


def _places(settings: Settings) -> list[tuple[str, Path]]:
    places = [("server.data_dir", settings.data_path), ("server.work_dir", settings.work_path)]
    if settings.storage.backend == "local":
        places.append(("local.root", settings.local_root))
    if settings.meta.backend == "sqlite":
        places.append(("sqlite.path", settings.sqlite_path))
    if settings.mail.backend == "log":
        places.append(("the mail outbox", settings.data_path / "outbox"))
    return [(name, path.expanduser().resolve()) for name, path in places]


def _contains(outer: Path, inner: Path) -> bool:
    return outer == inner or outer in inner.parents


def folder_overlaps(settings: Settings) -> list[str]:
    """Plain sentences, one per pair of places that overlap; empty when the layout is sound."""
    problems = []
    places = _places(settings)
    for i, (name_a, a) in enumerate(places):
        for name_b, b in places[i + 1 :]:
            for (outer_name, outer), (inner_name, inner) in (((name_a, a), (name_b, b)), ((name_b, b), (name_a, a))):
                if outer_name == "server.data_dir" and outer != inner:
                    continue  # the data folder may hold the others (the default layout)
                if _contains(outer, inner):
                    verb = "is the same place as" if outer == inner else "contains"
                    problems.append(f"{outer_name} ({outer}) {verb} {inner_name} ({inner})")
                    break
    return problems


def check_folders(settings: Settings) -> None:
    """Raise ``ConfigError`` naming every overlap (see the module docstring)."""
    problems = folder_overlaps(settings)
    if problems:
        raise ConfigError(
            "folders overlap: "
            + "; ".join(problems)
            + ". Give local.root, sqlite.path, server.work_dir and the data folder places of their own "
            "(the default layout is <data_dir>/photos and <data_dir>/auroravault.db)"
        )
