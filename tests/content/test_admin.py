"""Uploading H5P packages in the Wagtail admin: who may, what they see, what a rejection says."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from content.models import H5PActivity, H5PLibrary
from content.services import package_import
from lms.services import enrollment_create
from tests.conftest import client_for
from tests.h5p_fixtures import (
    build_zip,
    h5p_course,
    library_json,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
    stored_files,
)

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/snippets/content/h5pactivity/add/"


def _upload(files: dict, name: str = "kuis.h5p") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, build_zip(files).getvalue(), content_type="application/zip")


def test_instructor_uploads_a_package_and_sees_its_libraries(instructor, media_root):
    client = client_for(instructor)
    response = client.post(ADD_URL, {"title": "", "package": _upload(package_files(title="Kuis Etika ASN"))})
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = H5PActivity.objects.get()
    assert (activity.title, activity.uploaded_by) == ("Kuis Etika ASN", instructor)
    page = client.get(f"/admin/snippets/content/h5pactivity/edit/{activity.pk}/").content.decode()
    assert "H5P.Tiny 1.0.0" in page and "Pratinjau" in page and f"/a/{activity.uuid}/play/?pratinjau=1" in page
    listing = client.get("/admin/snippets/content/h5pactivity/").content.decode()
    assert "Kuis Etika ASN" in listing and "H5P.Tiny 1.0.0" in listing


def test_administrator_may_upload(administrator, media_root):
    response = client_for(administrator).post(ADD_URL, {"title": "X", "package": _upload(package_files())})
    assert response.status_code == 302
    assert H5PActivity.objects.filter(title="X").exists()


def test_learner_may_not_upload(learner, media_root):
    response = client_for(learner).post(ADD_URL, {"title": "X", "package": _upload(package_files())})
    assert response.status_code in (302, 403)
    assert not H5PActivity.objects.exists() and stored_files(media_root) == []


def test_rejected_package_shows_every_reason_in_indonesian_and_stores_nothing(instructor, media_root):
    files = package_files(library=library_json(coreApi={"majorVersion": 1, "minorVersion": 30}))
    files["content/evil.svg"] = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    response = client_for(instructor).post(ADD_URL, {"title": "X", "package": _upload(files)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Paket ditolak" in page
    assert "H5P core API 1.30" in page
    assert "Berkas SVG berisi skrip" in page
    assert not H5PActivity.objects.exists() and not H5PLibrary.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_that_is_not_h5p_is_refused(instructor, media_root):
    response = client_for(instructor).post(ADD_URL, {"title": "X", "package": _upload(package_files(), "a.zip")})
    assert response.status_code == 200
    assert "berekstensi .h5p" in response.content.decode()
    assert not H5PActivity.objects.exists()


def test_package_text_is_escaped_in_the_admin_and_the_module_page(instructor, learner, catalogue, media_root):
    evil = '<script>alert("x")</script>'
    activity = package_import(source=build_zip(package_files(title=evil)), uploaded_by=instructor)
    course, module = h5p_course(catalogue, [activity])
    enrollment_create(user=learner, course=course)
    pages = [
        client_for(instructor).get(f"/admin/snippets/content/h5pactivity/edit/{activity.pk}/").content.decode(),
        client_for(instructor).get("/admin/snippets/content/h5pactivity/").content.decode(),
        client_for(learner).get(module.url).content.decode(),
    ]
    for page in pages:
        assert evil not in page
        assert "&lt;script&gt;" in page


def test_module_editor_and_snippet_chooser_offer_the_activity(administrator, catalogue, media_root):
    activity = package_import(source=build_zip(package_files(title="Kuis Etika")), uploaded_by=administrator)
    _course, module = h5p_course(catalogue, [activity])
    client = client_for(administrator)
    assert client.get(f"/admin/pages/{module.pk}/edit/").status_code == 200
    chooser = client.get("/admin/snippets/choose/content/h5pactivity/")
    assert chooser.status_code == 200 and "Kuis Etika" in chooser.content.decode()


def test_after_an_upload_the_import_report_shows_as_warnings(instructor, media_root):
    files = package_files(content={"video": "https://www.youtube.com/watch?v=abc"})
    files["H5P.Tiny-1.0/flash.swf"] = "FWS"
    client = client_for(instructor)
    response = client.post(ADD_URL, {"title": "Kuis", "package": _upload(files)}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "H5P.Tiny-1.0/flash.swf" in page and "tidak disimpan" in page
    assert "www.youtube.com" in page
    assert "menunggu persetujuan administrator" in page
    activity = H5PActivity.objects.get()
    edit = client.get(f"/admin/snippets/content/h5pactivity/edit/{activity.pk}/").content.decode()
    assert "Laporan impor" in edit and "flash.swf" in edit and "Menunggu persetujuan" in edit
