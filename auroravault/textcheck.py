"""Checks on text people type that ends up shown to others: names of files and of people."""

from __future__ import annotations

import unicodedata


def has_control_chars(value: str) -> bool:
    """Whether ``value`` holds a control character: C0 (U+0000-U+001F), DEL or C1 (U+0080-U+009F).

    These are Unicode's ``Cc`` category exactly. Tabs and newlines count too: neither a
    filename nor a display name has a use for them, and they forge lines in logs and mail.
    """
    return any(unicodedata.category(ch) == "Cc" for ch in value)
