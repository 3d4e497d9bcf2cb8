"""Reads across assignments, submissions, enrollments and groups."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from wagtail.models import Page

from lms.access import user_managed_course_ids
from lms.assignments.models import (
    AssignmentPage,
    Grade,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    SubmissionVersion,
)
from lms.cohorts.models import CourseClass, GroupMembership
from lms.models import Enrollment, EnrollmentStatus, User

REMINDER_WINDOW = datetime.timedelta(hours=24)


def assignment_reminder_targets(*, now: datetime.datetime) -> list[tuple[User, AssignmentPage]]:
    """Learners who have handed in nothing for an assignment whose deadline falls within the next 24 hours.

    Active enrollments of live, non-archived courses only; for a group assignment, a learner whose group has
    handed in has nothing due (and a learner without a group is still reminded: they must find one)."""
    assignments = list(
        AssignmentPage.objects.live().filter(due_at__gt=now, due_at__lte=now + REMINDER_WINDOW).order_by("due_at", "pk")
    )
    targets: list[tuple[User, AssignmentPage]] = []
    for assignment in assignments:
        course = assignment.get_parent().specific
        if getattr(course, "archived_at", None) is not None or not course.live:
            continue
        enrollments = Enrollment.objects.filter(course_id=course.pk, status=EnrollmentStatus.ACTIVE)
        if assignment.is_group:
            group_handed_in = Submission.objects.filter(
                assignment=assignment,
                group__memberships__enrollment=OuterRef("pk"),
            )
            enrollments = enrollments.exclude(Exists(group_handed_in))
        else:
            enrollments = enrollments.exclude(
                Exists(Submission.objects.filter(assignment=assignment, enrollment=OuterRef("pk")))
            )
        targets.extend((enrollment.user, assignment) for enrollment in enrollments.select_related("user"))
    return targets


# --- The learner's side ----------------------------------------------------------------------------------------


def submission_of_learner(*, assignment: AssignmentPage, enrollment: Enrollment) -> Submission | None:
    """The learner's submission for an assignment: their own, or (per group) their study group's."""
    if not assignment.is_group:
        return Submission.objects.filter(assignment=assignment, enrollment=enrollment).first()
    from lms.cohorts.selectors import enrollment_group

    group = enrollment_group(enrollment=enrollment)
    if group is None:
        return None
    return Submission.objects.filter(assignment=assignment, group=group).select_related("group").first()


def submission_history(*, submission: Submission) -> list[SubmissionVersion]:
    """Every hand-in, newest first, with its files and the gradings given to it (newest first)."""
    return list(
        submission.versions.select_related("submitted_by")
        .prefetch_related(
            "files",
            Prefetch("grades", queryset=Grade.objects.order_by("-graded_at", "-pk"), to_attr="gradings"),
        )
        .order_by("-number")
    )


def submission_file_get(*, file_id: int) -> SubmissionFile | None:
    return (
        SubmissionFile.objects.select_related("version__submission__assignment", "version__submission__enrollment")
        .filter(pk=file_id)
        .first()
    )


def grade_get(*, grade_id: int) -> Grade | None:
    return Grade.objects.select_related("submission__assignment", "submission__enrollment").filter(pk=grade_id).first()


# --- The grading side -------------------------------------------------------------------------------------------

# Ungraded first (work waiting for the instructor), then those waiting for the learner's revision, then graded.
QUEUE_STATUS_RANK = Case(
    When(status=SubmissionStatus.SUBMITTED, then=Value(0)),
    When(status=SubmissionStatus.REVISION, then=Value(1)),
    default=Value(2),
)


def grading_assignments(*, user: User) -> list[AssignmentPage]:
    """The assignments of every course the user manages (lms.access), by course then path order."""
    course_ids = user_managed_course_ids(user)
    assignments = AssignmentPage.objects.defer("instructions", "rubric", "attachments", "search_description")
    if course_ids is not None:
        courses = list(Page.objects.filter(pk__in=course_ids).only("path", "depth"))
        if not courses:
            return []
        under = Q()
        for course in courses:
            under |= Q(path__startswith=course.path, depth=course.depth + 1)
        assignments = assignments.filter(under)
    return list(assignments.order_by("path"))


def grading_classes(*, assignments: list[AssignmentPage]) -> list[CourseClass]:
    """The classes of the courses these assignments belong to (the queue's class filter)."""
    course_paths = {assignment.path[: -Page.steplen] for assignment in assignments}
    course_ids = Page.objects.filter(path__in=course_paths).values_list("pk", flat=True)
    return list(
        CourseClass.objects.filter(course_id__in=course_ids).select_related("course").order_by("course_id", "name")
    )


@dataclass
class GradingQueue:
    submissions: QuerySet[Submission]
    counts: dict[str, int]
    assignments: list[AssignmentPage]
    classes: list[CourseClass]
    assignment: AssignmentPage | None = None
    course_class: CourseClass | None = None


def _pk(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def grading_queue(*, user: User, assignment_id: object = None, class_id: object = None) -> GradingQueue:
    """The submissions a grader may grade, ungraded first and oldest first; the user's own classes lead within
    each status. `assignment_id` and `class_id` (as given in ?tugas= and ?kelas=) narrow it; anything outside
    the user's courses is ignored."""
    assignments = grading_assignments(user=user)
    by_id = {assignment.pk: assignment for assignment in assignments}
    assignment = by_id.get(_pk(assignment_id))
    classes = grading_classes(assignments=[assignment] if assignment else assignments)
    course_class = {c.pk: c for c in classes}.get(_pk(class_id))

    submissions = Submission.objects.filter(assignment_id__in=[assignment.pk] if assignment else list(by_id))
    if course_class is not None:
        submissions = submissions.filter(
            Q(enrollment__class_membership__course_class=course_class) | Q(group__course_class=course_class)
        )
    counts = dict.fromkeys(SubmissionStatus.values, 0)
    for row in submissions.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]

    latest = SubmissionVersion.objects.filter(submission=OuterRef("pk")).order_by("-number")
    mine = Exists(CourseClass.objects.filter(instructors=user.pk, memberships__enrollment=OuterRef("enrollment_id")))
    mine |= Exists(CourseClass.objects.filter(instructors=user.pk, pk=OuterRef("group__course_class_id")))
    submissions = (
        submissions.annotate(
            status_rank=QUEUE_STATUS_RANK,
            mine_rank=Case(When(mine, then=Value(0)), default=Value(1)),
            version_number=Subquery(latest.values("number")[:1]),
            version_late=Subquery(latest.values("is_late")[:1]),
            class_name=Coalesce(F("enrollment__class_membership__course_class__name"), F("group__course_class__name")),
        )
        .select_related("assignment", "enrollment__user", "group")
        .defer(
            "assignment__instructions",
            "assignment__rubric",
            "assignment__attachments",
            "assignment__search_description",
        )
        .prefetch_related(
            Prefetch(
                "group__memberships",
                queryset=GroupMembership.objects.select_related("enrollment__user").order_by("enrollment__user__nip"),
            )
        )
        .order_by("status_rank", "mine_rank", "submitted_at", "pk")
    )
    return GradingQueue(
        submissions=submissions,
        counts=counts,
        assignments=assignments,
        classes=classes,
        assignment=assignment,
        course_class=course_class,
    )


def submission_for_grading(*, submission_id: int) -> Submission | None:
    return (
        Submission.objects.select_related("assignment", "enrollment__user", "group__course_class")
        .filter(pk=submission_id)
        .first()
    )


def submission_versions(*, submission: Submission) -> list[SubmissionVersion]:
    """Every hand-in of a submission, newest first, with its files and who handed it in."""
    return list(submission.versions.select_related("submitted_by").prefetch_related("files").order_by("-number"))


def submission_grades(*, submission: Submission) -> list[Grade]:
    """Every grading of a submission, newest first."""
    return list(submission.grades.select_related("graded_by", "version").order_by("-graded_at", "-pk"))


def submission_next_ungraded(*, submission: Submission) -> Submission | None:
    """The oldest other ungraded submission of the same assignment: where "Nilai berikutnya" goes."""
    return (
        Submission.objects.ungraded()
        .filter(assignment_id=submission.assignment_id)
        .exclude(pk=submission.pk)
        .order_by("submitted_at", "pk")
        .first()
    )


def submission_label(*, submission: Submission) -> str:
    """Who handed in: "<NIP> <name>" for a learner, the group's name for a group."""
    if submission.enrollment_id is not None:
        user = submission.enrollment.user
        return f"{user.nip} {user.full_name}".strip()
    return submission.group.name
