"""Search on SQLite: filters on columns, words through FTS5, suggestions, places, map clusters.

Migration 0006 adds the place columns (``city``, ``region``, ``country``, ``country_code``,
generated from the record) and ``photo_text``, an FTS5 table over filename, description and
place names, kept in step by triggers on ``photos`` (see the migration for why triggers).
A query word is a prefix query (``"word"*``) on that index; several words must all match.

Results are the owner's listed photos (non-pending, untrashed; archived included), newest
first by ``(sort_at, id)``. What drives a page (see ``docs/search.md``, "SQLite"):

- words with few matches (``FTS_DRIVES``): the FTS5 match set itself, joined to ``photos``
  and sorted; it costs the matches, however large the library;
- an equality filter (country, city, camera): its index of migration 0007, ``(owner_id,
  value, sort_at, id)``, read newest first until the page is full;
- otherwise ``photos_timeline``, read newest first until ``limit`` rows match.

A person (``photo_ids``, a set the service resolved) of at most ``IDS_DRIVE`` photos drives
before all of these: its ids are looked up by primary key. A word with ``word_photos`` (it
starts a person's name) matches its FTS5 rows OR those photos; such words are left out of the
FTS5 query that drives or filters, and tested per word (``_where``).

One probe statement first learns which of these applies (how many rows the words match,
which column a country or camera value is found in); every filter is still tested as
written, so the probe only chooses the path, never the answer.
"""

from __future__ import annotations

import json
from typing import Any

from auroravault.meta.base import BBox, Cluster, Photo, PlaceCount, SearchQuery, SuggestField, Suggestion
from auroravault.meta.sqlite.codec import PHOTO_SELECT, photo_from_row
from auroravault.meta.sqlite.connection import Connections

#: The photo's columns the filters use (real columns of ``photos``, migrations 0004 and 0006).
LAT, LON, MAKE, MODEL = "p.lat", "p.lon", "p.camera_make", "p.camera_model"
LABEL = (
    f"CASE WHEN {MAKE} IS NOT NULL AND {MODEL} IS NOT NULL AND lower({MODEL}) LIKE lower({MAKE}) || '%'"
    f" THEN {MODEL} ELSE nullif(trim(coalesce({MAKE}, '') || ' ' || coalesce({MODEL}, '')), '') END"
)
LISTED = "p.owner_id = ? AND p.status != 'pending' AND p.trashed_at IS NULL"
#: A word query whose FTS5 match set holds at most this many rows is driven by that set: its
#: rows are read and sorted (cheap when few). Above it a word is common, and the timeline (or a
#: filter's index) fills a page sooner than sorting every match would.
FTS_DRIVES = 2000
#: A common word on the timeline: its FTS5 rowids as one set, and each row's ``docid`` tested
#: against it (cheaper than joining every match to its photo id first).
_DOCID = "(SELECT d.docid FROM search_docs d WHERE d.photo_id = p.id)"
_FTS_TEST = f"{_DOCID} IN (SELECT rowid FROM photo_text WHERE photo_text MATCH ?)"
_FTS_IN = f" AND {_FTS_TEST}"
#: A ``photo_ids`` set (a person's photos) of at most this many drives the page: its rows are
#: looked up by primary key and sorted, whatever the library.
IDS_DRIVE = 2000
_ROW = 1 << 25  # more cells than a row of the finest grid has (360° / the smallest cell)
_SUGGEST = {"camera": LABEL, "city": "p.city", "country": "p.country", "year": "substr(p.sort_at, 1, 4)"}


def _match(words: tuple[str, ...]) -> str:
    # Words are letters and digits only (search_text.words): quoting them is enough.
    return " ".join(f'"{w}"*' for w in words)


def _plain(query: SearchQuery) -> tuple[str, ...]:
    """The words only the text can match (no ``word_photos`` entry): one FTS5 query."""
    return tuple(w for w in query.words if not query.word_photos.get(w))


def _ids(ids: frozenset[str]) -> str:
    return json.dumps(sorted(ids))


def _where(
    query: SearchQuery, drivers: list[tuple[str, str]] | None = None, *, ids_drive: bool = False
) -> tuple[str, list[Any]]:
    """The filters as SQL (``drivers``: index-friendly equalities the probe found, ANDed in;
    ``ids_drive``: the rows are ``photo_ids`` already, not tested again)."""
    sql = LISTED + " AND json_extract(p.data, '$.motion_of') IS NULL"  # a Live Photo's video: its still
    params: list[Any] = [query.owner_id]
    if query.start is not None:
        sql += " AND p.sort_at >= ?"
        params.append(query.start)
    if query.end is not None:
        sql += " AND p.sort_at <= ?"
        params.append(query.end)
    if query.media_type is not None:
        sql += " AND p.media_type = ?"
        params.append(query.media_type)
    if query.has_location is True:
        sql += f" AND {LAT} IS NOT NULL AND {LON} IS NOT NULL"
    elif query.has_location is False:
        sql += f" AND ({LAT} IS NULL OR {LON} IS NULL)"
    if query.favorite:
        sql += " AND EXISTS (SELECT 1 FROM photo_flags f WHERE f.photo_id = p.id AND f.user_id = ? AND f.favorite = 1)"
        params.append(query.viewer_id)
    # Case-insensitive as ``lower(a) = lower(b)``: SQLite's lower() and NOCASE both fold ASCII
    # only, so they agree; NOCASE lets the indexes of migration 0007 serve the equality.
    if query.camera is not None:
        sql += f" AND ({MAKE} = ? COLLATE NOCASE OR {MODEL} = ? COLLATE NOCASE OR {LABEL} = ? COLLATE NOCASE)"
        params += [query.camera] * 3
    if query.city is not None:
        sql += " AND p.city = ? COLLATE NOCASE"
        params.append(query.city)
    if query.country is not None:
        sql += " AND (p.country = ? COLLATE NOCASE OR p.country_code = ? COLLATE NOCASE)"
        params += [query.country] * 2
    if query.album_id is not None:
        sql += " AND EXISTS (SELECT 1 FROM album_photos ap WHERE ap.album_id = ? AND ap.photo_id = p.id)"
        params.append(query.album_id)
    if query.photo_ids is not None and not ids_drive:
        sql += " AND p.id IN (SELECT value FROM json_each(?))"
        params.append(_ids(query.photo_ids))
    for word in query.words:  # a word that may match through people: its text OR its photos
        extra = query.word_photos.get(word)
        if extra:
            sql += f" AND ({_FTS_TEST} OR p.id IN (SELECT value FROM json_each(?)))"
            params += [_match((word,)), _ids(extra)]
    for column, value in drivers or ():
        sql += f" AND p.{column} = ? COLLATE NOCASE"
        params.append(value)
    return sql, params


def _alternatives(query: SearchQuery) -> list[list[tuple[str, str]]]:
    """Per OR-filter, equalities of which a matching photo satisfies at least one.

    ``country`` is the name or the code. ``camera`` is the make, the model, or the label:
    the label is the model (when it starts with the make) or ``make model``, so a photo it
    matches has as model the part of the value after one of its spaces (make and model are
    stored trimmed, ``imaging/exif``).
    """
    out: list[list[tuple[str, str]]] = []
    if query.country is not None:
        out.append([("country_code", query.country), ("country", query.country)])
    if query.camera is not None:
        cam = query.camera
        models = [cam] + [cam[i + 1 :] for i, ch in enumerate(cam) if ch == " " and cam[i + 1 :]]
        out.append([("camera_make", cam)] + [("camera_model", m) for m in dict.fromkeys(models)])
    return out


def _newest(packed: str) -> str:
    """The id out of ``max(sort_at || '|' || id)``."""
    return packed.split("|", 1)[1]


class SearchOps(Connections):
    """The search methods of ``SqliteMetaStore`` (see ``SearchStore`` in ``auroravault.meta.base``)."""

    async def search_photos(self, query: SearchQuery, *, limit: int, after: tuple[str, str] | None) -> list[Photo]:
        if limit <= 0:
            return []
        if query.photo_ids is not None and not query.photo_ids:
            return []  # a person with no photos here
        matches, drivers = await self._probe(query)
        if drivers is None:
            return []  # an OR-filter whose every alternative is absent from the library
        plain = _plain(query)
        ids_drive = query.photo_ids is not None and len(query.photo_ids) <= IDS_DRIVE
        where, params = _where(query, drivers, ids_drive=ids_drive)
        if after is not None:
            where += " AND (p.sort_at, p.id) < (?, ?)"
            params += list(after)
        if query.photo_ids is not None and ids_drive:
            # The given photos drive: each id is looked up by primary key, the rest tested.
            sql = f"SELECT {PHOTO_SELECT} FROM json_each(?) j CROSS JOIN photos p WHERE p.id = j.value AND {where}"
            params = [_ids(query.photo_ids), *params]
            if plain:
                sql += _FTS_IN
                params.append(_match(plain))
        elif plain and matches <= FTS_DRIVES:
            # The match set of the text-only words drives: FTS5 gives its rowids, each is
            # joined to its photo (CROSS JOIN keeps that order), the survivors are sorted.
            # Words that may match through people are tested in ``where``.
            sql = (
                f"SELECT {PHOTO_SELECT} FROM photo_text t CROSS JOIN search_docs d CROSS JOIN photos p"
                f" WHERE photo_text MATCH ? AND d.docid = t.rowid AND p.id = d.photo_id AND {where}"
            )
            params = [_match(plain), *params]
        else:
            sql = f"SELECT {PHOTO_SELECT} FROM photos p WHERE {where}"
            if plain:
                sql += _FTS_IN
                params.append(_match(plain))
        rows = await self._fetch(f"{sql} ORDER BY p.sort_at DESC, p.id DESC LIMIT ?", [*params, limit])
        return [photo_from_row(row) for row in rows]

    async def _probe(self, query: SearchQuery) -> tuple[int, list[tuple[str, str]] | None]:
        """How many FTS rows the text-only words match (up to ``FTS_DRIVES + 1``), and the equalities
        that may drive the page: per OR-filter (``_alternatives``), the one alternative the
        owner's photos hold, if only one does (None: one filter none does, so nothing matches).

        The probe and the page are two reads: a photo written between them with a country or
        camera value the owner's library did not hold a moment before shows from the next
        request on, as it would had it been written just after this one."""
        alternatives = _alternatives(query)
        terms: list[str] = []
        params: list[Any] = []
        plain = _plain(query)
        if plain:
            terms.append("(SELECT count(*) FROM (SELECT rowid FROM photo_text WHERE photo_text MATCH ? LIMIT ?))")
            params += [_match(plain), FTS_DRIVES + 1]
        for column, value in (pair for alts in alternatives for pair in alts):
            terms.append(f"EXISTS (SELECT 1 FROM photos p WHERE p.owner_id = ? AND p.{column} = ? COLLATE NOCASE)")
            params += [query.owner_id, value]
        if not terms:
            return 0, []
        found = list((await self._fetch(f"SELECT {', '.join(terms)}", params))[0])
        matches = int(found.pop(0)) if plain else 0
        drivers: list[tuple[str, str]] = []
        for alts in alternatives:
            present = [pair for pair, hit in zip(alts, found[: len(alts)], strict=True) if hit]
            del found[: len(alts)]
            if not present:
                return matches, None
            if len(present) == 1:
                drivers.append(present[0])
        return matches, drivers

    async def suggest(self, owner_id: str, field: SuggestField, prefix: str, limit: int) -> list[Suggestion]:
        value = _SUGGEST[field]
        rows = await self._fetch(
            f"SELECT v, count(*) AS n FROM (SELECT {value} AS v FROM photos p WHERE {LISTED})"
            " WHERE v IS NOT NULL AND v != '' AND substr(lower(v), 1, ?) = lower(?)"
            " GROUP BY v ORDER BY n DESC, v LIMIT ?",
            (owner_id, len(prefix), prefix, limit),
        )
        return [Suggestion(str(row[0]), int(row[1])) for row in rows]

    async def places(self, owner_id: str) -> list[PlaceCount]:
        rows = await self._fetch(
            "SELECT p.country, p.country_code, p.region, p.city, count(*) AS n, max(p.sort_at || '|' || p.id)"
            f" FROM photos p WHERE {LISTED} AND (p.country_code IS NOT NULL OR p.country IS NOT NULL"
            " OR p.city IS NOT NULL) GROUP BY p.country_code, p.region, p.city, p.country"
            " ORDER BY n DESC, p.country, p.city",
            (owner_id,),
        )
        return [
            PlaceCount(
                country=r[0], country_code=r[1], region=r[2], city=r[3], count=int(r[4]), cover_photo_id=_newest(r[5])
            )
            for r in rows
        ]

    async def map_clusters(self, owner_id: str, bbox: BBox, cell: float) -> list[Cluster]:
        # One integer key per cell (cheaper to group than two columns); the bare ``p.id`` beside
        # ``max(p.sort_at)`` is, by SQLite's rule for a lone max(), the id of that newest row.
        # The partial index ``photos_map`` covers every column read: no row of ``photos`` is.
        key = f"(CAST(({LON} + 180) / ? AS INTEGER) * {_ROW} + CAST(({LAT} + 90) / ? AS INTEGER))"
        rows = await self._fetch(
            f"SELECT {key} AS k, avg({LAT}), avg({LON}), count(*), max(p.sort_at), p.id FROM photos p"
            " WHERE p.owner_id = ? AND p.status != 'pending' AND p.trashed_at IS NULL"
            f" AND {LAT} BETWEEN ? AND ? AND {LON} BETWEEN ? AND ? GROUP BY k",
            (cell, cell, owner_id, bbox.min_lat, bbox.max_lat, bbox.min_lon, bbox.max_lon),
        )
        return [Cluster(lat=float(r[1]), lon=float(r[2]), count=int(r[3]), photo_id=str(r[5])) for r in rows]
