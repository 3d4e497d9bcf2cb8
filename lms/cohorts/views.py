"""The kelola page's "Kelas & peserta" actions: create a class, assign participants, withdraw, reinstate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.access import user_can_manage_cohort
from lms.cohorts.forms import ClassAssignForm, ClassCreateForm, EnrollmentChangeForm
from lms.cohorts.models import CourseClass
from lms.cohorts.selectors import enrollment_class, enrollment_history
from lms.cohorts.services import (
    CohortError,
    class_members_assign,
    course_class_create,
    enrollment_reinstate,
    enrollment_withdraw,
)
from lms.models import CoursePage, Enrollment
from lms.views.errors import forbidden

DENIED = _("Hanya administrator yang dapat mengatur kelas dan pengunduran diri peserta.")


def _course(course_id: int) -> CoursePage:
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def _enrollment(enrollment_id: int) -> Enrollment:
    enrollment = Enrollment.objects.select_related("user", "course").filter(pk=enrollment_id).first()
    if enrollment is None:
        raise Http404
    return enrollment


def _denied(request: HttpRequest, course: CoursePage) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_can_manage_cohort(request.user, course):
        return forbidden(request, DENIED, page=course)
    return None


def _manage_url(course: CoursePage) -> str:
    return course.url + course.reverse_subpage("manage")


@require_POST
def class_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _denied(request, course):
        return denied
    form = ClassCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi nama kelas (maksimal 80 karakter)."))
        return redirect(_manage_url(course))
    try:
        course_class = course_class_create(
            course=course, name=form.cleaned_data["name"], code=form.cleaned_data["code"]
        )
    except CohortError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Kelas %(kelas)s dibuat.") % {"kelas": course_class.name})
    return redirect(_manage_url(course))


@require_POST
def class_assign(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _denied(request, course):
        return denied
    ids = list(Enrollment.objects.current().filter(course=course).values_list("pk", flat=True))
    form = ClassAssignForm(request.POST, enrollment_ids=ids)
    course_class = None
    if form.is_valid():
        course_class = CourseClass.objects.filter(course=course, pk=form.cleaned_data["course_class"]).first()
    if course_class is None:
        messages.error(request, _("Pilih kelas dan sedikitnya satu peserta pelatihan ini."))
        return redirect(_manage_url(course))
    enrollments = list(Enrollment.objects.filter(pk__in=form.cleaned_data["enrollment"], course=course))
    changed = class_members_assign(course_class=course_class, enrollments=enrollments, by=request.user)
    messages.success(request, _("%(n)d peserta ditetapkan ke %(kelas)s.") % {"n": changed, "kelas": course_class.name})
    return redirect(_manage_url(course) + f"?kelas={course_class.pk}")


def _detail(request: HttpRequest, enrollment: Enrollment, form: EnrollmentChangeForm, status: int = 200):
    return TemplateResponse(
        request,
        "cohorts/enrollment_detail.html",
        {
            "enrollment": enrollment,
            "course": enrollment.course,
            "course_class": enrollment_class(enrollment=enrollment),
            "history": enrollment_history(enrollment=enrollment),
            "form": form,
            "manage_url": _manage_url(enrollment.course),
        },
        status=status,
    )


@require_GET
def enrollment_detail(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _denied(request, enrollment.course):
        return denied
    return _detail(request, enrollment, EnrollmentChangeForm())


def _change(request: HttpRequest, enrollment_id: int, service, done: str) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _denied(request, enrollment.course):
        return denied
    form = EnrollmentChangeForm(request.POST)
    if not form.is_valid():
        return _detail(request, enrollment, form, status=400)
    try:
        service(
            enrollment=enrollment,
            by=request.user,
            reason=form.cleaned_data["reason"],
            effective_on=form.cleaned_data["effective_on"],
        )
    except CohortError as error:
        form.add_error(None, error.message)
        return _detail(request, enrollment, form, status=400)
    messages.success(request, done % {"nama": enrollment.user.full_name or enrollment.user.nip})
    return redirect("cohorts:enrollment_detail", enrollment_id=enrollment.pk)


@require_POST
def enrollment_withdraw_view(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    return _change(request, enrollment_id, enrollment_withdraw, _("%(nama)s diundurkan dari pelatihan."))


@require_POST
def enrollment_reinstate_view(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    return _change(request, enrollment_id, enrollment_reinstate, _("%(nama)s diaktifkan kembali."))
