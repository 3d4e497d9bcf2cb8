"""Reads for classes, groups and enrollment history."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from lms.cohorts.models import ClassMembership, CourseClass, EnrollmentChange, GroupMembership, StudyGroup
from lms.models import CoursePage, Enrollment, EnrollmentStatus, Role, User


def course_classes(*, course: CoursePage) -> list[CourseClass]:
    return list(CourseClass.objects.filter(course=course).order_by("name"))


def course_class_get(*, course: CoursePage, class_id: object) -> CourseClass | None:
    """The class `class_id` (as given in ?kelas=) of this course, or None for anything else."""
    try:
        pk = int(str(class_id))
    except (TypeError, ValueError):
        return None
    return CourseClass.objects.filter(course=course, pk=pk).first()


def enrollment_class(*, enrollment: Enrollment) -> CourseClass | None:
    membership = ClassMembership.objects.filter(enrollment=enrollment).select_related("course_class").first()
    return membership.course_class if membership else None


def enrollment_group(*, enrollment: Enrollment, course_class: CourseClass | None = None) -> StudyGroup | None:
    memberships = GroupMembership.objects.filter(enrollment=enrollment).select_related("group")
    if course_class is not None:
        memberships = memberships.filter(course_class=course_class)
    membership = memberships.first()
    return membership.group if membership else None


def enrollment_history(*, enrollment: Enrollment) -> list[EnrollmentChange]:
    return list(
        EnrollmentChange.objects.filter(enrollment=enrollment).select_related(
            "by", "from_class", "to_class", "to_enrollment__course"
        )
    )


def course_withdrawn_enrollments(*, course: CoursePage) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(course=course, status=EnrollmentStatus.WITHDRAWN)
        .select_related("user")
        .order_by("user__full_name")
    )


def enrollment_move_targets(*, enrollment: Enrollment) -> list[tuple[str, list[tuple[str, str]]]]:
    """The move form's choices, grouped: the other classes of this course, then every other open course run
    (as a whole, or one of its classes). Archived courses take no one."""
    current = ClassMembership.objects.filter(enrollment=enrollment).values_list("course_class_id", flat=True).first()
    own = [
        (f"kelas:{c.pk}", c.name)
        for c in CourseClass.objects.filter(course_id=enrollment.course_id).exclude(pk=current).order_by("name")
    ]
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if own:
        groups.append((str(_("Kelas lain di pelatihan ini")), own))
    courses = (
        CoursePage.objects.live().filter(archived_at__isnull=True).exclude(pk=enrollment.course_id).order_by("title")
    )
    classes: dict[int, list[CourseClass]] = {}
    for course_class in CourseClass.objects.filter(course__in=courses).order_by("name"):
        classes.setdefault(course_class.course_id, []).append(course_class)
    for course in courses:
        options = [(f"pelatihan:{course.pk}", str(_("Seluruh angkatan (tanpa kelas)")))]
        options += [(f"pelatihan:{course.pk}:kelas:{c.pk}", c.name) for c in classes.get(course.pk, [])]
        groups.append((course.title, options))
    return groups


def move_target_parse(*, value: str) -> tuple[CourseClass | None, CoursePage | None]:
    """The (class, course) a move-form value names; (None, None) for anything that is not one of them."""
    parts = (value or "").split(":")
    try:
        if len(parts) == 2 and parts[0] == "kelas":
            return CourseClass.objects.filter(pk=int(parts[1])).first(), None
        if len(parts) in (2, 4) and parts[0] == "pelatihan":
            course = CoursePage.objects.filter(pk=int(parts[1])).first()
            if len(parts) == 2:
                return None, course
            if parts[2] == "kelas" and course is not None:
                return CourseClass.objects.filter(pk=int(parts[3])).first(), course
    except ValueError:
        pass
    return None, None


def class_roster(*, course_class: CourseClass) -> list[tuple[Enrollment, StudyGroup | None]]:
    """The class's current participants, each with their kelompok (or None), by group then name."""
    groups = {
        m.enrollment_id: m.group
        for m in GroupMembership.objects.filter(course_class=course_class).select_related("group")
    }
    enrollments = (
        Enrollment.objects.current()
        .filter(class_membership__course_class=course_class)
        .select_related("user", "user__work_unit")
        .order_by("user__full_name", "user__nip")
    )
    roster = [(e, groups.get(e.pk)) for e in enrollments]
    roster.sort(key=lambda pair: (pair[1] is None, pair[1].name if pair[1] else ""))
    return roster


def class_groups(*, course_class: CourseClass) -> list[StudyGroup]:
    return list(StudyGroup.objects.filter(course_class=course_class).order_by("name"))


def course_instructor_candidates(*, course: CoursePage) -> list[User]:
    """Who may be made a class's instructor: the active instructors named on the course."""
    through = CoursePage.instructors.through
    ids = through.objects.filter(coursepage_id=course.pk).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True, role=Role.INSTRUCTOR).order_by("full_name"))


MY_CLASSES = "saya"  # ?kelas=saya: the classes the viewer teaches


@dataclass(frozen=True)
class ClassFilter:
    """What the progress table (and its exports) show: `class_ids` None for every class."""

    class_ids: list[int] | None
    course_class: CourseClass | None  # the one class chosen, if one was
    mine: bool  # the viewer's own classes
    param: str  # the ?kelas= value that gives this filter again (for export links)


def progress_class_filter(*, course: CoursePage, user: User, value: str | None) -> ClassFilter:
    """?kelas= of the kelola page. Absent: an instructor who teaches classes of the course sees theirs, everyone
    else every class; empty: every class ("semua kelas"); "saya": the viewer's classes; an id: that class.
    Anything else is no filter, never an error."""
    if value is None or value == MY_CLASSES:
        mine = list(
            CourseClass.objects.filter(course=course, instructors=user).order_by("name").values_list("pk", flat=True)
        )
        if mine:
            only = CourseClass.objects.get(pk=mine[0]) if len(mine) == 1 else None
            return ClassFilter(class_ids=mine, course_class=only, mine=True, param=MY_CLASSES)
        return ClassFilter(class_ids=None, course_class=None, mine=False, param="")
    course_class = course_class_get(course=course, class_id=value)
    if course_class is None:
        return ClassFilter(class_ids=None, course_class=None, mine=False, param="")
    return ClassFilter(class_ids=[course_class.pk], course_class=course_class, mine=False, param=str(course_class.pk))


def user_teaches_classes(*, course: CoursePage, user: User) -> bool:
    return CourseClass.objects.filter(course=course, instructors=user).exists()
