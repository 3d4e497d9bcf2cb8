"""Webinar benchmark: N participants in one room, all-to-all chat at a fixed rate, every message delivered to
every participant. Run with `python -m tests.perf.webinar` (not collected by pytest).

For N = 500 and N = 2,000 it measures, on loopback only, with the clients in a separate process:
  (a) Siger's room: uvicorn + config.asgi, session auth, access checks, presence, messages stored before they
      are acknowledged and broadcast;
  (b) a bare Channels `group_send` broadcast consumer on the same server and channel layer;
  (c) a raw `websockets` broadcast server.
It prints p50/p99 delivery latency, deliveries lost, server CPU per delivery and the ratios (a)/(b), (a)/(c);
the last line is one JSON object for N = 2,000.

It makes its own database (a throwaway PostgreSQL database when PostgreSQL answers on 127.0.0.1:5432, else a
temporary SQLite file) and its own private redis-server, and removes both when it ends. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.net import answers, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MODES = ("siger", "bare", "raw")
CONNECT_TIMEOUT = 240  # seconds for all N sockets to be in the room
SETTLE_SECONDS = 3  # after the joins, before measuring: the join burst's presence work is not chat
DRAIN_SECONDS = 20  # after the last send, how long deliveries may still arrive before they count as lost


# --- the client process ------------------------------------------------------------------------------------


async def _clients(
    *, mode: str, url: str, n: int, seconds: float, rate: float, cookies: list[str]
) -> tuple[list[Any], dict]:
    import websockets

    latencies: list[float] = []
    counts: dict[int, int] = {}
    sockets: list[Any] = []
    errors = 0
    gate = asyncio.Semaphore(64)

    def record(text: str, now: float) -> None:
        seq, sent_at, _pad = text.split("|", 2)
        latencies.append(now - float(sent_at))
        counts[int(seq)] = counts.get(int(seq), 0) + 1

    async def read(ws) -> None:
        nonlocal errors
        try:
            async for raw in ws:
                now = time.time()
                if mode != "siger":
                    record(raw, now)
                elif raw.startswith('{"type":"chat.message"'):
                    record(json.loads(raw)["message"]["text"], now)
                elif raw.startswith('{"type":"error"'):
                    errors += 1
        except websockets.exceptions.ConnectionClosed:
            pass

    async def open_one(index: int) -> None:
        headers = {"Origin": "http://127.0.0.1"}
        if cookies:
            headers["Cookie"] = f"sessionid={cookies[index]}"
        async with gate:
            for attempt in range(6):
                try:
                    ws = await websockets.connect(
                        url, additional_headers=headers, compression=None, open_timeout=60, max_size=None
                    )
                    break
                except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
                    if attempt == 5:
                        raise
                    await asyncio.sleep(0.5 * 2**attempt)
            if mode == "siger":
                hello = json.loads(await asyncio.wait_for(ws.recv(), 60))
                assert hello["type"] == "hello", hello
        sockets.append(ws)
        asyncio.ensure_future(read(ws))

    started = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(open_one(i) for i in range(n))), CONNECT_TIMEOUT)
    connect_seconds = time.monotonic() - started
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    total = int(seconds * rate)
    padding = "x" * 60  # a chat line of about a hundred characters
    begin = time.monotonic()
    for seq in range(total):
        delay = begin + seq / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        text = f"{seq}|{time.time():.6f}|{padding}"
        ws = random.choice(sockets)
        if mode == "siger":
            await ws.send(json.dumps({"action": "chat.send", "text": text, "client_id": f"bench-{seq}"}))
        else:
            await ws.send(text)
    expected = total * n
    deadline = time.monotonic() + DRAIN_SECONDS
    while sum(counts.values()) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    received = sum(min(c, n) for c in counts.values())
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else float("nan")

    return sockets, {
        "sent": total,
        "expected": expected,
        "received": received,
        "lost": expected - received,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "max_ms": round(1000 * ordered[-1], 1) if ordered else float("nan"),
        "connect_s": round(connect_seconds, 1),
        "errors": errors,
    }


def client_main(args: argparse.Namespace) -> None:
    cookies = json.loads(Path(args.cookies).read_text()) if args.cookies else []

    async def run() -> None:
        sockets, result = await _clients(
            mode=args.mode, url=args.url, n=args.n, seconds=args.seconds, rate=args.rate, cookies=cookies
        )
        # Reported before the sockets close: leaving the room is not part of the chat being measured.
        print("RESULT " + json.dumps(result), flush=True)
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    asyncio.run(run())


# --- the coordinator ---------------------------------------------------------------------------------------


class Bench:
    def __init__(self, *, sizes: list[int], seconds: float, rate: float):
        self.sizes, self.seconds, self.rate = sizes, seconds, rate
        self.workdir = Path(tempfile.mkdtemp(prefix="siger-bench-"))
        self.redis_port = free_port()
        self.redis: subprocess.Popen | None = None
        self.pg_name = f"siger_bench_live_{os.getpid()}"
        self.database_url = ""
        self.session_id = 0
        self.cookie_file = self.workdir / "cookies.json"

    # The database: migrated, one course with a live session, max(sizes) enrolled learners logged in.
    def prepare(self) -> None:
        if answers(5432):
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}"')
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            self.database_url = f"postgres://postgres@127.0.0.1:5432/{self.pg_name}"
        else:
            self.database_url = f"sqlite:///{self.workdir / 'bench.sqlite3'}"
        os.environ["DATABASE_URL"] = self.database_url
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        self._seed(max(self.sizes))

    def _seed(self, n: int) -> None:
        import datetime

        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.contrib.sessions.models import Session
        from django.utils import timezone
        from django.utils.crypto import get_random_string

        from lms.factories import CoursePageFactory, LiveSessionPageFactory
        from lms.models import Enrollment, User, WorkUnit
        from lms.setup import site_ensure_catalogue

        course = CoursePageFactory(parent=site_ensure_catalogue(), title="Benchmark")
        now = timezone.now()
        session = LiveSessionPageFactory(
            parent=course, starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=3)
        )
        unit = WorkUnit.objects.create(name="Dinas Benchmark")
        users = User.objects.bulk_create(
            User(nip=f"{199001012020011000 + i:018d}", full_name=f"Peserta {i}", work_unit=unit, password="!x")
            for i in range(n)
        )
        Enrollment.objects.bulk_create(Enrollment(user=user, course=course) for user in users)
        store = SessionStore()
        keys, rows = [], []
        for user in users:
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "lms.auth.NipOrEmailBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            rows.append(
                Session(session_key=key, session_data=store.encode(data), expire_date=now + datetime.timedelta(days=1))
            )
            keys.append(key)
        Session.objects.bulk_create(rows)
        self.session_id = session.pk
        self.cookie_file.write_text(json.dumps(keys))
        from django.db import connections

        connections.close_all()

    def start_redis(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.redis = subprocess.Popen(
            [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.redis_port, process=self.redis, timeout=60)

    def _server(self, mode: str, port: int) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_CONN_MAX_AGE": "600",
            # Every simulated participant connects from 127.0.0.1.
            "SIGER_LIVE_MAX_SOCKETS_PER_IP": "0",
        }
        if mode == "raw":
            command = [PYTHON, "-m", "tests.perf.raw_server", "--port", str(port)]
        else:
            app = "config.asgi:application" if mode == "siger" else "tests.perf.bare_asgi:application"
            command = [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
            command += ["--ws-per-message-deflate", "false", "--ws-max-size", "65536", "--lifespan", "off"]
            command += ["--log-level", "warning"]
            command += ["--backlog", "4096"]
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        wait_for_port(port, process=process, timeout=60)
        return process

    def run_case(self, mode: str, n: int) -> dict:
        port = free_port()
        server = self._server(mode, port)
        path = {"siger": f"/ws/live/{self.session_id}/", "bare": "/bare/", "raw": "/"}[mode]
        command = [
            PYTHON,
            "-m",
            "tests.perf.webinar",
            "--client",
            "--mode",
            mode,
            "--url",
            f"ws://127.0.0.1:{port}{path}",
        ]
        command += ["--n", str(n), "--seconds", str(self.seconds), "--rate", str(self.rate)]
        if mode == "siger":
            command += ["--cookies", str(self.cookie_file)]
        clients = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = _read_line(clients, timeout=CONNECT_TIMEOUT + 30)
            if line.strip() != "READY":
                raise RuntimeError(f"clients did not connect: {line!r}")
            time.sleep(SETTLE_SECONDS)
            cpu_before = _cpu_seconds(server.pid)
            clients.stdin.write("GO\n")
            clients.stdin.flush()
            line = _read_line(clients, timeout=self.seconds + DRAIN_SECONDS + 60)
            cpu = _cpu_seconds(server.pid) - cpu_before
            if not line.startswith("RESULT "):
                raise RuntimeError(f"clients failed: {line!r}")
            result = json.loads(line[len("RESULT ") :])
        finally:
            _stop(clients)
            _stop(server)
        result["cpu_s"] = round(cpu, 2)
        result["cpu_us_per_delivery"] = round(1e6 * cpu / result["received"], 1) if result["received"] else None
        return result

    def cleanup(self) -> None:
        if self.redis is not None:
            _stop(self.redis)
        if self.database_url.startswith("postgres"):
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.workdir, ignore_errors=True)


def _read_line(process: subprocess.Popen, *, timeout: float) -> str:
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError("no answer from the client process")
    return process.stdout.readline()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--cookies", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="500,2000", help="participants per run (default 500,2000)")
    parser.add_argument("--seconds", type=float, default=15, help="sending time per run (default 15)")
    parser.add_argument("--rate", type=float, default=2, help="messages per second in the room (default 2)")
    parser.add_argument("--modes", default=",".join(MODES), help="which of siger,bare,raw to run (default all)")
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return

    bench = Bench(sizes=[int(s) for s in args.sizes.split(",")], seconds=args.seconds, rate=args.rate)
    summary: dict[int, dict[str, dict]] = {}
    try:
        print(f"preparing database and {max(bench.sizes)} learners…", flush=True)
        bench.prepare()
        bench.start_redis()
        print(f"database {bench.database_url.split('@')[-1]}; redis on port {bench.redis_port}", flush=True)
        modes = [m for m in MODES if m in args.modes.split(",")]
        for n in bench.sizes:
            summary[n] = {}
            for mode in modes:
                result = bench.run_case(mode, n)
                summary[n][mode] = result
                print(
                    f"N={n:5d} {mode:5s}: p50 {result['p50_ms']:8.1f} ms  p99 {result['p99_ms']:8.1f} ms  "
                    f"max {result['max_ms']:8.1f} ms  lost {result['lost']:6d}/{result['expected']}  "
                    f"cpu/delivery {result['cpu_us_per_delivery']} µs  (connect {result['connect_s']} s, "
                    f"errors {result['errors']})",
                    flush=True,
                )
            siger, bare, raw = (summary[n].get(m, {}).get("cpu_us_per_delivery") for m in MODES)
            print(f"N={n:5d} ratios: (a)/(b) {_ratio(siger, bare)}  (a)/(c) {_ratio(siger, raw)}", flush=True)
    finally:
        bench.cleanup()
    n = max(bench.sizes)
    siger, bare, raw = (summary[n].get(m, {}) for m in MODES)
    print(
        json.dumps(
            {
                "n": n,
                "p50_ms": siger.get("p50_ms"),
                "p99_ms": siger.get("p99_ms"),
                "lost": siger.get("lost"),
                "cpu_us_per_delivery": siger.get("cpu_us_per_delivery"),
                "bare_cpu_us_per_delivery": bare.get("cpu_us_per_delivery"),
                "raw_cpu_us_per_delivery": raw.get("cpu_us_per_delivery"),
                "ratio_vs_bare": _ratio(siger.get("cpu_us_per_delivery"), bare.get("cpu_us_per_delivery")),
                "ratio_vs_raw": _ratio(siger.get("cpu_us_per_delivery"), raw.get("cpu_us_per_delivery")),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
