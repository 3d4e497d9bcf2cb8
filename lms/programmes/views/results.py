"""The final result of a run: the manager's table of participants × components (with its XLSX), component scores
entered by hand, the graduation decision that issues the STTPP, and the examiners' printable scoring sheets."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lms.exports import table_response
from lms.models import Certificate, CoursePage, Enrollment
from lms.programmes.grading import Result, course_results
from lms.programmes.graduation import GraduationError, component_score_enter, graduation_decide
from lms.programmes.guides import course_guide_rows
from lms.programmes.models import (
    ComponentSource,
    GraduationDecision,
    GraduationOutcome,
    SeminarScoreSheet,
    SeminarSlot,
)
from lms.programmes.views.common import manager_refused
from lms.programmes.views.common import run_course as _course
from lms.services import CertificateError

MANAGERS_ONLY = gettext_lazy("Hanya pengelola pelatihan ini yang dapat melihat dan memutuskan hasil akhir.")


def _guard(request: HttpRequest, course: CoursePage) -> HttpResponse | None:
    return manager_refused(request, course, MANAGERS_ONLY)


def _rows(course: CoursePage) -> list[dict]:
    """Each current participant's result with their latest graduation decision and STTPP (three queries)."""
    results = course_results(course=course)
    ids = [r.enrollment.pk for r in results]
    latest: dict[int, GraduationDecision] = {}
    # Oldest first: the last one written per participant is their current decision.
    for decision in GraduationDecision.objects.filter(enrollment_id__in=ids).order_by("decided_at", "pk"):
        latest[decision.enrollment_id] = decision
    certificates = {c.enrollment_id: c for c in Certificate.objects.filter(enrollment_id__in=ids)}
    return [
        {"result": r, "decision": latest.get(r.enrollment.pk), "certificate": certificates.get(r.enrollment.pk)}
        for r in results
    ]


def _missing_names(result: Result) -> list[str]:
    return [c.name for c in result.components if c.score is None]


def _results_page(request: HttpRequest, course: CoursePage, *, posted: dict | None = None, status: int = 200):
    rows = _rows(course)
    for row in rows:
        row["missing"] = _missing_names(row["result"])
    components = list(course.assessment_components.all())
    context = {
        "course": course,
        "rows": rows,
        "components": components,
        # The seminar's score is the panel's (lms.programmes.seminar): it is never typed in here.
        "enterable": [c for c in components if c.source != ComponentSource.SEMINAR],
        "outcomes": GraduationOutcome.choices,
        "posted": posted or {},
        "bands": list(course.predicate_bands.all().order_by("-min_score")),
    }
    return TemplateResponse(request, "programmes/results.html", context, status=status)


@require_GET
def results(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _guard(request, course):
        return denied
    return _results_page(request, course)


def _enrollment(course: CoursePage, raw) -> Enrollment | None:
    if not str(raw or "").isdigit():
        return None
    return Enrollment.objects.current().filter(pk=int(raw), course=course).select_related("user", "course").first()


def _back(course: CoursePage, enrollment: Enrollment) -> HttpResponse:
    return redirect(reverse("programmes:results", args=[course.pk]) + f"#result-{enrollment.pk}")


@require_POST
def results_score(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _guard(request, course):
        return denied
    enrollment = _enrollment(course, request.POST.get("enrollment"))
    # An Indonesian decimal comma (85,5) is a decimal point.
    score = request.POST.get("score", "").strip().replace(",", ".")
    posted = {"enrollment": request.POST.get("enrollment", ""), "key": request.POST.get("key", ""), "score": score}
    if enrollment is None:
        messages.error(request, _("Peserta tidak terdaftar di pelatihan ini."))
        return _results_page(request, course, posted=posted, status=400)
    try:
        entered = component_score_enter(
            enrollment=enrollment,
            key=request.POST.get("key", ""),
            score=score,
            note=request.POST.get("note", "").strip(),
            by=request.user,
        )
    except GraduationError as error:
        messages.error(request, error.message)
        return _results_page(request, course, posted=posted, status=400)
    messages.success(
        request,
        _("Nilai %(key)s %(name)s: %(score)s.")
        % {"key": entered.key, "name": enrollment.user.get_full_name(), "score": entered.score},
    )
    return _back(course, enrollment)


@require_POST
def results_decide(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _guard(request, course):
        return denied
    enrollment = _enrollment(course, request.POST.get("enrollment"))
    posted = {
        "enrollment": request.POST.get("enrollment", ""),
        "outcome": request.POST.get("outcome", ""),
        "reason": request.POST.get("reason", ""),
    }
    if enrollment is None:
        messages.error(request, _("Peserta tidak terdaftar di pelatihan ini."))
        return _results_page(request, course, posted=posted, status=400)
    try:
        decision = graduation_decide(
            enrollment=enrollment, outcome=posted["outcome"], reason=posted["reason"], by=request.user
        )
    except (GraduationError, CertificateError) as error:
        messages.error(request, error.message)
        return _results_page(request, course, posted=posted, status=400)
    name = enrollment.user.get_full_name()
    if decision.outcome == GraduationOutcome.PASSED:
        certificate = Certificate.objects.get(enrollment=enrollment)
        messages.success(
            request,
            _("%(name)s dinyatakan lulus (%(predicate)s). STTPP %(number)s terbit.")
            % {"name": name, "predicate": decision.predicate, "number": certificate.number},
        )
    else:
        messages.success(
            request,
            _("Keputusan untuk %(name)s dicatat: %(outcome)s.")
            % {"name": name, "outcome": decision.get_outcome_display()},
        )
    return _back(course, enrollment)


def _number(value):
    # A number in the spreadsheet, not text, so that it can be summed and sorted.
    return None if value is None else float(value)


@require_GET
def results_xlsx(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _guard(request, course):
        return denied
    components = list(course.assessment_components.all())
    header = [
        _("Peserta"),
        _("NIP"),
        _("Unit kerja"),
        *[f"{c.name} ({c.weight.normalize():f}%)" for c in components],
        _("Nilai akhir"),
        _("Predikat"),
        _("Kelengkapan"),
        _("Keputusan"),
        _("Alasan"),
        _("Nomor STTPP"),
    ]
    table = []
    for row in _rows(course):
        result, decision, certificate = row["result"], row["decision"], row["certificate"]
        user = result.enrollment.user
        table.append(
            [
                user.full_name,
                user.nip,
                str(user.work_unit) if user.work_unit_id else "",
                *[_number(c.score) for c in result.components],
                _number(result.final),
                result.predicate,
                _("lengkap") if result.complete else _("belum lengkap"),
                decision.get_outcome_display() if decision else "",
                decision.reason if decision else "",
                certificate.number if certificate else "",
            ]
        )
    return table_response(filename=f"hasil-akhir-{course.pk}", header=header, rows=table, fmt="xlsx", title=_("Hasil"))


@require_GET
def score_sheets(request: HttpRequest, course_id: int) -> HttpResponse:
    """Printable scoring sheets: one per participant × current examiner; a submitted sheet prints its scores and
    the criteria as they were scored, an unsubmitted one prints blank boxes to fill in by hand."""
    course = _course(course_id)
    if denied := _guard(request, course):
        return denied
    participants = course_guide_rows(course=course)
    only = request.GET.get("enrollment")
    if only is not None:
        if not only.isdigit():
            raise Http404
        participants = [p for p in participants if p.enrollment.pk == int(only)]
        if not participants:
            raise Http404
    ids = [p.enrollment.pk for p in participants]
    sheets = {
        (s.enrollment_id, s.examiner_id): s
        for s in SeminarScoreSheet.objects.filter(enrollment_id__in=ids, submitted_at__isnull=False)
    }
    slots: dict[int, SeminarSlot] = {}
    for slot in SeminarSlot.objects.filter(enrollment_id__in=ids).select_related("session").order_by("starts_at"):
        slots.setdefault(slot.enrollment_id, slot)
    criteria = [{"name": c.name, "weight": c.weight, "key": c.key} for c in course.seminar_criteria.all()]
    pages = []
    for participant in participants:
        for guide in participant.examiners:
            sheet = sheets.get((participant.enrollment.pk, guide.user_id))
            rows = (
                [
                    {"name": c["name"], "weight": c["weight"], "score": sheet.scores.get(c["key"])}
                    for c in sheet.criteria
                ]
                if sheet
                else [{**c, "score": None} for c in criteria]
            )
            pages.append(
                {
                    "enrollment": participant.enrollment,
                    "examiner": guide.user,
                    "slot": slots.get(participant.enrollment.pk),
                    "rows": rows,
                    "sheet": sheet,
                }
            )
    context = {"course": course, "pages": pages, "without_panel": [p for p in participants if not p.examiners]}
    return TemplateResponse(request, "programmes/sheet_print.html", context)


# Paths under /program/..., names in the "programmes" namespace.
urlpatterns: list = [
    path("program/<int:course_id>/hasil/", results, name="results"),
    path("program/<int:course_id>/hasil/nilai/", results_score, name="results_score"),
    path("program/<int:course_id>/hasil/keputusan/", results_decide, name="results_decide"),
    path("program/<int:course_id>/hasil.xlsx", results_xlsx, name="results_xlsx"),
    path("program/<int:course_id>/lembar-nilai/", score_sheets, name="score_sheets"),
]
