"""Thin views: parse input, call one service or selector, render."""

from __future__ import annotations

import csv
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.documents import get_document_model
from wagtail.documents.views.serve import serve as wagtail_document_serve

from content.ranges import RangeNotSatisfiable, byte_range_parse, partial_response, range_not_satisfiable
from lms import calendar
from lms.access import ItemAccess, item_access, user_can_manage_course, user_can_view_agency_reports
from lms.auth import login_identifier_normalize, login_success_record
from lms.forms import BulkEnrollmentForm, LoginForm, PasswordResetRequestForm
from lms.models import CoursePage, LiveSessionPage, ModulePage
from lms.selectors import (
    course_certificates,
    course_path,
    course_progress_table,
    dashboard_for,
    enrollment_get,
    work_unit_jp_report,
)
from lms.services import (
    EnrollmentError,
    ProgressError,
    enrollment_bulk_import,
    enrollment_create,
    progress_item_viewed,
    progress_mark_done,
)


class LoginView(auth_views.LoginView):
    template_name = "lms/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Siger's one password reset (the admin's redirects here): NIP or email, throttled like the login."""

    template_name = "lms/password_reset_form.html"
    form_class = PasswordResetRequestForm
    email_template_name = "lms/password_reset_email.txt"
    subject_template_name = "lms/password_reset_subject.txt"
    success_url = reverse_lazy("lms:password_reset_done")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        # Links point at SIGER_BASE_URL, never at the Host header a request happened to carry (the player's host
        # is in ALLOWED_HOSTS too). Django's view passes neither domain_override nor use_https to save(): this
        # does, and then only redirects.
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_name": settings.WAGTAIL_SITE_NAME},
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "lms/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "lms/password_reset_confirm.html"
    success_url = reverse_lazy("lms:password_reset_complete")

    def form_valid(self, form):
        # The owner proved they hold the account's email: a lock an attacker left on it no longer applies.
        login_success_record(f"user:{self.user.pk}")  # the bucket login_account_key() gives its NIP and email
        for identifier in (self.user.nip, self.user.email):
            if identifier:
                login_success_record(login_identifier_normalize(identifier))
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "lms/password_reset_complete.html"


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


def _forbidden(request: HttpRequest, page, reason: str, course: CoursePage) -> TemplateResponse:
    return _page_response(request, page, "lms/forbidden.html", {"reason": reason, "course": course}, status=403)


def _open_item(request: HttpRequest, item: ModulePage | LiveSessionPage):
    """Resolve access to a path step: (course, path, enrollment, None) or (.., .., .., error response)."""
    course = item.get_parent().specific
    if not request.user.is_authenticated:
        return course, None, None, redirect_to_login(request.get_full_path())
    verdict, path = item_access(request.user, item, course=course)
    if verdict is ItemAccess.NOT_ENROLLED:
        return course, path, None, _forbidden(request, item, "not_enrolled", course)
    if verdict is ItemAccess.LOCKED:
        return course, path, None, _forbidden(request, item, "locked", course)
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
    data = dashboard_for(user=request.user, jp_target=settings.SIGER_JP_TARGET_PER_YEAR)
    return TemplateResponse(request, "lms/dashboard.html", {"dashboard": data})


@login_required
def dashboard_ics(request: HttpRequest) -> HttpResponse:
    data = dashboard_for(user=request.user, jp_target=settings.SIGER_JP_TARGET_PER_YEAR)
    body = calendar.ics_calendar(data.upcoming_sessions, base_url=request.build_absolute_uri("/"))
    return _ics_response(body, "jadwal-siger.ics")


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
    items, rows = course_progress_table(course=course)
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
        },
        status=400 if report is not None and not report.ok else 200,
    )


def course_progress_csv(request: HttpRequest, course: CoursePage) -> HttpResponse:
    denied = _manager_only(request, course)
    if denied:
        return denied
    items, rows = course_progress_table(course=course)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kemajuan-{course.slug}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(["NIP", _("Nama"), _("Unit kerja"), _("Status"), _("Selesai"), *[i.title for i in items]])
    for row in rows:
        writer.writerow(
            [
                row.user.nip,
                _csv_safe(row.user.full_name),
                _csv_safe(str(row.user.work_unit or "")),
                row.enrollment.get_status_display(),
                f"{row.completed}/{len(items)}",
                *[_cell_text(cell) for cell in row.cells],
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in user-supplied text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if cell.completed_at:
        return timezone.localtime(cell.completed_at).strftime("%Y-%m-%d %H:%M")
    return cell.get_status_display()


@login_required
def work_unit_report(request: HttpRequest) -> HttpResponse:
    """JP per OPD this year (or ?tahun=YYYY), as a page or, with ?format=csv, a spreadsheet."""
    if not user_can_view_agency_reports(request.user):
        return forbidden(request, _("Laporan ini hanya untuk administrator."))
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("tahun", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year)
    target = settings.SIGER_JP_TARGET_PER_YEAR
    rows = work_unit_jp_report(year=year, jp_target=target)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="jp-per-opd-{year}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Unit kerja (OPD)"), _("ASN"), _("Mencapai target"), _("Persen"), _("Rata-rata JP")])
        for row in rows:
            writer.writerow([_csv_safe(row.name), row.members, row.reached_target, row.percent_reached, row.average_jp])
        return response
    return TemplateResponse(
        request,
        "lms/work_unit_report.html",
        {
            "rows": rows,
            "year": year,
            "target": target,
            "years": range(this_year, this_year - 5, -1),
        },
    )


# --- Doors that say no ---------------------------------------------------------------------------------------


def forbidden(request: HttpRequest, reason: str, *, page=None) -> TemplateResponse:
    """The site's 403 page: why, and where to go instead."""
    return TemplateResponse(request, "403.html", {"reason": reason, "page": page}, status=403)


def admin_login(request: HttpRequest) -> HttpResponse:
    """Where Wagtail sends whoever it refuses. Not logged in: Siger's login page. Logged in without admin access:
    a 403 page. Sending them to the login page, which returns a logged-in person to `next`, looped /admin/ ↔
    /masuk/ until the browser gave up."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if not request.user.is_authenticated:
        return redirect_to_login(next_url or reverse("wagtailadmin_home"))
    if request.user.has_perm("wagtailadmin.access_admin"):
        return redirect(next_url or "wagtailadmin_home")
    return forbidden(
        request,
        _(
            "Halaman admin hanya untuk widyaiswara dan administrator. Anda masuk sebagai %(name)s, yang tidak "
            "memiliki akses admin."
        )
        % {"name": request.user.get_full_name()},
    )


def document_serve(request: HttpRequest, document_id: str, document_filename: str) -> HttpResponse:
    """Wagtail's document view (whose before_serve_document hook in lms.wagtail_hooks decides access), marked so
    that no shared cache keeps a copy: what one learner may open, the next person through a proxy may not."""
    response = wagtail_document_serve(request, document_id, document_filename)
    if response.status_code == 200:
        response["Accept-Ranges"] = "bytes"
        if "Range" in request.headers:
            response = _document_range(request, response, document_id)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _document_range(request: HttpRequest, full: HttpResponse, document_id: str) -> HttpResponse:
    """One byte range of a local document (after the access check), as iOS Safari needs to play a video: it
    refuses media served without ranges. On S3 the presigned redirect gets ranges from the bucket itself."""
    document = get_document_model().objects.filter(pk=document_id).first()
    try:
        path = document.file.path
    except (AttributeError, NotImplementedError):
        return full
    if_range = request.headers.get("If-Range")
    if if_range and if_range != full.get("ETag"):
        return full  # the file changed since the client's first part: the whole file, always a correct answer
    size = os.path.getsize(path)
    try:
        byte_range = byte_range_parse(request.headers["Range"], size)
    except RangeNotSatisfiable:
        return range_not_satisfiable(size)
    if byte_range is None:
        return full
    start, end = byte_range
    # partial_response closes the file when the last chunk is sent or the client goes away.
    partial = partial_response(open(path, "rb"), start=start, end=end, size=size, content_type=full["Content-Type"])
    for header in ("Content-Disposition", "Content-Security-Policy", "X-Content-Type-Options", "ETag", "Last-Modified"):
        if header in full:
            partial[header] = full[header]
    # `full` is dropped unsent: its open file closes when it is collected. (Its close() would also announce the
    # end of the request, and the database connection would be closed under the rest of it.)
    return partial
