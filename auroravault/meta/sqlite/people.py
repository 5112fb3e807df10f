"""Faces and people on SQLite: the ``PeopleStore`` methods of ``SqliteMetaStore``.

Tables of migration 0012: ``people`` and ``faces`` (each record as JSON beside the columns it
is found by). Both go with their owner, and a face with its photo, by ``ON DELETE CASCADE``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from auroravault.meta.protocols.people import PERSON_FIELDS, Face, FaceRef, Person
from auroravault.meta.sqlite.connection import Connections
from auroravault.timeutil import to_iso

_encoder = msgspec.json.Encoder()
_face_decoder = msgspec.json.Decoder(Face)
_ref_decoder = msgspec.json.Decoder(FaceRef)  # skips the embedding without building it
_person_decoder = msgspec.json.Decoder(Person)
_OWNER_FACES = "SELECT data FROM faces WHERE owner_id = ? ORDER BY photo_id, seq"


def _json(record: msgspec.Struct) -> str:
    return _encoder.encode(record).decode()


class PeopleOps(Connections):
    """The people methods of ``SqliteMetaStore`` (see ``auroravault.meta.protocols.people``)."""

    async def replace_photo_faces(self, owner_id: str, photo_id: str, faces: list[Face]) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM faces WHERE owner_id = ? AND photo_id = ?", (owner_id, photo_id))
            await conn.executemany(
                "INSERT INTO faces (id, owner_id, photo_id, seq, data) VALUES (?, ?, ?, ?, ?)",
                [(f.id, owner_id, photo_id, f.seq, _json(f)) for f in faces],
            )

    async def photo_faces(self, owner_id: str, photo_id: str) -> list[Face]:
        rows = await self._fetch(
            "SELECT data FROM faces WHERE owner_id = ? AND photo_id = ? ORDER BY seq", (owner_id, photo_id)
        )
        return [_face_decoder.decode(row[0]) for row in rows]

    async def owner_faces(self, owner_id: str) -> list[Face]:
        rows = await self._fetch(_OWNER_FACES, (owner_id,))
        return [_face_decoder.decode(row[0]) for row in rows]

    async def owner_face_refs(self, owner_id: str) -> list[FaceRef]:
        rows = await self._fetch(_OWNER_FACES, (owner_id,))
        return [_ref_decoder.decode(row[0]) for row in rows]

    async def update_faces(self, faces: list[Face]) -> None:
        if not faces:
            return
        async with self._tx() as conn:
            for face in faces:
                async with conn.execute("SELECT data FROM faces WHERE id = ?", (face.id,)) as cur:
                    row = await cur.fetchone()
                if row is None:
                    continue
                stored = _face_decoder.decode(row[0])
                changed = msgspec.structs.replace(stored, person_id=face.person_id, pinned=face.pinned)
                await conn.execute("UPDATE faces SET data = ? WHERE id = ?", (_json(changed), face.id))

    async def put_person(self, person: Person) -> None:
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO people (id, owner_id, created_at, data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (person.id, person.owner_id, to_iso(person.created_at), _json(person)),
            )

    async def get_person(self, owner_id: str, person_id: str) -> Person | None:
        rows = await self._fetch("SELECT data FROM people WHERE id = ? AND owner_id = ?", (person_id, owner_id))
        return _person_decoder.decode(rows[0][0]) if rows else None

    async def list_people(self, owner_id: str) -> list[Person]:
        rows = await self._fetch("SELECT data FROM people WHERE owner_id = ? ORDER BY created_at, id", (owner_id,))
        return [_person_decoder.decode(row[0]) for row in rows]

    async def update_person(
        self, owner_id: str, person_id: str, changes: dict[str, Any], now: datetime
    ) -> Person | None:
        unknown = set(changes) - PERSON_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._tx() as conn:
            sql = "SELECT data FROM people WHERE id = ? AND owner_id = ?"
            async with conn.execute(sql, (person_id, owner_id)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            person = msgspec.structs.replace(_person_decoder.decode(row[0]), **changes, updated_at=now)
            await conn.execute("UPDATE people SET data = ? WHERE id = ?", (_json(person), person_id))
            return person

    async def delete_person(self, owner_id: str, person_id: str) -> bool:
        async with self._tx() as conn:
            cur = await conn.execute("DELETE FROM people WHERE id = ? AND owner_id = ?", (person_id, owner_id))
            return (cur.rowcount or 0) > 0
