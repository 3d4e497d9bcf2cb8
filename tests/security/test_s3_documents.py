"""A module's Wagtail document on S3 (moto): the presigned URL is handed out only after the access check, never
cached publicly, and never to someone who may not open the module."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents.models import Document

from lms.factories import UserFactory
from lms.services import enrollment_create
from tests.conftest import S3_BUCKET as BUCKET
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def module_document(s3, course):  # noqa: F811
    document = Document.objects.create(title="Materi", file=ContentFile(b"%PDF-1.4 materi", name="materi.pdf"))
    module = course.get_children().first().specific
    module.body = [("document", {"document": document, "description": ""})]
    module.save_revision().publish()
    return document


def _private(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "public" not in cache_control and "private" in cache_control and "no-cache" in cache_control


def test_when_an_enrolled_learner_opens_an_s3_document_then_a_private_presigned_redirect(
    module_document, course, learner
):
    enrollment_create(user=learner, course=course)
    response = client_for(learner).get(module_document.url)
    assert response.status_code == 302 and _private(response)
    location = response["Location"]
    assert f"/{BUCKET}/" in location and "X-Amz-Signature=" in location and "X-Amz-Expires=" in location


@pytest.mark.parametrize("who", ["anonymous", "not_enrolled"])
def test_when_someone_who_may_not_open_the_module_asks_then_no_presigned_url(module_document, who):
    client = Client() if who == "anonymous" else client_for(UserFactory())
    response = client.get(module_document.url, HTTP_RANGE="bytes=0-3")
    assert response.status_code in (302, 403)
    assert "X-Amz-Signature" not in response.get("Location", "") and BUCKET not in response.get("Location", "")
    assert "public" not in response.get("Cache-Control", "")


def test_when_the_document_is_gone_from_the_bucket_then_no_500(module_document, course, learner, s3):  # noqa: F811
    s3.delete_object(Bucket=BUCKET, Key=module_document.file.name)
    enrollment_create(user=learner, course=course)
    response = client_for(learner).get(module_document.url, HTTP_RANGE="bytes=0-3")
    assert response.status_code in (302, 404)


def test_when_h5p_files_are_gone_from_the_bucket_then_404_not_500(s3):  # noqa: F811
    from content.services import package_import
    from tests.content.test_serving import player_client, signed_base
    from tests.h5p_fixtures import build_zip, package_files

    files = package_files()
    files["content/images/pic.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>'
    activity = package_import(source=build_zip(files))
    library = activity.main_library
    for key in (f"{library.storage_path}/tiny.css", f"{activity.storage_path}/images/pic.svg"):
        s3.delete_object(Bucket=BUCKET, Key=key)
    client = player_client()
    client.raise_request_exception = False
    assert client.get(f"/h5p/a/{activity.uuid}/libraries/H5P.Tiny-1.0/tiny.css").status_code == 404
    response = client.get(f"{signed_base(activity)}/content/images/pic.svg", HTTP_RANGE="bytes=0-3")
    assert response.status_code == 404
