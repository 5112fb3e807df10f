"""Random, URL-safe identifiers and secret tokens. Never derived from user input."""

from __future__ import annotations

import hashlib
import secrets


def new_id(prefix: str = "") -> str:
    """A 128-bit random id, URL-safe (22 characters), with an optional readable prefix."""
    return prefix + secrets.token_urlsafe(16)


def new_token() -> str:
    """A 256-bit bearer token; only its hash is ever stored."""
    return "av_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
