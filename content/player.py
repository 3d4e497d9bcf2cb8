"""Where and how the H5P player is served: origin, URLs and the Content-Security-Policy it needs.

Settings (all optional, read with defaults so the embedded default needs none):
- `H5P_ORIGIN`: e.g. "https://h5p.siger.example". The player page and every H5P file are then loaded from this
  origin: a host name that points at the same application but receives no session cookie (do not set
  SESSION_COOKIE_DOMAIN to a parent domain). Package JavaScript then runs away from the site's cookies and
  pages. Empty (default): same origin as the site.
- `H5P_PARENT_ORIGINS`: origins allowed to embed the player and receive its messages (default: the site's
  own base URL, `WAGTAILADMIN_BASE_URL`, and the same origin).
- `H5P_EXTRA_SOURCES`: extra CSP sources (e.g. a CDN host for static files).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def h5p_origin() -> str:
    return (getattr(settings, "H5P_ORIGIN", "") or "").rstrip("/")


def parent_origins() -> list[str]:
    configured = getattr(settings, "H5P_PARENT_ORIGINS", None)
    if configured:
        return [origin.rstrip("/") for origin in configured]
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return [_origin_of(base)] if base else []


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def player_url(activity_uuid) -> str:
    return h5p_origin() + reverse("content:player", kwargs={"activity": activity_uuid})


def _extra_sources() -> list[str]:
    sources = list(getattr(settings, "H5P_EXTRA_SOURCES", []))
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        origin = _origin_of(url)
        if origin:
            sources.append(origin)
    return sources


def player_csp(*, frame_ancestors: list[str]) -> str:
    """The player writes its content into an about:blank iframe that inherits this policy; H5P libraries need
    inline and eval'd script and inline styles. Nothing is loaded from outside the site (plus configured extras)."""
    own = " ".join(["'self'", *_extra_sources()])
    ancestors = " ".join(["'self'", *frame_ancestors])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {own} 'unsafe-inline' 'unsafe-eval'",
            f"style-src {own} 'unsafe-inline'",
            f"img-src {own} data: blob:",
            f"media-src {own} data: blob:",
            f"font-src {own} data:",
            "connect-src 'self'",
            "frame-src 'self' about: blob:",
            "object-src 'none'",
            "base-uri 'self'",  # the player sets its own URL as the base of the content it writes
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        ]
    )


# Served files are never documents of the site: an SVG or HTML opened directly gets a sandbox, no script.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; sandbox"
