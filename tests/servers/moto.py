"""Pytest plugin: a real moto server (DynamoDB, SES, ...) on 127.0.0.1 for the session.

Load it from ``tests/conftest.py``::

    pytest_plugins = ["tests.servers.moto"]

``moto_server`` yields the endpoint URL (``http://127.0.0.1:<port>``). boto3 speaks HTTP
to it exactly as to AWS, so adapters are tested through their real client code, not
through ``mock_aws`` patches. State is shared by the whole session: give each test its
own table or identity (``unique_name()``). Any credentials work.

One deliberate difference from a stock ``ThreadedMotoServer``: requests are handled one
at a time. moto's backends hold no locks, so with concurrent requests a conditional write
(read, check, write) can interleave with another and both "win"; AWS makes every request
atomic. Serialising requests restores that guarantee, which the concurrency tests (two
claimers never take the same job) depend on. Connections are still served concurrently.

A second difference closes a gap in moto: DynamoDB makes ``TransactWriteItems`` idempotent
by its ``ClientRequestToken`` (a request sent again with the token of one that committed
succeeds and changes nothing, for ten minutes); moto ignores the token and runs it again.
The adapter sends a token so that botocore's own retry of a commit whose answer was lost
(a read timeout under load) is harmless, as on AWS; without the token cache here, that
retry was refused and a write that had landed looked lost to its caller.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

MOTO_REGION = "us-east-1"
MOTO_CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


def unique_name(prefix: str = "t") -> str:
    """A table (or other resource) name no other test uses."""
    return f"{prefix}-{secrets.token_hex(6)}"


#: DynamoDB's idempotency window for a ``ClientRequestToken``.
TOKEN_WINDOW_SECONDS = 600.0


def _transaction_token(environ: dict[str, Any]) -> str | None:
    """The ``ClientRequestToken`` of a ``TransactWriteItems`` request, its body kept readable."""
    if not environ.get("HTTP_X_AMZ_TARGET", "").endswith(".TransactWriteItems"):
        return None
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        token = json.loads(body).get("ClientRequestToken")
    except (ValueError, AttributeError):
        return None
    return token if isinstance(token, str) and token else None


class _Serialized:
    """A WSGI app that runs one request at a time and answers a committed transaction's
    token again without running it twice (see the module docstring)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.committed: OrderedDict[str, tuple[float, str, list[tuple[str, str]], list[bytes]]] = OrderedDict()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        token = _transaction_token(environ)
        with self.lock:
            now = time.monotonic()
            while self.committed and next(iter(self.committed.values()))[0] < now - TOKEN_WINDOW_SECONDS:
                self.committed.popitem(last=False)
            if token is not None and token in self.committed:
                _, status, headers, body = self.committed[token]
                start_response(status, headers)
                return body
            answer: dict[str, Any] = {}

            def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                answer.update(status=status, headers=headers)
                return start_response(status, headers, exc_info)

            body = list(self.app(environ, keep))
            if token is not None and str(answer.get("status", "")).startswith("200"):
                self.committed[token] = (now, answer["status"], answer["headers"], body)
            return body


class AtomicMotoServer(ThreadedMotoServer):
    """``ThreadedMotoServer`` whose requests are atomic, like AWS's."""

    def _server_entry(self) -> None:
        app = _Serialized(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


@contextlib.contextmanager
def running_moto() -> Iterator[str]:
    """An ``AtomicMotoServer`` on 127.0.0.1 while the block runs (the session fixture's, and
    the benchmarks'); yields its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one INFO line per request otherwise
    # Port 0: the OS picks a free port, so parallel sessions never collide.
    server = AtomicMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    with running_moto() as endpoint:
        yield endpoint
