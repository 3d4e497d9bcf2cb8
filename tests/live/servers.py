"""Real processes for the cross-process and fault tests: a private redis-server, uvicorn servers on the test
database, and a websocket client that behaves like the room page (reconnects with backoff, resumes from its last
id, resends unacknowledged messages under the same client id)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import websockets
from django.db import connection

from tests.net import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, as the URL the server processes read from DATABASE_URL."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class RedisServer:
    """A private, memory-only redis-server (never the shared one) that a test may stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def procfile_uvicorn_options() -> list[str]:
    """uvicorn's options on the Procfile's `web` line, less the listening address and proxy headers: the test
    servers run with what production runs (the maximum frame size included)."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    words = shlex.split(line.removeprefix("web:"))
    options, skip = [], False
    for word in words[words.index("config.asgi:application") + 1 :]:
        if skip or word == "--proxy-headers":
            skip = False
            continue
        if word in ("--host", "--port"):
            skip = True
            continue
        options.append(word)
    return options


class AsgiServer:
    """`uvicorn config.asgi:application` in its own process, on the test database and the given Redis."""

    def __init__(self, *, redis_url: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.redis_url = redis_url
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis_url,
            # Heartbeat every second, so that a dead process's sockets expire within seconds.
            "DJANGO_SETTINGS_MODULE": "tests.live.fast_settings",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            **self.env,
        }
        env.pop("SIGER_TEST_DB_NAME", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
            + ["--port", str(self.port), *procfile_uvicorn_options(), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        )
        wait_for_port(self.port, timeout=60, process=self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class RoomClient:
    """A participant: what the room page does, in Python."""

    def __init__(self, *, name: str, servers: list[str], session_id: int, cookie: str, reconnect: bool = True):
        self.name = name
        self.servers = servers
        self.session_id = session_id
        self.cookie = cookie
        self.reconnect = reconnect
        self.last_id = 0
        self.messages: dict[int, str] = {}
        self.deleted: set[int] = set()
        self.present: dict[int, dict[str, Any]] = {}
        self.acks: dict[str, int] = {}
        self.hellos = 0
        self.ready = asyncio.Event()
        self._ws = None
        self._task: asyncio.Task | None = None
        self._changed = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        self.reconnect = False
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        attempts = 0
        server = 0
        while True:
            url = f"{self.servers[server % len(self.servers)]}/ws/live/{self.session_id}/"
            if self.last_id:
                url += f"?after={self.last_id}"
            try:
                async with websockets.connect(
                    url,
                    additional_headers={"Cookie": f"sessionid={self.cookie}", "Origin": "http://127.0.0.1"},
                    compression=None,
                    open_timeout=10,
                ) as ws:
                    self._ws = ws
                    attempts = 0
                    async for raw in ws:
                        self._handle(json.loads(raw))
            except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
                pass
            self._ws = None
            self.ready.clear()
            self._touch()
            if not self.reconnect:
                return
            # Same backoff as the page; a server that refuses us is skipped for the next one.
            attempts += 1
            server += 1 if attempts > 1 else 0
            await asyncio.sleep(min(5.0, 0.2 * 2**attempts) * (0.5 + random.random() / 2))

    def _handle(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "hello":
            self.hellos += 1
            self.deleted.update(frame["deleted"])
            for message in frame["messages"]:
                self._add(message)
            self.present = {p["id"]: p for p in frame["presence"]}
            self.ready.set()
        elif kind in ("chat.message", "chat.ack"):
            self._add(frame["message"])
            if kind == "chat.ack":
                self.acks[frame["client_id"]] = frame["message"]["id"]
        elif kind == "chat.deleted":
            self.deleted.add(frame["id"])
            self.messages.pop(frame["id"], None)
        elif kind == "presence":
            for user_id in frame["left"]:
                self.present.pop(user_id, None)
            self.present.update({p["id"]: p for p in frame["joined"]})
        self._touch()

    def _add(self, message: dict[str, Any]) -> None:
        self.last_id = max(self.last_id, message["id"])
        if message["id"] not in self.deleted:
            self.messages[message["id"]] = message["text"]

    def _touch(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def until(self, condition, *, timeout: float = 30) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{self.name}: condition not met in {timeout}s")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), min(remaining, 1.0))
            except TimeoutError:
                pass

    async def say(self, text: str, *, timeout: float = 60) -> int:
        """Send until acknowledged (resending under the same client id after a drop); returns the message id."""
        client_id = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while client_id not in self.acks:
            assert loop.time() < deadline, f"{self.name}: '{text}' never acknowledged"
            await self.until(lambda: self.ready.is_set(), timeout=deadline - loop.time())
            try:
                await self._ws.send(json.dumps({"action": "chat.send", "text": text, "client_id": client_id}))
                await self.until(lambda: client_id in self.acks, timeout=3)
            except (AssertionError, AttributeError, websockets.exceptions.WebSocketException):
                continue
        return self.acks[client_id]
