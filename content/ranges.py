"""HTTP byte ranges for files Siger serves itself (H5P content media, Wagtail documents): iOS Safari plays media
only from servers that answer `Range`, and a 100 MB video must stream a chunk at a time, never sit in memory.
Django's FileResponse answers no ranges; on S3 the presigned redirect gets them from the bucket instead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.http import HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
# Past any file size; also keeps int() off digit strings longer than Python converts (4,300 digits: a 500).
_HUGE = 1 << 63


def _position(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else _HUGE


class RangeNotSatisfiable(ValueError):
    """The range starts past the end of the file: 416."""


def byte_range_parse(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `Range: bytes=` request, or None to answer the whole file (no header, a
    form we do not serve such as several ranges, or a malformed one: RFC 9110 lets a server ignore those).
    Raises RangeNotSatisfiable when the range starts past the end."""
    match = _RANGE.match(header.strip()) if header else None
    if not match or size == 0:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = _position(last)
        if suffix == 0:
            raise RangeNotSatisfiable("empty suffix range")
        return max(size - suffix, 0), size - 1
    start = _position(first)
    end = min(_position(last), size - 1) if last else size - 1
    if start >= size:
        raise RangeNotSatisfiable("range starts past the end")
    if last and _position(last) < start:
        return None
    return start, end


def file_chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    """The bytes of one range, a chunk at a time; closes the file when done or abandoned."""
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def range_not_satisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response


def partial_response(handle: IO[bytes], *, start: int, end: int, size: int, content_type: str) -> HttpResponse:
    """206 with one range of an open file, streamed."""
    length = end - start + 1
    response = StreamingHttpResponse(file_chunks(handle, start, length), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    return response
