"""Issue 7 §1 and §6: uploaded H5P code never runs as the site, and an activity's content reaches only those who
may open its module. Each test is an attack that worked before: the player and content.json were served on the
site's own origin, to anyone with the URL, cached `public, immutable`."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from content.services import package_import
from lms.services import enrollment_create
from tests.conftest import client_for
from tests.h5p_fixtures import (
    build_zip,
    h5p_course,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
)
from tests.live.aio import async_test

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def activity(media_root):
    files = package_files()
    files["content/kunci.txt"] = "rahasia"  # stands for an answer key in content.json
    return package_import(source=build_zip(files))


@pytest.fixture
def module(catalogue, activity):
    _course, module = h5p_course(catalogue, [activity])
    return module


def _player_src(html: str) -> str:
    match = re.search(r'<iframe class="h5p-frame" src="([^"]+)"', html)
    assert match, "no player iframe on the module page"
    return match.group(1).replace("&amp;", "&")


def _player_path(src: str) -> str:
    """The path of an absolute player URL; the test client talks to the host named in HTTP_HOST."""
    return "/" + src.split("/", 3)[3]


def test_module_page_embeds_the_player_from_the_player_host_with_a_signed_url(learner, module, activity):
    enrollment_create(user=learner, course=module.get_parent().specific)
    response = client_for(learner).get(module.url)
    assert response.status_code == 200
    src = _player_src(response.content.decode())
    # The test client's host (testserver) is a site host; the embedded default's player host is localhost.
    assert src.startswith("http://localhost/h5p/t/") and src.endswith(f"/a/{activity.uuid}/play/")
    iframe = re.search(r'<iframe class="h5p-frame"[^>]*>', response.content.decode()).group(0)
    assert 'sandbox="allow-scripts allow-same-origin' in iframe and "allow-top-navigation" not in iframe
    assert "microphone" in iframe  # the Audio Recorder, now on another origin, needs it delegated
    player = Client(HTTP_HOST="localhost")
    page = player.get(_player_path(src))
    assert page.status_code == 200
    assert not page.cookies  # the player host never gets a cookie of its own either
    base = _player_path(src).removesuffix("/play/")
    content = player.get(f"{base}/content/kunci.txt")
    assert content.status_code == 200 and content.content == b"rahasia"
    assert "public" not in content["Cache-Control"]


def test_the_site_host_never_serves_the_player_or_content(learner, module, activity):
    enrollment_create(user=learner, course=module.get_parent().specific)
    src = _player_src(client_for(learner).get(module.url).content.decode())
    path = _player_path(src)
    base = path.removesuffix("/play/")
    for host in ("testserver", "127.0.0.1", "[::1]"):
        site = client_for(learner)
        site.defaults["HTTP_HOST"] = host
        for url in (path, f"{base}/content/content.json", f"{base}/h5p.json"):
            assert site.get(url).status_code == 404, (host, url)
        library = f"/h5p/a/{activity.uuid}/libraries/H5P.Tiny-1.0/tiny.js"
        assert site.get(library).status_code == 404


@pytest.mark.parametrize("path", ["/", "/admin/", "/masuk/", "/dasbor/", "/documents/1/x.pdf", "/media/x.png"])
def test_the_player_host_serves_no_page_of_the_site_and_redirects_to_it(path):
    response = Client(HTTP_HOST="localhost:8000").get(path + "?a=1")
    assert response.status_code == 302
    assert response["Location"] == f"http://127.0.0.1:8000{path}?a=1"


def test_the_player_host_serves_static_files(activity):
    response = Client(HTTP_HOST="localhost").get("/static/siger/h5p/player.js")
    assert response.status_code == 200


def test_content_is_not_served_to_someone_without_the_signed_url(activity):
    """Before: GET /h5p/a/<uuid>/content/content.json answered anyone (answer keys included)."""
    for host in ("localhost", "testserver"):
        client = Client(HTTP_HOST=host)
        assert client.get(f"/h5p/a/{activity.uuid}/content/content.json").status_code == 404
        assert client.get(f"/h5p/a/{activity.uuid}/h5p.json").status_code == 404


def test_a_learner_not_enrolled_gets_no_player_url(learner, module):
    response = client_for(learner).get(module.url)
    assert response.status_code == 403
    assert "/h5p/t/" not in response.content.decode()


def test_an_anonymous_visitor_gets_no_player_url(module):
    response = Client().get(module.url)
    assert response.status_code == 302 and "/h5p/t/" not in response.content.decode()


def test_the_player_page_allows_only_the_site_to_frame_it_and_no_connection_to_the_site(learner, module):
    enrollment_create(user=learner, course=module.get_parent().specific)
    site = client_for(learner)
    site.defaults["HTTP_HOST"] = "127.0.0.1:8000"
    src = _player_src(site.get(module.url).content.decode())
    assert src.startswith("http://localhost:8000/h5p/t/")
    response = Client(HTTP_HOST="localhost:8000").get(_player_path(src))
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert directives["frame-ancestors"] == "http://127.0.0.1:8000"
    assert directives["connect-src"] == "'self'"
    assert "127.0.0.1" not in directives["script-src"]
    assert "http://127.0.0.1:8000" in response.content.decode()  # the only parent it talks to


def test_an_administrators_preview_runs_the_package_on_the_player_host(administrator, activity):
    """Before: the admin's preview ran the package's code on the admin's own origin, next to its csrftoken."""
    page = client_for(administrator).get(f"/admin/snippets/content/h5pactivity/edit/{activity.pk}/")
    assert page.status_code == 200
    src = re.search(r'<iframe src="([^"]+)"[^>]*title="Pratinjau', page.content.decode()).group(1)
    assert src.startswith("http://localhost/h5p/t/") and src.endswith(f"/a/{activity.uuid}/play/?pratinjau=1")


def _settings_error(env: dict) -> str:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SIGER_", "DJANGO_"))}
    script = "import django; django.setup(); print('started')"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return "" if result.returncode == 0 else result.stderr


PRODUCTION = {
    "SIGER_PRODUCTION": "1",
    "DJANGO_ALLOWED_HOSTS": "siger.example.go.id,h5p.siger-h5p.example",
    "SIGER_BASE_URL": "https://siger.example.go.id",
}


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({}, "SIGER_H5P_ORIGIN must be set"),
        ({"SIGER_H5P_ORIGIN": "https://siger.example.go.id"}, "another host"),
        ({"SIGER_H5P_ORIGIN": "https://h5p.other.example"}, "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_a_separate_player_host(extra, reason):
    assert reason in _settings_error({**PRODUCTION, **extra})


def test_production_starts_with_a_separate_player_host():
    # Other production checks (secret key, cookies...) are other tests' business: none of them is about H5P.
    assert "H5P" not in _settings_error({**PRODUCTION, "SIGER_H5P_ORIGIN": "https://h5p.siger-h5p.example"})


async def _asgi_get(host: str, path: str) -> tuple[int, dict[bytes, bytes]]:
    """One GET through Django's ASGI handler as uvicorn would send it (the test AsyncClient always says
    "testserver" first in its Host header)."""
    from asgiref.testing import ApplicationCommunicator
    from django.core.handlers.asgi import ASGIHandler

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(ASGIHandler(), scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=20)
    while (await communicator.receive_output(timeout=20)).get("more_body"):
        pass
    return start["status"], dict(start["headers"])


@pytest.mark.django_db(transaction=True)  # the view's queries run in a worker thread with its own connection
@async_test  # after a browser test pytest-asyncio cannot start its own loop (tests/live/aio.py)
async def test_under_asgi_the_hosts_are_kept_apart_too(activity):
    """The middleware also runs as async (no thread hop per request under uvicorn): same answers."""
    library = f"/h5p/a/{activity.uuid}/libraries/H5P.Tiny-1.0/tiny.js"
    assert (await _asgi_get("127.0.0.1:8000", library))[0] == 404
    assert (await _asgi_get("localhost:8000", library))[0] == 200
    status, headers = await _asgi_get("localhost:8000", "/admin/")
    assert status == 302 and headers[b"Location"] == b"http://127.0.0.1:8000/admin/"
