"""Wagtail documents behind the access door."""

from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from wagtail.documents import get_document_model
from wagtail.documents.views.serve import serve as wagtail_document_serve

from content.ranges import RangeNotSatisfiable, byte_range_parse, partial_response, range_not_satisfiable


def document_serve(request: HttpRequest, document_id: str, document_filename: str) -> HttpResponse:
    """Wagtail's document view (whose before_serve_document hook in lms.wagtail_hooks decides access), marked so
    that no shared cache keeps a copy: what one learner may open, the next person through a proxy may not."""
    response = wagtail_document_serve(request, document_id, document_filename)
    if response.status_code == 200:
        response["Accept-Ranges"] = "bytes"
        if "Range" in request.headers:
            response = _document_range(request, response, document_id)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _document_range(request: HttpRequest, full: HttpResponse, document_id: str) -> HttpResponse:
    """One byte range of a local document (after the access check), as iOS Safari needs to play a video: it
    refuses media served without ranges. On S3 the presigned redirect gets ranges from the bucket itself."""
    document = get_document_model().objects.filter(pk=document_id).first()
    try:
        path = document.file.path
    except (AttributeError, NotImplementedError):
        return full
    if_range = request.headers.get("If-Range")
    if if_range and if_range != full.get("ETag"):
        return full  # the file changed since the client's first part: the whole file, always a correct answer
    size = os.path.getsize(path)
    try:
        byte_range = byte_range_parse(request.headers["Range"], size)
    except RangeNotSatisfiable:
        return range_not_satisfiable(size)
    if byte_range is None:
        return full
    start, end = byte_range
    # partial_response closes the file when the last chunk is sent or the client goes away.
    partial = partial_response(open(path, "rb"), start=start, end=end, size=size, content_type=full["Content-Type"])
    for header in ("Content-Disposition", "Content-Security-Policy", "X-Content-Type-Options", "ETag", "Last-Modified"):
        if header in full:
            partial[header] = full[header]
    # `full` is dropped unsent: its open file closes when it is collected. (Its close() would also announce the
    # end of the request, and the database connection would be closed under the rest of it.)
    return partial
