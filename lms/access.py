"""Who may see or do what. The one place these questions are answered; views, the xAPI intake, live
consumers, the Wagtail hooks (documents, snippets) and the user admin call these functions and never check roles
themselves. Wagtail's page permissions follow the same rule (lms.roles.course_instructors_sync)."""

from __future__ import annotations

from enum import Enum

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from lms.models import (
    Certificate,
    CourseIndexPage,
    CoursePage,
    EnrollmentStatus,
    LiveSessionPage,
    ModulePage,
    PathItemPage,
    Role,
    User,
)
from lms.selectors import CoursePath, course_path, enrollment_get


def user_can_manage_course(user: User, course: CoursePage) -> bool:
    """Administrators, and the instructors named on the course."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_administrator:
        return True
    # Read from the database, as lms.roles does: what counts is the published list, not the in-memory one of a
    # draft or a preview (whose relation is modelcluster's, which cannot filter on pk: a 500 on preview).
    through = CoursePage.instructors.through
    return user.is_instructor and through.objects.filter(coursepage_id=course.pk, user_id=user.pk).exists()


class ItemAccess(Enum):
    ALLOWED = "allowed"
    LOGIN_REQUIRED = "login_required"
    NOT_ENROLLED = "not_enrolled"
    LOCKED = "locked"


def item_access(
    user: User, item: ModulePage | LiveSessionPage, *, course: CoursePage, path: CoursePath | None = None
) -> tuple[ItemAccess, CoursePath | None]:
    """May the user open a step of a course path? Returns the verdict and the user's path (when enrolled)."""
    if not user.is_authenticated:
        return ItemAccess.LOGIN_REQUIRED, None
    if user_can_manage_course(user, course):
        return ItemAccess.ALLOWED, path
    if path is None:
        enrollment = enrollment_get(user=user, course=course)
        if enrollment is None:
            return ItemAccess.NOT_ENROLLED, None
        path = course_path(course=course, enrollment=enrollment)
    elif path.enrollment is None:
        return ItemAccess.NOT_ENROLLED, path
    step = path.step_for(item.pk)
    if step is None:
        return ItemAccess.NOT_ENROLLED, path
    if step.locked:
        return ItemAccess.LOCKED, path
    return ItemAccess.ALLOWED, path


def user_can_open_item(user: User, item: ModulePage | LiveSessionPage, *, course: CoursePage) -> bool:
    return item_access(user, item, course=course)[0] is ItemAccess.ALLOWED


def user_can_join_session(user: User, session: LiveSessionPage) -> bool:
    """May the user enter a live session's room (and its websocket)?"""
    if not session.live:
        return False
    course = session.get_parent().specific
    return user_can_open_item(user, session, course=course)


def user_can_moderate_session(user: User, session: LiveSessionPage) -> bool:
    return user_can_manage_course(user, session.get_parent().specific)


def user_can_grade_assignment(user: User, assignment) -> bool:
    """Grading an assignment (queue, grade, ZIP of submissions) is for those who manage its course."""
    return user_can_manage_course(user, CoursePage.objects.get(pk=assignment.get_parent().pk))


def user_can_open_submission(user: User, submission) -> bool:
    """A submission (its files, its grades' returned files) is for its members while their enrollment is current
    (the learner, or every member of the study group), and for those who grade the assignment."""
    if not user.is_authenticated or not user.is_active:
        return False
    if any(e.user_id == user.pk and e.status != EnrollmentStatus.WITHDRAWN for e in submission.member_enrollments()):
        return True
    return user_can_grade_assignment(user, submission.assignment)


def user_managed_course_ids(user: User) -> set[int] | None:
    """The courses user_can_manage_course answers yes for, as ids: None means every course (administrators)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_administrator:
        return None
    if not user.is_instructor:
        return set()
    through = CoursePage.instructors.through
    return set(through.objects.filter(user_id=user.pk).values_list("coursepage_id", flat=True))


def user_can_manage_cohort(user: User, course: CoursePage) -> bool:
    """Classes, class membership, withdrawals and reinstatements: administrators only. A withdrawal ends a
    civil servant's training record (JP, certificate), an administrative decision the course's instructors
    do not take on their own."""
    return user.is_authenticated and user.is_active and user.is_administrator and course.pk is not None


def user_can_view_agency_reports(user: User) -> bool:
    """Agency-wide reports (JP per OPD) are for administrators."""
    return user.is_authenticated and user.is_active and user.is_administrator


def user_can_view_certificate(user: User, certificate: Certificate) -> bool:
    """The learner it was issued to, administrators and those who manage its course. Anyone may *verify* a
    certificate by its code, on a page that shows only what the certificate attests."""
    if not user.is_authenticated or not user.is_active:
        return False
    if certificate.enrollment.user_id == user.pk:
        return True
    return user_can_manage_course(user, certificate.enrollment.course)


def user_can_revoke_certificate(user: User, certificate: Certificate) -> bool:
    return user_can_manage_course(user, certificate.enrollment.course)


def user_can_manage_item(user: User, item: ModulePage | LiveSessionPage) -> bool:
    """Reports, attendance and exports of a step are for those who manage the step's course."""
    return user_can_manage_course(user, item.get_parent().specific)


def user_can_edit_activity(user: User, activity) -> bool:
    """An H5P activity (snippet) is edited or deleted by the instructor who uploaded it, or by administrators;
    other instructors may still place it in their modules."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_administrator or (user.is_instructor and activity.uploaded_by_id == user.pk)


def user_can_open_document(user: User, document) -> bool:
    """A Wagtail document is served to whoever may open a module or live session that uses it, or manage its
    course; one shown on a catalogue or course page (public pages) to anyone; one used nowhere only to its
    uploader and administrators. Uses are read from Wagtail's reference index (StreamField and rich text)."""
    if user.is_authenticated and user.is_active:
        if user.is_administrator or document.uploaded_by_user_id == user.pk:
            return True
    page_type = ContentType.objects.get_for_model(Page)
    page_ids = {
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(document)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
        if object_id.isdecimal()
    }
    for page in Page.objects.live().filter(pk__in=page_ids).specific():
        if isinstance(page, CourseIndexPage | CoursePage):
            return True
        if isinstance(page, PathItemPage):  # a module, a live session or an assignment (its attachments)
            course = page.get_parent().specific
            if user_can_manage_course(user, course) or (
                user.is_authenticated and user_can_open_item(user, page, course=course)
            ):
                return True
    return False


# --- The user admin: nobody grants more than they hold ---------------------------------------------------------

_ROLE_RANK = {Role.LEARNER: 0, Role.INSTRUCTOR: 1, Role.ADMINISTRATOR: 2}
_SUPERUSER_RANK = 3


def _rank(user: User) -> int:
    return _SUPERUSER_RANK if user.is_superuser else _ROLE_RANK.get(user.role, 0)


def roles_grantable_by(user: User) -> list[str]:
    """The roles a person may give: none above their own."""
    own = _rank(user)
    return [role for role, rank in _ROLE_RANK.items() if rank <= own]


def user_can_grant_superuser(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


def user_can_change_user(actor: User, target: User) -> bool:
    """Administrators manage accounts, but never one ranked above their own (a superuser is changed only by a
    superuser)."""
    if not actor.is_authenticated or not actor.is_active or not actor.is_administrator:
        return False
    return _rank(target) <= _rank(actor)


def user_can_import_accounts(user: User) -> bool:
    """Creating accounts in bulk (and seeing their activation links) is for administrators."""
    return user.is_authenticated and user.is_active and user.is_administrator


def user_can_read_notification(user: User, notification) -> bool:
    """A notification is for the person it was sent to, and nobody else (administrators included)."""
    return user.is_authenticated and user.is_active and notification.user_id == user.pk


def user_unit_scope(user: User, *kinds: str) -> set[int] | None:
    """The OPDs a person acts for through an OPD-scoped role (lms.competence.UnitRole) of one of `kinds`:
    None means every OPD (administrators, BPSDM), an empty set none."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_administrator:
        return None
    from lms.competence.models import UnitRole

    return set(UnitRole.objects.filter(user=user, kind__in=kinds).values_list("work_unit_id", flat=True))


def user_can_verify_learning(user: User, work_unit_id: int | None) -> bool:
    """Approving or rejecting learning done outside Siger: BPSDM, or the verifier of the learner's OPD."""
    scope = user_unit_scope(user, "verifier")
    return scope is None or (work_unit_id is not None and work_unit_id in scope)


def user_can_manage_competence_settings(user: User) -> bool:
    """JP conversions, OPD roles, ASN profiles, IP ASN points and SIASN columns (Wagtail admin): BPSDM only."""
    return user.is_authenticated and user.is_active and user.is_administrator


def user_can_verify_entry(user: User, entry) -> bool:
    """Deciding on one submitted entry (lms.competence LedgerEntry): as user_can_verify_learning for the OPD the
    entry was submitted from, and never one's own."""
    return entry.user_id != user.pk and user_can_verify_learning(user, entry.work_unit_id)


def user_can_open_learning_evidence(user: User, entry) -> bool:
    """A submitted entry's evidence: its learner, and whoever may verify entries of its OPD."""
    if not user.is_authenticated or not user.is_active:
        return False
    return entry.user_id == user.pk or user_can_verify_learning(user, entry.work_unit_id)


def user_can_view_unit_compliance(user: User, work_unit_id: int | None) -> bool:
    """One OPD's JP compliance and its people's records: BPSDM, the OPD's head and its verifiers."""
    scope = user_unit_scope(user, "head", "verifier")
    return scope is None or (work_unit_id is not None and work_unit_id in scope)


# --- Programme runs (lms.programmes): coaches, mentors, examiners --------------------------------------------


def user_guide_roles(user: User, enrollment) -> set[str]:
    """The roles (coach, mentor, examiner) a person currently holds for one participant."""
    if not user.is_authenticated or not user.is_active:
        return set()
    from lms.programmes.models import ParticipantGuide

    return set(
        ParticipantGuide.objects.filter(enrollment=enrollment, user=user, ended_at__isnull=True).values_list(
            "role", flat=True
        )
    )


def user_can_view_participant(user: User, enrollment) -> bool:
    """A participant's programme record (plan, logbook, seminar schedule, result): the participant while
    enrolled, their own coach, mentor and examiners, and those who manage the course."""
    if not user.is_authenticated or not user.is_active:
        return False
    if enrollment.user_id == user.pk and enrollment.status != EnrollmentStatus.WITHDRAWN:
        return True
    return bool(user_guide_roles(user, enrollment)) or user_can_manage_course(user, enrollment.course)


def user_can_review_project(user: User, enrollment) -> bool:
    """Approving or returning the plan, commenting on and confirming milestones: the participant's own coach and
    mentor only (the course's managers see, but the guidance is theirs)."""
    from lms.programmes.models import GuideRole

    return bool(user_guide_roles(user, enrollment) & {GuideRole.COACH, GuideRole.MENTOR})


def user_can_score_seminar(user: User, enrollment) -> bool:
    """Scoring a participant's seminar: the examiners on their panel."""
    from lms.programmes.models import GuideRole

    return GuideRole.EXAMINER in user_guide_roles(user, enrollment)


def user_can_run_programme(user: User, course: CoursePage) -> bool:
    """Assigning guides and examiners, scheduling the seminar, entering component scores, the graduation decision
    and the run's reports: those who manage the course."""
    return user_can_manage_course(user, course)


def user_can_create_programme_run(user: User) -> bool:
    """Creating a run from a template, and editing templates: administrators."""
    return user.is_authenticated and user.is_active and user.is_administrator


def user_can_write_project(user: User, enrollment) -> bool:
    """Writing the change project's plan and logbook: the participant themselves, while enrolled."""
    return (
        user.is_authenticated
        and user.is_active
        and enrollment.user_id == user.pk
        and enrollment.status != EnrollmentStatus.WITHDRAWN
    )
