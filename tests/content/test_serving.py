"""Serving the player and package files on the player host: signed content URLs, content types, nosniff, CSP,
traversal guards, pinned versions, Range and private caching."""

import os
import time

import pytest
from django.core import signing
from django.test import Client

from content.player import PLAYER_SIGNING_SALT, player_token_mint
from content.services import package_import
from lms.factories import UserFactory
from tests.h5p_fixtures import (
    build_zip,
    library_json,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
)

pytestmark = pytest.mark.django_db
PLAYER_HOST = "localhost"  # the embedded default: site 127.0.0.1 (and the test client's testserver) → localhost


def player_client() -> Client:
    """A browser on the player host: it has no session (the site's cookies never reach that host)."""
    return Client(HTTP_HOST=PLAYER_HOST)


def signed_base(activity, user=None, *, module_id: int = 1) -> str:
    user = user or UserFactory()
    token = player_token_mint(user_id=user.pk, activity_uuid=activity.uuid, module_id=module_id)
    return f"/h5p/t/{token}/a/{activity.uuid}"


@pytest.fixture
def activity(media_root):
    files = package_files(content={"text": "<img src=x onerror=alert(1)>"})
    files["content/images/pic.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>'
    return package_import(source=build_zip(files))


def test_player_page_has_csp_for_the_player_and_only_the_site_may_frame_it(activity):
    response = player_client().get(f"{signed_base(activity)}/play/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' " in csp and "'unsafe-inline' 'unsafe-eval'" in csp
    assert "frame-ancestors http://127.0.0.1;" in csp + ";" and "object-src 'none'" in csp
    assert "connect-src 'self';" in csp  # package code cannot reach the site's origin
    assert "X-Frame-Options" not in response  # framing is ruled by frame-ancestors
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    assert "h5p-standalone/main.bundle.js" in body and str(activity.uuid) in body
    assert "onerror" not in body  # content.json text is never written into the page


def test_player_csp_lets_workers_and_the_allowed_media_hosts_through(activity, settings):
    settings.H5P_MEDIA_HOSTS = ["https://www.youtube.com", "https://player.vimeo.com", "evil.example; script-src *"]
    csp = player_client().get(f"{signed_base(activity)}/play/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "blob:" in directives["worker-src"]
    for directive in ("media-src", "frame-src", "img-src"):
        assert {"https://www.youtube.com", "https://player.vimeo.com"} <= set(directives[directive].split())
    assert "evil.example" not in csp and "*" not in directives["script-src"]
    assert "127.0.0.1" not in directives["connect-src"]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("content/content.json", "application/json"),
        ("content/images/pic.svg", "image/svg+xml"),
    ],
)
def test_content_files_are_served_privately_with_their_type_nosniff_and_a_sandbox(activity, path, content_type):
    response = player_client().get(f"{signed_base(activity)}/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
    assert response.content


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("H5P.Tiny-1.0/tiny.js", "text/javascript; charset=utf-8"),
        ("H5P.Tiny-1.0/tiny.css", "text/css; charset=utf-8"),
        ("H5P.Tiny-1.0/library.json", "application/json"),
    ],
)
def test_library_code_is_public_and_long_cached(activity, path, content_type):
    response = player_client().get(f"/h5p/a/{activity.uuid}/libraries/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "sandbox" in response["Content-Security-Policy"]


def test_h5p_json_is_served_from_the_record_privately(activity):
    response = player_client().get(f"{signed_base(activity)}/h5p.json")
    assert response.json()["mainLibrary"] == "H5P.Tiny"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "path",
    [
        "content/../content/content.json",
        "content/%2e%2e/%2e%2e/settings.py",
        "content/..%2f..%2fh5p.json",
        "content/missing.json",
    ],
)
def test_content_traversal_and_unknown_files_are_404(activity, path):
    assert player_client().get(f"{signed_base(activity)}/{path}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "H5P.Tiny-1.0/../H5P.Tiny-1.0/tiny.js",
        "H5P.Tiny-1.0/%2e%2e/%2e%2e/content/x.json",
        "H5P.Other-1.0/tiny.js",
        "not-a-folder/tiny.js",
    ],
)
def test_library_traversal_and_unknown_files_are_404(activity, path):
    assert player_client().get(f"/h5p/a/{activity.uuid}/libraries/{path}").status_code == 404


def test_each_activity_is_served_its_own_patch_of_a_library(media_root):
    old = package_import(source=build_zip(package_files(library=library_json(patch=1))))
    files = package_files(library=library_json(patch=2))
    files["H5P.Tiny-1.0/tiny.js"] = "H5P.Tiny = function () { /* patch 2 */ };"
    new = package_import(source=build_zip(files))
    client = player_client()
    old_js = client.get(f"/h5p/a/{old.uuid}/libraries/H5P.Tiny-1.0/tiny.js").content
    new_js = client.get(f"/h5p/a/{new.uuid}/libraries/H5P.Tiny-1.0/tiny.js").content
    assert b"patch 2" not in old_js and b"patch 2" in new_js


@pytest.fixture
def audio(media_root):
    files = package_files()
    files["content/audio.mp3"] = b"ID3" + os.urandom(3 * 1024 * 1024)  # incompressible, like real audio
    activity = package_import(source=build_zip(files))
    return activity, f"{signed_base(activity)}/content/audio.mp3"


def test_large_media_is_streamed_and_announces_ranges(audio):
    _activity, url = audio
    response = player_client().get(url)
    assert response.status_code == 200
    assert response.streaming and response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes" and response["Content-Length"] == str(3 + 3 * 1024 * 1024)
    assert len(b"".join(response.streaming_content)) == 3 + 3 * 1024 * 1024
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-0", 0, 0), ("bytes=0-9", 0, 9), ("bytes=1000-", 1000, None), ("bytes=-10", None, None)],
)
def test_a_range_request_gets_206_with_exactly_those_bytes(audio, header, first, last):
    _activity, url = audio
    whole = b"".join(player_client().get(url).streaming_content)
    size = len(whole)
    if first is None:
        first, last = size - 10, size - 1
    last = size - 1 if last is None else last
    response = player_client().get(url, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == whole[first : last + 1] and response["Content-Length"] == str(last - first + 1)


def test_a_range_past_the_end_is_416_and_a_malformed_one_gets_the_whole_file(audio):
    _activity, url = audio
    response = player_client().get(url, HTTP_RANGE="bytes=999999999-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{3 + 3 * 1024 * 1024}"
    assert player_client().get(url, HTTP_RANGE="bytes=oops").status_code == 200
    assert player_client().get(url, HTTP_RANGE="bytes=0-1,5-6").status_code == 200


def test_a_small_file_honours_range_too(activity):
    response = player_client().get(f"{signed_base(activity)}/content/images/pic.svg", HTTP_RANGE="bytes=0-3")
    assert response.status_code == 206 and response.content == b"<svg"


# --- Tokens -------------------------------------------------------------------------------------------------


def _content_json(base: str):
    return player_client().get(f"{base}/content/content.json")


def test_content_without_a_token_is_not_served(activity):
    assert player_client().get(f"/h5p/a/{activity.uuid}/content/content.json").status_code == 404
    assert player_client().get(f"/h5p/a/{activity.uuid}/h5p.json").status_code == 404
    assert player_client().get(f"/h5p/a/{activity.uuid}/play/").status_code == 404


@pytest.mark.parametrize("part", ["play/", "h5p.json", "content/content.json"])
def test_a_forged_token_is_refused(activity, part):
    response = player_client().get(f"/h5p/t/not-a-token/a/{activity.uuid}/{part}")
    assert response.status_code == 403
    assert "kedaluwarsa" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_an_expired_token_is_refused(activity, settings):
    base = signed_base(activity)
    assert _content_json(base).status_code == 200
    settings.H5P_TOKEN_MAX_AGE = 1
    time.sleep(2.1)
    assert _content_json(base).status_code == 403


def test_a_token_for_another_activity_is_refused(activity, media_root):
    other = package_import(source=build_zip(package_files(title="Lain")))
    token = signed_base(other).split("/")[3]
    assert _content_json(f"/h5p/t/{token}/a/{activity.uuid}").status_code == 403


def test_a_token_of_a_deactivated_or_deleted_user_is_refused(activity):
    user = UserFactory()
    base = signed_base(activity, user)
    assert _content_json(base).status_code == 200
    user.is_active = False
    user.save()
    assert _content_json(base).status_code == 403
    user.delete()
    assert _content_json(base).status_code == 403


def test_a_token_signed_for_something_else_is_refused(activity):
    user = UserFactory()
    # Same payload, but signed with the default salt (as another part of Django might sign it).
    token = signing.dumps({"u": user.pk, "a": str(activity.uuid), "m": 1})
    assert _content_json(f"/h5p/t/{token}/a/{activity.uuid}").status_code == 403
    token = signing.dumps({"u": str(user.pk), "a": str(activity.uuid), "m": 1}, salt=PLAYER_SIGNING_SALT)
    assert _content_json(f"/h5p/t/{token}/a/{activity.uuid}").status_code == 403


# --- Configured player origin -------------------------------------------------------------------------------


def test_with_a_separate_h5p_origin_the_player_is_served_there(activity, settings):
    settings.H5P_ORIGIN = "https://h5p.siger.example"
    settings.H5P_PARENT_ORIGINS = ["https://siger.example"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "h5p.siger.example"]
    client = Client(HTTP_HOST="h5p.siger.example")
    response = client.get(f"{signed_base(activity)}/play/", secure=True)
    assert response.status_code == 200
    assert "frame-ancestors https://siger.example" in response["Content-Security-Policy"]
    # localhost is no longer the player host: a site name, which never serves H5P.
    assert player_client().get(f"{signed_base(activity)}/play/").status_code == 404
