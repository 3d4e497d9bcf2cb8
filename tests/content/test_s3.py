"""The library store and file serving on S3 (django-storages) against moto's server over real HTTP."""

import pytest
from django.core.files.storage import storages
from storages.backends.s3 import S3Storage

from content.h5p import H5PValidationError
from content.models import H5PActivity
from content.services import package_import
from tests.conftest import S3_BUCKET, s3_keys
from tests.content.test_serving import player_client, signed_base
from tests.h5p_fixtures import build_zip, needs_samples, package_files, sample

pytestmark = pytest.mark.django_db


def test_import_writes_to_the_bucket_and_the_player_files_are_served_from_it(s3):
    assert isinstance(storages["default"], S3Storage)
    activity = package_import(source=build_zip(package_files()))
    keys = s3_keys(s3)
    assert f"{activity.storage_path}/content.json" in keys
    library = activity.main_library
    assert f"{library.storage_path}/tiny.css" in keys
    # Objects carry their content type, or the player's CSS would be ignored when served from the bucket.
    head = s3.head_object(Bucket=S3_BUCKET, Key=f"{library.storage_path}/tiny.css")
    assert head["ContentType"] == "text/css"
    response = player_client().get(f"/h5p/a/{activity.uuid}/libraries/H5P.Tiny-1.0/tiny.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert response.content == b".tiny{}"


def test_rejected_package_leaves_the_bucket_empty(s3):
    files = package_files()
    files["content/x.svg"] = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'  # a refused file
    with pytest.raises(H5PValidationError):
        package_import(source=build_zip(files))
    assert s3_keys(s3) == []
    assert not H5PActivity.objects.exists()


@needs_samples
def test_a_hub_sample_imports_to_s3_and_its_media_is_served(s3):
    activity = package_import(source=str(sample("H5P.MultiChoice")))
    image = next(path for path in activity.content_files if path.endswith(".jpg"))
    response = player_client().get(f"{signed_base(activity)}/content/{image}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert len(response.content) > 1000


def test_large_media_is_a_presigned_redirect_and_the_bucket_serves_ranges(s3):
    """A 100 MB video streamed by 30 people must not pass through the application: the bucket serves it."""
    import os
    import urllib.request

    files = package_files()
    payload = b"\x00\x00\x00\x18ftypmp42" + os.urandom(3 * 1024 * 1024)
    files["content/videos/kelas.mp4"] = payload
    activity = package_import(source=build_zip(files))
    response = player_client().get(f"{signed_base(activity)}/content/videos/kelas.mp4")
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=" in location
    request = urllib.request.Request(location, headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request, timeout=10) as ranged:  # what the browser's video element does
        assert ranged.status == 206 and ranged.read() == payload[100:200]
    # Without the token there is nothing to redirect to.
    assert player_client().get(f"/h5p/a/{activity.uuid}/content/videos/kelas.mp4").status_code == 404


def test_player_policy_allows_media_from_the_bucket(s3, moto_endpoint):
    activity = package_import(source=build_zip(package_files()))
    csp = player_client().get(f"{signed_base(activity)}/play/")["Content-Security-Policy"]
    media = next(part for part in csp.split(";") if part.strip().startswith("media-src"))
    assert moto_endpoint in media
