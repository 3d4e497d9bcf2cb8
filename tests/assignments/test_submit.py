"""Handing in an assignment: versions, deadlines and the late window, modes, groups, and the learner's page."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model

from lms.assignments.admin_forms import AssignmentPageForm
from lms.assignments.grading import submission_grade
from lms.assignments.models import (
    AssignmentPage,
    GroupMode,
    Submission,
    SubmissionFile,
    SubmissionMode,
    SubmissionStatus,
    SubmissionVersion,
)
from lms.assignments.services import SubmissionError, submission_submit
from lms.cohorts.services import enrollment_withdraw
from lms.factories import AssignmentPageFactory, CoursePageFactory, ModulePageFactory, UserFactory
from lms.models import ItemProgress, ProgressStatus
from lms.roles import course_instructors_sync
from lms.services import enrollment_create
from tests.assignments.submit_helpers import HTML, PDF, group_make, image, ooxml, upload
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture, stored_files  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def taught(catalogue, instructor):
    course = CoursePageFactory(parent=catalogue, title="Latsar CPNS", slug="latsar", sequential=False)
    course.instructors.set([instructor])
    course.save()
    course_instructors_sync(course=course)
    return course


@pytest.fixture
def assignment(taught):
    page = AssignmentPageFactory(parent=taught, title="Rancangan Aktualisasi", slug="rancangan")
    return AssignmentPage.objects.get(pk=page.pk)


@pytest.fixture
def enrollment(taught, learner):
    return enrollment_create(user=learner, course=taught)


def _edit(assignment: AssignmentPage, **fields) -> AssignmentPage:
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.save()
    return AssignmentPage.objects.get(pk=assignment.pk)


def _submit(assignment, enrollment, *files, text: str = "", by=None) -> Submission:
    return submission_submit(
        assignment=assignment, enrollment=enrollment, files=list(files), text=text, by=by or enrollment.user
    )


def _submit_url(assignment) -> str:
    return assignment.url + assignment.reverse_subpage("submit")


# --- The service ---------------------------------------------------------------------------------------------------


def test_a_hand_in_creates_a_submission_waiting_for_grading(assignment, enrollment, media_root):
    submission = _submit(assignment, enrollment, upload("rancangan.pdf", PDF), upload("paparan.pptx", ooxml("pptx")))
    submission.refresh_from_db()
    assert (submission.enrollment, submission.group, submission.status) == (
        enrollment,
        None,
        SubmissionStatus.SUBMITTED,
    )
    version = SubmissionVersion.objects.get(submission=submission)
    assert (version.number, version.is_late, version.submitted_by) == (1, False, enrollment.user)
    assert sorted(version.files.values_list("original_name", "extension")) == [
        ("paparan.pptx", "pptx"),
        ("rancangan.pdf", "pdf"),
    ]
    assert len(stored_files(media_root)) == 2


def test_a_resubmission_adds_version_two_and_keeps_version_one(assignment, enrollment, media_root):
    first = _submit(assignment, enrollment, upload("draf.pdf", PDF))
    second = _submit(assignment, enrollment, upload("final.docx", ooxml("docx")))
    assert first.pk == second.pk and Submission.objects.count() == 1
    versions = list(SubmissionVersion.objects.filter(submission=first).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert [f.original_name for f in versions[0].files.all()] == ["draf.pdf"]
    assert [f.original_name for f in versions[1].files.all()] == ["final.docx"]
    assert len(stored_files(media_root)) == 2  # version 1's file is still there


def test_in_the_late_window_a_hand_in_is_accepted_and_marked_late(assignment, enrollment, media_root):
    now = timezone.now()
    assignment = _edit(
        assignment, due_at=now - datetime.timedelta(hours=1), late_until=now + datetime.timedelta(days=1)
    )
    submission = _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    assert submission.latest_version.is_late is True


def test_after_the_deadline_without_a_late_window_nothing_is_accepted(assignment, enrollment, media_root):
    assignment = _edit(assignment, due_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(SubmissionError) as error:
        _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    assert "ditutup" in error.value.message and "WIB" in error.value.message
    assert not Submission.objects.exists() and stored_files(media_root) == []


def test_after_the_late_window_nothing_is_accepted(assignment, enrollment, media_root):
    now = timezone.now()
    assignment = _edit(
        assignment, due_at=now - datetime.timedelta(days=2), late_until=now - datetime.timedelta(seconds=1)
    )
    with pytest.raises(SubmissionError):
        _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    assert not Submission.objects.exists()


def test_text_only_mode_takes_a_text_and_refuses_files(assignment, enrollment, media_root):
    assignment = _edit(assignment, submission_mode=SubmissionMode.TEXT)
    submission = _submit(assignment, enrollment, text="  Isu utama: layanan perizinan lambat.\r\n")
    assert submission.latest_version.text == "Isu utama: layanan perizinan lambat."
    with pytest.raises(SubmissionError):
        _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    with pytest.raises(SubmissionError):
        _submit(assignment, enrollment, text="   ")
    assert SubmissionVersion.objects.count() == 1 and stored_files(media_root) == []


def test_file_mode_refuses_a_text_and_an_empty_hand_in(assignment, enrollment, media_root):
    with pytest.raises(SubmissionError):
        _submit(assignment, enrollment, text="Jawaban")
    with pytest.raises(SubmissionError) as error:
        _submit(assignment, enrollment)
    assert "berkas" in error.value.message
    assert not Submission.objects.exists()


def test_file_or_text_mode_takes_both(assignment, enrollment, media_root):
    assignment = _edit(assignment, submission_mode=SubmissionMode.FILE_OR_TEXT)
    submission = _submit(assignment, enrollment, upload("foto.png", image("PNG")), text="Dokumentasi kegiatan.")
    version = submission.latest_version
    assert version.text == "Dokumentasi kegiatan." and version.files.get().content_type == "image/png"


def test_too_many_files_and_a_too_big_file_are_refused(assignment, enrollment, media_root):
    assignment = _edit(assignment, max_files=2, max_file_mb=1)
    with pytest.raises(SubmissionError) as error:
        _submit(assignment, enrollment, *(upload(f"bab{n}.pdf", PDF) for n in range(3)))
    assert "2 berkas" in error.value.message
    with pytest.raises(SubmissionError) as error:
        _submit(assignment, enrollment, upload("besar.pdf", PDF + b"0" * (1024 * 1024)))
    assert "terlalu besar" in error.value.message
    assert not Submission.objects.exists() and stored_files(media_root) == []


def test_a_disguised_html_file_is_refused(assignment, enrollment, media_root):
    with pytest.raises(SubmissionError) as error:
        _submit(assignment, enrollment, upload("laporan.pdf", HTML, content_type="application/pdf"))
    assert "laporan.pdf" in error.value.message
    assert not SubmissionFile.objects.exists() and stored_files(media_root) == []


def test_a_withdrawn_learner_cannot_hand_in(assignment, enrollment, administrator, media_root):
    enrollment_withdraw(enrollment=enrollment, by=administrator, reason="Mutasi", effective_on=TODAY)
    enrollment.refresh_from_db()
    with pytest.raises(SubmissionError):
        _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    assert not Submission.objects.exists()


def test_nobody_hands_in_for_someone_else(assignment, enrollment, media_root):
    with pytest.raises(SubmissionError):
        _submit(assignment, enrollment, upload("rancangan.pdf", PDF), by=UserFactory())
    assert not Submission.objects.exists()


def test_after_a_passing_grade_no_resubmission_but_after_a_revision_or_a_failing_grade_yes(
    assignment, enrollment, instructor, media_root
):
    submission = _submit(assignment, enrollment, upload("v1.pdf", PDF))
    submission_grade(
        submission=submission, version=submission.latest_version, by=instructor, decision="revision", feedback="Bab 2."
    )
    submission = _submit(assignment, enrollment, upload("v2.pdf", PDF))
    assert submission.status == SubmissionStatus.SUBMITTED
    submission_grade(submission=submission, version=submission.latest_version, by=instructor, score=50, feedback="")
    submission = _submit(assignment, enrollment, upload("v3.pdf", PDF))  # below the pass mark (70): try again
    submission_grade(submission=submission, version=submission.latest_version, by=instructor, score=80, feedback="")
    with pytest.raises(SubmissionError) as error:
        _submit(assignment, enrollment, upload("v4.pdf", PDF))
    assert "lulus" in error.value.message
    submission.refresh_from_db()
    assert (submission.status, submission.score, submission.versions.count()) == (
        SubmissionStatus.GRADED,
        Decimal("80.00"),
        3,
    )


# --- Groups --------------------------------------------------------------------------------------------------------


def test_a_group_shares_one_submission_that_any_member_may_hand_in_again(assignment, taught, enrollment, media_root):
    assignment = _edit(assignment, group_mode=GroupMode.GROUP)
    partner = enrollment_create(user=UserFactory(full_name="Rekan Kelompok"), course=taught)
    group = group_make(taught, [enrollment, partner])
    first = _submit(assignment, enrollment, upload("draf.pdf", PDF))
    assert (first.group, first.enrollment) == (group, None)

    page = client_for(partner.user).get(assignment.url)
    assert page.status_code == 200
    assert page.context["submission"] == first
    assert b"draf.pdf" in page.content

    second = _submit(assignment, partner, upload("final.pdf", PDF))
    assert second.pk == first.pk
    assert list(second.versions.order_by("number").values_list("submitted_by", flat=True)) == [
        enrollment.user_id,
        partner.user_id,
    ]
    # Both members open both versions' files.
    for member in (enrollment, partner):
        for stored in SubmissionFile.objects.filter(version__submission=second):
            url = reverse("assignments:submission_file", args=[stored.pk])
            assert client_for(member.user).get(url).status_code == 200


def test_in_a_group_assignment_a_learner_without_a_group_cannot_hand_in(assignment, taught, enrollment, media_root):
    assignment = _edit(assignment, group_mode=GroupMode.GROUP)
    with pytest.raises(SubmissionError) as error:
        _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    assert "kelompok" in error.value.message
    page = client_for(enrollment.user).get(assignment.url)
    assert page.context["form"] is None and b'id="no-group"' in page.content


def test_another_groups_member_cannot_download(assignment, taught, enrollment, media_root):
    assignment = _edit(assignment, group_mode=GroupMode.GROUP)
    other = enrollment_create(user=UserFactory(), course=taught)
    group_make(taught, [enrollment])
    group_make(taught, [other], name="Kelompok 2")
    submission = _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    url = reverse("assignments:submission_file", args=[submission.latest_version.files.get().pk])
    assert client_for(other.user).get(url).status_code == 404


# --- The page ------------------------------------------------------------------------------------------------------


def test_opening_the_page_starts_the_step_without_completing_it(assignment, enrollment, media_root):
    response = client_for(enrollment.user).get(assignment.url)
    assert response.status_code == 200
    progress = ItemProgress.objects.get(enrollment=enrollment, item_id=assignment.pk)
    assert progress.status != ProgressStatus.COMPLETED
    content = response.content.decode()
    assert "Belum dikumpulkan" in content and "WIB" in content and "sisa waktu" in content
    assert 'accept=".pdf,.docx,.xlsx,.pptx,.jpg,.jpeg,.png"' in content
    assert 'enctype="multipart/form-data"' in content


def test_posting_files_hands_in_and_shows_the_status(assignment, enrollment, media_root):
    client = client_for(enrollment.user)
    response = client.post(
        _submit_url(assignment), {"uploads": [upload("rancangan.pdf", PDF), upload("a.png", image())]}
    )
    assert response.status_code == 302 and response["Location"] == assignment.url
    version = SubmissionVersion.objects.get(submission__enrollment=enrollment)
    assert version.files.count() == 2
    page = client.get(assignment.url).content.decode()
    assert "Menunggu penilaian" in page and "rancangan.pdf" in page and "Tugas terkirim (versi 1)" in page


def test_a_refused_post_answers_400_with_the_reason_and_keeps_the_text(assignment, enrollment, media_root):
    assignment = _edit(assignment, submission_mode=SubmissionMode.FILE_OR_TEXT)
    response = client_for(enrollment.user).post(
        _submit_url(assignment), {"uploads": [upload("laporan.pdf", HTML)], "text": "Isu: antrean layanan."}
    )
    assert response.status_code == 400
    assert "laporan.pdf" in response.context["error"]
    assert "Isu: antrean layanan." in response.content.decode()
    assert not Submission.objects.exists() and stored_files(media_root) == []


def test_a_closed_assignment_shows_no_form_and_refuses_a_post(assignment, enrollment, media_root):
    assignment = _edit(assignment, due_at=timezone.now() - datetime.timedelta(hours=1))
    client = client_for(enrollment.user)
    page = client.get(assignment.url)
    assert page.context["form"] is None and b'id="closed-notice"' in page.content
    response = client.post(_submit_url(assignment), {"uploads": [upload("rancangan.pdf", PDF)]})
    assert response.status_code == 400 and not Submission.objects.exists()


def test_the_graded_status_shows_score_rubric_feedback_and_returned_file(
    assignment, enrollment, instructor, media_root
):
    assignment = _edit(
        assignment,
        rubric=json.dumps(
            [
                {
                    "type": "criterion",
                    "value": {
                        "name": "Ketepatan isu",
                        "description": "",
                        "levels": [
                            {"label": "Kurang", "points": 1, "description": ""},
                            {"label": "Baik", "points": 4, "description": ""},
                        ],
                    },
                }
            ]
        ),
    )
    submission = _submit(assignment, enrollment, upload("rancangan.pdf", PDF))
    grade = submission_grade(
        submission=submission,
        version=submission.latest_version,
        by=instructor,
        rubric_choices={0: 1},
        feedback="Isu sudah tajam.",
        returned_file=upload("catatan.pdf", PDF),
    )
    page = client_for(enrollment.user).get(assignment.url)
    content = page.content.decode()
    assert "Dinilai: 100" in content and "Lulus" in content
    rows = page.context["rubric_rows"]
    assert rows == [{"name": "Ketepatan isu", "level": "Baik", "points": "4", "max_points": "4"}]
    assert "Isu sudah tajam." in content
    assert reverse("assignments:returned_file", args=[grade.pk]) in content
    assert page.context["form"] is None  # passed: nothing more to hand in


def test_a_manager_sees_the_instructions_and_the_grading_queue_link_not_the_form(assignment, instructor):
    response = client_for(instructor).get(assignment.url)
    assert response.status_code == 200
    assert response.context["form"] is None
    assert f"{reverse('assignments:queue')}?tugas={assignment.pk}" in response.content.decode()
    assert not ItemProgress.objects.exists()
    post = client_for(instructor).post(_submit_url(assignment), {"text": "x"})
    assert post.status_code == 302 and not Submission.objects.exists()


def test_the_step_navigation_links_the_neighbouring_steps(taught, enrollment):
    before = ModulePageFactory(parent=taught, title="Modul Isu", slug="modul-isu")
    page = AssignmentPageFactory(parent=taught, title="Tugas Isu", slug="tugas-isu")
    response = client_for(enrollment.user).get(page.url)
    assert response.context["previous_step"].page.pk == before.pk
    assert 'class="stepnav"' in response.content.decode()


def test_a_locked_assignment_is_refused_until_the_step_before_is_done(catalogue, learner):
    course = CoursePageFactory(parent=catalogue, slug="berurutan", sequential=True)
    ModulePageFactory(parent=course, slug="modul-awal")
    page = AssignmentPageFactory(parent=course, slug="tugas-akhir")
    enrollment_create(user=learner, course=course)
    assert client_for(learner).get(page.url).status_code == 403
    assert client_for(learner).post(page.url + page.reverse_subpage("submit"), {"text": "x"}).status_code == 403


def test_an_attachment_document_opens_for_the_enrolled_learner(assignment, enrollment, administrator, media_root):
    document = get_document_model()(title="Format Rancangan", uploaded_by_user=administrator)
    document.file.save("format.pdf", ContentFile(PDF), save=False)
    document.save()
    assignment.attachments = json.dumps([{"type": "document", "value": document.pk}])
    assignment.save_revision().publish()
    page = client_for(enrollment.user).get(assignment.url).content.decode()
    assert document.url in page
    assert client_for(enrollment.user).get(document.url).status_code == 200
    assert client_for(UserFactory()).get(document.url).status_code == 403


def test_the_admin_editor_offers_checkboxes_and_saves_the_ticked_kinds(assignment, instructor):
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    client = client_for(instructor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[assignment.pk])
    page = client.get(edit_url)
    assert page.status_code == 200
    assert issubclass(type(page.context["form"]), AssignmentPageForm)
    content = page.content.decode()
    assert content.count('name="accepted_types"') == 5 and 'type="checkbox"' in content
    due = timezone.localtime(assignment.due_at).strftime("%Y-%m-%d %H:%M")
    data = nested_form_data(
        {
            "title": assignment.title,
            "slug": assignment.slug,
            "instructions": rich_text("<p>Unggah rancangan.</p>"),
            "attachments": streamfield([]),
            "rubric": streamfield([]),
            "due_at": due,
            "late_until": "",
            "submission_mode": SubmissionMode.FILE,
            "group_mode": GroupMode.INDIVIDUAL,
            "max_file_mb": "5",
            "max_files": "2",
            "pass_mark": "75",
            "duration_minutes": "90",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-publish": "1",
        }
    ) | {"accepted_types": ["image", "pdf"]}
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    saved = AssignmentPage.objects.get(pk=assignment.pk)
    assert (saved.accepted_types, saved.max_files, saved.pass_mark) == ("pdf,image", 2, Decimal("75.00"))
    # Nothing ticked while files are asked for: the editor is told, nothing saved.
    refused = client.post(edit_url, {k: v for k, v in data.items() if k != "accepted_types"})
    assert refused.status_code == 200 and "accepted_types" in refused.context["form"].errors
    assert AssignmentPage.objects.get(pk=assignment.pk).accepted_types == "pdf,image"


@pytest.mark.django_db(transaction=True)
def test_group_members_handing_in_at_the_same_moment_share_one_submission(assignment, taught, media_root):
    import threading

    from django.db import connection

    assignment = _edit(assignment, group_mode=GroupMode.GROUP)
    members = [enrollment_create(user=UserFactory(full_name=f"Anggota {n}"), course=taught) for n in range(4)]
    group_make(taught, members)
    start = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def hand_in(member) -> None:
        try:
            start.wait()
            _submit(assignment, member, upload(f"bagian-{member.pk}.pdf", PDF))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_in, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    submission = Submission.objects.get(assignment=assignment)
    assert sorted(submission.versions.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert SubmissionFile.objects.filter(version__submission=submission).count() == 4
