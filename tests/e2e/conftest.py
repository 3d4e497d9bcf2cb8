"""Browser tests: a real ASGI server (uvicorn, in a thread of the test process, on the test database) driven by
Playwright through Debian's Chromium."""

import os
import threading
import time

import pytest

from tests.net import free_port

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SIGER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


class _Server(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        import uvicorn

        from config.asgi import application

        self.port = free_port()
        config = uvicorn.Config(
            application,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws_per_message_deflate=False,
            ws_max_size=65536,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)

    def run(self):
        self.server.run()

    def start_and_wait(self):
        self.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def wait_until_idle(self, timeout: float = 15) -> None:
        """Until no request or socket is being handled and no live room is open in the server.

        The test database is flushed after each browser test; a socket that the closing browser leaves behind
        still writes attendance and reads presence, and PostgreSQL's TRUNCATE would deadlock with it."""
        from live.hub import _hubs

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.server.server_state.tasks and not any(hub.rooms for hub in list(_hubs.values())):
                break
            time.sleep(0.05)
        for loop, hub in list(_hubs.items()):
            if hub._heartbeat is not None and not loop.is_closed():
                loop.call_soon_threadsafe(hub._heartbeat.cancel)
        time.sleep(0.3)  # a query already handed to a worker thread finishes


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    server = _Server()
    server.start_and_wait()
    yield server
    server.server.should_exit = True
    server.join(timeout=5)


@pytest.fixture(scope="session")
def live_url(asgi_server):
    """The site. The same server answers as http://localhost:<port> too: the H5P player host (bound to 127.0.0.1,
    which Chromium reaches for "localhost")."""
    return f"http://127.0.0.1:{asgi_server.port}"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, transactional_db, asgi_server):
    context = browser.new_context(locale="id-ID", viewport={"width": 412, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A policy violation breaks a feature silently (the page goes on without it): count it as an error.
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    # Learners are on slow links and the H5P player must load nothing from outside the site: a request that
    # leaves it is an error too. The site is 127.0.0.1; its H5P player host is localhost, same server and port.
    own = (f"http://127.0.0.1:{asgi_server.port}/", f"http://localhost:{asgi_server.port}/")
    page.on(
        "request",
        lambda request: (
            request.url.startswith(("http:", "https:"))
            and not request.url.startswith(own)
            and errors.append(f"request outside the site: {request.url}")
        ),
    )
    page.js_errors = errors
    yield page
    context.close()
    asgi_server.wait_until_idle()


def login(page, live_url: str, identifier: str, password: str) -> None:
    page.goto(f"{live_url}/masuk/")
    page.get_by_label("NIP atau email").fill(identifier)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
