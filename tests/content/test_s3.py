"""The library store and file serving on S3 (django-storages) against moto's server over real HTTP."""

import boto3
import pytest
from django.core.files.storage import storages
from django.test import Client
from storages.backends.s3 import S3Storage

from content.h5p import H5PValidationError
from content.models import H5PActivity
from content.services import package_import
from tests.h5p_fixtures import build_zip, needs_samples, package_files, sample

pytestmark = pytest.mark.django_db
BUCKET = "siger-h5p-test"


@pytest.fixture
def s3(settings, moto_endpoint):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=moto_endpoint, **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return [obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_import_writes_to_the_bucket_and_the_player_files_are_served_from_it(s3):
    assert isinstance(storages["default"], S3Storage)
    activity = package_import(source=build_zip(package_files()))
    keys = _keys(s3)
    assert f"{activity.storage_path}/content.json" in keys
    library = activity.main_library
    assert f"{library.storage_path}/tiny.css" in keys
    # Objects carry their content type, or the player's CSS would be ignored when served from the bucket.
    head = s3.head_object(Bucket=BUCKET, Key=f"{library.storage_path}/tiny.css")
    assert head["ContentType"] == "text/css"
    response = Client().get(f"/h5p/a/{activity.uuid}/libraries/H5P.Tiny-1.0/tiny.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert response.content == b".tiny{}"


def test_rejected_package_leaves_the_bucket_empty(s3):
    files = package_files()
    files["content/x.exe"] = "MZ"
    with pytest.raises(H5PValidationError):
        package_import(source=build_zip(files))
    assert _keys(s3) == []
    assert not H5PActivity.objects.exists()


@needs_samples
def test_a_hub_sample_imports_to_s3_and_its_media_is_served(s3):
    activity = package_import(source=str(sample("H5P.MultiChoice")))
    image = next(path for path in activity.content_files if path.endswith(".jpg"))
    response = Client().get(f"/h5p/a/{activity.uuid}/content/{image}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert len(response.content) > 1000
