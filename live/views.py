"""Room page, classroom check-in, and the attendance report with its CSV export."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from live import services
from live.opening import room_may_enter, room_opens_at, room_state
from live.selectors import attendance_report
from lms.access import user_can_join_session, user_can_moderate_session
from lms.cohorts.selectors import course_classes, progress_class_filter, user_teaches_classes
from lms.exports import table_response
from lms.models import LiveSessionPage, SessionKind, User
from lms.qr import qr_svg


def _session(session_id: int) -> LiveSessionPage:
    return get_object_or_404(LiveSessionPage, pk=session_id)


def _forbidden(request: HttpRequest, session: LiveSessionPage) -> TemplateResponse:
    context = {"page": session, "course": session.get_parent().specific, "reason": "not_enrolled"}
    return TemplateResponse(request, "lms/forbidden.html", context, status=403)


def _checkin_qr(request: HttpRequest, session: LiveSessionPage) -> dict[str, object]:
    code = services.checkin_code(session_id=session.pk)
    url = request.build_absolute_uri(reverse("live:checkin", args=[session.pk])) + f"?kode={code}"
    svg = qr_svg(url, scale=8)
    window = services.CHECKIN_WINDOW_SECONDS
    return {"code": code, "svg": svg, "seconds_left": window - int(time.time()) % window}


@login_required
@require_GET
def room(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    if not user_can_join_session(request.user, session):
        return _forbidden(request, session)
    is_moderator = user_can_moderate_session(request.user, session)
    state = room_state(session=session)
    context = {
        "page": session,
        "course": session.get_parent().specific,
        "is_moderator": is_moderator,
        "is_classroom": session.kind == SessionKind.CLASSROOM,
        "room_state": state,
        "room_opens_at": room_opens_at(session=session),
        # the learner's page neither loads the room script nor opens the socket before the opening
        "may_enter": room_may_enter(session=session, is_moderator=is_moderator),
        "room_config": {
            "session": session.pk,
            "socket": f"/ws/live/{session.pk}/",
            "moderator": is_moderator,
            "me": request.user.pk,
            "codeUrl": reverse("live:checkin_code", args=[session.pk]) if is_moderator else "",
        },
        # the moderator's filter of the participant list (a class-only session is one class already)
        "room_classes": course_classes(course=session.get_parent().specific)
        if is_moderator and not session.course_class_id
        else [],
    }
    if is_moderator and session.kind == SessionKind.CLASSROOM:
        context["checkin"] = _checkin_qr(request, session)
    return TemplateResponse(request, "live/room.html", context)


@login_required
@require_GET
def checkin_code_current(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    if not user_can_moderate_session(request.user, session):
        return JsonResponse({"error": _("Hanya pengajar sesi ini.")}, status=403)
    response = JsonResponse(_checkin_qr(request, session))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    if not user_can_join_session(request.user, session):
        return _forbidden(request, session)
    code = request.POST.get("kode", "") if request.method == "POST" else request.GET.get("kode", "")
    if request.method == "POST":
        try:
            services.attendance_checkin(session=session, user=request.user, code=code)
        except services.LiveError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Presensi tercatat. Selamat mengikuti sesi."))
            return redirect("live:room", session_id=session.pk)
    context = {"page": session, "course": session.get_parent().specific, "code": code[:12]}
    return TemplateResponse(request, "live/checkin.html", context)


def _moderated_session(request: HttpRequest, session_id: int) -> LiveSessionPage:
    session = _session(session_id)
    if not user_can_moderate_session(request.user, session):
        raise Http404
    return session


def _class_param(request: HttpRequest, session: LiveSessionPage) -> str | None:
    """?kelas= of the attendance report; a class-only session is already one class's."""
    return "" if session.course_class_id else request.GET.get("kelas")


@login_required
@require_GET
def report(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _moderated_session(request, session_id)
    course = session.get_parent().specific
    class_filter = progress_class_filter(course=course, user=request.user, value=_class_param(request, session))
    context = {
        "page": session,
        "course": course,
        "rows": attendance_report(session=session, course_class_ids=class_filter.class_ids),
        "is_classroom": session.kind == SessionKind.CLASSROOM,
        "classes": [] if session.course_class_id else course_classes(course=course),
        "class_filter": class_filter,
        "teaches_classes": user_teaches_classes(course=course, user=request.user),
    }
    return TemplateResponse(request, "live/report.html", context)


@login_required
@require_GET
def report_csv(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _moderated_session(request, session_id)
    class_filter = progress_class_filter(
        course=session.get_parent().specific, user=request.user, value=_class_param(request, session)
    )
    rows = (
        [
            row.user.nip,
            row.user.full_name,
            row.user.work_unit.name if row.user.work_unit else "",
            row.minutes,
            row.attended,
            "; ".join(row.sources),
            row.attendance.override_reason if row.attendance else "",
        ]
        for row in attendance_report(session=session, course_class_ids=class_filter.class_ids)
    )
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return table_response(
        filename=f"kehadiran-sesi-{session.pk}",
        header=["NIP", _("Nama"), "OPD", _("Menit hadir"), _("Hadir"), _("Cara"), _("Alasan perubahan")],
        rows=rows,
        fmt=fmt,
        title=_("Kehadiran"),
    )


@login_required
@require_POST
def attendance_change(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _moderated_session(request, session_id)
    user_id = request.POST.get("user_id", "")
    person = User.objects.filter(pk=int(user_id)).first() if user_id.isdecimal() else None
    action = request.POST.get("action", "")
    try:
        if person is None:
            raise services.LiveError("not_found", _("Peserta tidak ditemukan."))
        if action == "tick":
            services.attendance_tick(session=session, moderator=request.user, user=person)
        elif action in ("attend", "absent"):
            services.attendance_override(
                session=session,
                moderator=request.user,
                user=person,
                attended=action == "attend",
                reason=request.POST.get("reason", ""),
            )
        else:
            raise services.LiveError("invalid", _("Tindakan tidak dikenal."))
    except services.LiveError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Kehadiran %(name)s diperbarui.") % {"name": person.get_full_name()})
    return redirect("live:report", session_id=session.pk)
