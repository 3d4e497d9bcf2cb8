"""The instructor's side of assignments: the grading queue, grading with a rubric, the ZIP of submissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lms.access import user_can_grade_assignment
from lms.assignments.grading import GradingError, rubric_criteria, submission_grade
from lms.assignments.grading_forms import RUBRIC_FIELD, GradeForm
from lms.assignments.models import AssignmentPage, Submission
from lms.assignments.selectors import (
    grading_queue as grading_queue_get,
)
from lms.assignments.selectors import (
    submission_for_grading,
    submission_grades,
    submission_label,
    submission_next_ungraded,
    submission_versions,
)
from lms.assignments.zips import submissions_zip_build
from lms.views.errors import forbidden

QUEUE_PAGE_SIZE = 50
DENIED = _("Hanya pengajar pelatihan ini dan administrator yang dapat menilai tugas.")


def _queue_url(assignment_id: int | None = None) -> str:
    url = reverse("assignments:queue")
    return f"{url}?tugas={assignment_id}" if assignment_id else url


def _grader_denied(request: HttpRequest, assignment: AssignmentPage) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_can_grade_assignment(request.user, assignment):
        return forbidden(request, DENIED)
    return None


@require_GET
def grading_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_instructor or request.user.is_administrator):
        return forbidden(request, DENIED)
    queue = grading_queue_get(
        user=request.user, assignment_id=request.GET.get("tugas"), class_id=request.GET.get("kelas")
    )
    page = Paginator(queue.submissions, QUEUE_PAGE_SIZE).get_page(request.GET.get("halaman"))
    filters = "&".join(
        part
        for part in (
            f"tugas={queue.assignment.pk}" if queue.assignment else "",
            f"kelas={queue.course_class.pk}" if queue.course_class else "",
        )
        if part
    )
    return TemplateResponse(
        request,
        "assignments/grading_queue.html",
        {"queue": queue, "page_obj": page, "filters": filters, "total": sum(queue.counts.values())},
    )


def _rubric_rows(form: GradeForm) -> list[dict]:
    """The rubric for the template: per criterion its field name, levels and the level chosen (if any)."""
    rows = []
    for index, criterion in enumerate(form.criteria):
        name = RUBRIC_FIELD.format(index)
        chosen = form.data.get(name) if form.is_bound else None
        rows.append(
            {
                "index": index,
                "name": name,
                "criterion": criterion,
                "levels": [
                    {"index": n, "level": level, "checked": chosen == str(n)}
                    for n, level in enumerate(criterion.levels)
                ],
            }
        )
    return rows


def _grade_page(
    request: HttpRequest, submission: Submission, form: GradeForm, *, status: int = 200, error: str = ""
) -> TemplateResponse:
    assignment = submission.assignment
    versions = submission_versions(submission=submission)
    next_submission = submission_next_ungraded(submission=submission)
    return TemplateResponse(
        request,
        "assignments/grade.html",
        {
            "submission": submission,
            "assignment": assignment,
            "course": assignment.get_parent(),
            "label": submission_label(submission=submission),
            "members": submission.member_enrollments() if submission.group_id else [],
            "latest": versions[0] if versions else None,
            "earlier": versions[1:],
            "grades": submission_grades(submission=submission),
            "form": form,
            "rubric_rows": _rubric_rows(form),
            "error": error,
            "next_submission": next_submission,
            "queue_url": _queue_url(assignment.pk),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def submission_grade_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_for_grading(submission_id=submission_id)
    if submission is None:
        raise Http404
    if denied := _grader_denied(request, submission.assignment):
        return denied
    criteria = rubric_criteria(assignment=submission.assignment)
    if request.method == "GET":
        latest = submission.latest_version
        form = GradeForm(criteria=criteria, initial={"version": latest.pk if latest else None})
        return _grade_page(request, submission, form)

    form = GradeForm(request.POST, request.FILES, criteria=criteria)
    if not form.is_valid():
        return _grade_page(request, submission, form, status=400, error=_("Periksa isian yang ditandai."))
    version = submission.versions.filter(pk=form.cleaned_data["version"]).first()
    if version is None:
        return _grade_page(request, submission, form, status=400, error=_("Versi pengumpulan ini tidak ditemukan."))
    try:
        grade = submission_grade(
            submission=submission,
            version=version,
            by=request.user,
            decision=form.cleaned_data["decision"],
            score=form.cleaned_data["score"],
            rubric_choices=form.rubric_choices(),
            feedback=form.cleaned_data["feedback"],
            returned_file=form.cleaned_data["returned_file"],
        )
    except GradingError as exc:
        return _grade_page(request, submission, form, status=400, error=exc.message)
    label = submission_label(submission=submission)
    if grade.decision == "revision":
        messages.success(request, _("Permintaan revisi dikirim ke %(who)s.") % {"who": label})
    else:
        messages.success(request, _("Nilai %(score)s disimpan untuk %(who)s.") % {"score": grade.score, "who": label})
    next_submission = submission_next_ungraded(submission=submission)
    if next_submission is not None:
        return redirect("assignments:grade", submission_id=next_submission.pk)
    messages.info(request, _("Semua pengumpulan tugas ini sudah dinilai."))
    return redirect(_queue_url(submission.assignment_id))


@require_GET
def submissions_zip(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = AssignmentPage.objects.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404
    if denied := _grader_denied(request, assignment):
        return denied
    archive = submissions_zip_build(assignment=assignment)
    response = FileResponse(
        archive, as_attachment=True, filename=f"tugas-{assignment.slug}.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
