"""The change project and its logbook: the participant's page (plan, reviews, milestones, logbook), the coach's
and mentor's answers on the same page, logbook files, and the course manager's list with its XLSX."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.access import (
    user_can_review_project,
    user_can_run_programme,
    user_can_view_participant,
    user_can_write_project,
    user_guide_roles,
)
from lms.exports import table_response
from lms.files import accepted_extensions, stored_file_response
from lms.models import CoursePage, Enrollment
from lms.programmes.models import (
    CoreValue,
    LogbookFile,
    Milestone,
    MilestoneTerm,
    ProjectKind,
    ProjectStatus,
    ReviewDecision,
)
from lms.programmes.projects import (
    EDITABLE,
    LOGBOOK_KINDS,
    MilestoneInput,
    ProjectError,
    ProjectState,
    course_projects,
    logbook_add,
    milestone_comment,
    milestone_confirm,
    project_for_page,
    project_kind_for,
    project_review,
    project_save_draft,
    project_status,
    project_submit,
)
from lms.programmes.views.common import refused
from lms.views.errors import forbidden

EXTRA_ROWS = 2
MILESTONE_ROWS_MAX = 40


def _enrollment(enrollment_id: int) -> Enrollment:
    enrollment = Enrollment.objects.select_related("user", "course").filter(pk=enrollment_id).first()
    if enrollment is None:
        raise Http404
    return enrollment


def _page_url(enrollment: Enrollment) -> str:
    return reverse("programmes:project", args=[enrollment.pk])


_guard = refused


def _milestone_rows(post) -> list[MilestoneInput]:
    rows = []
    try:
        count = min(int(post.get("m-total", 0)), MILESTONE_ROWS_MAX)
    except ValueError:
        count = 0
    for i in range(count):
        prefix = f"m-{i}-"
        raw_pk, raw_due = post.get(prefix + "pk", ""), post.get(prefix + "due_on", "")
        try:
            due_on = datetime.date.fromisoformat(raw_due) if raw_due else None
        except ValueError:
            due_on = None
        rows.append(
            MilestoneInput(
                pk=int(raw_pk) if raw_pk.isdigit() else None,
                title=post.get(prefix + "title", ""),
                description=post.get(prefix + "description", ""),
                term=post.get(prefix + "term", MilestoneTerm.SHORT),
                due_on=due_on,
                core_value=post.get(prefix + "core_value", ""),
                remove=bool(post.get(prefix + "remove")),
            )
        )
    return rows


@require_http_methods(["GET", "POST"])
def project_page(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _guard(
        request, user_can_view_participant(request.user, enrollment), _("Halaman ini milik peserta dan pembimbingnya.")
    ):
        return denied
    if request.method == "POST":
        if not user_can_write_project(request.user, enrollment):
            return forbidden(request, _("Hanya peserta yang dapat menyusun rancangan proyeknya."))
        try:
            project = project_save_draft(
                enrollment=enrollment,
                by=request.user,
                title=request.POST.get("title", ""),
                problem=request.POST.get("problem", ""),
                objectives=request.POST.get("objectives", ""),
                stakeholders=request.POST.get("stakeholders", ""),
                milestones=_milestone_rows(request.POST),
            )
            if request.POST.get("submit"):
                project_submit(project=project, by=request.user)
                messages.success(request, _("Rancangan diajukan kepada coach dan mentor."))
            else:
                messages.success(request, _("Rancangan disimpan."))
        except ProjectError as error:
            messages.error(request, error.message)
        return redirect(_page_url(enrollment))
    project = project_for_page(enrollment)
    milestones = list(project.milestones.all()) if project else []
    current = [m for m in milestones if m.removed_at is None]
    roles = user_guide_roles(request.user, enrollment)
    kind = project.kind if project else project_kind_for(enrollment)
    context = {
        "enrollment": enrollment,
        "course": enrollment.course,
        "project": project,
        "milestones": current,
        "removed_milestones": [m for m in milestones if m.removed_at is not None],
        "state": project_status(project),
        "state_labels": ProjectState.LABELS,
        "habituation": kind == ProjectKind.HABITUATION,
        "can_write": user_can_write_project(request.user, enrollment),
        "editable": project is None or project.status in EDITABLE,
        "approved": project is not None and project.status == ProjectStatus.APPROVED,
        "can_review": user_can_review_project(request.user, enrollment),
        "roles": roles,
        "form_rows": current + [None] * EXTRA_ROWS,
        "row_total": len(current) + EXTRA_ROWS,
        "terms": MilestoneTerm.choices,
        "core_values": CoreValue.choices,
        "decisions": ReviewDecision.choices,
        "accept": ",".join("." + ext for ext in accepted_extensions(LOGBOOK_KINDS)),
        "manage": user_can_run_programme(request.user, enrollment.course),
    }
    return TemplateResponse(request, "programmes/project.html", context)


@require_POST
def project_review_view(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _guard(
        request, user_can_review_project(request.user, enrollment), _("Hanya coach atau mentor peserta ini.")
    ):
        return denied
    project = getattr(enrollment, "change_project", None)
    if project is None:
        raise Http404
    try:
        project_review(
            project=project,
            reviewer=request.user,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, _("Keputusan disimpan."))
    except ProjectError as error:
        messages.error(request, error.message)
    return redirect(_page_url(enrollment))


def _milestone(enrollment: Enrollment, milestone_id: int) -> Milestone:
    milestone = (
        Milestone.objects.select_related("project__enrollment__course")
        .filter(pk=milestone_id, project__enrollment=enrollment)
        .first()
    )
    if milestone is None:
        raise Http404
    return milestone


@require_POST
def logbook_add_view(request: HttpRequest, enrollment_id: int, milestone_id: int) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _guard(
        request, user_can_write_project(request.user, enrollment), _("Hanya peserta yang dapat mengisi logbook.")
    ):
        return denied
    milestone = _milestone(enrollment, milestone_id)
    try:
        logbook_add(
            milestone=milestone,
            author=request.user,
            text=request.POST.get("text", ""),
            files=request.FILES.getlist("files"),
        )
        messages.success(request, _("Catatan logbook disimpan."))
    except ProjectError as error:
        messages.error(request, error.message)
    return redirect(_page_url(enrollment) + f"#tahapan-{milestone.pk}")


@require_POST
def milestone_comment_view(request: HttpRequest, enrollment_id: int, milestone_id: int) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _guard(
        request, user_can_review_project(request.user, enrollment), _("Hanya coach atau mentor peserta ini.")
    ):
        return denied
    milestone = _milestone(enrollment, milestone_id)
    try:
        milestone_comment(milestone=milestone, author=request.user, text=request.POST.get("text", ""))
        messages.success(request, _("Komentar disimpan."))
    except ProjectError as error:
        messages.error(request, error.message)
    return redirect(_page_url(enrollment) + f"#tahapan-{milestone.pk}")


@require_POST
def milestone_confirm_view(request: HttpRequest, enrollment_id: int, milestone_id: int) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _guard(
        request, user_can_review_project(request.user, enrollment), _("Hanya coach atau mentor peserta ini.")
    ):
        return denied
    milestone = _milestone(enrollment, milestone_id)
    try:
        milestone_confirm(milestone=milestone, by=request.user)
        messages.success(request, _("Tahapan dikonfirmasi."))
    except ProjectError as error:
        messages.error(request, error.message)
    return redirect(_page_url(enrollment) + f"#tahapan-{milestone.pk}")


@require_GET
def logbook_file_view(request: HttpRequest, file_id: int) -> HttpResponse:
    stored = (
        LogbookFile.objects.select_related("entry__milestone__project__enrollment__course").filter(pk=file_id).first()
    )
    if stored is None:
        raise Http404
    enrollment = stored.entry.milestone.project.enrollment
    if denied := _guard(
        request, user_can_view_participant(request.user, enrollment), _("Berkas ini milik peserta dan pembimbingnya.")
    ):
        return denied
    return stored_file_response(stored=stored.file, filename=stored.name, content_type=stored.content_type)


@require_GET
def course_projects_view(request: HttpRequest, course_id: int) -> HttpResponse:
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    if denied := _guard(
        request, user_can_run_programme(request.user, course), _("Hanya pengelola pelatihan ini yang dapat melihatnya.")
    ):
        return denied
    rows = course_projects(course=course, today=timezone.localdate())
    if request.GET.get("format") == "xlsx":
        header = [_("Peserta"), _("NIP"), _("Judul"), _("Coach"), _("Mentor"), _("Status"), _("Tahapan terkonfirmasi")]
        table = [
            [
                row.enrollment.user.full_name,
                row.enrollment.user.nip,
                row.project.title if row.project else "",
                row.coach,
                row.mentor,
                row.state_label,
                f"{row.confirmed}/{row.total}",
            ]
            for row in rows
        ]
        return table_response(
            filename=f"proyek-perubahan-{course.pk}", header=header, rows=table, fmt="xlsx", title=_("Proyek")
        )
    return TemplateResponse(request, "programmes/project_list.html", {"course": course, "rows": rows})


# Paths under /program/..., names in the "programmes" namespace.
urlpatterns: list = [
    path("program/peserta/<int:enrollment_id>/proyek/", project_page, name="project"),
    path("program/peserta/<int:enrollment_id>/proyek/tinjau/", project_review_view, name="project_review"),
    path(
        "program/peserta/<int:enrollment_id>/proyek/tahapan/<int:milestone_id>/logbook/",
        logbook_add_view,
        name="logbook_add",
    ),
    path(
        "program/peserta/<int:enrollment_id>/proyek/tahapan/<int:milestone_id>/komentar/",
        milestone_comment_view,
        name="milestone_comment",
    ),
    path(
        "program/peserta/<int:enrollment_id>/proyek/tahapan/<int:milestone_id>/konfirmasi/",
        milestone_confirm_view,
        name="milestone_confirm",
    ),
    path("program/berkas-logbook/<int:file_id>/", logbook_file_view, name="logbook_file"),
    path("program/<int:course_id>/proyek/", course_projects_view, name="course_projects"),
]
