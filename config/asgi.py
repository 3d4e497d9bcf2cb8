"""ASGI entry point: HTTP through Django, websockets through Channels (one process serves both)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.body_limit import BodySizeLimitMiddleware  # noqa: E402
from content.player import player_host  # noqa: E402
from live.routing import websocket_urlpatterns  # noqa: E402


def websocket_origins() -> list[str]:
    """The site's own hosts, from DJANGO_ALLOWED_HOSTS: never "*" (any page on the web could then open a socket
    with the visitor's cookies) and never the H5P player's host, whose pages run uploaded package code."""
    return [host for host in settings.ALLOWED_HOSTS if host not in ("*", player_host())]


class SiteOriginValidator(OriginValidator):
    """Websockets only from pages of the site itself. The player's host is refused even when an allowed pattern
    (".example.go.id") would cover it. Read per handshake, so the list always follows the settings."""

    def __init__(self, application):
        super().__init__(application, allowed_origins=[])

    def valid_origin(self, parsed_origin) -> bool:
        if parsed_origin is None or parsed_origin.hostname in (None, player_host()):
            return False
        return any(self.match_allowed_origin(parsed_origin, pattern) for pattern in websocket_origins())


application = ProtocolTypeRouter(
    {
        "http": BodySizeLimitMiddleware(django_asgi_app),
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
