"""Drive the real ASGI application (origin check, session auth, routing) with WebsocketCommunicator."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application

TIMEOUT = 20  # generous: the machine is shared and loaded


class Socket:
    """A communicator that keeps every frame it received, so tests can wait for one of a kind."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.communicator = communicator
        self.frames: list[dict[str, Any]] = []
        self._taken: set[int] = set()

    async def next(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        frame = await self.communicator.receive_json_from(timeout=timeout)
        self.frames.append(frame)
        return frame

    async def wait_for(self, frame_type: str, predicate=lambda frame: True, timeout: float = TIMEOUT):
        """The first frame (already received or coming) of this type that matches."""
        for index, frame in enumerate(self.frames):
            if index not in self._taken and frame["type"] == frame_type and predicate(frame):
                self._taken.add(index)
                return frame
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.next(timeout=max(0.1, deadline - loop.time()))
            if frame["type"] == frame_type and predicate(frame):
                self._taken.add(len(self.frames) - 1)
                return frame

    async def send(self, action: str, **fields) -> None:
        await self.communicator.send_json_to({"action": action, **fields})

    async def close(self) -> None:
        await self.communicator.disconnect()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _communicator(
    *,
    user=None,
    session_id: int | str,
    origin: str | None = "http://testserver",
    after: int | None = None,
    query: str = "",
    client: tuple[str, int] = ("127.0.0.1", 50000),
):
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if user is not None:
        headers.append((b"cookie", f"sessionid={session_cookie(user)}".encode()))
    path = f"/ws/live/{session_id}/" + (f"?after={after}" if after else "") + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["client"] = client
    return communicator


async def communicator_for(**kwargs) -> WebsocketCommunicator:
    return await database_sync_to_async(_communicator)(**kwargs)


async def join(**kwargs) -> tuple[Socket, dict[str, Any]]:
    """Open a socket for a user that may join; returns it with its hello frame."""
    communicator = await communicator_for(**kwargs)
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    assert connected, "the room refused the socket"
    socket = Socket(communicator)
    hello = await socket.wait_for("hello")
    return socket, hello


async def refused(**kwargs) -> bool:
    communicator = await communicator_for(**kwargs)
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    if connected:
        await communicator.disconnect()
    return not connected
