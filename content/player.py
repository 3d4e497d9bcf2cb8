"""Where and how the H5P player is served: its own origin, signed URLs, and the Content-Security-Policy it needs.

Package libraries are third-party JavaScript uploaded by instructors. They run on a host of their own (the player
host) that never serves the site and never receives the site's cookies, so they cannot read the site's cookies or
DOM, make credentialed requests to it, or use the viewer's webinar socket. The module page and the player talk
only through postMessage; the page relays xAPI and state with its own session and CSRF token.

Settings (read with defaults so the embedded default needs none):
- `H5P_ORIGIN` (SIGER_H5P_ORIGIN): e.g. "https://h5p.siger.example", a second host name pointing at this
  application (do not set SESSION_COOKIE_DOMAIN to a parent domain of both). Empty: the other loopback name of
  the request (site 127.0.0.1 → player localhost, same scheme and port). Production refuses to start without it.
- `H5P_PARENT_ORIGINS`: origins allowed to embed the player (default: the site's origin).
- `H5P_MEDIA_HOSTS` (SIGER_H5P_MEDIA_HOSTS): outside hosts content may load media, frames and their players'
  scripts from (YouTube and Vimeo by default, for Interactive Video).
- `H5P_EXTRA_SOURCES`: extra CSP sources (e.g. a CDN host for static files).
- `H5P_TOKEN_MAX_AGE`: seconds a signed player URL stays valid (default 8 hours: a training day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

PLAYER_SIGNING_SALT = "siger.h5p.player"
DEFAULT_TOKEN_MAX_AGE = 8 * 3600
# A CSP host source: scheme optional, host (may start with "*."), optional port. Anything else (spaces, quotes,
# semicolons) would let a setting inject directives, so it is left out.
_HOST_SOURCE = re.compile(r"^(https?://)?(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$", re.IGNORECASE)


def h5p_origin() -> str:
    return (getattr(settings, "H5P_ORIGIN", "") or "").rstrip("/")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def site_host() -> str:
    """Host name (no port) of the site itself: the host of SIGER_BASE_URL."""
    return urlsplit(getattr(settings, "WAGTAILADMIN_BASE_URL", "")).hostname or "127.0.0.1"


def player_host() -> str:
    """Host name (no port) that serves the H5P player and package files, and never the site. Configured by
    SIGER_H5P_ORIGIN; in the embedded default the other loopback name, which browsers treat as another origin
    with its own cookie jar (127.0.0.1 and localhost)."""
    configured = h5p_origin()
    if configured:
        return urlsplit(configured).hostname or ""
    return "localhost" if site_host() != "localhost" else "127.0.0.1"


def hosts_are_separate() -> bool:
    return player_host() != site_host()


def _request_port_suffix(request: HttpRequest) -> str:
    host = request.get_host()
    if host.endswith("]"):  # [::1] without a port
        return ""
    _name, colon, port = host.rpartition(":")
    return f":{port}" if colon and port.isdigit() else ""


def player_origin(request: HttpRequest) -> str:
    """The origin the player is loaded from, as seen by this request's browser."""
    return h5p_origin() or f"{request.scheme}://{player_host()}{_request_port_suffix(request)}"


def site_origin(request: HttpRequest) -> str:
    """The site's origin: SIGER_BASE_URL's when the player has a configured origin; in the embedded default the
    site loopback name with this request's scheme and port (tests and `./siger demo` run on any port)."""
    if h5p_origin():
        return _origin_of(getattr(settings, "WAGTAILADMIN_BASE_URL", ""))
    return f"{request.scheme}://{site_host()}{_request_port_suffix(request)}"


def parent_origins(request: HttpRequest) -> list[str]:
    configured = getattr(settings, "H5P_PARENT_ORIGINS", None)
    if configured:
        return [origin.rstrip("/") for origin in configured]
    origin = site_origin(request)
    return [origin] if origin else []


# --- Signed player URLs -----------------------------------------------------------------------------------
# The player host receives no session, so the module page (lms, after checking that the user may open the module)
# puts a signed, expiring token into the player URL's path. h5p-standalone builds every content file URL by
# joining strings onto the content path, so the token must be in the path, not in a query string.


@dataclass(frozen=True)
class PlayerGrant:
    user_id: int
    activity: str
    module_id: int


def player_token_mint(*, user_id: int, activity_uuid, module_id: int) -> str:
    """A token letting the player host serve one activity's content to one user for a while."""
    return signing.dumps({"u": user_id, "a": str(activity_uuid), "m": module_id}, salt=PLAYER_SIGNING_SALT)


def player_token_check(token: str, *, activity_uuid) -> PlayerGrant | None:
    """The grant a token carries for this activity, or None when it is forged, expired or for another one."""
    max_age = getattr(settings, "H5P_TOKEN_MAX_AGE", DEFAULT_TOKEN_MAX_AGE)
    try:
        payload = signing.loads(token, salt=PLAYER_SIGNING_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(payload, dict) or payload.get("a") != str(activity_uuid):
        return None
    user_id, module_id = payload.get("u"), payload.get("m")
    if not isinstance(user_id, int) or not isinstance(module_id, int):
        return None
    return PlayerGrant(user_id=user_id, activity=payload["a"], module_id=module_id)


def player_url(request: HttpRequest, *, activity_uuid, token: str) -> str:
    """Absolute URL of the player page on the player origin."""
    path = reverse("content:player", kwargs={"token": token, "activity": activity_uuid})
    return player_origin(request) + path


def player_url_for(request: HttpRequest, *, activity_uuid, module_id: int) -> str:
    """Mint a token for the request's user and build the player URL. The caller has checked access."""
    token = player_token_mint(user_id=request.user.pk, activity_uuid=activity_uuid, module_id=module_id)
    return player_url(request, activity_uuid=activity_uuid, token=token)


# --- Content-Security-Policy ------------------------------------------------------------------------------


def media_hosts() -> list[str]:
    """Outside hosts allowed by the administrator (SIGER_H5P_MEDIA_HOSTS), malformed entries left out."""
    return [host for host in getattr(settings, "H5P_MEDIA_HOSTS", []) if _HOST_SOURCE.match(host)]


@lru_cache(maxsize=4)
def _storage_origin(configuration: str) -> str:
    """With S3, large media is a redirect to a presigned URL: the bucket's origin must be allowed for media."""
    from django.core.files.storage import storages

    storage = storages["default"]
    if not hasattr(storage, "bucket_name"):
        return ""
    try:
        return _origin_of(storage.url("h5p/probe"))  # signing only, no request
    except Exception:  # noqa: BLE001 - a misconfigured bucket must not break the player page's policy
        return ""


def _extra_sources() -> list[str]:
    sources = [s for s in getattr(settings, "H5P_EXTRA_SOURCES", []) if _HOST_SOURCE.match(s)]
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        origin = _origin_of(url)
        if origin:
            sources.append(origin)
    origin = _storage_origin(repr(settings.STORAGES.get("default")))
    if origin:
        sources.append(origin)
    return sources


def player_csp(*, frame_ancestors: list[str]) -> str:
    """The player writes its content into an about:blank iframe that inherits this policy; H5P libraries need
    inline and eval'd script and inline styles. It runs on the player origin ('self'), so connect-src 'self'
    keeps package code from even reaching the site. Outside hosts: only those the administrator allowed, for
    media, frames and (H5P.VideoYouTube loads https://www.youtube.com/iframe_api) their players' scripts."""
    own = " ".join(["'self'", *_extra_sources()])
    outside = " ".join(media_hosts())
    ancestors = " ".join(frame_ancestors) or "'none'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {own} {outside} 'unsafe-inline' 'unsafe-eval'".replace("  ", " "),
            f"style-src {own} 'unsafe-inline'",
            f"img-src {own} {outside} data: blob:".replace("  ", " "),
            f"media-src {own} {outside} data: blob:".replace("  ", " "),
            f"font-src {own} data:",
            "connect-src 'self'",
            # H5P's Audio Recorder plays back through a worker made from a blob.
            "worker-src 'self' blob:",
            f"frame-src 'self' about: blob: {outside}".rstrip(),
            "object-src 'none'",
            "base-uri 'self'",  # the player sets its own URL as the base of the content it writes
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        ]
    )


# Served files are never documents: an SVG or HTML opened directly gets a sandbox, no script.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; sandbox"
