"""People in search (issue 18): ``person=``, people's names in ``q``, ``field=person`` suggestions.

The meta adapters know nothing of people in a search: ``SearchService`` resolves them here
into photo-id sets on the ``SearchQuery`` (``photo_ids``, ``word_photos``), per searched
owner, from that owner's own people (``PeopleService.photo_sets``):

- ``person=<value>``: the owner's person with that id, else every person of the owner whose
  name contains the value (case-insensitive, as ``PeopleService.find``). Only their photos
  match; nobody found (a stranger's person id, an unknown name) matches nothing.
- each ``q`` word also matches the photos of the owner's people whose name has a word it
  starts (folded as ``search_text.words``, like the photo's own text).
- in the viewer's own library hidden people count (hiding is for the People page); in a
  partner's or an album member's library only the people their owner did not hide.
- suggestions: the viewer's named, non-hidden people of whose name each word of the prefix
  starts a word (``"lov"`` and ``"ada l"`` both suggest "Ada Lovelace"), counted by their
  listed photos (trashed ones not), most photos first.

With face recognition off (``PeopleService.available`` false) ``person=`` and
``field=person`` are 422 ``person_search_unavailable``, and ``q`` matches no one's name.
"""

from __future__ import annotations

import msgspec

from auroravault.errors import Invalid
from auroravault.meta.base import SearchQuery, Suggestion, User
from auroravault.meta.protocols.people import Person
from auroravault.meta.search_text import matches, words
from auroravault.services.people import PeopleService

UNAVAILABLE = "searching by person needs face recognition, which is off on this server"


def require(people: PeopleService | None) -> PeopleService:
    """The people service; 422 ``person_search_unavailable`` when face recognition is off."""
    if people is None or not people.available:
        raise Invalid("person_search_unavailable", UNAVAILABLE)
    return people


def _named_by(person: Person, word: str) -> bool:
    return any(n.startswith(word) for n in words(person.name))


async def with_people(people: PeopleService | None, user: User, query: SearchQuery, person: str | None) -> SearchQuery:
    """``query`` with its owner's people resolved into ``photo_ids`` and ``word_photos``."""
    if person is None and not query.words:
        return query
    if people is None or not people.available:
        return query  # person= was refused before; q matches no one's name
    wanted = person.casefold() if person is not None else None
    own = query.owner_id == user.id

    def keep(p: Person) -> bool:
        if p.hidden and not own:
            return False
        if wanted is not None and (p.id == person or (p.name is not None and wanted in p.name.casefold())):
            return True
        return p.name is not None and any(_named_by(p, w) for w in query.words)

    sets = await people.photo_sets(query.owner_id, keep)
    photo_ids = None
    if person is not None:
        chosen = [ids for p, ids in sets if p.id == person] or [
            ids for p, ids in sets if p.name is not None and wanted is not None and wanted in p.name.casefold()
        ]
        photo_ids = frozenset().union(*chosen)
    word_photos: dict[str, frozenset[str]] = {}
    for w in query.words:
        hits = frozenset().union(*(ids for p, ids in sets if p.name is not None and _named_by(p, w)))
        if hits:
            word_photos[w] = hits
    return msgspec.structs.replace(query, photo_ids=photo_ids, word_photos=word_photos)


async def suggest_people(people: PeopleService, user: User, prefix: str, limit: int) -> list[Suggestion]:
    """The viewer's named, visible people matching ``prefix``, by how many listed photos show them."""
    wanted = words(prefix)

    def keep(p: Person) -> bool:
        have = words(p.name)
        return p.name is not None and not p.hidden and all(any(n.startswith(w) for n in have) for w in wanted)

    sets = await people.photo_sets(user.id, keep)
    found = await people.meta.get_photos(sorted(frozenset().union(*(ids for _, ids in sets))))
    listed = SearchQuery(viewer_id=user.id, owner_id=user.id)
    shown = {i for i, photo in found.items() if matches(photo, listed)}
    by_name: dict[str, set[str]] = {}
    for p, ids in sets:
        if p.name is not None and ids & shown:
            by_name.setdefault(p.name, set()).update(ids & shown)  # two people of one name: one value
    ranked = sorted(((v, len(ids)) for v, ids in by_name.items()), key=lambda kv: (-kv[1], kv[0]))
    return [Suggestion(v, n) for v, n in ranked[:limit]]
