"""The local store's URL signatures: a canonical message, so no two requests share one."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from auroravault.errors import Forbidden
from auroravault.storage.local import LocalBlobStore
from auroravault.storage.signing import UrlSigner

SECRET = b"s" * 32


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Each pair is the same text once the fields are joined by newlines.
        (("GET", "u/p/original", 1, "a\nb", "c"), ("GET", "u/p/original", 1, "a", "b\nc")),
        (("GET", "u/p/original", 1, "x.jpg\ntext/html", ""), ("GET", "u/p/original", 1, "x.jpg", "text/html\n")),
        (("PUT", "u/p\n1", 2, "image/jpeg"), ("PUT", "u/p", "1\n2", "image/jpeg")),
        (("GET", "k", 1, "", ""), ("GET", "k", 1, "\n")),
    ],
)
def test_fields_that_join_to_the_same_text_sign_differently(one: tuple, other: tuple) -> None:
    assert "\n".join(map(str, one)) == "\n".join(map(str, other))
    signer = UrlSigner(SECRET)
    assert signer.sign(*one) != signer.sign(*other)


def test_the_same_fields_sign_the_same() -> None:
    assert UrlSigner(SECRET).sign("GET", "k", 1, "a") == UrlSigner(SECRET).sign("GET", "k", 1, "a")
    assert UrlSigner(SECRET).sign("GET", "k", 1, "a") != UrlSigner(b"t" * 32).sign("GET", "k", 1, "a")


async def test_a_download_url_cannot_move_text_from_its_filename_into_its_type(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, base_url="http://vault.local", secret=SECRET)
    url = await store.presign_get("u/p/original", expires_in=60, filename="a\ntext/html", content_type="")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
    # As signed, it verifies:
    store.verify_get(
        "u/p/original", expires=query["expires"], signature=query["signature"], filename="a\ntext/html", content_type=""
    )
    # The same signature may not serve the bytes as text/html under another name.
    with pytest.raises(Forbidden) as caught:
        store.verify_get(
            "u/p/original",
            expires=query["expires"],
            signature=query["signature"],
            filename="a",
            content_type="text/html\n",
        )
    assert caught.value.code == "signature_invalid"
