"""Two hosts, one application: the site, and the player host that runs uploaded H5P code (content/player.py).

The player host answers only the H5P routes and static files; anything else is sent to the site, so that no page
of the site ever runs under the origin where package code runs. The site never serves the H5P routes, so no
package code ever runs under the site's origin, next to its cookies and pages.
"""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from content.player import hosts_are_separate, player_host, site_origin

H5P_PREFIX = "/h5p/"


def _hostname(request: HttpRequest) -> str:
    """The request's host name as urlsplit().hostname spells the configured ones: lower case, IPv6 without its
    brackets, and without the trailing dot of a fully qualified name (ALLOWED_HOSTS lets "h5p.example." through,
    and it must not count as a site host that serves every page)."""
    host = request.get_host().lower()  # validated against ALLOWED_HOSTS (a bad host is a 400)
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    host = host.rsplit(":", 1)[0] if ":" in host else host
    return host.rstrip(".")


class PlayerHostMiddleware:
    """Sync and async: under ASGI a sync-only middleware would cost every request a hop to a worker thread."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self.__acall__(request)
        return self._refusal(request) or self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return self._refusal(request) or await self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> HttpResponse | None:
        # Wagtail's page preview renders through a dummy request built in the admin's own process, named after the
        # Wagtail Site (often "localhost"); its HTML goes back to the admin on the site host: no host rule applies.
        if not hosts_are_separate() or getattr(request, "is_dummy", False):
            return None
        on_player_host = _hostname(request) == player_host()
        path = request.path_info
        if on_player_host and not path.startswith((H5P_PREFIX, settings.STATIC_URL)):
            origin = site_origin(request)
            if not origin:  # SIGER_BASE_URL without a scheme: "" + "//evil.example/" would be an open redirect
                raise Http404
            return HttpResponseRedirect(origin + request.get_full_path())
        if not on_player_host and path.startswith(H5P_PREFIX):
            raise Http404
        return None
