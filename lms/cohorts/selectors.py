"""Reads for classes, groups and enrollment history."""

from __future__ import annotations

from lms.cohorts.models import ClassMembership, CourseClass, EnrollmentChange, GroupMembership, StudyGroup
from lms.models import CoursePage, Enrollment, EnrollmentStatus


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
    return list(EnrollmentChange.objects.filter(enrollment=enrollment).select_related("by"))


def course_withdrawn_enrollments(*, course: CoursePage) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(course=course, status=EnrollmentStatus.WITHDRAWN)
        .select_related("user")
        .order_by("user__full_name")
    )
