"""SQLite MetaStore: one file, WAL, one writer connection, numbered migrations.

The package, by what each module holds:

- ``store``: ``SqliteMetaStore``, the public class, and the migrations (``migrations/NNNN_*.sql``);
- ``connection``: the writer and reader connections, the write transaction, reads;
- ``codec``: records <-> rows; a photo is real columns plus the JSON of its other fields;
- ``accounts``, ``photos``, ``uploads``, ``jobs``, ``library``: the MetaStore operations, one
  aggregate each, as mixins that ``SqliteMetaStore`` combines.

The tables and their columns, for anyone querying a vault with ``sqlite3`` or Datasette, are
described in ``docs/sqlite.md``.
"""

from auroravault.meta.sqlite.store import SqliteMetaStore, migrations

__all__ = ["SqliteMetaStore", "migrations"]
