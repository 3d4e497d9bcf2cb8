"""Files handed in: accepted by content (not by name), stored under Siger's names, served only as attachments to
the submission's members and graders (locally and from S3)."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from storages.backends.s3 import S3Storage

from lms.assignments.grading import submission_grade
from lms.assignments.models import FileKind, Submission, SubmissionFile, SubmissionMode
from lms.assignments.services import SubmissionError, submission_submit
from lms.cohorts.services import enrollment_withdraw
from lms.factories import AssignmentPageFactory, CoursePageFactory, UserFactory
from lms.files import (
    FileCheckError,
    content_disposition,
    file_check,
    file_name_clean,
)
from lms.models import Role
from lms.roles import course_instructors_sync, user_set_role
from lms.services import enrollment_create
from tests.assignments.submit_helpers import HTML, PDF, SVG, image, ooxml, plain_zip, upload, xlsx_real
from tests.conftest import client_for, s3_keys
from tests.h5p_fixtures import media_root_fixture, stored_files  # noqa: F401

ALL_KINDS = list(FileKind.values)
TODAY = datetime.date(2026, 12, 4)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
MB = 1024 * 1024


def _check(name: str, content: bytes, kinds=None, max_bytes: int = 10 * MB):
    return file_check(upload=upload(name, content), kinds=kinds or ALL_KINDS, max_bytes=max_bytes)


# --- The content check (no database) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("laporan.pdf", PDF, "pdf", "application/pdf"),
        ("Laporan Akhir.PDF", PDF, "pdf", "application/pdf"),
        ("rancangan.docx", ooxml("docx"), "docx", DOCX_TYPE),
        ("anggaran.xlsx", ooxml("xlsx"), "xlsx", XLSX_TYPE),
        ("anggaran.xlsx", xlsx_real(), "xlsx", XLSX_TYPE),
        ("paparan.pptx", ooxml("pptx"), "pptx", PPTX_TYPE),
        ("foto.png", image("PNG"), "png", "image/png"),
        ("foto.jpg", image("JPEG"), "jpg", "image/jpeg"),
        ("foto.jpeg", image("JPEG"), "jpg", "image/jpeg"),
    ],
)
def test_each_accepted_kind_passes_by_its_content(name, content, extension, content_type):
    checked = _check(name, content)
    assert (checked.extension, checked.content_type, checked.size) == (extension, content_type, len(content))
    assert checked.name == name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("laporan.pdf", HTML),  # HTML disguised as a PDF
        ("laporan.pdf", SVG),
        ("laporan.pdf", b"alert(document.cookie)//"),
        ("laporan.docx", plain_zip()),  # any zip renamed .docx, even with a word/ entry
        ("laporan.docx", ooxml("docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml")),  # .docm
        ("laporan.xlsx", ooxml("docx")),  # a Word document named as a spreadsheet
        ("foto.jpg", image("PNG")),  # a PNG named .jpg: the extension must agree with the content
        ("foto.png", image("PNG")[:40]),  # only the header of a PNG
        ("gambar.svg", SVG),
        ("halaman.html", HTML),
        ("laporan", PDF),  # no extension
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(name, content):
    with pytest.raises(FileCheckError):
        _check(name, content)


def test_a_kind_the_assignment_does_not_accept_is_refused_by_its_name_first():
    with pytest.raises(FileCheckError) as error:
        _check("foto.png", image("PNG"), kinds=[FileKind.PDF])
    assert "PDF" in error.value.message and "foto.png" in error.value.message


def test_size_limit_and_empty_file():
    with pytest.raises(FileCheckError) as error:
        _check("besar.pdf", PDF + b"0" * MB, max_bytes=MB)
    assert "terlalu besar" in error.value.message
    with pytest.raises(FileCheckError):
        _check("kosong.pdf", b"")


def test_file_names_are_cleaned_of_folders_and_control_characters():
    assert file_name_clean("C:\\Users\\asn\\Laporan Akhir.pdf") == "Laporan Akhir.pdf"
    assert file_name_clean("../../etc/passwd\x00.pdf") == "passwd.pdf"
    assert file_name_clean("Rancangan\u202eFDP.docx") == "RancanganFDP.docx"  # no right-to-left override
    long = file_name_clean("a" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


def test_content_disposition_is_an_attachment_with_an_rfc5987_name():
    header = content_disposition('Laporan "Aktualisasi" Ayu.pdf')
    assert header.startswith("attachment; ")
    assert 'filename="Laporan _Aktualisasi_ Ayu.pdf"' in header
    assert "filename*=UTF-8''Laporan%20%22Aktualisasi%22%20Ayu.pdf" in header
    assert "filename*=UTF-8''Ren%C3%A7ana.pdf" in content_disposition("Rençana.pdf")
    assert "\n" not in content_disposition("a\r\nSet-Cookie: x=1.pdf")


# --- Stored and served ---------------------------------------------------------------------------------------------


@pytest.fixture
def taught(catalogue, instructor):
    course = CoursePageFactory(parent=catalogue, title="Latsar CPNS", slug="latsar", sequential=False)
    course.instructors.set([instructor])
    course.save()
    course_instructors_sync(course=course)
    return course


@pytest.fixture
def assignment(taught):
    return AssignmentPageFactory(parent=taught, title="Rancangan Aktualisasi", slug="rancangan")


@pytest.fixture
def enrollment(taught, learner):
    return enrollment_create(user=learner, course=taught)


def _hand_in(assignment, enrollment, *files):
    return submission_submit(
        assignment=assignment, enrollment=enrollment, files=list(files), text="", by=enrollment.user
    )


def test_a_stored_file_is_named_by_siger_not_by_the_learner(assignment, enrollment, media_root):
    submission = _hand_in(assignment, enrollment, upload("../Rancangan <script>.pdf", PDF))
    stored = SubmissionFile.objects.get(version__submission=submission)
    assert stored.original_name == "Rancangan <script>.pdf"
    assert stored.file.name.startswith(f"assignments/{assignment.pk}/{submission.pk}/")
    assert stored.file.name.endswith(".pdf") and "Rancangan" not in stored.file.name
    assert (media_root / stored.file.name).read_bytes() == PDF


def test_nothing_is_stored_when_one_file_of_a_hand_in_is_refused(assignment, enrollment, media_root):
    with pytest.raises(SubmissionError) as error:
        _hand_in(assignment, enrollment, upload("bab1.pdf", PDF), upload("bab2.pdf", HTML))
    assert "bab2.pdf" in error.value.message
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    assert stored_files(media_root) == []


def test_the_member_downloads_an_attachment_with_safe_headers(assignment, enrollment, media_root):
    submission = _hand_in(assignment, enrollment, upload("Rançangan Akhir.pdf", PDF))
    stored = SubmissionFile.objects.get(version__submission=submission)
    response = client_for(enrollment.user).get(reverse("assignments:submission_file", args=[stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''Ran%C3%A7angan%20Akhir.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_only_members_and_graders_may_download(assignment, enrollment, taught, instructor, media_root):
    submission = _hand_in(assignment, enrollment, upload("rancangan.pdf", PDF))
    url = reverse("assignments:submission_file", args=[submission.latest_version.files.get().pk])
    classmate = UserFactory(full_name="Teman Sekelas")
    enrollment_create(user=classmate, course=taught)
    other_instructor = user_set_role(user=UserFactory(full_name="Pengajar Lain"), role=Role.INSTRUCTOR)
    administrator = user_set_role(user=UserFactory(full_name="Admin"), role=Role.ADMINISTRATOR)
    for person in (UserFactory(full_name="Orang Luar"), classmate, other_instructor):
        assert client_for(person).get(url).status_code == 404
    for person in (instructor, administrator):
        assert client_for(person).get(url).status_code == 200
    assert reverse("lms:login") in Client().get(url)["Location"]


def test_a_withdrawn_learner_no_longer_downloads_their_file(assignment, enrollment, administrator, media_root):
    submission = _hand_in(assignment, enrollment, upload("rancangan.pdf", PDF))
    url = reverse("assignments:submission_file", args=[submission.latest_version.files.get().pk])
    enrollment_withdraw(
        enrollment=enrollment, by=administrator, reason="Mutasi", effective_on=datetime.date(2026, 12, 4)
    )
    assert client_for(enrollment.user).get(url).status_code == 404


def test_the_returned_file_is_served_to_the_learner_as_an_attachment(assignment, enrollment, instructor, media_root):
    submission = _hand_in(assignment, enrollment, upload("rancangan.pdf", PDF))
    grade = submission_grade(
        submission=submission,
        version=submission.latest_version,
        by=instructor,
        score=85,
        feedback="Baik.",
        returned_file=upload("catatan pengajar.docx", ooxml("docx")),
    )
    response = client_for(enrollment.user).get(reverse("assignments:returned_file", args=[grade.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert "filename*=UTF-8''catatan%20pengajar.docx" in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == "sandbox"
    assert client_for(UserFactory()).get(reverse("assignments:returned_file", args=[grade.pk])).status_code == 404


# --- S3 (moto's server over HTTP) ----------------------------------------------------------------------------------


def test_on_s3_the_file_goes_to_the_bucket_and_downloads_through_a_presigned_attachment_url(s3, assignment, enrollment):
    assert isinstance(storages["default"], S3Storage)
    submission = _hand_in(assignment, enrollment, upload("Laporan Akhir.pdf", PDF))
    stored = SubmissionFile.objects.get(version__submission=submission)
    assert s3_keys(s3) == [stored.file.name]

    response = client_for(enrollment.user).get(reverse("assignments:submission_file", args=[stored.pk]))
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response-content-disposition"][0].startswith("attachment; ")
    assert query["response-content-type"] == ["application/pdf"]
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == PDF
    assert fetched.headers["Content-Disposition"].startswith("attachment; ")
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert client_for(UserFactory()).get(reverse("assignments:submission_file", args=[stored.pk])).status_code == 404


def test_on_s3_a_refused_hand_in_leaves_the_bucket_empty(s3, assignment, enrollment):
    with pytest.raises(SubmissionError):
        _hand_in(assignment, enrollment, upload("bab1.pdf", PDF), upload("bab2.docx", plain_zip()))
    assert s3_keys(s3) == []


def test_text_mode_stores_no_file(assignment, enrollment, media_root):
    assignment.submission_mode = SubmissionMode.TEXT
    assignment.save()
    with pytest.raises(SubmissionError):
        _hand_in(assignment, enrollment, upload("rancangan.pdf", PDF))
    assert stored_files(media_root) == []
