"""Email templates: both parts carry the facts, the HTML part escapes what users typed."""

from __future__ import annotations

import pytest

from auroravault.mail import templates
from auroravault.mail.message import build_mime

XSS = "<script>alert(1)</script>"


def test_welcome_has_name_and_url_in_both_parts() -> None:
    msg = templates.welcome("ana@example.com", "Ana", "https://photos.example.com")
    assert msg.to == "ana@example.com"
    assert msg.subject == "Welcome to AuroraVault"
    assert msg.html is not None
    for part in (msg.text, msg.html):
        assert "Ana" in part
        assert "https://photos.example.com" in part
    assert 'href="https://photos.example.com"' in msg.html


def test_welcome_escapes_the_display_name_in_html() -> None:
    msg = templates.welcome("ana@example.com", XSS, "https://photos.example.com")
    assert msg.html is not None
    assert "<script>" not in msg.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in msg.html
    assert XSS in msg.text  # plain text is shown as text anyway
    assert XSS not in msg.subject


def test_password_reset_has_link_and_expiry_in_both_parts() -> None:
    url = "https://photos.example.com/?reset_token=abc123&lang=fr"
    msg = templates.password_reset("ana@example.com", "Ana", url, 30)
    assert msg.html is not None
    assert "password" in msg.subject.lower()
    for part in (msg.text, msg.html):
        assert "Ana" in part and "30 minutes" in part
    assert url in msg.text
    assert 'href="https://photos.example.com/?reset_token=abc123&amp;lang=fr"' in msg.html


def test_password_reset_promises_only_the_link_there_is() -> None:
    # No client has a screen to type a code into: the mail must not offer one.
    url = "https://photos.example.com/?reset_token=tok123"
    msg = templates.password_reset("ana@example.com", "Ana", url, 30)
    assert msg.html is not None
    for part in (msg.text, msg.html):
        assert "code" not in part.lower()
        assert "enter" not in part.lower()
        assert url in part and "tok123" not in part.replace(url, "")  # the token only inside the link


def test_password_reset_escapes_everything_user_supplied() -> None:
    msg = templates.password_reset("ana@example.com", XSS, 'https://x.example/r?a="><script>x</script>', 15)
    assert msg.html is not None
    assert "<script>" not in msg.html
    assert '"><script>x' not in msg.html
    assert "&quot;&gt;&lt;script&gt;x" in msg.html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "photos.example.com"])
def test_links_must_be_http(url: str) -> None:
    with pytest.raises(ValueError):
        templates.welcome("ana@example.com", "Ana", url)
    with pytest.raises(ValueError):
        templates.password_reset("ana@example.com", "Ana", url, 10)


def test_templates_build_into_valid_mime() -> None:
    for msg in (
        templates.welcome('"Doe, Ana" <ana@example.com>', "Zoë 🌅", "https://photos.example.com"),
        templates.password_reset("ana@example.com", "Zoë", "https://photos.example.com/r/t", 10),
    ):
        mime = build_mime(msg, "AuroraVault <vault@aurora.test>")
        assert mime.get_content_type() == "multipart/alternative"
        assert mime["Auto-Submitted"] == "auto-generated"
