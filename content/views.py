"""Serving H5P on the player host (content/middleware.py keeps these routes off the site host): the player page
(inside an iframe) and package files read from storage.

The player host receives no session. The player page, h5p.json, content.json and the content's media are served
only under a signed, expiring token that the module page minted for a user who may open the module (see
content/player.py). Library code is the same public H5P code for everyone: served by activity and folder without
a token, and cached long. Whether a learner may *record* anything is decided by the xAPI intake in lms.
"""

from __future__ import annotations

import mimetypes
import posixpath

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage, storages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from content.h5p import LIBRARY_FOLDER
from content.models import H5PActivity, H5PLibrary
from content.player import FILE_CSP, PlayerGrant, parent_origins, player_csp, player_token_check
from content.ranges import RangeNotSatisfiable, byte_range_parse, file_chunks, range_not_satisfiable

CONTENT_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "svg": "image/svg+xml",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "eot": "application/vnd.ms-fontobject",
    "md": "text/plain; charset=utf-8",
    "diff": "text/plain; charset=utf-8",
    "patch": "text/plain; charset=utf-8",
    "vtt": "text/vtt",
    "webvtt": "text/vtt",
}
ONE_YEAR = 365 * 24 * 3600
IN_MEMORY_LIMIT = 2 * 1024 * 1024
# A presigned media URL outlives the page a learner keeps open (the video element asks for more ranges later).
PRESIGNED_MAX_AGE = 6 * 3600
PRIVATE = "private, no-store"  # an activity's content (answer keys included) is never kept by a shared cache


def _content_type(path: str) -> str:
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return CONTENT_TYPES.get(extension) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def _safe_relative(path: str) -> str:
    """Reject anything but a plain relative path; the caller also checks it against the stored file list."""
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        raise Http404
    normalized = posixpath.normpath(path)
    if normalized != path or normalized.startswith("..") or "/../" in f"/{normalized}/":
        raise Http404
    return normalized


def _secure(response: HttpResponse, *, cache_control: str) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = cache_control
    return response


def _file_response(name: str, path: str) -> HttpResponse:
    """A library file: public H5P code, answered whole."""
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Most library files are small: answer them in one piece (under ASGI a streamed file is iterated through a
    # thread); anything above the limit is streamed.
    head = handle.read(IN_MEMORY_LIMIT + 1)
    if len(head) <= IN_MEMORY_LIMIT:
        handle.close()
        response = HttpResponse(head, content_type=_content_type(path))
    else:
        handle.seek(0)
        response = FileResponse(handle, content_type=_content_type(path))
    # Stored paths are unique per upload and per library version: their bytes never change.
    return _secure(response, cache_control=f"public, max-age={ONE_YEAR}, immutable")


def _content_response(request: HttpRequest, name: str, path: str) -> HttpResponse:
    """An activity's private file: Range support (iOS Safari plays media only with it), never cached publicly.
    On S3, large media is a redirect to a short-lived presigned URL: the bucket serves the bytes and the ranges."""
    storage = storages["default"]
    try:
        size = storage.size(name)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    except Exception as error:  # botocore's ClientError for a missing object
        if error.__class__.__name__ == "ClientError":
            raise Http404 from None
        raise
    if size > IN_MEMORY_LIMIT and hasattr(storage, "bucket_name"):
        response = HttpResponseRedirect(storage.url(name, expire=PRESIGNED_MAX_AGE))
        response["Cache-Control"] = PRIVATE
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        byte_range = byte_range_parse(request.headers.get("Range", ""), size)
    except RangeNotSatisfiable:
        return _secure(range_not_satisfiable(size), cache_control=PRIVATE)
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    start, end = byte_range or (0, size - 1)
    length = max(end - start + 1, 0)
    if length <= IN_MEMORY_LIMIT:
        try:
            handle.seek(start)
            response = HttpResponse(handle.read(length), content_type=_content_type(path))
        finally:
            handle.close()
    else:
        response = StreamingHttpResponse(file_chunks(handle, start, length), content_type=_content_type(path))
        response["Content-Length"] = str(length)
    if byte_range:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return _secure(response, cache_control=PRIVATE)


def _grant(token: str, activity) -> PlayerGrant | HttpResponse:
    """The token's grant, or a 403 saying why (the page that minted it can simply be reloaded)."""
    grant = player_token_check(token, activity_uuid=activity)
    if grant is None or not get_user_model().objects.filter(pk=grant.user_id, is_active=True).exists():
        response = HttpResponseForbidden(
            _("Tautan aktivitas ini tidak berlaku atau sudah kedaluwarsa. Muat ulang halaman modul."),
            content_type="text/plain; charset=utf-8",
        )
        response["Cache-Control"] = PRIVATE
        return response
    return grant


@require_GET
def h5p_json(request: HttpRequest, token: str, activity) -> HttpResponse:
    grant = _grant(token, activity)
    if isinstance(grant, HttpResponse):
        return grant
    item = get_object_or_404(H5PActivity, uuid=activity)
    response = JsonResponse(item.h5p_json)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE
    return response


@require_GET
def content_file(request: HttpRequest, token: str, activity, path: str) -> HttpResponse:
    grant = _grant(token, activity)
    if isinstance(grant, HttpResponse):
        return grant
    item = get_object_or_404(H5PActivity.objects.only("storage_path", "content_files"), uuid=activity)
    path = _safe_relative(path)
    if path not in item.content_files:
        raise Http404
    return _content_response(request, f"{item.storage_path}/{path}", path)


@require_GET
def library_file(request: HttpRequest, activity, folder: str, path: str) -> HttpResponse:
    match = LIBRARY_FOLDER.match(folder)
    if not match:
        raise Http404
    path = _safe_relative(path)
    # The activity's own pinned version of this major.minor: older activities keep the patch they were made with.
    library = (
        H5PLibrary.objects.approved()  # pending or rejected code never plays
        .filter(
            activities__uuid=activity,
            machine_name=match["name"],
            major_version=int(match["major"]),
            minor_version=int(match["minor"]),
        )
        .only("storage_path", "files")
        .first()
    )
    if library is None or path not in library.files:
        raise Http404
    return _file_response(f"{library.storage_path}/{path}", path)


@xframe_options_exempt  # framing is governed by the CSP frame-ancestors below
@require_GET
def player(request: HttpRequest, token: str, activity) -> HttpResponse:
    grant = _grant(token, activity)
    if isinstance(grant, HttpResponse):
        return grant
    item = get_object_or_404(H5PActivity, uuid=activity)
    # h5p-standalone joins file names onto these paths: the token rides along in every content URL. Library code
    # is public and the same for everyone: no token, so browsers cache it across activities' pages.
    base = f"/h5p/t/{token}/a/{item.uuid}"
    origins = parent_origins(request)
    config = {
        "activity": str(item.uuid),
        "parentOrigins": origins,
        "standalone": request.GET.get("pratinjau") == "1",
        "options": {
            "id": str(item.uuid),
            "h5pJsonPath": base,
            "contentJsonPath": f"{base}/content",
            "librariesPath": f"/h5p/a/{item.uuid}/libraries",
            "frameJs": static("h5p-standalone/frame.bundle.js"),
            "frameCss": static("h5p-standalone/styles/h5p.css"),
            "xAPIObjectIRI": item.iri,
            "fullScreen": True,
        },
    }
    response = TemplateResponse(request, "content/player.html", {"activity": item, "config": config})
    response["Content-Security-Policy"] = player_csp(frame_ancestors=origins)
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "same-origin"  # the token in the URL never leaves the player host
    response["Cache-Control"] = PRIVATE
    return response
