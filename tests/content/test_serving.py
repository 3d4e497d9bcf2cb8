"""Serving the player and package files: content types, nosniff, CSP, traversal guards, pinned versions."""

import os

import pytest
from django.test import Client

from content.services import package_import
from tests.h5p_fixtures import (
    build_zip,
    library_json,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(media_root):
    files = package_files(content={"text": "<img src=x onerror=alert(1)>"})
    files["content/images/pic.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>'
    return package_import(source=build_zip(files))


def test_player_page_has_csp_for_the_player_and_can_be_framed(activity):
    response = Client().get(f"/h5p/a/{activity.uuid}/play/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline' 'unsafe-eval'" in csp
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert "X-Frame-Options" not in response  # framing is ruled by frame-ancestors
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert "h5p-standalone/main.bundle.js" in body and str(activity.uuid) in body
    assert "onerror" not in body  # content.json text is never written into the page


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("content/content.json", "application/json"),
        ("content/images/pic.svg", "image/svg+xml"),
        ("libraries/H5P.Tiny-1.0/tiny.js", "text/javascript; charset=utf-8"),
        ("libraries/H5P.Tiny-1.0/tiny.css", "text/css; charset=utf-8"),
        ("libraries/H5P.Tiny-1.0/library.json", "application/json"),
    ],
)
def test_files_are_served_with_their_content_type_nosniff_and_a_sandbox(activity, path, content_type):
    response = Client().get(f"/h5p/a/{activity.uuid}/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content


def test_h5p_json_is_served_from_the_record(activity):
    response = Client().get(f"/h5p/a/{activity.uuid}/h5p.json")
    assert response.json()["mainLibrary"] == "H5P.Tiny"


@pytest.mark.parametrize(
    "path",
    [
        "content/../content/content.json",
        "content/%2e%2e/%2e%2e/settings.py",
        "content/..%2f..%2fh5p.json",
        "libraries/H5P.Tiny-1.0/../H5P.Tiny-1.0/tiny.js",
        "libraries/H5P.Tiny-1.0/%2e%2e/%2e%2e/content/x.json",
        "libraries/H5P.Other-1.0/tiny.js",
        "libraries/not-a-folder/tiny.js",
        "content/missing.json",
    ],
)
def test_traversal_and_unknown_files_are_404(activity, path):
    assert Client().get(f"/h5p/a/{activity.uuid}/{path}").status_code == 404


def test_each_activity_is_served_its_own_patch_of_a_library(media_root):
    old = package_import(source=build_zip(package_files(library=library_json(patch=1))))
    files = package_files(library=library_json(patch=2))
    files["H5P.Tiny-1.0/tiny.js"] = "H5P.Tiny = function () { /* patch 2 */ };"
    new = package_import(source=build_zip(files))
    client = Client()
    old_js = client.get(f"/h5p/a/{old.uuid}/libraries/H5P.Tiny-1.0/tiny.js").content
    new_js = client.get(f"/h5p/a/{new.uuid}/libraries/H5P.Tiny-1.0/tiny.js").content
    assert b"patch 2" not in old_js and b"patch 2" in new_js


def test_large_media_is_streamed(media_root, settings):
    files = package_files()
    files["content/audio.mp3"] = b"ID3" + os.urandom(3 * 1024 * 1024)  # incompressible, like real audio
    activity = package_import(source=build_zip(files))
    response = Client().get(f"/h5p/a/{activity.uuid}/content/audio.mp3")
    assert response.streaming and response["Content-Type"] == "audio/mpeg"
    assert len(b"".join(response.streaming_content)) == 3 + 3 * 1024 * 1024
    assert response["X-Content-Type-Options"] == "nosniff"


def test_with_a_separate_h5p_origin_the_player_url_uses_it(activity, settings):
    settings.H5P_ORIGIN = "https://h5p.siger.example"
    settings.H5P_PARENT_ORIGINS = ["https://siger.example"]
    assert activity.player_url == f"https://h5p.siger.example/h5p/a/{activity.uuid}/play/"
    csp = Client().get(f"/h5p/a/{activity.uuid}/play/")["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://siger.example" in csp
