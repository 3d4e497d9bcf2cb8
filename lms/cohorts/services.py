"""Classes, class membership, withdrawals and reinstatements of a course run."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.cohorts.models import (
    ClassMembership,
    CourseClass,
    EnrollmentChange,
    EnrollmentChangeKind,
    GroupMembership,
    StudyGroup,
)
from lms.models import CoursePage, Enrollment, EnrollmentSource, EnrollmentStatus, User

logger = logging.getLogger(__name__)

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
            _membership_move(membership=membership, to_class=course_class)
        else:
            continue
        changed += 1
    return changed


def _membership_move(*, membership: ClassMembership, to_class: CourseClass) -> None:
    """A kelompok belongs to one class: leaving the class ends the group membership there."""
    GroupMembership.objects.filter(
        enrollment_id=membership.enrollment_id, course_class_id=membership.course_class_id
    ).delete()
    membership.course_class = to_class
    membership.assigned_at = timezone.now()
    membership.save(update_fields=["course_class", "assigned_at"])


def _rooms_recheck_after_commit(*, enrollment: Enrollment) -> None:
    """Once the change is committed, the course's live rooms re-check who may stay, so a withdrawn learner's
    sockets close at once rather than at the next periodic check. live depends on lms, not the reverse: the
    import happens only when the callback runs."""
    course_id = enrollment.course_id

    def recheck() -> None:
        from live.hub import rooms_access_recheck

        try:
            rooms_access_recheck(course_id=course_id)
        except Exception:  # committed already; the rooms' periodic check disconnects them a little later
            logger.warning("live rooms of course %s not told of an access change", course_id, exc_info=True)

    transaction.on_commit(recheck)


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
    _rooms_recheck_after_commit(enrollment=enrollment)
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


@transaction.atomic
def enrollment_move(
    *,
    enrollment: Enrollment,
    to_class: CourseClass | None = None,
    to_course: CoursePage | None = None,
    reason: str,
    effective_on: datetime.date,
    by: User,
) -> EnrollmentChange:
    """Move a participant to another class of the same course (`to_class`), or to another cohort (`to_course`,
    optionally into `to_class` of it): the old enrollment is withdrawn with its history, a new one is created."""
    reason = _clean_reason(reason)
    enrollment = Enrollment.objects.select_for_update().select_related("course").get(pk=enrollment.pk)
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise CohortError("withdrawn", _("Peserta ini sudah mengundurkan diri; aktifkan kembali dulu."))
    if to_course is not None and to_course.pk != enrollment.course_id:
        return _move_course(
            enrollment=enrollment,
            to_course=to_course,
            to_class=to_class,
            reason=reason,
            effective_on=effective_on,
            by=by,
        )
    if to_class is None:
        raise CohortError("target_required", _("Pilih kelas atau pelatihan tujuan."))
    return _move_class(enrollment=enrollment, to_class=to_class, reason=reason, effective_on=effective_on, by=by)


def _move_class(
    *, enrollment: Enrollment, to_class: CourseClass, reason: str, effective_on: datetime.date, by: User
) -> EnrollmentChange:
    if to_class.course_id != enrollment.course_id:
        raise CohortError("wrong_course", _("Kelas itu bukan kelas pelatihan ini."))
    membership = ClassMembership.objects.select_for_update().filter(enrollment=enrollment).first()
    if membership is not None and membership.course_class_id == to_class.pk:
        raise CohortError("same_class", _("Peserta ini sudah berada di kelas itu."))
    from_class_id = membership.course_class_id if membership else None
    if membership is None:
        ClassMembership.objects.create(enrollment=enrollment, course_class=to_class)
    else:
        _membership_move(membership=membership, to_class=to_class)
    return EnrollmentChange.objects.create(
        enrollment=enrollment,
        kind=EnrollmentChangeKind.MOVED_CLASS,
        reason=reason,
        effective_on=effective_on,
        by=by,
        from_class_id=from_class_id,
        to_class=to_class,
    )


def _move_course(
    *,
    enrollment: Enrollment,
    to_course: CoursePage,
    to_class: CourseClass | None,
    reason: str,
    effective_on: datetime.date,
    by: User,
) -> EnrollmentChange:
    from lms.services import EnrollmentError, enrollment_create

    if enrollment.status == EnrollmentStatus.COMPLETED:
        raise CohortError("completed", _("Peserta ini sudah menyelesaikan pelatihan; tidak dapat dipindahkan."))
    if to_class is not None and to_class.course_id != to_course.pk:
        raise CohortError("wrong_course", _("Kelas itu bukan kelas pelatihan tujuan."))
    if to_course.is_archived:
        raise CohortError("archived", _("Pelatihan tujuan sudah diarsipkan."))
    if Enrollment.objects.current().filter(user_id=enrollment.user_id, course=to_course).exists():
        raise CohortError("already_enrolled", _("Peserta ini sudah terdaftar di pelatihan tujuan."))
    try:
        target = enrollment_create(
            user=enrollment.user, course=to_course, source=EnrollmentSource.ADMIN, enrolled_by=by
        )
    except EnrollmentError as error:
        raise CohortError(error.code, error.message) from error
    if to_class is not None:
        # A re-activated enrollment of the target may still have its old class: the chosen one replaces it.
        membership = ClassMembership.objects.select_for_update().filter(enrollment=target).first()
        if membership is None:
            ClassMembership.objects.create(enrollment=target, course_class=to_class)
        elif membership.course_class_id != to_class.pk:
            _membership_move(membership=membership, to_class=to_class)
    old = ClassMembership.objects.filter(enrollment=enrollment).first()
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save(update_fields=["status"])
    _rooms_recheck_after_commit(enrollment=enrollment)
    return EnrollmentChange.objects.create(
        enrollment=enrollment,
        kind=EnrollmentChangeKind.MOVED_COURSE,
        reason=reason,
        effective_on=effective_on,
        by=by,
        from_class_id=old.course_class_id if old else None,
        to_class=to_class,
        to_enrollment=target,
    )


def study_group_create(*, course_class: CourseClass, name: str) -> StudyGroup:
    """A kelompok inside one class; names are unique per class (case-insensitive)."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise CohortError("name_invalid", _("Isi nama kelompok (maksimal 80 karakter)."))
    if StudyGroup.objects.filter(course_class=course_class, name__iexact=name).exists():
        raise CohortError("name_taken", _("Kelompok dengan nama itu sudah ada di kelas ini."))
    try:
        with transaction.atomic():
            return StudyGroup.objects.create(course_class=course_class, name=name)
    except IntegrityError as exc:
        raise CohortError("name_taken", _("Kelompok dengan nama itu sudah ada di kelas ini.")) from exc


@transaction.atomic
def group_members_assign(*, group: StudyGroup, enrollments: list[Enrollment]) -> int:
    """Put members of the group's class into the group (all or nothing); one already in another group of the
    class moves. Returns how many changed."""
    member_ids = set(
        ClassMembership.objects.filter(course_class_id=group.course_class_id, enrollment__in=enrollments).values_list(
            "enrollment_id", flat=True
        )
    )
    if not enrollments or any(e.pk not in member_ids for e in enrollments):
        raise CohortError("not_in_class", _("Pilih peserta dari kelas ini saja."))
    changed = 0
    for enrollment in enrollments:
        current = (
            GroupMembership.objects.select_for_update()
            .filter(enrollment=enrollment, course_class_id=group.course_class_id)
            .first()
        )
        if current is None:
            GroupMembership.objects.create(group=group, enrollment=enrollment, course_class_id=group.course_class_id)
        elif current.group_id != group.pk:
            current.group = group
            current.save(update_fields=["group"])
        else:
            continue
        changed += 1
    return changed


@transaction.atomic
def group_members_remove(*, course_class: CourseClass, enrollments: list[Enrollment]) -> int:
    """Take participants out of whatever kelompok they have in the class."""
    deleted, _by_model = GroupMembership.objects.filter(course_class=course_class, enrollment__in=enrollments).delete()
    return deleted


def class_instructor_add(*, course_class: CourseClass, user: User) -> None:
    """Only an instructor named on the class's course may teach one of its classes."""
    through = CoursePage.instructors.through
    if (
        not (user.is_active and user.is_instructor)
        or not through.objects.filter(coursepage_id=course_class.course_id, user_id=user.pk).exists()
    ):
        raise CohortError("not_instructor", _("Hanya pengajar pelatihan ini yang dapat mengajar kelasnya."))
    course_class.instructors.add(user)


def class_instructor_remove(*, course_class: CourseClass, user: User) -> None:
    course_class.instructors.remove(user)


def cohort_placements_check(
    *, course: CoursePage, entries: list[tuple[int, str, str]]
) -> tuple[dict[int, str], dict[int, list[str]]]:
    """The kelas/kelompok columns of a cohort CSV (line, kelas, kelompok), before anything is written: errors per
    line, and notes per line saying where each person goes (and which class or group the import will create)."""
    errors: dict[int, str] = {}
    notes: dict[int, list[str]] = {}
    classes = {c.name.lower(): c for c in CourseClass.objects.filter(course=course)}
    groups = {
        (g.course_class.name.lower(), g.name.lower())
        for g in StudyGroup.objects.filter(course_class__course=course).select_related("course_class")
    }
    new_classes: set[str] = set()
    new_groups: set[tuple[str, str]] = set()
    for line, kelas, kelompok in entries:
        if kelompok and not kelas:
            errors[line] = _("Kelompok diisi tetapi kelas kosong.")
            continue
        if len(kelas) > 80 or len(kelompok) > 80:
            errors[line] = _("Nama kelas atau kelompok terlalu panjang (maksimal 80 karakter).")
            continue
        if not kelas:
            continue
        line_notes = [_("Kelas %(kelas)s") % {"kelas": kelas}]
        if kelas.lower() not in classes and kelas.lower() not in new_classes:
            new_classes.add(kelas.lower())
            line_notes[0] = _("Kelas %(kelas)s (dibuat)") % {"kelas": kelas}
        if kelompok:
            key = (kelas.lower(), kelompok.lower())
            if key not in groups and key not in new_groups:
                new_groups.add(key)
                line_notes.append(_("Kelompok %(kelompok)s (dibuat)") % {"kelompok": kelompok})
            else:
                line_notes.append(_("Kelompok %(kelompok)s") % {"kelompok": kelompok})
        notes[line] = line_notes
    return errors, notes


@transaction.atomic
def cohort_placements_apply(*, course: CoursePage, placements: list[tuple[Enrollment, str, str]], by: User) -> None:
    """Put enrollments into the classes and groups named by a cohort CSV (checked by cohort_placements_check),
    creating those that do not exist yet. Rows without a class are left where they are."""
    classes = {c.name.lower(): c for c in CourseClass.objects.filter(course=course)}
    class_members: dict[CourseClass, list[Enrollment]] = {}
    group_members: dict[tuple[CourseClass, str], list[Enrollment]] = {}
    for enrollment, kelas, kelompok in placements:
        if not kelas:
            continue
        course_class = classes.get(kelas.lower())
        if course_class is None:
            course_class = classes[kelas.lower()] = course_class_create(course=course, name=kelas)
        class_members.setdefault(course_class, []).append(enrollment)
        if kelompok:
            group_members.setdefault((course_class, kelompok), []).append(enrollment)
    for course_class, enrollments in class_members.items():
        class_members_assign(course_class=course_class, enrollments=enrollments, by=by)
    groups: dict[tuple[int, str], StudyGroup] = {
        (g.course_class_id, g.name.lower()): g for g in StudyGroup.objects.filter(course_class__course=course)
    }
    for (course_class, kelompok), enrollments in group_members.items():
        key = (course_class.pk, kelompok.lower())
        if key not in groups:
            groups[key] = study_group_create(course_class=course_class, name=kelompok)
        group_members_assign(group=groups[key], enrollments=enrollments)
