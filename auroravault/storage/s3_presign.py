"""SigV4 presigned URLs without a full SDK request per URL (the signing half of ``S3BlobStore``).

``generate_presigned_url`` builds each URL like a real call: it validates and serializes the
parameters against the service model, resolves the endpoint, emits the SDK's events and
makes a new signer. A batch of 50 photos, or a 2 GB file's parts, asks for many URLs that
differ only in the key, a few headers and the query. ``QueryPresigner`` does that resolution
once: the first URL comes from botocore itself (so the scheme, host, addressing style and
signing region are exactly what the SDK would use, for AWS and for any S3-compatible
server), and every URL after it is the same SigV4 query signature (botocore's
``S3SigV4QueryAuth``) of a request built directly on that base.

What is signed does not change: the same headers (``host``, and ``content-type``,
``content-length``, ``x-amz-checksum-sha256`` where given), the same query parameters
(``partNumber``, ``uploadId``, ``response-*``), ``UNSIGNED-PAYLOAD``. Credentials are read
from the session for each URL, so refreshed credentials (an instance role) are used as
they change. ``tests/storage/test_presign.py`` checks the URLs against botocore's own and
the storage contract tests send them to SeaweedFS, which checks every signature.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import NoCredentialsError

#: The key of the one URL botocore signs to show where keys go (never sent anywhere).
_PROBE_KEY = "auroravault-presign-probe"


class QueryPresigner:
    """Presigned URLs for one bucket, with the endpoint and region resolved once."""

    def __init__(self, client: Any, bucket: str, credentials: Any) -> None:
        self._client = client
        self._bucket = bucket
        self._credentials = credentials
        self._lock = threading.Lock()
        self._base: str | None = None  # scheme://host[/bucket]/ : the key follows
        self._region = ""

    @property
    def blocking(self) -> bool:
        """Whether ``sign`` may block: before the endpoint is resolved (botocore loads its
        model), or with credentials that refresh themselves (an instance role's, over the
        network). Otherwise signing is about 0.1 ms of CPU, less than a hop to a worker
        thread and back, so the caller signs on the event loop."""
        return self._base is None or self._credentials is None or isinstance(self._credentials, RefreshableCredentials)

    def _resolve(self) -> tuple[str, str]:
        with self._lock:
            if self._base is None:
                url = self._client.generate_presigned_url(
                    "get_object", Params={"Bucket": self._bucket, "Key": _PROBE_KEY}, ExpiresIn=60
                )
                parts = urlsplit(url)
                if not parts.path.endswith("/" + _PROBE_KEY):
                    raise RuntimeError(f"unexpected presigned URL layout from botocore: {parts.path}")
                scope = parse_qs(parts.query)["X-Amz-Credential"][0].split("/")
                self._region = scope[2]  # access key / date / region / service / aws4_request
                self._base = f"{parts.scheme}://{parts.netloc}{parts.path[: -len(_PROBE_KEY)]}"
            return self._base, self._region

    def sign(
        self,
        method: str,
        key: str,
        *,
        expires_in: int,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> str:
        """A URL for ``method`` on ``key`` that storage accepts with exactly ``headers``.

        Blocking only when the session's credentials need a refresh; otherwise pure CPU.
        """
        base, region = self._resolve()
        if self._credentials is None:
            raise NoCredentialsError()
        frozen = self._credentials.get_frozen_credentials()
        request = AWSRequest(method=method, url=base + quote(key, safe="/~"), headers=headers or {})
        if query:
            request.params = dict(query)
        S3SigV4QueryAuth(frozen, "s3", region, expires=expires_in).add_auth(request)
        return str(request.url)
