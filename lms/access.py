"""Who may see or do what. The one place these questions are answered; views, the xAPI intake and live
consumers call these functions and never check roles themselves."""

from __future__ import annotations

from enum import Enum

from lms.models import Certificate, CoursePage, LiveSessionPage, ModulePage, User
from lms.selectors import CoursePath, course_path, enrollment_get


def user_can_manage_course(user: User, course: CoursePage) -> bool:
    """Administrators, and the instructors named on the course."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_administrator:
        return True
    return user.is_instructor and course.instructors.filter(pk=user.pk).exists()


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
