"""Running a course: the kelola page (cohort, progress table) and its exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.access import user_can_manage_cohort, user_can_manage_course
from lms.cohorts.forms import ClassCreateForm
from lms.cohorts.selectors import (
    course_classes,
    course_withdrawn_enrollments,
    progress_class_filter,
    user_teaches_classes,
)
from lms.exports import table_response
from lms.forms import BulkEnrollmentForm
from lms.models import CoursePage
from lms.selectors import course_certificates, course_progress_table
from lms.services import enrollment_bulk_import
from lms.views.courses import _page_response
from lms.views.errors import forbidden


def _manager_only(request: HttpRequest, course: CoursePage) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_can_manage_course(request.user, course):
        return forbidden(
            request, _("Hanya pengajar pelatihan ini dan administrator yang dapat membuka halaman ini."), page=course
        )
    return None


def course_manage(request: HttpRequest, course: CoursePage) -> HttpResponse:
    denied = _manager_only(request, course)
    if denied:
        return denied
    report = None
    form = BulkEnrollmentForm()
    if request.method == "POST":
        form = BulkEnrollmentForm(request.POST, request.FILES)
        if form.is_valid():
            report = enrollment_bulk_import(
                course=course, csv_text=form.cleaned_data["csv_file"], enrolled_by=request.user
            )
            if report.ok:
                messages.success(request, _("%(n)d peserta didaftarkan.") % {"n": report.count("enrolled")})
            else:
                messages.error(request, report.error or _("Tidak ada yang didaftarkan: perbaiki baris bertanda."))
    class_filter = progress_class_filter(course=course, user=request.user, value=request.GET.get("kelas"))
    items, rows = course_progress_table(course=course, course_class_ids=class_filter.class_ids)
    can_manage_cohort = user_can_manage_cohort(request.user, course)
    return _page_response(
        request,
        course,
        "lms/course_manage.html",
        {
            "course": course,
            "items": items,
            "rows": rows,
            "form": form,
            "report": report,
            "certificates": course_certificates(course=course),
            "classes": course_classes(course=course),
            "course_class": class_filter.course_class,
            "class_filter": class_filter,
            "teaches_classes": user_teaches_classes(course=course, user=request.user),
            "can_manage_cohort": can_manage_cohort,
            "class_form": ClassCreateForm() if can_manage_cohort else None,
            "withdrawn": course_withdrawn_enrollments(course=course) if can_manage_cohort else [],
        },
        status=400 if report is not None and not report.ok else 200,
    )


def course_progress_csv(request: HttpRequest, course: CoursePage) -> HttpResponse:
    denied = _manager_only(request, course)
    if denied:
        return denied
    class_filter = progress_class_filter(course=course, user=request.user, value=request.GET.get("kelas"))
    items, rows = course_progress_table(course=course, course_class_ids=class_filter.class_ids)
    header = ["NIP", _("Nama"), _("Unit kerja"), _("Status"), _("Selesai"), *[i.title for i in items]]
    body = (
        [
            row.user.nip,
            row.user.full_name,
            str(row.user.work_unit or ""),
            row.enrollment.get_status_display(),
            f"{row.completed}/{len(items)}",
            *[_cell_text(cell) for cell in row.cells],
        ]
        for row in rows
    )
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return table_response(filename=f"kemajuan-{course.slug}", header=header, rows=body, fmt=fmt, title=course.title)


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if cell.completed_at:
        return timezone.localtime(cell.completed_at).strftime("%Y-%m-%d %H:%M")
    return cell.get_status_display()
