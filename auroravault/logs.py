"""Logging of ``auroravault serve``: quiet by default, and never a presigned URL's signature.

- The scheduler's loggers (``apscheduler.*``: a line per pump tick, every few seconds) stay at
  WARNING unless the server runs with ``log_level = "debug"``.
- The access log (uvicorn's ``uvicorn.access``) goes through :class:`RedactSignatures`: the
  value of every signature-like query parameter (the local store's ``/blobs`` ``signature``,
  ``X-Amz-Signature``, ``X-Amz-Credential``, ``token``...) is replaced by ``REDACTED``, so
  whoever reads the log cannot replay an upload or a download link from it. The rest of the
  query (``expires``, the declared ``sha256`` and size) stays: it says which upload it was.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

REDACTED = "REDACTED"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Query parameters that authorise a request on their own (lower-cased names).
SECRET_PARAMS = re.compile(r"(^|[-_])(signature|credential|security-token|token|key)$")


def redact_target(target: str) -> str:
    """``/blobs/k?expires=1&signature=s`` -> ``/blobs/k?expires=1&signature=REDACTED``."""
    path, sep, query = target.partition("?")
    if not sep:
        return target
    parts = []
    for part in query.split("&"):
        name = part.partition("=")[0]
        parts.append(f"{name}={REDACTED}" if SECRET_PARAMS.search(unquote_plus(name).lower()) else part)
    return f"{path}?{'&'.join(parts)}"


class RedactSignatures(logging.Filter):
    """Rewrites the request target of uvicorn's access log records (args[2])."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_target(args[2]), *args[3:])
        return True


def configure(level: str) -> dict[str, Any]:
    """Set up the app's loggers; returns the ``log_config`` to hand to ``uvicorn.run``."""
    import uvicorn.config

    logging.basicConfig(level=level.upper(), format=FORMAT)
    scheduler_level = logging.DEBUG if level.lower() == "debug" else logging.WARNING
    logging.getLogger("apscheduler").setLevel(scheduler_level)

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_signatures"] = {"()": RedactSignatures}
    config["handlers"]["access"].setdefault("filters", []).append("redact_signatures")
    return config
