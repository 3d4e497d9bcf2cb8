"""Demo data: the PKA course split into Kelas A and Kelas B, a kelompok or two each, one withdrawn participant."""

from __future__ import annotations

import datetime

from django.utils import timezone

from lms.cohorts.models import ClassMembership, CourseClass, EnrollmentChange, GroupMembership, StudyGroup
from lms.cohorts.services import class_members_assign, enrollment_withdraw
from lms.models import CoursePage, Enrollment, EnrollmentStatus, User


def demo_seed_cohorts(*, course: CoursePage, administrator: User, instructor: User) -> None:
    """Idempotent: classes and groups are found by name, only unassigned participants are assigned, and the
    withdrawal happens once per course."""
    classes = []
    for name, code in (("Kelas A", "a"), ("Kelas B", "b")):
        course_class, _ = CourseClass.objects.get_or_create(course=course, name=name, defaults={"code": code})
        course_class.instructors.add(instructor)
        classes.append(course_class)
    enrollments = list(
        Enrollment.objects.current().filter(course=course, class_membership__isnull=True).order_by("user__nip")
    )
    for n, course_class in enumerate(classes):
        class_members_assign(course_class=course_class, enrollments=enrollments[n::2], by=administrator)
    for course_class in classes:
        groups = [StudyGroup.objects.get_or_create(course_class=course_class, name=f"Kelompok {n}")[0] for n in (1, 2)]
        members = ClassMembership.objects.filter(course_class=course_class).order_by("enrollment_id")
        for n, membership in enumerate(members):
            GroupMembership.objects.get_or_create(
                enrollment_id=membership.enrollment_id,
                course_class=course_class,
                defaults={"group": groups[n % len(groups)]},
            )
    if EnrollmentChange.objects.filter(enrollment__course=course, kind="withdrawn").exists():
        return
    candidate = Enrollment.objects.filter(course=course, status=EnrollmentStatus.ACTIVE).order_by("-user__nip").first()
    if candidate is not None:
        enrollment_withdraw(
            enrollment=candidate,
            by=administrator,
            reason="Mutasi ke instansi lain (SK Bupati, demo).",
            effective_on=timezone.localdate() - datetime.timedelta(days=2),
        )
