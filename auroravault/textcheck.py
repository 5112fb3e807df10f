"""Checks on text people type that ends up shown to others: names of files and of people,
descriptions of photos and albums."""

from __future__ import annotations

import unicodedata

from auroravault.errors import Invalid

#: The longest description of a photo or an album, in characters.
MAX_DESCRIPTION = 2000


def has_control_chars(value: str) -> bool:
    """Whether ``value`` holds a control character: C0 (U+0000-U+001F), DEL or C1 (U+0080-U+009F).

    These are Unicode's ``Cc`` category exactly. Tabs and newlines count too: neither a
    filename nor a display name has a use for them, and they forge lines in logs and mail.
    """
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def checked_description(value: str | None) -> str | None:
    """A description as typed, checked and trimmed (None when empty): at most
    ``MAX_DESCRIPTION`` characters, newlines and tabs allowed, no other control characters;
    else ``Invalid('invalid_description')`` (422)."""
    if value is None:
        return None
    if len(value) > MAX_DESCRIPTION:
        raise Invalid("invalid_description", f"a description has at most {MAX_DESCRIPTION} characters")
    if has_control_chars(value.replace("\n", "").replace("\t", "")):
        raise Invalid("invalid_description", "a description may not hold control characters")
    return value.strip() or None
