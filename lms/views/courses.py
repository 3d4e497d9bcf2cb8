"""A learner on the course path: course page, enrollment, modules, live session pages, dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms import calendar
from lms.access import ItemAccess, item_access, user_can_manage_course
from lms.models import CoursePage, LiveSessionPage, ModulePage
from lms.selectors import course_path, dashboard_for, enrollment_get
from lms.services import EnrollmentError, ProgressError, enrollment_create, progress_item_viewed, progress_mark_done


def _page_response(request: HttpRequest, page, template: str, context: dict, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, template, {"page": page, "self": page, **context}, status=status)


def course_detail(request: HttpRequest, course: CoursePage) -> TemplateResponse:
    enrollment = enrollment_get(user=request.user, course=course)
    can_manage = user_can_manage_course(request.user, course)
    path = course_path(course=course, enrollment=enrollment, unlocked=can_manage)
    return _page_response(
        request,
        course,
        course.get_template(request),
        {
            "path": path,
            "enrollment": enrollment,
            "can_manage": can_manage,
            "enrollment_is_open": course.enrollment_is_open(),
        },
    )


@require_POST
def course_enroll(request: HttpRequest, course: CoursePage) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    try:
        enrollment_create(user=request.user, course=course)
    except EnrollmentError as error:
        messages.error(request, error.message)
        return redirect(course.url)
    messages.success(request, _("Anda terdaftar. Selamat belajar!"))
    return redirect(course.url)


def _forbidden(request: HttpRequest, page, reason: str, course: CoursePage, path=None) -> TemplateResponse:
    # A step locked by its phase's date says when it opens, not "finish the previous step".
    step = path.step_for(page.pk) if path is not None else None
    context = {"reason": reason, "course": course, "opens_on": step.opens_on if step else None}
    return _page_response(request, page, "lms/forbidden.html", context, status=403)


def _open_item(request: HttpRequest, item: ModulePage | LiveSessionPage):
    """Resolve access to a path step: (course, path, enrollment, None) or (.., .., .., error response)."""
    course = item.get_parent().specific
    if not request.user.is_authenticated:
        return course, None, None, redirect_to_login(request.get_full_path())
    verdict, path = item_access(request.user, item, course=course)
    if verdict is ItemAccess.NOT_ENROLLED:
        return course, path, None, _forbidden(request, item, "not_enrolled", course)
    if verdict is ItemAccess.LOCKED:
        return course, path, None, _forbidden(request, item, "locked", course, path)
    enrollment = path.enrollment if path else enrollment_get(user=request.user, course=course)
    if path is None:  # those who manage the course: every step open
        path = course_path(course=course, enrollment=enrollment, unlocked=True)
    return course, path, enrollment, None


def _item_context(item, course, path, enrollment) -> dict:
    step = path.step_for(item.pk)
    index = path.steps.index(step) if step else -1
    return {
        "course": course,
        "path": path,
        "step": step,
        "enrollment": enrollment,
        "previous_step": path.steps[index - 1] if index > 0 else None,
        "following_step": path.steps[index + 1] if 0 <= index < len(path.steps) - 1 else None,
    }


def module_detail(request: HttpRequest, module: ModulePage) -> HttpResponse:
    course, path, enrollment, denied = _open_item(request, module)
    if denied:
        return denied
    if enrollment is not None and not getattr(request, "is_preview", False):
        progress_item_viewed(enrollment=enrollment, item=module)
        path = course_path(course=course, enrollment=enrollment)
    return _page_response(
        request, module, module.get_template(request), _item_context(module, course, path, enrollment)
    )


@require_POST
def module_mark_done(request: HttpRequest, module: ModulePage) -> HttpResponse:
    course, path, enrollment, denied = _open_item(request, module)
    if denied:
        return denied
    if enrollment is None:
        messages.info(request, _("Hanya peserta yang terdaftar yang mencatat kemajuan."))
        return redirect(module.url)
    try:
        progress_mark_done(enrollment=enrollment, item=module)
    except ProgressError as error:
        messages.error(request, error.message)
        return redirect(module.url)
    path = course_path(course=course, enrollment=enrollment)
    messages.success(request, _("Modul ditandai selesai."))
    following = path.next_step
    return redirect(following.page.url if following else course.url)


def session_detail(request: HttpRequest, session: LiveSessionPage) -> HttpResponse:
    course, path, enrollment, denied = _open_item(request, session)
    if denied:
        return denied
    if enrollment is not None and not getattr(request, "is_preview", False):
        progress_item_viewed(enrollment=enrollment, item=session)
        path = course_path(course=course, enrollment=enrollment)
    context = _item_context(session, course, path, enrollment)
    context["now"] = timezone.now()
    return _page_response(request, session, session.get_template(request), context)


def session_ics(request: HttpRequest, session: LiveSessionPage) -> HttpResponse:
    _course, _path, _enrollment, denied = _open_item(request, session)
    if denied:
        return denied
    body = calendar.ics_calendar([session], base_url=request.build_absolute_uri("/"))
    return _ics_response(body, f"sesi-{session.pk}.ics")


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def dashboard(request: HttpRequest) -> TemplateResponse:
    data = dashboard_for(user=request.user)
    from lms.access import user_unit_scope
    from lms.competence.estimate import estimate_for

    context = {"dashboard": data, "estimate": estimate_for(user=request.user)}
    context["compliance_units"] = sorted(user_unit_scope(request.user, "head", "verifier") or ())
    return TemplateResponse(request, "lms/dashboard.html", context)


@login_required
def dashboard_ics(request: HttpRequest) -> HttpResponse:
    data = dashboard_for(user=request.user)
    body = calendar.ics_calendar(data.upcoming_sessions, base_url=request.build_absolute_uri("/"))
    return _ics_response(body, "jadwal-siger.ics")
