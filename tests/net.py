"""Loopback helpers shared by the tests and benchmarks that start real servers (uvicorn, redis-server, moto)."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(port: int, *, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    """Until something listens on `port`; fails early when the `process` meant to listen has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        if answers(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")
