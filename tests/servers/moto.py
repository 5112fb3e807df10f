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
"""

from __future__ import annotations

import logging
import secrets
import threading
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


class _Serialized:
    """A WSGI app that runs one request at a time (see the module docstring)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self.lock:
            return list(self.app(environ, start_response))


class AtomicMotoServer(ThreadedMotoServer):
    """``ThreadedMotoServer`` whose requests are atomic, like AWS's."""

    def _server_entry(self) -> None:
        app = _Serialized(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one INFO line per request otherwise
    # Port 0: the OS picks a free port, so parallel sessions never collide.
    server = AtomicMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
