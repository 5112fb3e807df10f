"""The emails AuroraVault sends, as pure functions returning ``Message``.

Each has a plain-text and an HTML part. Everything that comes from a user or from
configuration is escaped with ``html.escape`` before it enters the HTML part, so a
display name like ``<script>`` stays text. Links must be http(s): anything else
(``javascript:``...) is refused with ``ValueError``, a programming or config error.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from auroravault.mail.base import Message

PRODUCT = "AuroraVault"

# RFC 3834: tells auto-responders ("I'm on holiday") not to answer.
_HEADERS = {"Auto-Submitted": "auto-generated"}


def _link(url: str) -> str:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError(f"email links must be http(s) URLs, not {url!r}")
    return escape(url, quote=True)


def _html(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n"
        '<body style="font-family: sans-serif; line-height: 1.5; color: #222; max-width: 36em;">\n'
        f"{body}\n"
        f'<p style="color: #777; font-size: 0.9em;">— {PRODUCT}</p>\n'
        "</body></html>\n"
    )


def _button(url: str, label: str) -> str:
    return (
        f'<p><a href="{_link(url)}" style="display: inline-block; padding: 0.6em 1.2em; '
        f'background: #3b5bdb; color: #fff; text-decoration: none; border-radius: 6px;">{escape(label)}</a></p>'
    )


def welcome(to: str, display_name: str, server_url: str) -> Message:
    """Sent once, after registration."""
    subject = f"Welcome to {PRODUCT}"
    text = (
        f"Hi {display_name},\n\n"
        f"Your {PRODUCT} account is ready. Your photos are kept safe on your family's own server:\n\n"
        f"    {server_url}\n\n"
        "Sign in there, upload a few pictures, and they will be waiting for you on every device.\n\n"
        f"— {PRODUCT}\n"
    )
    body = (
        f"<p>Hi {escape(display_name)},</p>\n"
        f"<p>Your {PRODUCT} account is ready. Your photos are kept safe on your family's own server:</p>\n"
        f"{_button(server_url, 'Open ' + PRODUCT)}\n"
        f'<p>Or copy this address into your browser: <a href="{_link(server_url)}">{escape(server_url)}</a></p>\n'
        "<p>Sign in there, upload a few pictures, and they will be waiting for you on every device.</p>"
    )
    return Message(to=to, subject=subject, text=text, html=_html(subject, body), headers=dict(_HEADERS))


def password_reset(to: str, display_name: str, reset_url: str, expires_minutes: int) -> Message:
    """Sent when someone asks to reset the password of ``to``; the link holds the one-time token.

    The link is the only way in: opening it shows the "choose a new password" form.
    """
    subject = f"Reset your {PRODUCT} password"
    text = (
        f"Hi {display_name},\n\n"
        "Someone (hopefully you) asked to reset your password. To choose a new one, open this link:\n\n"
        f"    {reset_url}\n\n"
        f"The link works once, and stops working after {expires_minutes} minutes or when you\n"
        "ask for another one and use that.\n\n"
        "If you did not ask for this, you can ignore this email: your password stays the same.\n\n"
        f"— {PRODUCT}\n"
    )
    body = (
        f"<p>Hi {escape(display_name)},</p>\n"
        "<p>Someone (hopefully you) asked to reset your password. To choose a new one, "
        "click the button:</p>\n"
        f"{_button(reset_url, 'Choose a new password')}\n"
        f'<p>Or copy this address into your browser: <a href="{_link(reset_url)}">{escape(reset_url)}</a></p>\n'
        f"<p>The link works once, and stops working after {int(expires_minutes)} minutes or when you "
        "ask for another one and use that.</p>\n"
        "<p>If you did not ask for this, you can ignore this email: your password stays the same.</p>"
    )
    return Message(to=to, subject=subject, text=text, html=_html(subject, body), headers=dict(_HEADERS))


def family_invite(to: str, inviter_name: str, family_name: str, join_url: str, expires_days: int) -> Message:
    """Sent when a family's owner invites ``to``; the link holds the single-use invitation token.

    The link is the permission: whoever opens it may join, with an existing account or by
    creating one there (even on a server whose registration is closed).
    """
    subject = f'{inviter_name} invited you to the family "{family_name}" on {PRODUCT}'
    text = (
        "Hello,\n\n"
        f'{inviter_name} invited you to join the family "{family_name}" on {PRODUCT}, to keep and\n'
        "share your photos together. To accept, open this link:\n\n"
        f"    {join_url}\n\n"
        "You can join with the account you have, or create one there.\n"
        f"The link works once and stops working after {expires_days} days.\n\n"
        "If you do not know why you got this, you can ignore this email.\n\n"
        f"— {PRODUCT}\n"
    )
    body = (
        "<p>Hello,</p>\n"
        f"<p>{escape(inviter_name)} invited you to join the family <strong>{escape(family_name)}</strong> "
        f"on {PRODUCT}, to keep and share your photos together.</p>\n"
        f"{_button(join_url, 'Join the family')}\n"
        f'<p>Or copy this address into your browser: <a href="{_link(join_url)}">{escape(join_url)}</a></p>\n'
        "<p>You can join with the account you have, or create one there. "
        f"The link works once and stops working after {int(expires_days)} days.</p>\n"
        "<p>If you do not know why you got this, you can ignore this email.</p>"
    )
    return Message(to=to, subject=subject, text=text, html=_html(subject, body), headers=dict(_HEADERS))
