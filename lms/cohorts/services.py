"""Classes, class membership, withdrawals and reinstatements of a course run."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms.cohorts.models import ClassMembership, CourseClass, EnrollmentChange, EnrollmentChangeKind
from lms.models import CoursePage, Enrollment, EnrollmentStatus, User

REASON_MAX = 1000


class CohortError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CohortError("reason_required", _("Tuliskan alasannya."))
    if len(reason) > REASON_MAX:
        raise CohortError("reason_too_long", _("Alasan terlalu panjang (maksimal %(n)d karakter).") % {"n": REASON_MAX})
    return reason


def course_class_create(*, course: CoursePage, name: str, code: str = "") -> CourseClass:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise CohortError("name_invalid", _("Isi nama kelas (maksimal 80 karakter)."))
    if CourseClass.objects.filter(course=course, name__iexact=name).exists():
        raise CohortError("name_taken", _("Kelas dengan nama itu sudah ada."))
    try:
        with transaction.atomic():
            return CourseClass.objects.create(course=course, name=name, code=(code or "")[:20])
    except IntegrityError as exc:  # a concurrent creation of the same name
        raise CohortError("name_taken", _("Kelas dengan nama itu sudah ada.")) from exc


@transaction.atomic
def class_members_assign(*, course_class: CourseClass, enrollments: list[Enrollment], by: User) -> int:
    """Put enrollments of the class's course into the class (all or nothing). An enrollment already in another
    class moves, with a history row; one already in this class is left alone. Returns how many changed."""
    if any(e.course_id != course_class.course_id for e in enrollments):
        raise CohortError("wrong_course", _("Peserta itu tidak terdaftar di pelatihan ini."))
    changed = 0
    for enrollment in enrollments:
        membership = ClassMembership.objects.select_for_update().filter(enrollment=enrollment).first()
        if membership is None:
            ClassMembership.objects.create(enrollment=enrollment, course_class=course_class)
        elif membership.course_class_id != course_class.pk:
            EnrollmentChange.objects.create(
                enrollment=enrollment,
                kind=EnrollmentChangeKind.MOVED_CLASS,
                reason=_("Ditetapkan ke %(kelas)s") % {"kelas": course_class.name},
                effective_on=datetime.date.today(),
                by=by,
                from_class_id=membership.course_class_id,
                to_class=course_class,
            )
            membership.course_class = course_class
            membership.save(update_fields=["course_class"])
        else:
            continue
        changed += 1
    return changed


@transaction.atomic
def enrollment_withdraw(
    *, enrollment: Enrollment, by: User, reason: str, effective_on: datetime.date
) -> EnrollmentChange:
    """Withdraw a participant: access ends now; progress, attendance and grades are kept as they are."""
    reason = _clean_reason(reason)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise CohortError("already_withdrawn", _("Peserta ini sudah mengundurkan diri."))
    if enrollment.status == EnrollmentStatus.COMPLETED:
        # A completed course has a certificate and JP: withdrawing would contradict a record already issued.
        raise CohortError("completed", _("Peserta ini sudah menyelesaikan pelatihan; tidak dapat diundurkan."))
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save(update_fields=["status"])
    return EnrollmentChange.objects.create(
        enrollment=enrollment, kind=EnrollmentChangeKind.WITHDRAWN, reason=reason, effective_on=effective_on, by=by
    )


@transaction.atomic
def enrollment_reinstate(
    *, enrollment: Enrollment, by: User, reason: str, effective_on: datetime.date
) -> EnrollmentChange:
    """Undo a withdrawal: the participant continues where they stopped."""
    reason = _clean_reason(reason)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != EnrollmentStatus.WITHDRAWN:
        raise CohortError("not_withdrawn", _("Peserta ini tidak sedang mengundurkan diri."))
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.save(update_fields=["status"])
    change = EnrollmentChange.objects.create(
        enrollment=enrollment, kind=EnrollmentChangeKind.REINSTATED, reason=reason, effective_on=effective_on, by=by
    )
    # They may have finished every step before withdrawing: completion (and its certificate) follows as usual.
    from lms.services import enrollment_refresh_completion

    enrollment_refresh_completion(enrollment=enrollment)
    return change
