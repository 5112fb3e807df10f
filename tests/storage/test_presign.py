"""``QueryPresigner`` (storage/s3_presign.py): the same SigV4 URLs as botocore's own presigner,
for path-style endpoints, AWS's regional endpoints and virtual-host addressing.

That storage accepts them is proven by the SeaweedFS contract tests (test_remote_adapters.py,
test_multipart_contract.py), which send every presigned PUT, part and GET to a server that
checks the signature; here the URLs are compared with botocore's, character for character
where botocore orders the query the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from auroravault.config import S3Settings
from auroravault.storage.s3 import S3BlobStore

CHECKSUM = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

SETTINGS = {
    "path-style endpoint": {"endpoint_url": "http://127.0.0.1:8333", "path_style": True},
    "AWS, virtual host": {"endpoint_url": "", "path_style": False, "region": "eu-west-3"},
    "AWS, path style": {"endpoint_url": "", "path_style": True, "region": "us-west-2"},
    "public endpoint": {"endpoint_url": "http://10.0.0.1:9000", "public_endpoint_url": "https://photos.example.org"},
}


@pytest.fixture(params=list(SETTINGS), ids=list(SETTINGS))
async def store(request: pytest.FixtureRequest) -> AsyncIterator[S3BlobStore]:
    values: dict[str, Any] = {"bucket": "family", "access_key": "AKIDEXAMPLE", "secret_key": "s" * 40}
    blobs = S3BlobStore(S3Settings(**{**values, **SETTINGS[request.param]}))
    yield blobs
    await blobs.close()


def _same_second(ours: Any, theirs: Any) -> tuple[str, str]:
    """Both URLs signed within one second (X-Amz-Date has seconds), retrying at a tick."""
    for _ in range(5):
        a, b = ours(), theirs()
        if dict(parse_qsl(urlsplit(a).query))["X-Amz-Date"] == dict(parse_qsl(urlsplit(b).query))["X-Amz-Date"]:
            return a, b
    raise AssertionError("the clock ticked five times in a row")


def _parts(url: str) -> tuple[str, str, str, dict[str, str]]:
    split = urlsplit(url)
    return split.scheme, split.netloc, split.path, dict(parse_qsl(split.query, keep_blank_values=True))


def test_put_url_is_botocores(store: S3BlobStore) -> None:
    headers = {"Content-Type": "image/jpeg", "x-amz-checksum-sha256": CHECKSUM, "Content-Length": "2048"}
    params = {
        "Bucket": "family",
        "Key": "originals/ab/cd.jpg",
        "ContentType": "image/jpeg",
        "ContentLength": 2048,
        "ChecksumSHA256": CHECKSUM,
    }
    ours, theirs = _same_second(
        lambda: store._presigner.sign("PUT", "originals/ab/cd.jpg", expires_in=900, headers=headers),
        lambda: store._signer.generate_presigned_url("put_object", Params=params, ExpiresIn=900),
    )
    assert ours == theirs
    signed = _parts(ours)[3]["X-Amz-SignedHeaders"]
    assert signed == "content-length;content-type;host;x-amz-checksum-sha256"


def test_part_and_get_urls_sign_the_same_request(store: S3BlobStore) -> None:
    ours, theirs = _same_second(
        lambda: store._presigner.sign(
            "PUT",
            "originals/big.mp4",
            expires_in=3600,
            headers={"Content-Length": "16777216"},
            query={"partNumber": "7", "uploadId": "a+b/c=="},
        ),
        lambda: store._signer.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": "family",
                "Key": "originals/big.mp4",
                "UploadId": "a+b/c==",
                "PartNumber": 7,
                "ContentLength": 16777216,
            },
            ExpiresIn=3600,
        ),
    )
    # botocore puts uploadId first in the query; the signature covers the sorted query.
    assert _parts(ours) == _parts(theirs)
    assert _parts(ours)[3]["partNumber"] == "7"

    disposition = 'attachment; filename="Beach day.jpg"'
    ours, theirs = _same_second(
        lambda: store._presigner.sign(
            "GET",
            "originals/ab/cd.jpg",
            expires_in=60,
            query={"response-content-disposition": disposition, "response-content-type": "image/jpeg"},
        ),
        lambda: store._signer.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": "family",
                "Key": "originals/ab/cd.jpg",
                "ResponseContentDisposition": disposition,
                "ResponseContentType": "image/jpeg",
            },
            ExpiresIn=60,
        ),
    )
    assert ours == theirs


async def test_presign_put_answers_what_it_signed(store: S3BlobStore) -> None:
    assert store._presigner.blocking  # the first URL resolves the endpoint in a worker thread
    request = await store.presign_put(
        "originals/ab/cd.jpg", content_type="image/heic", size=10, sha256="00" * 32, expires_in=120
    )
    query = _parts(request.url)[3]
    assert query["X-Amz-Expires"] == "120"
    assert query["X-Amz-SignedHeaders"] == "content-length;content-type;host;x-amz-checksum-sha256"
    assert request.headers == {"Content-Type": "image/heic", "x-amz-checksum-sha256": "A" * 43 + "="}
    assert not store._presigner.blocking  # static keys: the next URLs are signed on the event loop
