"""The learner's side of an assignment: the page, handing in, and the files of a submission."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.access import user_can_manage_course, user_can_open_submission
from lms.assignments.forms import SubmissionForm
from lms.assignments.models import AssignmentPage, Grade, Submission, SubmissionStatus
from lms.assignments.selectors import grade_get, submission_file_get, submission_history, submission_of_learner
from lms.assignments.services import SubmissionError, submission_submit
from lms.files import TYPE_BY_EXTENSION, accepted_extensions, stored_file_response
from lms.models import Enrollment, EnrollmentStatus
from lms.selectors import course_path
from lms.services import progress_item_viewed
from lms.views.courses import _item_context, _open_item, _page_response


def _rubric_rows(grade: Grade | None) -> list[dict]:
    """The rubric as graded (its snapshot): per criterion the level chosen, its points and the maximum."""
    rows = []
    for criterion in (grade.rubric_scores if grade else None) or []:
        levels = criterion.get("levels") or []
        chosen = criterion.get("chosen")
        level = levels[chosen] if isinstance(chosen, int) and 0 <= chosen < len(levels) else None
        rows.append(
            {
                "name": criterion.get("name", ""),
                "level": level.get("label", "") if level else "",
                "points": level.get("points", "") if level else "",
                "max_points": max((str(lv.get("points", "0")) for lv in levels), key=float, default="0"),
            }
        )
    return rows


def _assignment_context(
    request: HttpRequest, assignment: AssignmentPage, enrollment: Enrollment | None, form: SubmissionForm | None
) -> dict:
    now = timezone.now()
    course = assignment.get_parent()
    can_manage = user_can_manage_course(request.user, course.specific)
    group = None
    submission: Submission | None = None
    if enrollment is not None and assignment.pk:
        submission = submission_of_learner(assignment=assignment, enrollment=enrollment)
        if assignment.is_group:
            from lms.cohorts.selectors import enrollment_group

            group = enrollment_group(enrollment=enrollment)
    versions = submission_history(submission=submission) if submission else []
    latest_grade = submission.latest_grade if submission else None
    passed = (
        submission is not None
        and submission.status == SubmissionStatus.GRADED
        and submission.score is not None
        and submission.score >= assignment.pass_mark
    )
    is_open = assignment.is_open(now)
    can_submit = (
        enrollment is not None
        and enrollment.status == EnrollmentStatus.ACTIVE
        and is_open
        and not passed
        and (group is not None or not assignment.is_group)
    )
    return {
        "now": now,
        "is_open": is_open,
        "is_late": assignment.is_late(now),
        "can_manage": can_manage,
        "queue_url": f"{reverse('assignments:queue')}?tugas={assignment.pk}" if can_manage and assignment.pk else "",
        "group": group,
        "group_members": [m.enrollment.user for m in group.memberships.select_related("enrollment__user")]
        if group
        else [],
        "submission": submission,
        "versions": versions,
        "latest_grade": latest_grade,
        "rubric_rows": _rubric_rows(latest_grade),
        "passed": passed,
        "can_submit": can_submit,
        "form": (form or SubmissionForm(assignment=assignment)) if can_submit else None,
        "extensions": [ext.upper() for ext in accepted_extensions(assignment.accepted_kinds)],
        "extensions_accept": ",".join(f".{ext}" for ext in accepted_extensions(assignment.accepted_kinds)),
        "max_mb": min(assignment.max_file_mb, settings.SIGER_ASSIGNMENT_MAX_MB),
    }


def _render(
    request: HttpRequest,
    assignment: AssignmentPage,
    course,
    path,
    enrollment: Enrollment | None,
    *,
    form: SubmissionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _item_context(assignment, course, path, enrollment)
    context.update(_assignment_context(request, assignment, enrollment, form))
    context["error"] = error
    return _page_response(request, assignment, assignment.get_template(request), context, status=status)


def assignment_detail(request: HttpRequest, assignment: AssignmentPage) -> HttpResponse:
    course, path, enrollment, denied = _open_item(request, assignment)
    if denied:
        return denied
    if enrollment is not None and not getattr(request, "is_preview", False):
        # Opening starts the step; only a grade at the pass mark completes it (CompletionRule.GRADED).
        progress_item_viewed(enrollment=enrollment, item=assignment)
        path = course_path(course=course, enrollment=enrollment)
    return _render(request, assignment, course, path, enrollment)


@require_POST
def assignment_submit(request: HttpRequest, assignment: AssignmentPage) -> HttpResponse:
    course, path, enrollment, denied = _open_item(request, assignment)
    if denied:
        return denied
    if enrollment is None:
        messages.info(request, _("Hanya peserta pelatihan yang mengumpulkan tugas."))
        return redirect(assignment.url)
    form = SubmissionForm(request.POST, request.FILES, assignment=assignment)
    if not form.is_valid():
        return _render(request, assignment, course, path, enrollment, form=form, error=form.first_error(), status=400)
    try:
        submission = submission_submit(
            assignment=assignment,
            enrollment=enrollment,
            files=form.cleaned_data.get("uploads") or [],
            text=form.cleaned_data.get("text") or "",
            by=request.user,
        )
    except SubmissionError as error:
        return _render(request, assignment, course, path, enrollment, form=form, error=error.message, status=400)
    version = submission.latest_version
    if version is not None and version.is_late:
        messages.warning(
            request, _("Tugas terkirim (versi %(n)s), ditandai terlambat. Menunggu penilaian.") % {"n": version.number}
        )
    else:
        messages.success(request, _("Tugas terkirim (versi %(n)s). Menunggu penilaian.") % {"n": version.number})
    return redirect(assignment.url)


@require_GET
def submission_file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    stored = submission_file_get(file_id=file_id)
    # Someone else's file answers as if it did not exist.
    if stored is None or not user_can_open_submission(request.user, stored.version.submission):
        raise Http404
    return stored_file_response(stored=stored.file, filename=stored.original_name, content_type=stored.content_type)


@require_GET
def returned_file_download(request: HttpRequest, grade_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    grade = grade_get(grade_id=grade_id)
    if grade is None or not grade.returned_file or not user_can_open_submission(request.user, grade.submission):
        raise Http404
    file_type = TYPE_BY_EXTENSION.get(grade.returned_extension)
    return stored_file_response(
        stored=grade.returned_file,
        filename=grade.returned_name or f"umpan-balik.{grade.returned_extension}",
        content_type=file_type.content_type if file_type else "application/octet-stream",
    )
