"""Serving H5P on the player host, attacked: Range headers past what Python converts, host names that
ALLOWED_HOSTS lets through in another spelling, and the player host's redirect to the site."""

import pytest
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory

from content.middleware import PlayerHostMiddleware
from content.player import player_token_mint
from content.ranges import RangeNotSatisfiable, byte_range_parse
from content.services import package_import
from lms.factories import UserFactory
from tests.h5p_fixtures import build_zip, media_root_fixture, package_files  # noqa: F401

pytestmark = pytest.mark.django_db
HUGE = "9" * 5000  # past Python's 4,300-digit int() limit: a ValueError, hence a 500, before the fix


@pytest.fixture
def activity(media_root):
    files = package_files()
    files["content/audio.mp3"] = b"ID3" + bytes(range(256)) * 40
    return package_import(source=build_zip(files))


def _base(activity) -> str:
    token = player_token_mint(user_id=UserFactory().pk, activity_uuid=activity.uuid, module_id=1)
    return f"/h5p/t/{token}/a/{activity.uuid}"


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (f"bytes={HUGE}-", 416),
        (f"bytes=0-{HUGE}", 206),
        (f"bytes=-{HUGE}", 206),
        ("bytes=99999999999999999999999999-", 416),
        ("bytes=0-99999999999999999999999999", 206),
        ("bytes=٣-", 200),  # Arabic-Indic digit: not a byte position, the whole file
        ("bytes=0-²", 200),
        ("bytes=-0", 416),
        ("bytes=0-0", 206),
        ("bytes=0-1,3-4", 200),
        ("bytes=5-2", 200),
    ],
)
def test_range_headers_never_crash(activity, header, status):
    response = Client(HTTP_HOST="localhost").get(f"{_base(activity)}/content/audio.mp3", HTTP_RANGE=header)
    assert response.status_code == status
    size = 3 + 256 * 40
    if status == 206 and header != "bytes=0-0":
        assert response["Content-Range"] == f"bytes 0-{size - 1}/{size}"


def test_range_parse_caps_long_numbers():
    with pytest.raises(RangeNotSatisfiable):
        byte_range_parse(f"bytes={HUGE}-{HUGE}", 10)
    assert byte_range_parse(f"bytes=0000000000000000000000000005-{HUGE}", 10) == (5, 9)


def _separate_origin(settings):
    settings.H5P_ORIGIN = "https://h5p.siger.example"
    settings.WAGTAILADMIN_BASE_URL = "https://siger.example"
    settings.H5P_PARENT_ORIGINS = ["https://siger.example"]
    settings.ALLOWED_HOSTS = ["siger.example", "h5p.siger.example", "[::1]"]


@pytest.mark.parametrize("host", ["h5p.siger.example.", "H5P.SIGER.EXAMPLE", "h5p.siger.example.:443"])
def test_the_player_host_spelled_otherwise_is_still_the_player_host(activity, settings, host):
    _separate_origin(settings)
    client = Client(HTTP_HOST=host)
    # Not a site host: no site page (login, admin) is ever served under the player's name...
    response = client.get("/masuk/?next=/dasbor/", secure=True)
    assert response.status_code == 302 and response["Location"] == "https://siger.example/masuk/?next=/dasbor/"
    # ...and the player still plays there.
    assert client.get(f"{_base(activity)}/play/", secure=True).status_code == 200


def test_a_site_host_with_a_trailing_dot_never_serves_h5p(activity, settings):
    _separate_origin(settings)
    assert Client(HTTP_HOST="siger.example.").get(f"{_base(activity)}/play/", secure=True).status_code == 404


def test_an_ipv6_player_origin_is_recognised(activity, settings):
    settings.H5P_ORIGIN = "http://[::1]:8001"
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "[::1]"]
    client = Client(HTTP_HOST="[::1]:8001")
    assert client.get(f"{_base(activity)}/play/").status_code == 200
    response = client.get("/dasbor/")
    assert response.status_code == 302 and response["Location"] == "http://127.0.0.1:8000/dasbor/"


def test_the_player_host_redirect_is_never_an_open_redirect(settings):
    settings.H5P_ORIGIN = "https://h5p.siger.example"
    settings.WAGTAILADMIN_BASE_URL = "siger.example"  # a base URL without its scheme: no site origin known
    settings.ALLOWED_HOSTS = ["siger.example", "h5p.siger.example"]
    request = RequestFactory(HTTP_HOST="h5p.siger.example").get("/")
    request.path = request.path_info = "//evil.example/"
    middleware = PlayerHostMiddleware(lambda request: HttpResponse("site"))
    with pytest.raises(Http404):
        middleware(request)
    settings.WAGTAILADMIN_BASE_URL = "https://siger.example"
    assert middleware(request)["Location"] == "https://siger.example//evil.example/"


def test_head_and_other_methods_are_refused_without_serving_or_crashing(activity):
    client = Client(HTTP_HOST="localhost")
    base = _base(activity)
    for url in (f"{base}/play/", f"{base}/content/audio.mp3", f"/h5p/a/{activity.uuid}/libraries/H5P.Tiny-1.0/tiny.js"):
        assert client.head(url).status_code == 405
        assert client.post(url).status_code == 405
