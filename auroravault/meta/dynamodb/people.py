"""Faces and people on DynamoDB: the ``PeopleStore`` methods of ``DynamoMetaStore``.

Items (see ``docs/dynamodb.md``):

- ``FACES#<owner>`` / ``FACE#<photo_id>#<seq>``: a Face record; the owner's faces are one
  partition (clustering reads them all), a photo's faces one ``begins_with`` range of it.
- ``PEOPLE#<owner>`` / ``PERSON#<id>``: a Person record.

All reads are consistent; a face is written back only if it still exists.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from auroravault.meta.dynamodb.client import TableClient, _ConditionFailed
from auroravault.meta.dynamodb.codec import AttrMap, _Expr, _item, _record
from auroravault.meta.dynamodb.keys import _key
from auroravault.meta.protocols.people import PERSON_FIELDS, Face, FaceRef, Person
from auroravault.timeutil import to_iso

_WRITE_GROUP = 25


def _face_key(owner_id: str, photo_id: str, seq: int) -> AttrMap:
    return _key(f"FACES#{owner_id}", f"FACE#{photo_id}#{seq:04d}")


def _person_key(owner_id: str, person_id: str) -> AttrMap:
    return _key(f"PEOPLE#{owner_id}", f"PERSON#{person_id}")


class PeopleOps(TableClient):
    """The people methods of ``DynamoMetaStore`` (see ``auroravault.meta.protocols.people``)."""

    async def _range(self, pk: str, prefix: str, only: tuple[str, ...] = ()) -> list[AttrMap]:
        """The items of ``pk`` whose SK starts with ``prefix``; with ``only``, just those attributes."""
        e = _Expr()
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        if only:
            kwargs["ProjectionExpression"] = ", ".join(e.n(a) for a in only)
        query = e.args(KeyConditionExpression=f"PK = {e.v(pk)} AND begins_with(SK, {e.v(prefix)})", **kwargs)
        return [item async for item in self._query(**query)]

    async def replace_photo_faces(self, owner_id: str, photo_id: str, faces: list[Face]) -> None:
        old = await self._range(f"FACES#{owner_id}", f"FACE#{photo_id}#")
        keep = {_face_key(owner_id, photo_id, f.seq)["SK"]["S"] for f in faces}
        stale = [{"PK": i["PK"], "SK": i["SK"]} for i in old if i["SK"]["S"] not in keep]
        puts = [{**_item(f), **_face_key(owner_id, photo_id, f.seq)} for f in faces]
        await self._batch_write(puts=puts, deletes=stale)

    async def photo_faces(self, owner_id: str, photo_id: str) -> list[Face]:
        items = await self._range(f"FACES#{owner_id}", f"FACE#{photo_id}#")
        return [_record(Face, i) for i in items]  # SK order is seq order

    async def owner_faces(self, owner_id: str) -> list[Face]:
        return [_record(Face, i) for i in await self._range(f"FACES#{owner_id}", "FACE#")]

    async def owner_face_refs(self, owner_id: str) -> list[FaceRef]:
        # The embedding stays on the server: a tenth of the bytes to send and parse (DynamoDB
        # still charges the read by the whole item).
        items = await self._range(f"FACES#{owner_id}", "FACE#", only=tuple(FaceRef.__struct_fields__))
        return [_record(FaceRef, i) for i in items]

    async def update_faces(self, faces: list[Face]) -> None:
        async def one(face: Face) -> None:
            e = _Expr()
            fields: dict[str, Any] = {"person_id": face.person_id, "pinned": face.pinned}
            key = _face_key(face.owner_id, face.photo_id, face.seq)
            cond = f"attribute_exists(PK) AND {e.n('id')} = {e.v(face.id)}"
            op = self._update(key, e.update(fields), e, cond)
            with contextlib.suppress(_ConditionFailed):  # detection ran again and this face is gone
                await self._call("update_item", **op)

        for start in range(0, len(faces), _WRITE_GROUP):
            await asyncio.gather(*(one(f) for f in faces[start : start + _WRITE_GROUP]))

    async def put_person(self, person: Person) -> None:
        await self._call("put_item", **self._put({**_item(person), **_person_key(person.owner_id, person.id)}))

    async def get_person(self, owner_id: str, person_id: str) -> Person | None:
        return await self._get_record(Person, _person_key(owner_id, person_id))

    async def list_people(self, owner_id: str) -> list[Person]:
        people = [_record(Person, i) for i in await self._range(f"PEOPLE#{owner_id}", "PERSON#")]
        return sorted(people, key=lambda p: (to_iso(p.created_at), p.id))

    async def update_person(
        self, owner_id: str, person_id: str, changes: dict[str, Any], now: datetime
    ) -> Person | None:
        unknown = set(changes) - PERSON_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        e = _Expr()
        expr = e.update({**changes, "updated_at": to_iso(now)})
        op = self._update(_person_key(owner_id, person_id), expr, e, "attribute_exists(PK)")
        try:
            out = await self._call("update_item", **op, ReturnValues="ALL_NEW")
        except _ConditionFailed:
            return None
        return _record(Person, out["Attributes"])

    async def delete_person(self, owner_id: str, person_id: str) -> bool:
        op = self._delete(_person_key(owner_id, person_id), "attribute_exists(PK)")
        try:
            await self._call("delete_item", **op)
        except _ConditionFailed:
            return False
        return True
