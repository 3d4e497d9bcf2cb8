"""The kelola page's "Kelas & peserta" actions: create a class, assign participants, withdraw, reinstate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.access import user_can_manage_cohort
from lms.cohorts.forms import (
    ClassAssignForm,
    ClassCreateForm,
    ClassInstructorForm,
    EnrollmentChangeForm,
    EnrollmentMoveForm,
    GroupAssignForm,
    GroupCreateForm,
)
from lms.cohorts.models import CourseClass, StudyGroup
from lms.cohorts.selectors import (
    class_groups,
    class_roster,
    course_instructor_candidates,
    enrollment_class,
    enrollment_group,
    enrollment_history,
    enrollment_move_targets,
    move_target_parse,
)
from lms.cohorts.services import (
    CohortError,
    class_instructor_add,
    class_instructor_remove,
    class_members_assign,
    course_class_create,
    enrollment_move,
    enrollment_reinstate,
    enrollment_withdraw,
    group_members_assign,
    group_members_remove,
    study_group_create,
)
from lms.models import CoursePage, Enrollment, User
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


def _move_form(enrollment: Enrollment, data=None) -> EnrollmentMoveForm:
    return EnrollmentMoveForm(data, targets=enrollment_move_targets(enrollment=enrollment), prefix="pindah")


def _detail(
    request: HttpRequest,
    enrollment: Enrollment,
    form: EnrollmentChangeForm,
    status: int = 200,
    move_form: EnrollmentMoveForm | None = None,
):
    course_class = enrollment_class(enrollment=enrollment)
    return TemplateResponse(
        request,
        "cohorts/enrollment_detail.html",
        {
            "enrollment": enrollment,
            "course": enrollment.course,
            "course_class": course_class,
            "group": enrollment_group(enrollment=enrollment, course_class=course_class) if course_class else None,
            "history": enrollment_history(enrollment=enrollment),
            "form": form,
            "move_form": move_form or _move_form(enrollment),
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


@require_POST
def enrollment_move_view(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = _enrollment(enrollment_id)
    if denied := _denied(request, enrollment.course):
        return denied
    move_form = _move_form(enrollment, request.POST)
    if not move_form.is_valid():
        return _detail(request, enrollment, EnrollmentChangeForm(), status=400, move_form=move_form)
    to_class, to_course = move_target_parse(value=move_form.cleaned_data["target"])
    try:
        change = enrollment_move(
            enrollment=enrollment,
            to_class=to_class,
            to_course=to_course,
            reason=move_form.cleaned_data["reason"],
            effective_on=move_form.cleaned_data["effective_on"],
            by=request.user,
        )
    except CohortError as error:
        move_form.add_error(None, error.message)
        return _detail(request, enrollment, EnrollmentChangeForm(), status=400, move_form=move_form)
    name = enrollment.user.full_name or enrollment.user.nip
    if change.to_enrollment_id:
        messages.success(
            request, _("%(nama)s dipindahkan ke %(pelatihan)s.") % {"nama": name, "pelatihan": to_course.title}
        )
        return redirect("cohorts:enrollment_detail", enrollment_id=change.to_enrollment_id)
    messages.success(request, _("%(nama)s dipindahkan ke %(kelas)s.") % {"nama": name, "kelas": to_class.name})
    return redirect("cohorts:enrollment_detail", enrollment_id=enrollment.pk)


# --- One class: its kelompok and its instructors ------------------------------------------------------------


def _class(course_id: int, class_id: int) -> CourseClass:
    course_class = CourseClass.objects.select_related("course").filter(pk=class_id, course_id=course_id).first()
    if course_class is None:
        raise Http404
    return course_class


def _class_url(course_class: CourseClass) -> str:
    return reverse("cohorts:class_detail", args=[course_class.course_id, course_class.pk])


@require_GET
def class_detail(request: HttpRequest, course_id: int, class_id: int) -> HttpResponse:
    course_class = _class(course_id, class_id)
    course = course_class.course
    if denied := _denied(request, course):
        return denied
    roster = class_roster(course_class=course_class)
    groups = class_groups(course_class=course_class)
    by_group = {group: [e for e, g in roster if g == group] for group in groups}
    teaching = set(course_class.instructors.values_list("pk", flat=True))
    candidates = course_instructor_candidates(course=course)
    return TemplateResponse(
        request,
        "cohorts/class_detail.html",
        {
            "course": course,
            "course_class": course_class,
            "roster": roster,
            "groups": groups,
            "by_group": by_group,
            "ungrouped": [e for e, g in roster if g is None],
            "instructors": [u for u in candidates if u.pk in teaching]
            + list(course_class.instructors.exclude(pk__in=[u.pk for u in candidates])),
            "candidates": [u for u in candidates if u.pk not in teaching],
            "group_form": GroupCreateForm(),
            "manage_url": _manage_url(course),
        },
    )


@require_POST
def group_create(request: HttpRequest, course_id: int, class_id: int) -> HttpResponse:
    course_class = _class(course_id, class_id)
    if denied := _denied(request, course_class.course):
        return denied
    form = GroupCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi nama kelompok (maksimal 80 karakter)."))
        return redirect(_class_url(course_class))
    try:
        group = study_group_create(course_class=course_class, name=form.cleaned_data["name"])
    except CohortError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Kelompok %(nama)s dibuat.") % {"nama": group.name})
    return redirect(_class_url(course_class))


@require_POST
def group_assign(request: HttpRequest, course_id: int, class_id: int) -> HttpResponse:
    course_class = _class(course_id, class_id)
    if denied := _denied(request, course_class.course):
        return denied
    form = GroupAssignForm(
        request.POST,
        group_ids=[g.pk for g in class_groups(course_class=course_class)],
        enrollment_ids=[e.pk for e, _group in class_roster(course_class=course_class)],
    )
    if not form.is_valid():
        messages.error(request, _("Pilih sedikitnya satu peserta kelas ini dan kelompoknya."))
        return redirect(_class_url(course_class))
    enrollments = list(Enrollment.objects.filter(pk__in=form.cleaned_data["enrollment"]))
    group_id = form.cleaned_data["group"]
    try:
        if group_id is None:
            changed = group_members_remove(course_class=course_class, enrollments=enrollments)
            messages.success(request, _("%(n)d peserta dikeluarkan dari kelompoknya.") % {"n": changed})
        else:
            group = StudyGroup.objects.get(pk=group_id, course_class=course_class)
            changed = group_members_assign(group=group, enrollments=enrollments)
            messages.success(
                request, _("%(n)d peserta ditetapkan ke %(kelompok)s.") % {"n": changed, "kelompok": group.name}
            )
    except CohortError as error:
        messages.error(request, error.message)
    return redirect(_class_url(course_class))


@require_POST
def class_instructor(request: HttpRequest, course_id: int, class_id: int) -> HttpResponse:
    course_class = _class(course_id, class_id)
    course = course_class.course
    if denied := _denied(request, course):
        return denied
    ids = [u.pk for u in course_instructor_candidates(course=course)]
    ids += list(course_class.instructors.values_list("pk", flat=True))  # one who left the course can be removed
    form = ClassInstructorForm(request.POST, user_ids=ids)
    if not form.is_valid():
        messages.error(request, _("Pilih pengajar pelatihan ini."))
        return redirect(_class_url(course_class))
    user = User.objects.get(pk=form.cleaned_data["user"])
    name = user.full_name or user.nip
    try:
        if form.cleaned_data["action"] == "add":
            class_instructor_add(course_class=course_class, user=user)
            messages.success(request, _("%(nama)s mengajar %(kelas)s.") % {"nama": name, "kelas": course_class.name})
        else:
            class_instructor_remove(course_class=course_class, user=user)
            messages.success(
                request, _("%(nama)s tidak lagi mengajar %(kelas)s.") % {"nama": name, "kelas": course_class.name}
            )
    except CohortError as error:
        messages.error(request, error.message)
    return redirect(_class_url(course_class))
