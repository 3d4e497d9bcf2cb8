"""The seminar: the run manager's schedule (slots, panels, who is late), the examiner's list of participants and
the rubric form they fill in on a phone."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.access import user_can_score_seminar
from lms.models import CoursePage, Enrollment, EnrollmentStatus, LiveSessionPage, User
from lms.nip import nip_normalize
from lms.programmes.grading import seminar_panel_results
from lms.programmes.guides import GuideError, course_guide_rows, guide_assign, guide_end
from lms.programmes.models import (
    ChangeProject,
    GuideRole,
    ParticipantGuide,
    PhaseKind,
    SeminarSlot,
)
from lms.programmes.seminar import (
    SeminarError,
    seminar_participants_of,
    seminar_schedule,
    seminar_sheet_save,
    seminar_slot_set,
    sheets_visible_to,
)
from lms.programmes.views.common import manager_refused, refused
from lms.programmes.views.common import run_course as _course

MANAGERS_ONLY = gettext_lazy("Hanya pengelola pelatihan ini yang dapat mengatur jadwal seminar.")


_guard = refused


def _manager_guard(request: HttpRequest, course: CoursePage) -> HttpResponse | None:
    return manager_refused(request, course, MANAGERS_ONLY)


def _live_sessions(course: CoursePage) -> list[LiveSessionPage]:
    """The run's live sessions, those of its seminar phase first: any of them may host the seminar (a run made
    by hand may have no phases at all)."""
    sessions = list(LiveSessionPage.objects.descendant_of(course).select_related("phase").order_by("starts_at", "pk"))
    return sorted(sessions, key=lambda s: not (s.phase_id and s.phase.kind == PhaseKind.SEMINAR))


def _schedule_page(request: HttpRequest, course: CoursePage, *, status: int = 200) -> HttpResponse:
    sessions = _live_sessions(course)
    rows = seminar_schedule(course=course)
    by_session: dict[int, list] = {}
    for row in rows:
        by_session.setdefault(row.slot.session_id, []).append(row)
    seminar_phase = [s for s in sessions if s.phase_id and s.phase.kind == PhaseKind.SEMINAR]
    shown = [s for s in sessions if s.pk in by_session or s in seminar_phase]
    slots_of: dict[int, list[SeminarSlot]] = {}
    for row in rows:
        slots_of.setdefault(row.slot.enrollment_id, []).append(row.slot)
    participants = course_guide_rows(course=course)
    # "?peserta=<id>" (the "Ubah jadwal" link of a participant) preselects them in the one scheduling form.
    raw = request.GET.get("peserta", "")
    selected = next((p.enrollment for p in participants if raw.isdigit() and p.enrollment.pk == int(raw)), None)
    selected_slots = slots_of.get(selected.pk, []) if selected else []
    context = {
        "course": course,
        "groups": [{"session": s, "rows": by_session.get(s.pk, [])} for s in shown],
        "sessions": sessions,
        "participants": [{"guides": p, "slots": slots_of.get(p.enrollment.pk, [])} for p in participants],
        "selected": selected,
        "selected_slot": selected_slots[0] if selected_slots else None,
        "complete_count": sum(row.complete for row in rows),
        "late_count": sum(row.late for row in rows),
        "slot_count": len(rows),
        "unscheduled": sum(1 for p in participants if p.enrollment.pk not in slots_of),
        "default_start": timezone.localtime().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1),
    }
    return TemplateResponse(request, "programmes/seminar_schedule.html", context, status=status)


@require_GET
def seminar_schedule_view(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _manager_guard(request, course):
        return denied
    return _schedule_page(request, course)


def _course_enrollment(course: CoursePage, raw) -> Enrollment | None:
    if not str(raw or "").isdigit():
        return None
    return Enrollment.objects.current().filter(pk=int(raw), course=course).select_related("user", "course").first()


def _local_datetime(raw: str) -> datetime.datetime | None:
    """A datetime-local field ("2027-03-01T09:00") as an aware time in the site's zone (WIB)."""
    try:
        value = datetime.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@require_POST
def seminar_slot_view(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _manager_guard(request, course):
        return denied
    enrollment = _course_enrollment(course, request.POST.get("enrollment"))
    raw_session = request.POST.get("session", "")
    session = (
        LiveSessionPage.objects.descendant_of(course).filter(pk=int(raw_session)).first()
        if raw_session.isdigit()
        else None
    )
    starts_at = _local_datetime(request.POST.get("starts_at", ""))
    if enrollment is None:
        messages.error(request, _("Peserta tidak terdaftar di pelatihan ini."))
    elif session is None:
        messages.error(request, _("Pilih sesi seminar dari pelatihan ini."))
    elif starts_at is None:
        messages.error(request, _("Isi jadwal (tanggal dan jam) dengan benar."))
    else:
        try:
            seminar_slot_set(
                session=session,
                enrollment=enrollment,
                starts_at=starts_at,
                room=request.POST.get("room", "").strip(),
                by=request.user,
            )
        except SeminarError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Jadwal seminar %(name)s: %(when)s.")
                % {
                    "name": enrollment.user.get_full_name(),
                    "when": timezone.localtime(starts_at).strftime("%d-%m-%Y %H:%M"),
                },
            )
            return redirect(reverse("programmes:seminar_schedule", args=[course.pk]) + f"#peserta-{enrollment.pk}")
    return _schedule_page(request, course, status=400)


@require_POST
def seminar_examiner_add(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _manager_guard(request, course):
        return denied
    enrollment = _course_enrollment(course, request.POST.get("enrollment"))
    nip = request.POST.get("nip", "").strip()
    user = User.objects.filter(nip=nip_normalize(nip)).first() if nip else None
    if enrollment is None:
        messages.error(request, _("Peserta tidak terdaftar di pelatihan ini."))
    elif user is None:
        messages.error(request, _("NIP %(nip)s tidak dikenal.") % {"nip": nip or "—"})
    else:
        try:
            guide_assign(enrollment=enrollment, user=user, role=GuideRole.EXAMINER, by=request.user)
        except GuideError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s menjadi penguji %(participant)s.")
                % {"name": user.get_full_name(), "participant": enrollment.user.get_full_name()},
            )
            return redirect(reverse("programmes:seminar_schedule", args=[course.pk]) + f"#peserta-{enrollment.pk}")
    return _schedule_page(request, course, status=400)


@require_POST
def seminar_examiner_end(request: HttpRequest, guide_id: int) -> HttpResponse:
    guide = (
        ParticipantGuide.objects.select_related("enrollment__course", "user")
        .filter(pk=guide_id, role=GuideRole.EXAMINER)
        .first()
    )
    if guide is None:
        raise Http404
    course = guide.enrollment.course
    if denied := _manager_guard(request, course):
        return denied
    guide_end(guide=guide, by=request.user)
    messages.success(request, _("%(name)s tidak lagi menjadi penguji peserta ini.") % {"name": guide.user})
    return redirect(reverse("programmes:seminar_schedule", args=[course.pk]) + f"#peserta-{guide.enrollment_id}")


# --- The examiner ------------------------------------------------------------------------------------------------


def _slots_by_enrollment(enrollment_ids: list[int]) -> dict[int, list[SeminarSlot]]:
    slots: dict[int, list[SeminarSlot]] = {}
    for slot in SeminarSlot.objects.filter(enrollment_id__in=enrollment_ids).select_related("session"):
        slots.setdefault(slot.enrollment_id, []).append(slot)
    return slots


@require_GET
def seminar_mine(request: HttpRequest) -> HttpResponse:
    """ "Seminar yang saya uji": every signed-in person's own list (empty unless they examine someone)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    pairs = [
        (e, sheet)
        for e, sheet in seminar_participants_of(examiner=request.user)
        if e.status != EnrollmentStatus.WITHDRAWN
    ]
    slots = _slots_by_enrollment([e.pk for e, _sheet in pairs])
    rows = [{"enrollment": e, "sheet": sheet, "slots": slots.get(e.pk, [])} for e, sheet in pairs]
    far_future = timezone.now() + datetime.timedelta(days=36500)
    # Soonest seminar first; a participant not yet scheduled after those who are.
    rows.sort(key=lambda r: (r["slots"][0].starts_at if r["slots"] else far_future, r["enrollment"].user.full_name))
    return TemplateResponse(request, "programmes/seminar_mine.html", {"rows": rows})


def _sheet_rows(sheet) -> list[dict]:
    """A submitted sheet's criteria as they were scored, with the score of each."""
    return [{"name": c["name"], "weight": c["weight"], "score": sheet.scores.get(c["key"])} for c in sheet.criteria]


def _score_page(
    request: HttpRequest, enrollment: Enrollment, *, posted: dict | None = None, status: int = 200
) -> HttpResponse:
    visible = sheets_visible_to(examiner=request.user, enrollment=enrollment)
    own = next((s for s in visible if s.examiner_id == request.user.pk), None)
    submitted = own is not None and own.submitted_at is not None
    criteria = list(enrollment.course.seminar_criteria.all())
    values = posted if posted is not None else (own.scores if own else {})
    panel = ParticipantGuide.objects.filter(
        enrollment=enrollment, role=GuideRole.EXAMINER, ended_at__isnull=True
    ).count()
    context = {
        "enrollment": enrollment,
        "course": enrollment.course,
        "project": ChangeProject.objects.filter(enrollment=enrollment).first(),
        "slots": _slots_by_enrollment([enrollment.pk]).get(enrollment.pk, []),
        "own": own,
        "submitted": submitted,
        "criteria": [{"criterion": c, "value": values.get(c.key, "")} for c in criteria],
        "comment": posted.get("comment", "") if posted is not None else (own.comment if own else ""),
        "own_rows": _sheet_rows(own) if submitted else [],
        # The others' sheets reach the page only once this examiner has submitted (lms.programmes.seminar).
        "others": [{"sheet": s, "rows": _sheet_rows(s)} for s in visible if s.examiner_id != request.user.pk]
        if submitted
        else [],
        "panel_size": panel,
        "panel_result": seminar_panel_results(enrollment_ids=[enrollment.pk]).get(enrollment.pk) if submitted else None,
    }
    return TemplateResponse(request, "programmes/seminar_score.html", context, status=status)


@require_http_methods(["GET", "POST"])
def seminar_score(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = Enrollment.objects.select_related("user__work_unit", "course").filter(pk=enrollment_id).first()
    if enrollment is None:
        raise Http404
    if denied := _guard(
        request, user_can_score_seminar(request.user, enrollment), _("Anda bukan penguji seminar peserta ini.")
    ):
        return denied
    if request.method == "GET":
        return _score_page(request, enrollment)
    criteria = enrollment.course.seminar_criteria.all()
    # A phone's decimal keypad may give a comma (Indonesian decimal mark): 85,5 is 85.5.
    scores = {c.key: request.POST.get(f"score-{c.key}", "").strip().replace(",", ".") for c in criteria}
    comment = request.POST.get("comment", "").strip()
    submit = bool(request.POST.get("submit"))
    try:
        seminar_sheet_save(enrollment=enrollment, examiner=request.user, scores=scores, comment=comment, submit=submit)
    except SeminarError as error:
        messages.error(request, error.message)
        return _score_page(request, enrollment, posted={**scores, "comment": comment}, status=400)
    if submit:
        messages.success(request, _("Nilai dikirim. Nilai penguji lain kini dapat Anda lihat setelah mereka mengirim."))
    else:
        messages.success(request, _("Draf nilai disimpan. Belum terkirim."))
    return redirect("programmes:seminar_score", enrollment.pk)


# Paths under /program/..., names in the "programmes" namespace.
urlpatterns: list = [
    path("program/<int:course_id>/seminar/", seminar_schedule_view, name="seminar_schedule"),
    path("program/<int:course_id>/seminar/jadwal/", seminar_slot_view, name="seminar_slot"),
    path("program/<int:course_id>/seminar/penguji/", seminar_examiner_add, name="seminar_examiner_add"),
    path("program/seminar/penguji/<int:guide_id>/akhiri/", seminar_examiner_end, name="seminar_examiner_end"),
    path("program/seminar/", seminar_mine, name="seminar_mine"),
    path("program/seminar/nilai/<int:enrollment_id>/", seminar_score, name="seminar_score"),
]
