"""Issue 7 §2, §10 (import report) and §12: library code is pinned and vetted, content.json is filtered before it
is stored, files H5P should never serve are left out. Each test is an attack or a refusal that the code before
the fix let through: an instructor's package replaced or added library code that played at once for everyone, a
same-version upload with other code was silently ignored or swapped in, and content.json was stored verbatim."""

import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from content.h5p import H5PValidationError
from content.models import H5PActivity, H5PLibrary, LibraryStatus
from content.services import library_review, library_upload_trusted, package_import
from lms.factories import UserFactory
from lms.models import Role
from lms.roles import user_set_role
from tests.conftest import client_for
from tests.h5p_fixtures import (
    build_zip,
    library_json,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    needs_samples,
    package_files,
    sample,
    stored_files,
)

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/snippets/content/h5pactivity/add/"
LIBRARIES_URL = "/admin/snippets/content/h5plibrary/"
SEMANTICS = [
    {"name": "text", "type": "text", "widget": "html", "tags": ["p", "strong"]},
    {"name": "label", "type": "text"},
]


def instructor_factory():
    return user_set_role(user=UserFactory(full_name="Widyaiswara Lain"), role=Role.INSTRUCTOR)


def _package(*, patch: int = 0, js: str = "H5P.Tiny = function () {};", content: dict | None = None, title="Kuis"):
    files = package_files(title=title, library=library_json(patch=patch), content=content)
    files["H5P.Tiny-1.0/tiny.js"] = js
    files["H5P.Tiny-1.0/semantics.json"] = json.dumps(SEMANTICS)
    return files


def _upload(files: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("kuis.h5p", build_zip(files).getvalue(), content_type="application/zip")


def _instructor_upload(user, files: dict):
    response = client_for(user).post(ADD_URL, {"title": "", "package": _upload(files)})
    return response


def _library_js(activity: H5PActivity):
    # The player host: no session, the activity's random UUID in the path (content/urls.py).
    return Client(HTTP_HOST="localhost").get(f"/h5p/a/{activity.uuid}/libraries/H5P.Tiny-1.0/tiny.js")


def _stored_content(activity: H5PActivity) -> dict:
    with default_storage.open(f"{activity.storage_path}/content.json", "rb") as handle:
        return json.loads(handle.read())


# --- vetting: an instructor's new library code waits for an administrator ----------------------------------


def test_instructor_upload_with_a_new_library_is_stored_pending_and_does_not_play(instructor, media_root):
    response = _instructor_upload(instructor, _package(js="document.cookie; /* unvetted */"))
    assert response.status_code == 302, response.content.decode()[:1500]
    activity = H5PActivity.objects.get()
    library = activity.main_library
    assert library.status == LibraryStatus.PENDING and library.uploaded_by == instructor
    assert activity.libraries_waiting == [library]
    assert _library_js(activity).status_code == 404
    assert any(note["code"] == "libraries_pending" for note in activity.import_notes)


def test_when_an_administrator_approves_the_library_the_activity_plays(instructor, administrator, media_root):
    _instructor_upload(instructor, _package())
    activity = H5PActivity.objects.get()
    library = activity.main_library
    listing = client_for(administrator).get(LIBRARIES_URL, {"status": "pending"}).content.decode()
    assert "H5P.Tiny 1.0.0" in listing and "Menunggu persetujuan" in listing
    page = client_for(administrator).get(f"{LIBRARIES_URL}edit/{library.pk}/").content.decode()
    # The review shows who brought it and which activity waits for it.
    assert str(instructor) in page and activity.title in page and library.sha256 in page
    response = client_for(administrator).post(f"{LIBRARIES_URL}edit/{library.pk}/", {"status": "approved"})
    assert response.status_code == 302, response.content.decode()[:1500]
    library.refresh_from_db()
    assert (library.status, library.reviewed_by) == (LibraryStatus.APPROVED, administrator)
    assert library.reviewed_at is not None
    assert _library_js(activity).status_code == 200


def test_a_rejected_library_never_plays_and_cannot_be_brought_again_by_an_instructor(
    instructor, administrator, media_root
):
    _instructor_upload(instructor, _package())
    library = H5PLibrary.objects.get()
    library_review(library=library, status=LibraryStatus.REJECTED, reviewed_by=administrator)
    assert _library_js(H5PActivity.objects.get()).status_code == 404
    response = _instructor_upload(instructor, _package(title="Lagi"))
    assert response.status_code == 200 and "ditolak administrator" in response.content.decode()
    assert H5PActivity.objects.count() == 1


def test_instructors_cannot_open_or_approve_the_library_list(instructor, media_root):
    package_import(source=build_zip(_package()), uploaded_by=instructor, trusted=False)
    library = H5PLibrary.objects.get()
    client = client_for(instructor)
    assert client.get(LIBRARIES_URL).status_code in (302, 403)
    client.post(f"{LIBRARIES_URL}edit/{library.pk}/", {"status": "approved"})
    library.refresh_from_db()
    assert library.status == LibraryStatus.PENDING
    assert not library_upload_trusted(instructor)


def test_nobody_adds_or_deletes_libraries_in_the_admin_not_even_a_superuser(administrator, media_root):
    package_import(source=build_zip(_package()))
    library = H5PLibrary.objects.get()
    superuser = UserFactory(full_name="Super", is_superuser=True, is_staff=True)
    for user in (administrator, superuser):
        admin = client_for(user)
        assert admin.get(LIBRARIES_URL).status_code == 200
        assert admin.get(f"{LIBRARIES_URL}add/").status_code in (302, 403)
        admin.post(f"{LIBRARIES_URL}delete/{library.pk}/")
        admin.post(f"/admin/bulk/content/h5plibrary/delete/?id={library.pk}")
        assert H5PLibrary.objects.filter(pk=library.pk).exists()


def test_administrator_uploads_and_the_operator_tools_store_libraries_approved(administrator, media_root, capsys):
    assert library_upload_trusted(administrator)
    response = client_for(administrator).post(ADD_URL, {"title": "A", "package": _upload(_package())})
    assert response.status_code == 302
    assert H5PLibrary.objects.get().status == LibraryStatus.APPROVED
    path = media_root.parent / "kuis.h5p"
    path.write_bytes(build_zip(_package(patch=2)).getvalue())
    call_command("h5p_import", str(path))
    assert H5PLibrary.objects.get(patch_version=2).status == LibraryStatus.APPROVED


# --- pinning: an upload never changes code that existing activities run -------------------------------------


def test_a_higher_patch_from_an_instructor_changes_nothing_for_existing_or_other_activities(
    instructor, administrator, media_root
):
    vetted = package_import(source=build_zip(_package(patch=0, js="/* vetted */")), uploaded_by=administrator)
    _instructor_upload(instructor, _package(patch=9, js="/* takeover */ fetch('/admin/')"))
    evil = H5PActivity.objects.exclude(pk=vetted.pk).get()
    assert evil.main_library.patch_version == 9 and evil.main_library.status == LibraryStatus.PENDING
    # The existing activity keeps its pinned, vetted code.
    assert _library_js(vetted).content == b"/* vetted */"
    # Another instructor's new activity, which brings no library, resolves to the approved version only.
    other = instructor_factory()
    # The package brings no library folder: it relies on the store.
    files = {name: data for name, data in _package().items() if not name.startswith("H5P.Tiny-1.0/")}
    response = _instructor_upload(other, files)
    assert response.status_code == 302, response.content.decode()[:1500]
    newest = H5PActivity.objects.order_by("-pk").first()
    assert newest.main_library_id == vetted.main_library_id
    assert _library_js(newest).content == b"/* vetted */"


def test_a_dependency_only_pending_for_someone_else_is_not_available(instructor, media_root):
    package_import(source=build_zip(_package()), uploaded_by=instructor, trusted=False)
    files = {name: data for name, data in _package().items() if not name.startswith("H5P.Tiny-1.0/")}
    response = _instructor_upload(instructor_factory(), files)
    assert response.status_code == 200
    assert "tidak ada dalam paket maupun di Siger" in response.content.decode()
    assert H5PActivity.objects.count() == 1


def test_same_version_with_different_code_is_refused_with_its_reason(instructor, administrator, media_root):
    package_import(source=build_zip(_package(js="/* vetted */")))
    before = sorted(str(p) for p in stored_files(media_root))
    response = _instructor_upload(instructor, _package(js="/* same version, other code */"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "sudah tersimpan di Siger dengan kode yang berbeda" in page
    assert H5PActivity.objects.count() == 1 and H5PLibrary.objects.count() == 1
    assert sorted(str(p) for p in stored_files(media_root)) == before
    # Not even an administrator swaps the code of a stored version.
    with pytest.raises(H5PValidationError) as caught:
        package_import(source=build_zip(_package(js="/* other */")), uploaded_by=administrator)
    assert caught.value.codes == {"library_code_differs"}


def test_same_version_with_the_same_code_reuses_the_stored_row(media_root):
    first = package_import(source=build_zip(_package()))
    second = package_import(source=build_zip(_package(title="Kuis 2", content={"label": "lain"})))
    assert first.main_library_id == second.main_library_id
    assert H5PLibrary.objects.count() == 1


# --- content.json: filtered against semantics.json before it is stored -------------------------------------


def test_content_json_is_stored_filtered(media_root):
    content = {
        "text": '<p onclick="steal()">Soal<script>fetch("/admin/users/add/")</script>'
        '<a href="javascript:alert(1)">x</a><strong>1</strong></p>',
        "label": "<img src=x onerror=alert(1)>",
        "unknown": "<script>",
    }
    activity = package_import(source=build_zip(_package(content=content)))
    stored = _stored_content(activity)
    assert set(stored) == {"text", "label"}
    assert "script" not in stored["text"] and "onclick" not in stored["text"] and "javascript" not in stored["text"]
    assert "<strong>1</strong>" in stored["text"]
    assert stored["label"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert any(note["code"] == "content_filtered" for note in activity.import_notes)


@needs_samples
def test_hub_question_set_content_is_filtered_but_keeps_its_questions(media_root):
    activity = package_import(source=str(sample("H5P.QuestionSet")))
    stored = _stored_content(activity)
    assert len(stored["questions"]) >= 6
    assert all(question["library"] and "params" in question for question in stored["questions"])


# --- §12: files H5P should never serve are left out, the package still imports ----------------------------


@needs_samples
def test_a_package_with_a_swf_in_a_library_imports_without_it_and_says_so(media_root, tmp_path):
    # Course Presentation carries a .swf in one of its libraries; here a hub package is given one the same way.
    import zipfile

    source = sample("H5P.MultiChoice")
    target = tmp_path / "with-flash.h5p"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info, original.read(info.filename))
        folder = next(n.split("/")[0] for n in original.namelist() if n.startswith("H5P.MultiChoice-"))
        copy.writestr(f"{folder}/flash/fallback.swf", b"FWS\x09")
    activity = package_import(source=str(target))
    assert not any(path.suffix == ".swf" for path in stored_files(media_root))
    assert all(not name.endswith(".swf") for library in H5PLibrary.objects.all() for name in library.files)
    notes = [note for note in activity.import_notes if note["code"] == "file_left_out"]
    assert [note["path"] for note in notes] == [f"{folder}/flash/fallback.swf"]
