"""What search compares, the same on every adapter: words, camera labels, place names.

SQLite's FTS5 (``unicode61 remove_diacritics 2``) and the DynamoDB adapter's own matching
must agree, so both see a photo through these functions: ``words`` folds case and accents
and splits on anything that is not a letter or digit, exactly as that tokenizer does, and a
query word matches a photo when it is a prefix of one of the photo's words.

``place_of`` reads ``Photo.place`` (``{city, region, country, country_code}``, set by the
reverse geocoder) without depending on its exact type: a Struct or a mapping, or absent.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from auroravault.meta.base import Photo, SearchQuery

PLACE_FIELDS = ("city", "region", "country", "country_code")
_SPLIT = re.compile(r"[^\w]+|_+")


def words(text: str | None) -> list[str]:
    """Lower-cased, accent-free words of ``text`` (letters and digits; ``_`` separates)."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [w for w in _SPLIT.split(plain) if w]


def place_of(photo: Photo) -> dict[str, str | None]:
    """The photo's place names, each None when unknown."""
    place: Any = getattr(photo, "place", None)
    if place is None:
        return dict.fromkeys(PLACE_FIELDS)
    get = place.get if isinstance(place, dict) else lambda name: getattr(place, name, None)
    return {name: get(name) or None for name in PLACE_FIELDS}


def camera_label(make: str | None, model: str | None) -> str | None:
    """``"Apple iPhone 12"`` from make and model; a model that starts with the make stays as is."""
    make, model = (make or "").strip(), (model or "").strip()
    if model and make and model.lower().startswith(make.lower()):
        return model
    return " ".join(part for part in (make, model) if part) or None


def text_of(photo: Photo) -> list[str]:
    """Every word a search may match: filename, description, place names."""
    place = place_of(photo)
    found = words(photo.filename) + words(photo.description)
    for name in ("city", "region", "country"):
        found += words(place[name])
    return found


def _same(value: str | None, wanted: str) -> bool:
    return value is not None and value.lower() == wanted.lower()


def matches(
    photo: Photo,
    query: SearchQuery,
    favorites: set[str] | None = None,
    album_words: dict[str, set[str]] | None = None,
) -> bool:
    """Whether a listed photo of ``query.owner_id`` matches (``favorites``: the viewer's, when
    asked; ``album_words``: for each query word, the photos in an album whose name it matches;
    ``query.word_photos``: the photos each word matches through people)."""
    if photo.owner_id != query.owner_id or photo.status == "pending" or photo.trashed_at is not None:
        return False
    if photo.deleting_at is not None or photo.motion_of is not None:  # a Live Photo's video: its still
        return False
    if query.start is not None and photo.sort_at < query.start:
        return False
    if query.end is not None and photo.sort_at > query.end:
        return False
    if query.media_type is not None and photo.media_type != query.media_type:
        return False
    located = photo.lat is not None and photo.lon is not None
    if query.has_location is not None and located != query.has_location:
        return False
    if query.photo_ids is not None and photo.id not in query.photo_ids:
        return False
    if query.favorite and photo.id not in (favorites or set()):
        return False
    if query.camera is not None:
        label = camera_label(photo.camera_make, photo.camera_model)
        if not any(_same(v, query.camera) for v in (photo.camera_make, photo.camera_model, label)):
            return False
    place = place_of(photo)
    if query.city is not None and not _same(place["city"], query.city):
        return False
    if query.country is not None and not (
        _same(place["country"], query.country) or _same(place["country_code"], query.country)
    ):
        return False
    if query.words:
        have = text_of(photo)
        by_album = album_words or {}
        extra = query.word_photos
        if not all(
            any(w.startswith(q) for w in have) or photo.id in by_album.get(q, ()) or photo.id in extra.get(q, ())
            for q in query.words
        ):
            return False
    return True
