"""Settings for the server processes the cross-process tests start: heartbeats every second, so that the
sockets of a killed process expire within seconds instead of half a minute."""

from config.settings import *  # noqa: F403

SIGER_LIVE_HEARTBEAT_SECONDS = 1
