"""Serving H5P: the player page (inside an iframe) and package files read from storage.

Files and the player are reachable by the activity's random UUID without a session, so that they can be
served from a separate cookie-less origin (see content/player.py). Whether a learner may *record* anything
is decided by the xAPI intake in lms, which checks access.
"""

from __future__ import annotations

import mimetypes
import posixpath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from content.h5p import LIBRARY_FOLDER
from content.models import H5PActivity, H5PLibrary
from content.player import FILE_CSP, parent_origins, player_csp

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


def _file_response(name: str, path: str) -> HttpResponse:
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Most library files are small: answer them in one piece (under ASGI a streamed file is iterated through a
    # thread); media above the limit is streamed.
    head = handle.read(IN_MEMORY_LIMIT + 1)
    if len(head) <= IN_MEMORY_LIMIT:
        handle.close()
        response = HttpResponse(head, content_type=_content_type(path))
    else:
        handle.seek(0)
        response = FileResponse(handle, content_type=_content_type(path))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    # Stored paths are unique per upload and per library version: their bytes never change.
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


@require_GET
def h5p_json(request: HttpRequest, activity) -> JsonResponse:
    item = get_object_or_404(H5PActivity, uuid=activity)
    response = JsonResponse(item.h5p_json)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def content_file(request: HttpRequest, activity, path: str) -> HttpResponse:
    item = get_object_or_404(H5PActivity.objects.only("storage_path", "content_files"), uuid=activity)
    path = _safe_relative(path)
    if path not in item.content_files:
        raise Http404
    return _file_response(f"{item.storage_path}/{path}", path)


@require_GET
def library_file(request: HttpRequest, activity, folder: str, path: str) -> HttpResponse:
    match = LIBRARY_FOLDER.match(folder)
    if not match:
        raise Http404
    path = _safe_relative(path)
    # The activity's own pinned version of this major.minor: older activities keep the patch they were made with.
    library = (
        H5PLibrary.objects.filter(
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
def player(request: HttpRequest, activity) -> HttpResponse:
    item = get_object_or_404(H5PActivity, uuid=activity)
    base = f"/h5p/a/{item.uuid}"
    config = {
        "activity": str(item.uuid),
        "parentOrigins": parent_origins(),
        "standalone": request.GET.get("pratinjau") == "1",
        "options": {
            "id": str(item.uuid),
            "h5pJsonPath": base,
            "contentJsonPath": f"{base}/content",
            "librariesPath": f"{base}/libraries",
            "frameJs": static("h5p-standalone/frame.bundle.js"),
            "frameCss": static("h5p-standalone/styles/h5p.css"),
            "xAPIObjectIRI": item.iri,
            "fullScreen": True,
        },
    }
    response = TemplateResponse(request, "content/player.html", {"activity": item, "config": config})
    response["Content-Security-Policy"] = player_csp(frame_ancestors=parent_origins())
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "same-origin"
    return response
