"""Grading assignments: rubric math, stale forms, completion at the pass mark, revision, the queue, notifications."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.assignments.grading import GradingError, rubric_criteria, rubric_score, submission_grade
from lms.assignments.models import Grade, GradeDecision, Submission, SubmissionStatus
from lms.assignments.selectors import grading_queue
from lms.assignments.services import submission_submit
from lms.factories import CoursePageFactory, UserFactory
from lms.models import EnrollmentStatus, ItemProgress, ProgressSource, ProgressStatus, Role
from lms.notifications.models import Notification, NotificationKind
from lms.roles import course_instructors_sync, user_set_role
from lms.services import enrollment_create
from tests.assignments.grading_helpers import PDF, RUBRIC, GroupMode, assignment_make, group_make, hand_in
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught(course, instructor):
    course.instructors.set([instructor])
    course.save()
    course_instructors_sync(course=course)
    return course


@pytest.fixture
def enrollment(taught, learner):
    return enrollment_create(user=learner, course=taught)


def _completed(enrollment, assignment) -> bool:
    return ItemProgress.objects.filter(
        enrollment=enrollment, item_id=assignment.pk, status=ProgressStatus.COMPLETED, source=ProgressSource.GRADED
    ).exists()


# --- Rubric --------------------------------------------------------------------------------------------------------


def test_rubric_score_is_chosen_points_over_maximum_to_two_decimals(taught, media_root):
    assignment = assignment_make(taught, rubric=RUBRIC)
    criteria = rubric_criteria(assignment=assignment)
    assert [c.max_points for c in criteria] == [4, 5, 3]
    # 4 + 5 + 1 = 10 of 12
    assert rubric_score(criteria=criteria, choices={0: 2, 1: 1, 2: 0}) == Decimal("83.33")
    assert rubric_score(criteria=criteria, choices={0: 2, 1: 1, 2: 1}) == Decimal("100.00")
    assert rubric_score(criteria=criteria, choices={0: 0, 1: 0, 2: 0}) == Decimal("16.67")


def test_when_a_criterion_has_no_level_then_grading_refused_and_nothing_changes(
    taught, enrollment, instructor, media_root
):
    assignment = assignment_make(taught, rubric=RUBRIC)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    with pytest.raises(GradingError) as error:
        submission_grade(
            submission=version.submission, version=version, by=instructor, feedback="", rubric_choices={0: 2, 1: 1}
        )
    assert error.value.code == "rubric_incomplete"
    with pytest.raises(GradingError):
        submission_grade(
            submission=version.submission,
            version=version,
            by=instructor,
            feedback="",
            rubric_choices={0: 2, 1: 1, 2: 7},
        )
    assert not Grade.objects.exists()
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_with_a_rubric_a_typed_score_is_not_used_and_the_rubric_is_snapshotted(
    taught, enrollment, instructor, media_root
):
    assignment = assignment_make(taught, rubric=RUBRIC)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    grade = submission_grade(
        submission=version.submission,
        version=version,
        by=instructor,
        score="5",
        rubric_choices={0: 2, 1: 1, 2: 0},
        feedback="Isu tepat, nilai dasar perlu dipertajam.",
    )
    assert grade.score == Decimal("83.33")
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.GRADED and submission.score == Decimal("83.33")
    assert submission.graded_at is not None
    snapshot = Grade.objects.get().rubric_scores
    assert [c["name"] for c in snapshot] == ["Ketepatan isu", "Rencana kegiatan", "Nilai dasar ASN"]
    assert [c["chosen"] for c in snapshot] == [2, 1, 0]
    assert snapshot[0]["levels"][2] == {"label": "Baik", "points": "4"}


def test_a_revision_request_may_keep_the_rubric_levels_chosen_so_far(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught, rubric=RUBRIC)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    grade = submission_grade(
        submission=version.submission,
        version=version,
        by=instructor,
        decision=GradeDecision.REVISION,
        rubric_choices={0: 1},
        feedback="Rencana kegiatan belum ada.",
    )
    assert grade.score is None
    assert [c["chosen"] for c in grade.rubric_scores] == [1, None, None]
    assert Submission.objects.get().status == SubmissionStatus.REVISION


def test_without_a_rubric_a_score_from_0_to_100_is_required(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    for bad in (None, "", "101", "-1", "abc", "NaN"):
        with pytest.raises(GradingError):
            submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=bad)
    assert not Grade.objects.exists()
    grade = submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score="85.5")
    assert grade.score == Decimal("85.50") and grade.rubric_scores == []


# --- Stale forms -----------------------------------------------------------------------------------------------------


def test_when_a_newer_version_arrived_then_grading_the_older_one_is_refused(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught)
    first = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    second = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    with pytest.raises(GradingError) as error:
        submission_grade(submission=first.submission, version=first, by=instructor, feedback="", score=90)
    assert error.value.code == "stale"
    assert "versi 2" in error.value.message
    assert not Grade.objects.exists()
    # Through the page: a 400 that says so, nothing graded.
    response = client_for(instructor).post(
        reverse("assignments:grade", args=[first.submission_id]),
        {"version": first.pk, "decision": "graded", "score": "90", "feedback": ""},
    )
    assert response.status_code == 400
    assert "versi 2" in response.content.decode()
    assert not Grade.objects.exists()
    grade = submission_grade(submission=second.submission, version=second, by=instructor, feedback="", score=90)
    assert grade.version == second


# --- Completion ------------------------------------------------------------------------------------------------------


def test_when_score_reaches_the_pass_mark_then_the_step_is_completed(taught, instructor, media_root):
    assignment = assignment_make(taught, pass_mark=70)
    below, at = (enrollment_create(user=UserFactory(), course=taught) for _ in range(2))
    for enrollment, score in ((below, "69.99"), (at, "70")):
        version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
        submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=score)
    assert not _completed(below, assignment)
    assert _completed(at, assignment)


def test_a_lower_regrade_after_a_pass_keeps_the_step_completed(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught, pass_mark=70)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=80)
    submission_grade(submission=version.submission, version=version, by=instructor, feedback="Dikoreksi", score=60)
    assert _completed(enrollment, assignment)
    assert Submission.objects.get().score == Decimal("60.00")
    assert Grade.objects.count() == 2


def test_a_group_pass_completes_the_step_for_every_active_member(taught, instructor, media_root):
    assignment = assignment_make(taught, group_mode=GroupMode.GROUP, pass_mark=75)
    members = [enrollment_create(user=UserFactory(), course=taught) for _ in range(3)]
    group = group_make(taught, members)
    members[2].status = EnrollmentStatus.WITHDRAWN
    members[2].save()
    version = hand_in(assignment, by=members[0].user, group=group)
    submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=75)
    assert _completed(members[0], assignment) and _completed(members[1], assignment)
    assert not _completed(members[2], assignment)
    page = client_for(instructor).get(reverse("assignments:grade", args=[version.submission_id])).content.decode()
    assert all(m.user.nip in page for m in members) and "Kelompok 1" in page


def test_a_withdrawn_learner_may_be_graded_but_the_step_is_not_completed(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught, pass_mark=70)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=95)
    assert Submission.objects.get().status == SubmissionStatus.GRADED
    assert not ItemProgress.objects.filter(enrollment=enrollment, item_id=assignment.pk).exists()


def test_revision_then_resubmission_then_grade(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught, pass_mark=70)
    first = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    with pytest.raises(GradingError) as error:
        submission_grade(
            submission=first.submission, version=first, by=instructor, feedback=" ", decision=GradeDecision.REVISION
        )
    assert error.value.code == "feedback_required"
    submission_grade(
        submission=first.submission,
        version=first,
        by=instructor,
        feedback="Lengkapi jadwal kegiatan.",
        decision=GradeDecision.REVISION,
    )
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.REVISION and submission.score is None
    assert not _completed(enrollment, assignment)

    # The learner hands in again through the learner side's own service.
    submission_submit(
        assignment=assignment,
        enrollment=enrollment,
        files=[SimpleUploadedFile("rancangan-v2.pdf", PDF)],
        text="",
        by=enrollment.user,
    )
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.SUBMITTED
    second = submission.latest_version
    assert second.number == 2
    submission_grade(submission=submission, version=second, by=instructor, feedback="Baik.", score=88)
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.GRADED and submission.score == Decimal("88.00")
    assert list(Grade.objects.order_by("pk").values_list("decision", "version__number")) == [
        ("revision", 1),
        ("graded", 2),
    ]
    assert _completed(enrollment, assignment)


def test_grading_notifies_the_learner_once_committed(
    taught, enrollment, instructor, media_root, django_capture_on_commit_callbacks
):
    assignment = assignment_make(taught)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    with django_capture_on_commit_callbacks(execute=True):
        submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=90)
    notification = Notification.objects.get(user=enrollment.user, kind=NotificationKind.SUBMISSION_GRADED)
    assert assignment.title in notification.title


def test_a_refused_grading_notifies_nobody(
    taught, enrollment, instructor, media_root, django_capture_on_commit_callbacks
):
    assignment = assignment_make(taught)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(GradingError):
        submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=None)
    assert not Notification.objects.filter(kind=NotificationKind.SUBMISSION_GRADED).exists()


def test_a_returned_file_is_checked_by_content_and_stored_with_the_grade(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    fake = SimpleUploadedFile("catatan.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(GradingError) as error:
        submission_grade(
            submission=version.submission, version=version, by=instructor, feedback="", score=80, returned_file=fake
        )
    assert error.value.code == "returned_file" and "catatan.pdf" in error.value.message
    assert not Grade.objects.exists()
    assert not (media_root / "assignments" / "returned").exists()
    grade = submission_grade(
        submission=version.submission,
        version=version,
        by=instructor,
        feedback="Lihat catatan di berkas.",
        score=80,
        returned_file=SimpleUploadedFile("catatan pengajar.pdf", PDF),
    )
    grade.refresh_from_db()
    assert grade.returned_name == "catatan pengajar.pdf" and grade.returned_extension == "pdf"
    assert grade.returned_file.name.startswith(f"assignments/returned/{version.submission_id}/")
    with grade.returned_file.open("rb") as stored:
        assert stored.read() == PDF


# --- The queue -------------------------------------------------------------------------------------------------------


def test_queue_puts_ungraded_first_oldest_first_then_revision_then_graded(taught, instructor, media_root):
    assignment = assignment_make(taught)
    now = timezone.now()
    people = [enrollment_create(user=UserFactory(), course=taught) for _ in range(4)]
    graded = hand_in(assignment, by=people[0].user, enrollment=people[0], at=now - datetime.timedelta(days=5))
    revision = hand_in(assignment, by=people[1].user, enrollment=people[1], at=now - datetime.timedelta(days=4))
    newer = hand_in(assignment, by=people[2].user, enrollment=people[2], at=now - datetime.timedelta(hours=1))
    older = hand_in(assignment, by=people[3].user, enrollment=people[3], at=now - datetime.timedelta(days=2))
    submission_grade(submission=graded.submission, version=graded, by=instructor, feedback="", score=90)
    submission_grade(
        submission=revision.submission, version=revision, by=instructor, feedback="Revisi", decision="revision"
    )
    queue = grading_queue(user=instructor)
    assert [s.pk for s in queue.submissions] == [
        older.submission_id,
        newer.submission_id,
        revision.submission_id,
        graded.submission_id,
    ]
    assert queue.counts == {"submitted": 2, "revision": 1, "graded": 1}


def test_queue_shows_only_the_courses_the_user_manages(
    taught, enrollment, instructor, administrator, catalogue, media_root
):
    assignment = assignment_make(taught)
    hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    other = user_set_role(user=UserFactory(), role=Role.INSTRUCTOR)
    other_course = CoursePageFactory(parent=catalogue, title="Pelatihan Lain", slug="pelatihan-lain")
    other_course.instructors.set([other])
    other_course.save()
    assert list(grading_queue(user=other).submissions) == []
    # Asking for this course's assignment by id changes nothing for them.
    queue = grading_queue(user=other, assignment_id=assignment.pk)
    assert queue.assignment is None and list(queue.submissions) == []
    assert len(grading_queue(user=instructor).submissions) == 1
    assert len(grading_queue(user=administrator).submissions) == 1
    assert list(grading_queue(user=enrollment.user).submissions) == []
    response = client_for(other).get(reverse("assignments:queue"))
    assert response.status_code == 200 and enrollment.user.nip not in response.content.decode()
    assert client_for(enrollment.user).get(reverse("assignments:queue")).status_code == 403
    assert client_for(other).get(reverse("assignments:grade", args=[Submission.objects.get().pk])).status_code == 403


def test_queue_filters_by_class_and_puts_the_instructors_class_first(taught, instructor, media_root):
    assignment = assignment_make(taught)
    now = timezone.now()
    a_people = [enrollment_create(user=UserFactory(), course=taught) for _ in range(2)]
    b_people = [enrollment_create(user=UserFactory(), course=taught) for _ in range(2)]
    group_make(taught, a_people, name="Kelompok 1", class_name="Kelas A")
    group_make(taught, b_people, name="Kelompok 1", class_name="Kelas B")
    taught.classes.get(name="Kelas B").instructors.add(instructor)
    for n, enrollment in enumerate([*a_people, *b_people]):
        hand_in(assignment, by=enrollment.user, enrollment=enrollment, at=now - datetime.timedelta(days=10 - n))
    queue = grading_queue(user=instructor)
    assert [s.enrollment for s in queue.submissions] == [*b_people, *a_people]
    assert [s.class_name for s in queue.submissions] == ["Kelas B", "Kelas B", "Kelas A", "Kelas A"]
    kelas_a = taught.classes.get(name="Kelas A")
    filtered = grading_queue(user=instructor, assignment_id=assignment.pk, class_id=str(kelas_a.pk))
    assert [s.enrollment for s in filtered.submissions] == a_people
    assert filtered.counts["submitted"] == 2
    # Nonsense filters are ignored, not a 500.
    response = client_for(instructor).get(reverse("assignments:queue") + "?tugas=x&kelas=%00&halaman=zz")
    assert response.status_code == 200


def test_queue_query_count_does_not_grow_with_rows(taught, instructor, media_root):
    assignment = assignment_make(taught)
    group_assignment = assignment_make(taught, title="Laporan Kelompok", group_mode=GroupMode.GROUP)
    client = client_for(instructor)

    def add(n: int) -> None:
        for _ in range(n):
            enrollment = enrollment_create(user=UserFactory(), course=taught)
            hand_in(assignment, by=enrollment.user, enrollment=enrollment)
        members = [enrollment_create(user=UserFactory(), course=taught) for _ in range(2)]
        group = group_make(taught, members, name=f"Kelompok {Submission.objects.count()}")
        hand_in(group_assignment, by=members[0].user, group=group)

    add(2)
    client.get(reverse("assignments:queue"))  # warm the caches (site root, session) that a first request fills
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("assignments:queue")).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("assignments:queue"))
    assert response.status_code == 200
    assert len(many) == len(few)


# --- The grading page ------------------------------------------------------------------------------------------------


def test_grading_page_grades_with_the_rubric_and_goes_to_the_next_ungraded(taught, instructor, media_root):
    assignment = assignment_make(taught, rubric=RUBRIC, pass_mark=80)
    now = timezone.now()
    first_enrollment, second_enrollment = (enrollment_create(user=UserFactory(), course=taught) for _ in range(2))
    first = hand_in(
        assignment, by=first_enrollment.user, enrollment=first_enrollment, at=now - datetime.timedelta(days=2)
    )
    second = hand_in(assignment, by=second_enrollment.user, enrollment=second_enrollment, text="Jawaban teks saya")
    client = client_for(instructor)
    url = reverse("assignments:grade", args=[first.submission_id])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ketepatan isu" in html and 'name="kriteria_2"' in html and "Minta revisi" in html
    assert reverse("assignments:submission_file", args=[first.files.get().pk]) in html
    # A missing criterion: the form comes back with the reason and the chosen levels kept.
    response = client.post(url, {"version": first.pk, "decision": "graded", "kriteria_0": "2", "kriteria_1": "1"})
    assert response.status_code == 400
    assert "Nilai dasar ASN" in response.content.decode() and not Grade.objects.exists()
    response = client.post(
        url, {"version": first.pk, "decision": "graded", "kriteria_0": "2", "kriteria_1": "1", "kriteria_2": "0"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assignments:grade", args=[second.submission_id])
    assert Submission.objects.get(pk=first.submission_id).score == Decimal("83.33")
    assert _completed(first_enrollment, assignment)
    # The last one graded: back to the queue of this assignment.
    response = client.post(
        reverse("assignments:grade", args=[second.submission_id]),
        {"version": second.pk, "decision": "revision", "feedback": "Tambahkan jadwal."},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?tugas={assignment.pk}")
    assert Submission.objects.get(pk=second.submission_id).status == SubmissionStatus.REVISION


def test_grading_page_refuses_bad_input_without_a_500(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught)
    version = hand_in(assignment, by=enrollment.user, enrollment=enrollment)
    client = client_for(instructor)
    url = reverse("assignments:grade", args=[version.submission_id])
    for body in (
        {},
        {"version": "x", "decision": "graded", "score": "80"},
        {"version": version.pk, "decision": "approve", "score": "80"},
        {"version": version.pk + 999, "decision": "graded", "score": "80"},
        {"version": version.pk, "decision": "graded", "score": "1e9"},
    ):
        assert client.post(url, body).status_code == 400
    assert not Grade.objects.exists()
    assert client.get(reverse("assignments:grade", args=[999999])).status_code == 404


def test_instructors_find_the_queue_in_the_header_and_on_the_kelola_page(taught, enrollment, instructor, media_root):
    assignment = assignment_make(taught)
    queue_url = reverse("assignments:queue")
    kelola = client_for(instructor).get(taught.url + taught.reverse_subpage("manage")).content.decode()
    assert f'href="{queue_url}"' in kelola and f"{queue_url}?tugas={assignment.pk}" in kelola
    dashboard = reverse("lms:dashboard")
    assert f'href="{queue_url}"' not in client_for(enrollment.user).get(dashboard).content.decode()


# --- Demo ------------------------------------------------------------------------------------------------------------


def test_demo_seeds_a_graded_and_an_ungraded_hand_in_once(media_root, django_capture_on_commit_callbacks):
    from lms.assignments.demo import SLUG
    from lms.assignments.models import AssignmentPage
    from lms.demo import demo_seed

    with django_capture_on_commit_callbacks(execute=True):
        demo_seed()
    assignment = AssignmentPage.objects.get(slug=SLUG)
    assert len(assignment.rubric) == 3
    graded = Submission.objects.get(assignment=assignment, status=SubmissionStatus.GRADED)
    assert graded.score >= assignment.pass_mark and graded.latest_grade.feedback
    assert _completed(graded.enrollment, assignment)
    with graded.latest_version.files.get().file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert Submission.objects.filter(assignment=assignment, status=SubmissionStatus.SUBMITTED).count() == 1
    assert Notification.objects.filter(user=graded.enrollment.user, kind=NotificationKind.SUBMISSION_GRADED).exists()
    demo_seed()
    assert Submission.objects.filter(assignment=assignment).count() == 2
    assert AssignmentPage.objects.filter(slug=SLUG).count() == 1
