"""HTTP Range for the local ``GET /blobs`` (RFC 9110 section 14): what lets a video seek.

One range per request (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``) answers ``206 Partial
Content`` with ``Content-Range``; a range that starts past the end answers ``416`` with
``Content-Range: bytes */size``. A malformed header or several ranges are ignored (the whole
body, 200), as RFC 9110 allows. ``If-Range`` with the current ETag (or Last-Modified date)
keeps the range; any other value gets the whole, current body. The partial body is streamed
from the file in chunks, never read whole.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.utils import formatdate
from pathlib import Path
from typing import Any, Final

import anyio
from litestar import Request, Response
from litestar.response import Stream

from auroravault.api.problems import problem_response

_RANGE: Final = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
CHUNK: Final = 256 * 1024


class Unsatisfiable(Exception):
    """The range starts at or after the end of the body."""


def validators(path: Path) -> tuple[str, str]:
    """The ETag and Last-Modified of the file at ``path``, as the full answer sends them."""
    stat = path.stat()
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"', formatdate(stat.st_mtime, usegmt=True)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, last)`` inclusive for a single satisfiable range; None to send everything.

    Raises Unsatisfiable for a well-formed range that selects nothing of ``size`` bytes.
    """
    if not header or "," in header:
        return None
    match = _RANGE.match(header)
    if match is None or (not match.group(1) and not match.group(2)):
        return None
    start, end = match.group(1), match.group(2)
    if not start:  # the last n bytes
        suffix = int(end)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    first = int(start)
    if end and int(end) < first:
        return None  # invalid: ignored, as RFC 9110 says
    if first >= size:
        raise Unsatisfiable
    return first, min(int(end) if end else size - 1, size - 1)


def if_range_holds(header: str | None, etag: str, modified: str) -> bool:
    """Whether a Range may be honoured under ``If-Range`` (absent: yes)."""
    if header is None:
        return True
    value = header.strip()
    if value.startswith(("W/", '"')):
        return value == etag  # strong comparison only: a weak tag never matches
    return value == modified


async def _chunks(path: Path, first: int, length: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as fh:
        await fh.seek(first)
        left = length
        while left > 0:
            data = await fh.read(min(CHUNK, left))
            if not data:
                return
            left -= len(data)
            yield data


def partial(
    request: Request[Any, Any, Any], path: Path, size: int, media_type: str, headers: dict[str, str]
) -> Response[Any] | None:
    """The 206 (or 416) answer to the request's Range, or None when the whole body is due."""
    etag, modified = headers["ETag"], headers["Last-Modified"]
    if request.method != "GET" or not if_range_holds(request.headers.get("if-range"), etag, modified):
        return None
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except Unsatisfiable:
        return problem_response(
            request,
            416,
            "range_not_satisfiable",
            "Range not satisfiable",
            f"the object has {size} bytes",
            headers={**headers, "Content-Range": f"bytes */{size}"},
        )
    if wanted is None:
        return None
    first, last = wanted
    length = last - first + 1
    return Stream(
        _chunks(path, first, length),
        status_code=206,
        media_type=media_type,
        headers={**headers, "Content-Range": f"bytes {first}-{last}/{size}", "Content-Length": str(length)},
    )
